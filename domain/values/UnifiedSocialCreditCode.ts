/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters over the 31-symbol set
 * 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z); position 1 registration authority, 2 entity type, 3–8
 * region code (digits), 9–17 organisation code, 18 check character: 31 − (Σ vᵢ·3^(i−1) mod 31) mod 31.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "./InvalidValue.js"

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const

export const checkCharacter = (first17: string): string => {
  let s = 0
  for (let i = 0; i < 17; i++) s += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!
  return ALPHABET[(31 - (s % 31)) % 31]!
}

const structural = (s: string): string | undefined => {
  if (s.length !== 18) return "GB32100.length"
  for (const ch of s) if (!ALPHABET.includes(ch)) return "GB32100.charset"
  if (!/^\d{6}$/u.test(s.slice(2, 8))) return "GB32100.region-code"
  if (checkCharacter(s) !== s[17]) return "GB32100.check-character"
  return undefined
}

const MESSAGES: Record<string, string> = {
  "GB32100.length": "a unified social credit code has 18 characters",
  "GB32100.charset": "only 0-9 and A-H J-N P-R T U W-Y are allowed (no I, O, S, V, Z)",
  "GB32100.region-code": "characters 3–8 must be a 6-digit region code",
  "GB32100.check-character": "the check character does not match (GB 32100-2015)",
}

export const UnifiedSocialCreditCode = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => (structural(s) === undefined ? true : MESSAGES[structural(s)!]!)),
  ),
  Schema.brand("UnifiedSocialCreditCode"),
).annotate({ description: "18-character unified social credit code (GB 32100-2015)" })
export type UnifiedSocialCreditCode = typeof UnifiedSocialCreditCode.Type

export const parse = (text: string, field = "uscc"): Result.Result<UnifiedSocialCreditCode, InvalidValue> => {
  const s = text.trim().toUpperCase()
  const rule = structural(s)
  return rule === undefined
    ? Result.succeed(s as UnifiedSocialCreditCode)
    : Result.fail(invalid(field, rule, text, MESSAGES[rule]!))
}
