/**
 * FieldCipher with the Chinese national algorithms: SM4-GCM (GB/T 32907, GCM as in RFC 8998) seals each
 * value under a fresh random 96-bit IV with the field name and key id as associated data; the blind
 * index is HMAC-SM3 (GB/T 32905) under a separate key. Keys are 128-bit, 32 hex characters, and travel as
 * `Redacted`; a missing or malformed key fails the layer at start. Sealed form: base64(v1 ‖ IV ‖ C ‖ tag).
 */
import { createHmac, randomBytes } from "node:crypto"
import { Config, Data, Effect, Layer, Option, Redacted } from "effect"
import { sm4 } from "sm-crypto-v2"
import { FieldCipher, FieldCipherError, type SensitiveField } from "../../application/ports/FieldCipher.js"

/** Configuration names read by `layerConfig`. */
export const CONFIG = {
  encryptionKey: "ANJU_FIELD_KEY",
  indexKey: "ANJU_INDEX_KEY",
  keyId: "ANJU_FIELD_KEY_ID",
} as const

export interface Sm4Keys {
  /** SM4 key, 32 hex characters. */
  readonly encryptionKey: Redacted.Redacted<string>
  /** HMAC-SM3 key of the blind index, 32 hex characters; must differ from the encryption key. */
  readonly indexKey: Redacted.Redacted<string>
  /** Stored beside each ciphertext (default `sm4-1`). */
  readonly keyId?: string
}

/** The keys are missing or malformed: a start-up failure, never a port error. */
export class Sm4KeyInvalid extends Data.TaggedError("Sm4KeyInvalid")<{ readonly message: string }> {}

const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEX_KEY = /^[0-9a-fA-F]{32}$/u

const decodeKey = (name: string, key: Redacted.Redacted<string>): Uint8Array | Sm4KeyInvalid => {
  const text = Redacted.value(key).trim()
  return HEX_KEY.test(text)
    ? Uint8Array.from(Buffer.from(text, "hex"))
    : new Sm4KeyInvalid({
        message: `${name} must be 32 hexadecimal characters (a 128-bit SM4/HMAC-SM3 key); got ${text.length} characters`,
      })
}

const aad = (keyId: string, field: SensitiveField) =>
  new TextEncoder().encode(`anju/field/v1|${keyId}|${field}`)

/**
 * Builds the cipher; fails with Sm4KeyInvalid for malformed keys. `iv` is for tests only (a fixed IV
 * breaks GCM's security); production uses the OS CSPRNG for every value.
 */
export const make = (
  keys: Sm4Keys,
  options: { readonly iv?: () => Uint8Array } = {},
): Effect.Effect<FieldCipher["Service"], Sm4KeyInvalid> =>
  Effect.suspend(() => {
    const key = decodeKey(CONFIG.encryptionKey, keys.encryptionKey)
    if (key instanceof Sm4KeyInvalid) return Effect.fail(key)
    const indexKey = decodeKey(CONFIG.indexKey, keys.indexKey)
    if (indexKey instanceof Sm4KeyInvalid) return Effect.fail(indexKey)
    if (Buffer.from(key).equals(Buffer.from(indexKey)))
      return Effect.fail(
        new Sm4KeyInvalid({ message: `${CONFIG.indexKey} must differ from ${CONFIG.encryptionKey}` }),
      )
    const keyId = keys.keyId ?? "sm4-1"
    const nextIv = options.iv ?? (() => Uint8Array.from(randomBytes(IV_BYTES)))
    const undecryptable = (field: SensitiveField, id: string) =>
      new FieldCipherError({ reason: { _tag: "Undecryptable", field, keyId: id } })
    const service: FieldCipher["Service"] = {
      seal: (field, plaintext) =>
        Effect.sync(() => {
          const iv = nextIv()
          const { output, tag } = sm4.encrypt(new TextEncoder().encode(plaintext), key, {
            mode: "gcm",
            iv,
            associatedData: aad(keyId, field),
            output: "array",
            outputTag: true,
          })
          if (tag === undefined || tag.length !== TAG_BYTES) throw new Error("SM4-GCM produced no tag")
          return {
            keyId,
            ciphertext: Buffer.concat([Uint8Array.of(VERSION), iv, output, tag]).toString("base64"),
          }
        }),
      open: (field, sealed) =>
        Effect.try({
          try: () => {
            if (sealed.keyId !== keyId) throw new Error("unknown key")
            const raw = Uint8Array.from(Buffer.from(sealed.ciphertext, "base64"))
            if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) throw new Error("bad format")
            // The tag is always passed: sm-crypto-v2 skips authentication when it is absent.
            return new TextDecoder("utf-8", { fatal: true }).decode(
              sm4.decrypt(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES), key, {
                mode: "gcm",
                iv: raw.subarray(1, 1 + IV_BYTES),
                associatedData: aad(keyId, field),
                tag: raw.subarray(raw.length - TAG_BYTES),
                output: "array",
              }),
            )
          },
          catch: () => undecryptable(field, sealed.keyId),
        }),
      blindIndex: (field, plaintext) =>
        Effect.sync(() => createHmac("sm3", indexKey).update(`${field}\u0000${plaintext}`).digest("hex")),
    }
    return Effect.succeed(service)
  })

export const layer = (keys: Sm4Keys): Layer.Layer<FieldCipher, Sm4KeyInvalid> =>
  Layer.effect(FieldCipher, make(keys))

/** Keys from configuration (`ANJU_FIELD_KEY`, `ANJU_INDEX_KEY`, optional `ANJU_FIELD_KEY_ID`). */
export const layerConfig: Layer.Layer<FieldCipher, Sm4KeyInvalid> = Layer.effect(
  FieldCipher,
  Effect.gen(function* () {
    const read = (name: string) =>
      Config.option(Config.Redacted(name)).pipe(
        Effect.mapError(() => new Sm4KeyInvalid({ message: `${name} cannot be read` })),
        Effect.flatMap(
          Option.match({
            onNone: () =>
              Effect.fail(
                new Sm4KeyInvalid({
                  message: `${name} is not set: the SM4 field cipher needs ${CONFIG.encryptionKey} and ${CONFIG.indexKey} (32 hex characters each)`,
                }),
              ),
            onSome: Effect.succeed,
          }),
        ),
      )
    const encryptionKey = yield* read(CONFIG.encryptionKey)
    const indexKey = yield* read(CONFIG.indexKey)
    const keyId = yield* Config.option(Config.String(CONFIG.keyId)).pipe(
      Effect.orElseSucceed(() => Option.none<string>()),
    )
    return yield* make({
      encryptionKey,
      indexKey,
      ...(Option.isSome(keyId) ? { keyId: keyId.value } : {}),
    })
  }),
)
