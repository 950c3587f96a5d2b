/**
 * One unit, one code (一房一码, J1–J4): each unit's stable public code, 16 Crockford-base32 characters
 * made from 80 bits of caller-supplied randomness, so it cannot be guessed or enumerated. The code is
 * what the QR on the lease certificate (J3) and the public page `/u/{code}` carry; it never changes.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
export const PUBLIC_CODE_BYTES = 10
const SHAPE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}$/u

export const PublicCode = Schema.String.pipe(
  Schema.check(Schema.isPattern(SHAPE)),
  Schema.brand("PublicCode"),
).annotate({
  description: "Unit public code (一房一码): 16 Crockford base-32 characters",
})
export type PublicCode = typeof PublicCode.Type

/** Encodes exactly 10 random bytes (80 bits) as 16 base-32 characters. */
export const fromRandomBytes = (bytes: Uint8Array): PublicCode => {
  if (bytes.length !== PUBLIC_CODE_BYTES)
    throw new RangeError(`public code needs ${PUBLIC_CODE_BYTES} random bytes`)
  let out = ""
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(acc >>> bits) & 31]
    }
    acc &= (1 << bits) - 1
  }
  return out as PublicCode
}

/** Normalises what a person may type or a scanner may read: case, I/L → 1, O → 0, spaces and hyphens. */
export const parse = (text: string, field = "code"): Result.Result<PublicCode, InvalidValue> => {
  const s = text.trim().toUpperCase().replace(/[\s-]/gu, "").replace(/[IL]/gu, "1").replace(/O/gu, "0")
  return SHAPE.test(s)
    ? Result.succeed(s as PublicCode)
    : Result.fail(
        invalid(
          field,
          "public-code.format",
          text,
          "a unit code has 16 characters of 0-9 and A-Z without I, L, O, U",
        ),
      )
}
