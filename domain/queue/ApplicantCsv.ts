/**
 * applicants.csv (轮候名单) for `anju queue rank`: a header row, then one household per row. Columns (any
 * order; unknown columns ignored): id, project, unit_type, qualification_date, entry_time (required);
 * unit, certificate_valid_until, hardship (特困|低保|空), industry, income, housing_area, owns_home,
 * false_information, abandoned (是/否), intention (1次|2次|未标注), family_size (optional). Times are
 * Asia/Shanghai (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`). Pure: text in, households or the first error out.
 */
import { Result } from "effect"
import { parseCsv, type TabularRow } from "../stock/Tabular.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Applicant, Hardship, IntentionMark } from "./Applicant.js"

export const APPLICANT_COLUMNS = [
  "id",
  "project",
  "unit_type",
  "unit",
  "entry_time",
  "qualification_date",
  "certificate_valid_until",
  "hardship",
  "industry",
  "income",
  "housing_area",
  "owns_home",
  "false_information",
  "abandoned",
  "intention",
  "family_size",
] as const

const REQUIRED = ["id", "project", "unit_type", "qualification_date", "entry_time"] as const

/** A header: column name → cell index. */
export type Header = ReadonlyMap<string, number>

export const readHeader = (
  row: TabularRow,
  required: ReadonlyArray<string> = REQUIRED,
): Result.Result<Header, InvalidValue> => {
  const h = new Map<string, number>()
  row.cells.forEach((c, i) => {
    h.set(c.trim().toLowerCase(), i)
  })
  for (const r of required)
    if (!h.has(r)) return Result.fail(invalid("header", "csv.missing-column", r, `column ${r} is missing`))
  return Result.succeed(h)
}

export const cell = (h: Header, row: TabularRow, name: string): string => {
  const i = h.get(name)
  return i === undefined ? "" : (row.cells[i] ?? "").trim()
}

const TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/u

/** `YYYY-MM-DD[ HH:MM[:SS]]` in Asia/Shanghai → epoch milliseconds. */
export const parseLocalTime = (text: string, field: string): Result.Result<number, InvalidValue> => {
  const m = TIME.exec(text)
  if (m === null)
    return Result.fail(invalid(field, "time.format", text, "expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]"))
  return Result.flatMap(CivilDate.parse(m[1]!, field), (d) => {
    const h = Number(m[2] ?? 0)
    const mi = Number(m[3] ?? 0)
    const s = Number(m[4] ?? 0)
    if (h > 23 || mi > 59 || s > 59)
      return Result.fail(invalid(field, "time.range", text, "not a valid time of day"))
    return Result.succeed(CivilDate.startOfDayInstant(d) + ((h * 60 + mi) * 60 + s) * 1000)
  })
}

const HARDSHIP: Record<string, Hardship> = {
  特困: "tekun",
  tekun: "tekun",
  低保: "dibao",
  dibao: "dibao",
  "": "none",
  无: "none",
  none: "none",
}
const INTENTION: Record<string, IntentionMark> = {
  "1次": "first",
  "1次标注": "first",
  "1": "first",
  first: "first",
  "2次": "second",
  "2次标注": "second",
  "2": "second",
  second: "second",
  "": "none",
  未标注: "none",
  none: "none",
}
const BOOL: Record<string, boolean> = {
  是: true,
  否: false,
  true: true,
  false: false,
  "1": true,
  "0": false,
  y: true,
  n: false,
  yes: true,
  no: false,
}

/** One household from a row (header already read). Field names in errors are `row N: column`. */
export const applicantFromRow = (h: Header, row: TabularRow): Result.Result<Applicant, InvalidValue> => {
  const at = (c: string) => `row ${row.row}: ${c}`
  const get = (c: string) => cell(h, row, c)
  for (const r of REQUIRED)
    if (get(r) === "") return Result.fail(invalid(at(r), "csv.required", "", `${r} is empty`))
  const qualified = CivilDate.parse(get("qualification_date"), at("qualification_date"))
  if (Result.isFailure(qualified)) return Result.fail(qualified.failure)
  const entry = parseLocalTime(get("entry_time"), at("entry_time"))
  if (Result.isFailure(entry)) return Result.fail(entry.failure)
  let validUntil: number | undefined
  if (get("certificate_valid_until") !== "") {
    const v = CivilDate.parse(get("certificate_valid_until"), at("certificate_valid_until"))
    if (Result.isFailure(v)) return Result.fail(v.failure)
    validUntil = CivilDate.toDayNumber(v.success)
  }
  const hardship = HARDSHIP[get("hardship")]
  if (hardship === undefined)
    return Result.fail(
      invalid(at("hardship"), "queue.hardship", get("hardship"), "expected 特困, 低保 or empty"),
    )
  const intention = INTENTION[get("intention")]
  if (intention === undefined)
    return Result.fail(
      invalid(at("intention"), "queue.intention", get("intention"), "expected 1次, 2次, 未标注 or empty"),
    )
  const nums: Record<string, number> = {}
  for (const c of ["income", "housing_area", "family_size"]) {
    const t = get(c)
    if (t === "") continue
    const v = Number(t)
    if (!Number.isFinite(v) || v < 0)
      return Result.fail(invalid(at(c), "queue.number", t, `${c} must be a non-negative number`))
    nums[c] = v
  }
  const bools: Record<string, boolean> = {}
  for (const c of ["owns_home", "false_information", "abandoned"]) {
    const t = get(c).toLowerCase()
    if (t === "") continue
    const v = BOOL[t]
    if (v === undefined) return Result.fail(invalid(at(c), "queue.boolean", t, `${c} must be 是 or 否`))
    bools[c] = v
  }
  const unit = get("unit")
  const industry = get("industry")
  return Result.succeed({
    id: get("id"),
    project: get("project"),
    unitType: get("unit_type"),
    ...(unit === "" ? {} : { unit }),
    entryAt: entry.success,
    qualifiedOn: CivilDate.toDayNumber(qualified.success),
    ...(validUntil === undefined ? {} : { certificateValidUntil: validUntil }),
    hardship,
    ...(industry === "" ? {} : { industry }),
    ...(nums.income === undefined ? {} : { income: nums.income }),
    ...(nums.housing_area === undefined ? {} : { housingArea: nums.housing_area }),
    ...(nums.family_size === undefined ? {} : { familySize: nums.family_size }),
    ...(bools.owns_home === undefined ? {} : { ownsHome: bools.owns_home }),
    ...(bools.false_information === undefined ? {} : { falseInformation: bools.false_information }),
    ...(bools.abandoned === undefined ? {} : { abandoned: bools.abandoned }),
    intention,
  })
}

export const parseApplicantsCsv = (text: string): Result.Result<ReadonlyArray<Applicant>, InvalidValue> =>
  Result.flatMap(parseCsv(text), (rows) => {
    const [first, ...rest] = rows
    if (first === undefined) return Result.fail(invalid("file", "csv.empty", "", "the file has no header"))
    const h = readHeader(first)
    if (Result.isFailure(h)) return Result.fail(h.failure)
    const out: Array<Applicant> = []
    for (const row of rest) {
      const a = applicantFromRow(h.success, row)
      if (Result.isFailure(a)) return Result.fail(a.failure)
      out.push(a.success)
    }
    return Result.succeed(out)
  })
