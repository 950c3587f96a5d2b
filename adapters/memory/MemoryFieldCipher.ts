/**
 * In-memory FieldCipher for tests and replays: AES-256-GCM with a key derived from a test secret, and an
 * HMAC-SHA-256 blind index. Real deployments use the SM4 adapter (crypto work, later issue). Sealing is
 * deterministic per (field, plaintext) here (nonce from the HMAC) so replays produce identical rows.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto"
import { Effect, Layer, Option } from "effect"
import { FieldCipher, FieldCipherError, type SensitiveField } from "../../application/ports/FieldCipher.js"

export const make = (secret = "anju-memory-field-cipher", keyId = "mem-1"): FieldCipher["Service"] => {
  const key = createHash("sha256").update(`enc:${secret}`).digest()
  const indexKey = createHash("sha256").update(`idx:${secret}`).digest()
  const mac = (field: SensitiveField, text: string) =>
    createHmac("sha256", indexKey).update(`${field}\u0000${text}`).digest()
  return {
    seal: (field, plaintext) =>
      Effect.sync(() => {
        const iv = mac(field, plaintext).subarray(0, 12)
        const c = createCipheriv("aes-256-gcm", key, iv)
        c.setAAD(Buffer.from(field))
        const body = Buffer.concat([c.update(plaintext, "utf8"), c.final()])
        return { keyId, ciphertext: Buffer.concat([iv, c.getAuthTag(), body]).toString("base64") }
      }),
    open: (field, sealed) =>
      Effect.try({
        try: () => {
          if (sealed.keyId !== keyId) throw new Error("unknown key")
          const raw = Buffer.from(sealed.ciphertext, "base64")
          const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12))
          d.setAAD(Buffer.from(field))
          d.setAuthTag(raw.subarray(12, 28))
          return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8")
        },
        catch: () => new FieldCipherError({ reason: { _tag: "Undecryptable", field, keyId: sealed.keyId } }),
      }),
    blindIndex: (field, plaintext) => Effect.sync(() => mac(field, plaintext).toString("hex")),
    // One key, never rotated: every value is current; a foreign key id is refused as `open` would.
    rewrap: (field, sealed) =>
      sealed.keyId === keyId
        ? Effect.succeed(Option.none())
        : Effect.fail(
            new FieldCipherError({ reason: { _tag: "Undecryptable", field, keyId: sealed.keyId } }),
          ),
  }
}

export const layer = (secret?: string): Layer.Layer<FieldCipher> => Layer.succeed(FieldCipher, make(secret))
