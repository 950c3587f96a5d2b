/**
 * Civil dates (日期) as `YYYY-MM-DD` strings in the proleptic Gregorian calendar, and their link to
 * instants in Asia/Shanghai (the zone every rule uses unless it says otherwise). Pure: no clock; an
 * instant always comes in as an argument. Day numbers count days since 1970-01-01.
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "./InvalidValue.js"

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/u

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
export const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31

export const isValidYmd = (y: number, m: number, d: number): boolean =>
  Number.isInteger(y) &&
  Number.isInteger(m) &&
  Number.isInteger(d) &&
  y >= 1 &&
  y <= 9999 &&
  m >= 1 &&
  m <= 12 &&
  d >= 1 &&
  d <= daysInMonth(y, m)

const isCivilDateText = (s: string): boolean => {
  const m = SHAPE.exec(s)
  return m !== null && isValidYmd(Number(m[1]), Number(m[2]), Number(m[3]))
}

export const CivilDate = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => isCivilDateText(s) || "expected a valid calendar date YYYY-MM-DD"),
  ),
  Schema.brand("CivilDate"),
).annotate({ format: "date", description: "Civil date YYYY-MM-DD (Asia/Shanghai)" })
export type CivilDate = typeof CivilDate.Type

export interface Ymd {
  readonly year: number
  readonly month: number
  readonly day: number
}

const pad = (n: number, w: number) => String(n).padStart(w, "0")

export const fromYmd = (
  y: number,
  m: number,
  d: number,
  field = "date",
): Result.Result<CivilDate, InvalidValue> =>
  isValidYmd(y, m, d)
    ? Result.succeed(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` as CivilDate)
    : Result.fail(invalid(field, "date.calendar", `${y}-${m}-${d}`, "not a valid calendar date"))

/** Accepts `YYYY-MM-DD`, and also `YYYY/MM/DD` and `YYYYMMDD` as written in spreadsheets. */
export const parse = (text: string, field = "date"): Result.Result<CivilDate, InvalidValue> => {
  const t = text.trim()
  const m = /^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})$/u.exec(t)
  if (!m || (!t.includes("-") && !t.includes("/") && t.length !== 8))
    return Result.fail(invalid(field, "date.format", text, "expected a date YYYY-MM-DD"))
  return fromYmd(Number(m[1]), Number(m[2]), Number(m[3]), field).pipe(
    Result.mapError(() => invalid(field, "date.calendar", text, "not a valid calendar date")),
  )
}

export const toYmd = (d: CivilDate): Ymd => ({
  year: Number(d.slice(0, 4)),
  month: Number(d.slice(5, 7)),
  day: Number(d.slice(8, 10)),
})

// Howard Hinnant's days_from_civil / civil_from_days.
export const toDayNumber = (d: CivilDate): number => {
  const { year, month, day } = toYmd(d)
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

export const fromDayNumber = (n: number): CivilDate => {
  const z = n + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as CivilDate
}

export const addDays = (d: CivilDate, n: number): CivilDate => fromDayNumber(toDayNumber(d) + n)
/** Days from `a` to `b` (positive when `b` is later). */
export const daysBetween = (a: CivilDate, b: CivilDate): number => toDayNumber(b) - toDayNumber(a)
export const compare = (a: CivilDate, b: CivilDate): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0)

/** Adds calendar months; a day past the target month's end is clamped to its last day (01-31 + 1 month = 02-28/29). */
export const addMonths = (d: CivilDate, n: number): CivilDate => {
  const { year, month, day } = toYmd(d)
  const idx = year * 12 + (month - 1) + n
  const y = Math.floor(idx / 12)
  const m = (idx % 12) + 1
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(Math.min(day, daysInMonth(y, m)), 2)}` as CivilDate
}
export const addYears = (d: CivilDate, n: number): CivilDate => addMonths(d, 12 * n)

/** Whole months completed from `from` to `to` (anniversary rule: 2024-01-31 → 2024-02-29 is one month). */
export const fullMonthsBetween = (from: CivilDate, to: CivilDate): number => {
  const a = toYmd(from)
  const b = toYmd(to)
  let months = (b.year - a.year) * 12 + (b.month - a.month)
  if (months > 0 && addMonths(from, months) > to) months -= 1
  if (months < 0 && addMonths(from, months) < to) months += 1
  return months
}

const shanghaiParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
})

const partsAt = (epochMillis: number) => {
  const o: Record<string, number> = {}
  for (const p of shanghaiParts.formatToParts(new Date(epochMillis)))
    if (p.type !== "literal") o[p.type] = Number(p.value)
  return o as { year: number; month: number; day: number; hour: number; minute: number; second: number }
}

/** The civil date in Asia/Shanghai at an instant (milliseconds since the Unix epoch). */
export const fromInstant = (epochMillis: number): CivilDate => {
  const p = partsAt(epochMillis)
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}` as CivilDate
}

/**
 * Offset of Asia/Shanghai from UTC at an instant, in milliseconds (+8 h today; +9 h in the 1986–1991
 * summers; local mean time +8:05:43 before 1901).
 */
export const shanghaiOffsetMillis = (epochMillis: number): number => {
  const p = partsAt(epochMillis)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return asUtc - Math.floor(epochMillis / 1000) * 1000
}

/** The first instant of a civil date in Asia/Shanghai (00:00 local), in epoch milliseconds. */
export const startOfDayInstant = (d: CivilDate): number => {
  const utcMidnight = toDayNumber(d) * 86_400_000
  const first = utcMidnight - shanghaiOffsetMillis(utcMidnight - 8 * 3_600_000)
  return utcMidnight - shanghaiOffsetMillis(first)
}
