/**
 * Sealing a selection result (R54 "加密且非明文"): SM4-GCM (GB/T 32907, GCM per RFC 8998) encrypts the
 * domain's exported bytes under a 128-bit key, and SM2 (GB/T 32918, SM3 digest with Z, user id
 * 1234567812345678) signs the header and ciphertext. File: "ANJUSEL1" ‖ IV(12) ‖ tag(16) ‖ signature r‖s(64)
 * ‖ ciphertext. Keys are passed in as hex; the IV comes from the OS CSPRNG unless a test supplies one.
 */
import { randomBytes } from "node:crypto"
import { Data, Result } from "effect"
import { sm2, sm4 } from "sm-crypto-v2"

const MAGIC = new TextEncoder().encode("ANJUSEL1")
const IV_BYTES = 12
const TAG_BYTES = 16
const SIG_BYTES = 64
const HEADER = MAGIC.length + IV_BYTES + TAG_BYTES + SIG_BYTES
export const SM2_USER_ID = "1234567812345678"

export class SelectionSealError extends Data.TaggedError("SelectionSealError")<{
  readonly reason: "bad-key" | "not-sealed" | "bad-signature" | "undecryptable"
  readonly message: string
}> {}

const fail = (reason: SelectionSealError["reason"], message: string) =>
  Result.fail(new SelectionSealError({ reason, message }))

const checkSm4Key = (hex: string) => /^[0-9a-fA-F]{32}$/u.test(hex)
const checkPrivateKey = (hex: string) => /^[0-9a-fA-F]{64}$/u.test(hex)

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const concat = (...parts: ReadonlyArray<Uint8Array>) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
const signed = (iv: Uint8Array, tag: Uint8Array, ct: Uint8Array) => concat(MAGIC, iv, tag, ct)

export const publicKeyOf = (sm2PrivateKey: string): string => sm2.getPublicKeyFromPrivateKey(sm2PrivateKey)

/** Encrypts and signs `payload`. */
export const seal = (
  payload: Uint8Array,
  keys: { readonly sm4Key: string; readonly sm2PrivateKey: string },
  options: { readonly iv?: Uint8Array } = {},
): Result.Result<Uint8Array, SelectionSealError> => {
  if (!checkSm4Key(keys.sm4Key))
    return fail("bad-key", "the SM4 key must be 32 hexadecimal characters (128 bits)")
  if (!checkPrivateKey(keys.sm2PrivateKey))
    return fail("bad-key", "the SM2 private key must be 64 hexadecimal characters")
  const iv = options.iv ?? new Uint8Array(randomBytes(IV_BYTES))
  const { output, tag } = sm4.encrypt(payload, keys.sm4Key, {
    mode: "gcm",
    iv,
    output: "array",
    outputTag: true,
  })
  const t = tag ?? new Uint8Array(TAG_BYTES)
  const sig = sm2.doSignature(signed(iv, t, output), keys.sm2PrivateKey, {
    hash: true,
    der: false,
    publicKey: publicKeyOf(keys.sm2PrivateKey),
    userId: SM2_USER_ID,
  })
  return Result.succeed(concat(MAGIC, iv, t, Buffer.from(sig.padStart(128, "0"), "hex"), output))
}

/** Verifies the SM2 signature first (no decryption of unsigned data), then decrypts. */
export const open = (
  sealed: Uint8Array,
  keys: { readonly sm4Key: string; readonly sm2PublicKey: string },
): Result.Result<Uint8Array, SelectionSealError> => {
  if (!checkSm4Key(keys.sm4Key))
    return fail("bad-key", "the SM4 key must be 32 hexadecimal characters (128 bits)")
  if (sealed.length < HEADER || hex(sealed.subarray(0, MAGIC.length)) !== hex(MAGIC))
    return fail("not-sealed", "not a sealed selection result (ANJUSEL1)")
  const ivAt = MAGIC.length
  const tagAt = ivAt + IV_BYTES
  const sigAt = tagAt + TAG_BYTES
  const iv = sealed.subarray(ivAt, tagAt)
  const tag = sealed.subarray(tagAt, sigAt)
  const sig = sealed.subarray(sigAt, HEADER)
  const ct = sealed.subarray(HEADER)
  let ok = false
  try {
    ok = sm2.doVerifySignature(signed(iv, tag, ct), hex(sig), keys.sm2PublicKey, {
      hash: true,
      der: false,
      userId: SM2_USER_ID,
    })
  } catch {
    ok = false
  }
  if (!ok) return fail("bad-signature", "the SM2 signature does not verify with this public key")
  try {
    return Result.succeed(
      sm4.decrypt(ct, keys.sm4Key, { mode: "gcm", iv, tag, output: "array" }) as unknown as Uint8Array,
    )
  } catch (e) {
    return fail("undecryptable", `SM4-GCM decryption failed: ${(e as Error).message}`)
  }
}
