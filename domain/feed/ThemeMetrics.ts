/**
 * Theme metrics (专题分析, M129–M132, M190) over stored figures: deposit (due, paid, rate), use (amount,
 * count), value-added (income) and administrative efficiency (volume, steps, review days), plus the stock
 * they stand on (areas, households, floor area, balance). Every metric is split by stage (代管/自管) and
 * carries 环比 (previous month) and 同比 (same month a year before) as values and changes in basis points
 * (null when the base is 0). Drill-down: one row per region one level below the tier. Pure.
 */
import type { Tier } from "./FeedRecord.js"
import { type FigureField, type Figures, figureFields } from "./Aggregation.js"

export interface Metric {
  readonly value: number
  /** 环比: the previous month's value. */
  readonly previousMonth: number
  /** 同比: the same month of the previous year. */
  readonly sameMonthLastYear: number
  /** (value − previous) / previous in basis points, rounded half away from zero; null when previous is 0. */
  readonly momBp: number | null
  readonly yoyBp: number | null
}

export interface Themes {
  readonly deposit: { readonly due: Metric; readonly paid: Metric; readonly rateBp: number | null }
  readonly use: { readonly amount: Metric; readonly count: Metric }
  readonly valueAdded: { readonly income: Metric }
  readonly efficiency: { readonly volume: Metric; readonly steps: Metric; readonly reviewDays: Metric }
  readonly stock: {
    readonly areas: Metric
    readonly households: Metric
    readonly floorArea: Metric
    readonly balance: Metric
  }
}

export interface StageThemes {
  readonly total: Themes
  readonly custody: Themes
  readonly selfManaged: Themes
}

export interface ThemeReport {
  readonly period: string
  readonly tier: Tier
  readonly themes: StageThemes
  /** One row per region one level below the tier (province → cities, national → provinces, city → counties). */
  readonly regions: ReadonlyArray<{ readonly region: string; readonly themes: StageThemes }>
}

/** `YYYY-MM` shifted by `months` (negative: back). */
export const shiftPeriod = (period: string, months: number): string => {
  const [y, m] = period.split("-").map(Number) as [number, number]
  const total = y * 12 + (m - 1) + months
  return `${String(Math.floor(total / 12)).padStart(4, "0")}-${String((total % 12) + 1).padStart(2, "0")}`
}

const changeBp = (value: number, previous: number): number | null =>
  previous === 0
    ? null
    : Math.sign(value - previous) * Math.round((Math.abs(value - previous) * 10_000) / previous)

type Totals = Record<FigureField, number>

const sum = (figures: ReadonlyArray<Figures>): Totals => {
  const t = Object.fromEntries(figureFields.map((f) => [f, 0])) as Totals
  for (const f of figures) for (const field of figureFields) t[field] += f[field]
  return t
}

const themesOf = (now: Totals, mom: Totals, yoy: Totals): Themes => {
  const m = (field: FigureField): Metric => ({
    value: now[field],
    previousMonth: mom[field],
    sameMonthLastYear: yoy[field],
    momBp: changeBp(now[field], mom[field]),
    yoyBp: changeBp(now[field], yoy[field]),
  })
  return {
    deposit: {
      due: m("depositDue"),
      paid: m("depositPaid"),
      rateBp: now.depositDue === 0 ? null : Math.round((now.depositPaid * 10_000) / now.depositDue),
    },
    use: { amount: m("useAmount"), count: m("useCount") },
    valueAdded: { income: m("valueAdded") },
    efficiency: { volume: m("volume"), steps: m("steps"), reviewDays: m("reviewDays") },
    stock: {
      areas: m("areas"),
      households: m("households"),
      floorArea: m("floorArea"),
      balance: m("balance"),
    },
  }
}

const stageThemes = (figures: ReadonlyArray<Figures>, period: string): StageThemes => {
  const at = (p: string, stage?: Figures["stage"]) =>
    sum(figures.filter((f) => f.period === p && (stage === undefined || f.stage === stage)))
  const of = (stage?: Figures["stage"]) =>
    themesOf(at(period, stage), at(shiftPeriod(period, -1), stage), at(shiftPeriod(period, -12), stage))
  return { total: of(), custody: of("custody"), selfManaged: of("self-managed") }
}

const regionOf = (tier: Tier, f: Figures): string =>
  tier === "national" ? f.province : tier === "province" ? f.city : f.county

/** The report for `period` at `tier` from `figures` (the current figures of every period held). */
export const themeReport = (figures: ReadonlyArray<Figures>, period: string, tier: Tier): ThemeReport => {
  const regions = [
    ...new Set(figures.filter((f) => f.period === period).map((f) => regionOf(tier, f))),
  ].sort()
  return {
    period,
    tier,
    themes: stageThemes(figures, period),
    regions: regions.map((region) => ({
      region,
      themes: stageThemes(
        figures.filter((f) => regionOf(tier, f) === region),
        period,
      ),
    })),
  }
}
