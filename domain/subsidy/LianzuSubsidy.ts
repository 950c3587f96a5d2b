/**
 * 廉租 rent subsidy (租金补贴, R118–R123): the monthly amount and its proration over any date range.
 * Monthly (exact, fen): standard per m² × max(0, guarantee area per head × persons − living area) × gap
 * ratio of the household-size band × (transition ratio in the 过渡期). Proration by days of each
 * month with cumulative half-even rounding: the amount for days a..b of month M is
 * round(C(b)) − round(C(a−1)), C(d) = exact Σ of daily amounts (monthly ÷ days in M) from the 1st of M
 * to d. Invariant: splitting any range at any date gives parts that sum exactly to the whole.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader, TraceEntry } from "../policy/ParameterReader.js"
import type { PolicyTable } from "../policy/PolicyTable.js"
import * as Ratio from "../policy/Ratio.js"
import * as Area from "../values/Area.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import type { DecodedSubsidyCase } from "./LianzuSubsidyCase.js"
import { SubsidyParameters as P } from "./SubsidyParameters.js"

/** Exact non-negative fraction n/d of a fen. */
interface Fraction {
  readonly n: bigint
  readonly d: bigint
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b))
const reduce = (n: bigint, d: bigint): Fraction => {
  const g = gcd(n, d) || 1n
  return { n: n / g, d: d / g }
}
const addF = (a: Fraction, b: Fraction): Fraction => reduce(a.n * b.d + b.n * a.d, a.d * b.d)
const ZERO: Fraction = { n: 0n, d: 1n }
const roundF = (f: Fraction): bigint => Money.divideRounded(f.n, f.d, "half-even")
const fractionText = (f: Fraction): string => (f.d === 1n ? `${f.n}` : `${f.n}/${f.d}`)

export type DayStatus = "normal" | "transition" | "agreement" | "paused" | "none"

/** The variables of one monthly amount, all stored with the result. */
export interface MonthlyFormula {
  readonly on: CivilDate.CivilDate
  readonly status: DayStatus
  readonly approvedPersons: number
  readonly livingArea: string
  readonly standardPerM2?: Money.Money
  readonly guaranteeAreaPerHead?: Area.Area
  readonly gapArea?: string
  readonly band?: 1 | 2 | 3
  readonly gapRatio?: string
  readonly transitionRatio?: string
  /** Exact monthly amount in fen as a fraction (`243000` or `729001/3`). */
  readonly exactFen: string
  /** The monthly amount rounded half-even to the fen. */
  readonly amount: Money.Money
}

const inPause = (c: DecodedSubsidyCase, d: CivilDate.CivilDate): boolean =>
  (c.pauses ?? []).some((p) => p.from <= d && (p.to === undefined || d <= p.to))

const agreementCovers = (c: DecodedSubsidyCase, d: CivilDate.CivilDate): boolean => {
  const a = c.transitionAgreement
  return a !== undefined && a.from <= d && (a.to === undefined || d <= a.to)
}

/** Status of one day; reads the transition window parameters only when the formula applies. */
const statusOn = (
  c: DecodedSubsidyCase,
  d: CivilDate.CivilDate,
  r: ParameterReader,
): Result.Result<DayStatus, ParameterNotFound> =>
  Result.gen(function* () {
    if (d < c.protection.from) return "none"
    if (inPause(c, d)) return "paused"
    if (agreementCovers(c, d)) return "agreement"
    if (c.exitedOn !== undefined && d >= c.exitedOn) return "none"
    const lead = yield* r.read(P.transitionLeadMonths)
    const months = yield* r.read(P.transitionMonths)
    const transitionStart = CivilDate.addDays(CivilDate.addMonths(c.protection.to, -lead), 1)
    if (d < transitionStart) return "normal"
    return d <= CivilDate.addMonths(c.protection.to, months) ? "transition" : "none"
  })

/** The monthly amount (exact and rounded) in force on day `d`, with every variable. */
const formulaOn = (
  c: DecodedSubsidyCase,
  d: CivilDate.CivilDate,
  r: ParameterReader,
): Result.Result<{ formula: MonthlyFormula; exact: Fraction }, ParameterNotFound> =>
  Result.gen(function* () {
    const status = yield* statusOn(c, d, r)
    const n = c.approvedPersons
    const base = { on: d, status, approvedPersons: n }
    const done = (exact: Fraction, extra: Partial<MonthlyFormula>, living: string) => ({
      exact,
      formula: {
        ...base,
        livingArea: living,
        ...extra,
        exactFen: fractionText(exact),
        amount: Money.unsafeFen(Number(roundF(exact))),
      } as MonthlyFormula,
    })
    if (status === "none" || status === "paused") return done(ZERO, {}, "-")
    if (status === "agreement") {
      const a = c.transitionAgreement!
      const month = d.slice(0, 7)
      const fen = a.months?.find((m) => m.month === month)?.amount ?? a.monthlyAmount
      return done({ n: BigInt(fen), d: 1n }, {}, "-")
    }
    // Living area as an exact fraction of 0.01 m²: given, or building ÷ divisor (R123).
    const divisor = c.livingArea !== undefined ? 1 : Math.max(1, yield* r.read(P.buildingToLivingDivisor))
    const areaNum = BigInt(c.livingArea ?? c.buildingArea ?? 0)
    const living: Fraction = reduce(areaNum, BigInt(divisor))
    const livingText =
      c.livingArea !== undefined ? Area.format(c.livingArea) : `${Area.format(c.buildingArea!)} ÷ ${divisor}`
    const standard = yield* r.read(P.standardPerM2)
    const guarantee = yield* r.read(P.guaranteeLivingAreaPerHead)
    const band1 = yield* r.read(P.band1MaxSize)
    const band2 = yield* r.read(P.band2MaxSize)
    const band: 1 | 2 | 3 = n <= band1 ? 1 : n <= band2 ? 2 : 3
    const ratio = yield* r.read(band === 1 ? P.band1Ratio : band === 2 ? P.band2Ratio : P.band3Ratio)
    const trans = status === "transition" ? yield* r.read(P.transitionRatio) : undefined
    // gap (0.01 m²) = guarantee × n − living, floored at 0
    const gapNum = BigInt(guarantee) * BigInt(n) * living.d - living.n
    const gap: Fraction = gapNum <= 0n ? ZERO : reduce(gapNum, living.d)
    // fen = standard (fen per m²) × gap (0.01 m²) ÷ 100 × ratio × transition
    const exact = reduce(
      BigInt(standard) * gap.n * BigInt(ratio.numerator) * BigInt(trans?.numerator ?? 1),
      gap.d * 100n * BigInt(ratio.denominator) * BigInt(trans?.denominator ?? 1),
    )
    return done(
      exact,
      {
        standardPerM2: standard,
        guaranteeAreaPerHead: guarantee,
        gapArea: `${fractionText(gap)} × 0.01 m²`,
        band,
        gapRatio: Ratio.format(ratio),
        ...(trans === undefined ? {} : { transitionRatio: Ratio.format(trans) }),
      },
      livingText,
    )
  })

export interface SubsidyMonth {
  /** `YYYY-MM` */
  readonly month: string
  /** The part of the requested range inside this month. */
  readonly from: CivilDate.CivilDate
  readonly to: CivilDate.CivilDate
  readonly days: number
  readonly daysInMonth: number
  /** Days of the range by status. */
  readonly statusDays: Readonly<Partial<Record<DayStatus, number>>>
  /** Amount for the range's days in this month (fen; negative for a recovery). */
  readonly amount: Money.Money
}

export interface SubsidyStatement {
  readonly kind: "entitlement" | "back_pay" | "recovery"
  readonly from: CivilDate.CivilDate
  readonly to: CivilDate.CivilDate
  readonly district: string
  readonly months: ReadonlyArray<SubsidyMonth>
  readonly total: Money.Money
  /** The distinct monthly formulas that applied, in date order (every variable, R118). */
  readonly formulas: ReadonlyArray<MonthlyFormula>
  readonly rounding: string
  readonly parameters: ReadonlyArray<TraceEntry>
}

const ROUNDING =
  "by days of each month; amount(a..b in month M) = round_half_even(C(b)) − round_half_even(C(a−1)), C = exact cumulative daily amount from the 1st of M"

const traceKey = (e: TraceEntry) => `${e.path}|${e.jurisdiction}|${e.period.from}`

/** The monthly amount in force on `on` (R118: the allocation order's amount), with its variables. */
export const monthlyAmount = (
  table: PolicyTable,
  c: DecodedSubsidyCase,
  on: CivilDate.CivilDate,
): Result.Result<
  { readonly formula: MonthlyFormula; readonly parameters: ReadonlyArray<TraceEntry> },
  ParameterNotFound
> => {
  const r = table.reader({ on, district: c.jurisdiction })
  return Result.map(formulaOn(c, on, r), ({ formula }) => ({ formula, parameters: r.trace() }))
}

/**
 * Entitlement over `from..to` (inclusive), per month and in total. Each day reads the parameters in
 * force on that day (a standard that changes mid-month is applied from its date).
 */
export const prorate = (
  table: PolicyTable,
  c: DecodedSubsidyCase,
  from: CivilDate.CivilDate,
  to: CivilDate.CivilDate,
  kind: SubsidyStatement["kind"] = "entitlement",
): Result.Result<SubsidyStatement, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    if (to < from)
      return yield* Result.fail(invalid("to", "subsidy.range-order", to, "the range ends before it starts"))
    if (CivilDate.daysBetween(from, to) > 366 * 30)
      return yield* Result.fail(invalid("to", "subsidy.range-length", to, "ranges are limited to 30 years"))
    const parameters: Array<TraceEntry> = []
    const seen = new Set<string>()
    const formulas: Array<MonthlyFormula> = []
    let lastFormula = ""
    const months: Array<SubsidyMonth> = []
    const sign = kind === "recovery" ? -1n : 1n
    let total = 0n
    let cursor = from
    while (cursor <= to) {
      const { year, month } = CivilDate.toYmd(cursor)
      const dim = CivilDate.daysInMonth(year, month)
      const first = CivilDate.addDays(cursor, 1 - CivilDate.toYmd(cursor).day)
      const last = CivilDate.addDays(first, dim - 1)
      const end = last < to ? last : to
      // C(d) from the 1st of the month: the days before `cursor` count towards the cumulative sum.
      let cum = ZERO
      let before = 0n
      const statusDays: Partial<Record<DayStatus, number>> = {}
      for (let d = first; d <= end; d = CivilDate.addDays(d, 1)) {
        const r = table.reader({ on: d, district: c.jurisdiction })
        const { formula, exact } = yield* formulaOn(c, d, r)
        for (const e of r.trace())
          if (!seen.has(traceKey(e))) {
            seen.add(traceKey(e))
            parameters.push(e)
          }
        cum = addF(cum, reduce(exact.n, exact.d * BigInt(dim)))
        if (d === CivilDate.addDays(cursor, -1)) before = roundF(cum)
        if (d >= cursor) {
          statusDays[formula.status] = (statusDays[formula.status] ?? 0) + 1
          const key = JSON.stringify({ ...formula, on: "" })
          if (key !== lastFormula) {
            formulas.push(formula)
            lastFormula = key
          }
        }
      }
      const amount = sign * (roundF(cum) - before)
      total += amount
      months.push({
        month: cursor.slice(0, 7),
        from: cursor,
        to: end,
        days: CivilDate.daysBetween(cursor, end) + 1,
        daysInMonth: dim,
        statusDays,
        amount: Money.unsafeFen(Number(amount)),
      })
      cursor = CivilDate.addDays(end, 1)
    }
    return {
      kind,
      from,
      to,
      district: c.jurisdiction,
      months,
      total: Money.unsafeFen(Number(total)),
      formulas,
      rounding: ROUNDING,
      parameters,
    }
  })

/** R120 特殊发放: back-pay (补发, positive) or recovery (追回, negative) of the entitlement over a range. */
export const specialPayout = (
  table: PolicyTable,
  c: DecodedSubsidyCase,
  payout: {
    readonly type: "back_pay" | "recovery"
    readonly from: CivilDate.CivilDate
    readonly to: CivilDate.CivilDate
  },
): Result.Result<SubsidyStatement, ParameterNotFound | InvalidValue> =>
  prorate(table, c, payout.from, payout.to, payout.type)
