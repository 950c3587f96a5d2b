/**
 * Exact non-negative ratio (比例) of two safe integers, e.g. a 差额补贴比例 of 0.85 = 17/20. Always
 * reduced, denominator > 0. Parsed from decimal text ("0.85", "85%") or a fraction ("17/20"); never
 * from binary floating point, so a ratio is exactly what the policy document says.
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

export interface Ratio {
  readonly numerator: number
  readonly denominator: number
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b))

export const make = (
  numerator: bigint,
  denominator: bigint,
  field = "ratio",
): Result.Result<Ratio, InvalidValue> => {
  if (denominator <= 0n || numerator < 0n)
    return Result.fail(
      invalid(
        field,
        "ratio.non-negative",
        `${numerator}/${denominator}`,
        "a ratio is a non-negative fraction",
      ),
    )
  const g = gcd(numerator, denominator)
  const n = numerator / g
  const d = denominator / g
  const max = BigInt(Number.MAX_SAFE_INTEGER)
  if (n > max || d > max)
    return Result.fail(
      invalid(field, "ratio.safe-range", `${numerator}/${denominator}`, "ratio out of range"),
    )
  return Result.succeed({ numerator: Number(n), denominator: Number(d) })
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(%?)$/u
const FRACTION = /^(\d+)\s*\/\s*(\d+)$/u

/** Parses `0.85`, `85%`, `85.5%`, `17/20`, `1`. */
export const parse = (text: string, field = "ratio"): Result.Result<Ratio, InvalidValue> => {
  const t = text.trim()
  const f = FRACTION.exec(t)
  if (f) return make(BigInt(f[1]!), BigInt(f[2]!), field)
  const m = DECIMAL.exec(t)
  if (!m)
    return Result.fail(invalid(field, "ratio.format", text, "expected a ratio such as 0.85, 85% or 17/20"))
  const decimals = m[2] ?? ""
  const scale = 10n ** BigInt(decimals.length) * (m[3] === "%" ? 100n : 1n)
  return make(BigInt(m[1]! + decimals), scale, field)
}

/** Canonical text: `17/20` (or `1`, `0`). */
export const format = (r: Ratio): string =>
  r.denominator === 1 ? String(r.numerator) : `${r.numerator}/${r.denominator}`

export const compare = (a: Ratio, b: Ratio): -1 | 0 | 1 => {
  const l = BigInt(a.numerator) * BigInt(b.denominator)
  const r = BigInt(b.numerator) * BigInt(a.denominator)
  return l < r ? -1 : l > r ? 1 : 0
}
