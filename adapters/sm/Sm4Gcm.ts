/**
 * SM4-GCM (GB/T 32907 with GCM as in RFC 8998) over bytes, shared by the field cipher and the software KMS:
 * a 128-bit key, a 96-bit IV, associated data, a 16-byte tag. `open` always passes the tag (sm-crypto-v2
 * skips authentication without one) and throws on any mismatch; callers turn that into their port error.
 */
import { sm4 } from "sm-crypto-v2"

export const KEY_BYTES = 16
export const IV_BYTES = 12
export const TAG_BYTES = 16

const utf8 = new TextEncoder()

/** `iv ‖ ciphertext ‖ tag`. */
export const seal = (key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array => {
  if (key.length !== KEY_BYTES || iv.length !== IV_BYTES) throw new Error("SM4-GCM: bad key or IV length")
  const { output, tag } = sm4.encrypt(plaintext, key, {
    mode: "gcm",
    iv,
    associatedData: utf8.encode(aad),
    output: "array",
    outputTag: true,
  })
  if (tag === undefined || tag.length !== TAG_BYTES) throw new Error("SM4-GCM produced no tag")
  const out = new Uint8Array(IV_BYTES + output.length + TAG_BYTES)
  out.set(iv, 0)
  out.set(output, IV_BYTES)
  out.set(tag, IV_BYTES + output.length)
  return out
}

/** Opens `iv ‖ ciphertext ‖ tag`; throws when it is too short, tampered, or under another key or AAD. */
export const open = (key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array => {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error("SM4-GCM: too short")
  return Uint8Array.from(
    sm4.decrypt(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES), key, {
      mode: "gcm",
      iv: sealed.subarray(0, IV_BYTES),
      associatedData: utf8.encode(aad),
      tag: sealed.subarray(sealed.length - TAG_BYTES),
      output: "array",
    }),
  )
}
