/**
 * Mainland China mobile number (手机号): 11 digits starting 13–19. Accepts `+86`/`0086`/`86` prefixes,
 * spaces and hyphens, and normalises to the bare 11 digits.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "./InvalidValue.js"

const SHAPE = /^1[3-9]\d{9}$/u

export const MobileNumber = Schema.String.pipe(
  Schema.check(Schema.isPattern(SHAPE)),
  Schema.brand("MobileNumber"),
).annotate({ description: "Mainland mobile number, 11 digits" })
export type MobileNumber = typeof MobileNumber.Type

export const parse = (text: string, field = "mobile"): Result.Result<MobileNumber, InvalidValue> => {
  let s = text.trim().replace(/[\s-]/gu, "")
  if (s.startsWith("+86")) s = s.slice(3)
  else if (s.startsWith("0086")) s = s.slice(4)
  else if (s.length === 13 && s.startsWith("86")) s = s.slice(2)
  return SHAPE.test(s)
    ? Result.succeed(s as MobileNumber)
    : Result.fail(
        invalid(
          field,
          "mobile.mainland-format",
          mask(text),
          "expected an 11-digit mainland mobile number starting 13–19",
        ),
      )
}

/** `138****5678` */
export const mask = (s: string): string =>
  s.length < 7 ? "*".repeat(s.length) : `${s.slice(0, 3)}${"*".repeat(s.length - 7)}${s.slice(-4)}`
