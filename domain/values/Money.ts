/**
 * Money (金额) as an integer number of fen (分). Every operation stays within the safe-integer range or
 * fails; nothing rounds implicitly. Ratios go through `multiplyRatio` with a named rounding mode,
 * computed exactly in bigint. Formatting is `¥1,234.56`; parsing accepts at most two decimals.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "./InvalidValue.js"

export const Money = Schema.Int.pipe(Schema.brand("Money"))
export type Money = typeof Money.Type

/** Rounding modes, named as in IEEE 754 / Java's RoundingMode. */
export type Rounding = "half-up" | "half-even" | "floor" | "ceiling" | "down"

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

export const zero = 0 as Money

/** Wraps a safe integer number of fen; fails for fractions, NaN and anything beyond ±(2^53 − 1). */
export const fromFen = (fen: number | bigint, field = "amount"): Result.Result<Money, InvalidValue> => {
  const n = typeof fen === "bigint" ? fen : Number.isInteger(fen) ? BigInt(fen) : undefined
  if (n === undefined)
    return Result.fail(invalid(field, "money.integer-fen", fen, "amount must be a whole number of fen"))
  if (n > MAX || n < -MAX)
    return Result.fail(invalid(field, "money.safe-range", fen, "amount out of the safe range"))
  return Result.succeed(Number(n) as Money)
}

/** Like `fromFen` but for values the caller has already proven safe (literals, sums of checked values). */
export const unsafeFen = (fen: number): Money => {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a safe integer fen amount: ${fen}`)
  return fen as Money
}

export const add = (a: Money, b: Money): Result.Result<Money, InvalidValue> => fromFen(BigInt(a) + BigInt(b))
export const subtract = (a: Money, b: Money): Result.Result<Money, InvalidValue> =>
  fromFen(BigInt(a) - BigInt(b))
export const sum = (xs: Iterable<Money>): Result.Result<Money, InvalidValue> => {
  let t = 0n
  for (const x of xs) t += BigInt(x)
  return fromFen(t)
}
export const multiplyInt = (a: Money, k: number): Result.Result<Money, InvalidValue> =>
  Number.isInteger(k)
    ? fromFen(BigInt(a) * BigInt(k))
    : Result.fail(invalid("factor", "money.integer-factor", k, "factor must be an integer"))
export const negate = (a: Money): Money => (a === 0 ? zero : (-a as Money))
export const compare = (a: Money, b: Money): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0)

/** Divides `n` by positive `d` with the given rounding; exact for any bigint inputs. */
export const divideRounded = (n: bigint, d: bigint, mode: Rounding): bigint => {
  if (d <= 0n) throw new RangeError("divisor must be positive")
  const q = n / d // truncates toward zero
  const r = n % d
  if (r === 0n) return q
  const negative = n < 0n
  const floor = negative ? q - 1n : q
  const ceil = floor + 1n
  switch (mode) {
    case "floor":
      return floor
    case "ceiling":
      return ceil
    case "down":
      return q
    case "half-up":
    case "half-even": {
      const twice = 2n * (n - floor * d) // distance above floor, doubled
      if (twice < d) return floor
      if (twice > d) return ceil
      if (mode === "half-up") return negative ? floor : ceil // half away from zero
      return floor % 2n === 0n ? floor : ceil
    }
  }
}

/** `a × numerator / denominator`, rounded once with `mode`. Used for rates, shares and proration. */
export const multiplyRatio = (
  a: Money,
  numerator: bigint | number,
  denominator: bigint | number,
  mode: Rounding,
): Result.Result<Money, InvalidValue> => {
  const d = BigInt(denominator)
  if (d <= 0n)
    return Result.fail(
      invalid("denominator", "money.positive-denominator", denominator, "denominator must be positive"),
    )
  return fromFen(divideRounded(BigInt(a) * BigInt(numerator), d, mode))
}

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/gu, ",")

/** `¥1,234.56`, `-¥0.05`. */
export const format = (a: Money): string => {
  const neg = a < 0
  const abs = Math.abs(a)
  const yuan = Math.trunc(abs / 100)
  const fen = abs % 100
  return `${neg ? "-" : ""}¥${group(String(yuan))}.${String(fen).padStart(2, "0")}`
}

/** Plain decimal yuan without grouping or symbol: `1234.56`, `-0.05` (CSV and API output). */
export const toYuanString = (a: Money): string => {
  const neg = a < 0
  const abs = Math.abs(a)
  return `${neg ? "-" : ""}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`
}

const YUAN = /^([+-]?)(\d+)(?:\.(\d*))?$/u

/**
 * Parses decimal yuan (`1234.56`, `1234.5`, `1234`, `-3.20`; thousands separators `1,234.56` allowed)
 * into fen. More than two decimals is an error, never a rounding.
 */
export const parseYuan = (text: string, field = "amount"): Result.Result<Money, InvalidValue> => {
  const t = text.trim().replace(/^¥/u, "")
  const plain = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/u.test(t) ? t.replaceAll(",", "") : t
  const m = YUAN.exec(plain)
  if (!m)
    return Result.fail(
      invalid(field, "money.decimal-format", text, "expected a decimal amount in yuan such as 1234.56"),
    )
  const decimals = m[3] ?? ""
  if (decimals.length > 2)
    return Result.fail(
      invalid(field, "money.max-two-decimals", text, "amounts have at most two decimals (fen)"),
    )
  const fen = BigInt(m[2]!) * 100n + BigInt(decimals.padEnd(2, "0") || "0")
  return fromFen(m[1] === "-" ? -fen : fen, field)
}
