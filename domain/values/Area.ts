/**
 * Floor area (面积) as an integer number of hundredths of a square metre (0.01 m²). Parsing accepts at
 * most two decimals; there is no implicit rounding. `85.50 m²` is 8550.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "./InvalidValue.js"

export const Area = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)), Schema.brand("Area"))
export type Area = typeof Area.Type

const DEC = /^(\d+)(?:\.(\d{0,2}))?$/u

/** Parses square metres (`85`, `85.5`, `85.50`); negative values and a third decimal are errors. */
export const parseSquareMetres = (text: string, field = "area"): Result.Result<Area, InvalidValue> => {
  const t = text.trim()
  if (/^\d+\.\d{3,}$/u.test(t))
    return Result.fail(
      invalid(field, "area.max-two-decimals", text, "areas have at most two decimals (0.01 m²)"),
    )
  const m = DEC.exec(t)
  if (!m)
    return Result.fail(
      invalid(field, "area.decimal-format", text, "expected a non-negative area in m² such as 85.50"),
    )
  const v = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0") || "0")
  if (!Number.isSafeInteger(v))
    return Result.fail(invalid(field, "area.safe-range", text, "area out of range"))
  return Result.succeed(v as Area)
}

export const fromHundredths = (n: number, field = "area"): Result.Result<Area, InvalidValue> =>
  Number.isSafeInteger(n) && n >= 0
    ? Result.succeed(n as Area)
    : Result.fail(
        invalid(field, "area.non-negative-integer", n, "area must be a non-negative whole number of 0.01 m²"),
      )

/** `85.50` */
export const toDecimalString = (a: Area): string =>
  `${Math.trunc(a / 100)}.${String(a % 100).padStart(2, "0")}`
/** `85.50 m²` */
export const format = (a: Area): string => `${toDecimalString(a)} m²`
