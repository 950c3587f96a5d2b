/**
 * PRC resident identity number (公民身份号码), GB 11643-1999: 6-digit region code, 8-digit birth date,
 * 3-digit sequence (odd = male, even = female), check character from ISO 7064 MOD 11-2 (`X` = 10).
 * A lower-case `x` is accepted and normalised. Any real birth date from 1800-01-01 on is accepted;
 * "not in the future" needs a date, so `parse` takes an optional `asOf`.
 */
import { Result, Schema } from "effect"
import * as CivilDate from "./CivilDate.js"
import { type InvalidValue, invalid } from "./InvalidValue.js"

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const CHECK = "10X98765432"
/** GB/T 2260 province-level codes (first two digits). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83,
])

/** The check character for the first 17 digits. */
export const checkCharacter = (first17: string): string => {
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i]!
  return CHECK[s % 11]!
}

const structural = (s: string): string | undefined => {
  if (!/^\d{17}[\dX]$/u.test(s)) return "GB11643.format"
  if (!PROVINCES.has(Number(s.slice(0, 2)))) return "GB11643.region-code"
  const y = Number(s.slice(6, 10))
  if (!CivilDate.isValidYmd(y, Number(s.slice(10, 12)), Number(s.slice(12, 14)))) return "GB11643.birth-date"
  if (y < 1800) return "GB11643.birth-date"
  if (checkCharacter(s) !== s[17]) return "GB11643.check-digit"
  return undefined
}

const MESSAGES: Record<string, string> = {
  "GB11643.format": "an ID number has 17 digits followed by a digit or X",
  "GB11643.region-code": "the first two digits are not a province code (GB/T 2260)",
  "GB11643.birth-date": "digits 7–14 are not a valid birth date from 1800 on",
  "GB11643.check-digit": "the check digit does not match (GB 11643-1999, ISO 7064 MOD 11-2)",
  "GB11643.birth-in-future": "the birth date is after the reference date",
}

export const ResidentIdNumber = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => (structural(s) === undefined ? true : MESSAGES[structural(s)!]!)),
  ),
  Schema.brand("ResidentIdNumber"),
).annotate({ description: "18-character PRC resident ID number (GB 11643-1999)" })
export type ResidentIdNumber = typeof ResidentIdNumber.Type

/** Validates and normalises (trim, upper-case `X`). The error never echoes the whole number. */
export const parse = (
  text: string,
  options: { readonly field?: string; readonly asOf?: CivilDate.CivilDate } = {},
): Result.Result<ResidentIdNumber, InvalidValue> => {
  const field = options.field ?? "idNumber"
  const s = text.trim().toUpperCase()
  const rule = structural(s)
  if (rule !== undefined) return Result.fail(invalid(field, rule, mask(s), MESSAGES[rule]!))
  const id = s as ResidentIdNumber
  if (options.asOf !== undefined && birthDate(id) > options.asOf)
    return Result.fail(
      invalid(field, "GB11643.birth-in-future", mask(s), MESSAGES["GB11643.birth-in-future"]!),
    )
  return Result.succeed(id)
}

export const birthDate = (id: ResidentIdNumber): CivilDate.CivilDate =>
  `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}` as CivilDate.CivilDate

export type Gender = "male" | "female"
export const gender = (id: ResidentIdNumber): Gender => (Number(id[16]) % 2 === 1 ? "male" : "female")
export const regionCode = (id: ResidentIdNumber): string => id.slice(0, 6)

/** Age in completed years on `asOf` (a birthday on 29 Feb is reached on 28 Feb in common years). */
export const ageOn = (id: ResidentIdNumber, asOf: CivilDate.CivilDate): number =>
  Math.floor(CivilDate.fullMonthsBetween(birthDate(id), asOf) / 12)

/** `110105********002X`: safe for logs, error messages and screens. */
export const mask = (s: string): string =>
  s.length <= 10 ? "*".repeat(s.length) : `${s.slice(0, 6)}${"*".repeat(s.length - 10)}${s.slice(-4)}`
