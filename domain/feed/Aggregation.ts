/**
 * Aggregation for the upper tiers (逐级汇总, M118–M120, M184): a detail batch's accepted records become
 * `figures` records, one per county × stage (代管/自管) with counts and sums; upper tiers receive and send
 * only figures, so household detail never leaves the city tier. `aggregateFigures` sums figures with the
 * same key (period, province, city, county, stage); it is associative and commutative, so the aggregate
 * of aggregates equals the aggregate of everything. Pure.
 */
import type { FeedRecord, Stage } from "./FeedRecord.js"

/** The numeric fields of a figures record, all summed. */
export const figureFields = [
  "areas",
  "households",
  "floorArea",
  "balance",
  "depositDue",
  "depositPaid",
  "useAmount",
  "useCount",
  "valueAdded",
  "volume",
  "steps",
  "reviewDays",
] as const
export type FigureField = (typeof figureFields)[number]

export type Figures = Readonly<Record<FigureField, number>> & {
  readonly kind: "figures"
  readonly id: string
  readonly period: string
  readonly province: string
  readonly city: string
  readonly county: string
  readonly stage: Stage
}

/** The id of a figures record: region path and stage (unique across a national feed). */
export const figuresId = (f: Pick<Figures, "province" | "city" | "county" | "stage">): string =>
  `${f.province}/${f.city}/${f.county}/${f.stage}`

const zero = (key: Omit<Figures, "kind" | "id" | FigureField>): Figures => ({
  kind: "figures",
  id: figuresId(key),
  ...key,
  areas: 0,
  households: 0,
  floorArea: 0,
  balance: 0,
  depositDue: 0,
  depositPaid: 0,
  useAmount: 0,
  useCount: 0,
  valueAdded: 0,
  volume: 0,
  steps: 0,
  reviewDays: 0,
})

/**
 * Figures implied by cleansed detail records of one city and period: per county and stage, the areas,
 * households, floor area (Σ households), balance (Σ household accounts), deposits due and paid, uses,
 * value-added income, business volume (records of business), case steps and review days.
 */
export const figuresOfDetail = (
  detail: ReadonlyArray<FeedRecord>,
  ctx: { readonly period: string; readonly province: string; readonly city: string },
): ReadonlyArray<Figures> => {
  const areas = new Map<string, { county: string; stage: Stage }>()
  for (const r of detail)
    if (r.kind === "area") areas.set(r.id, { county: r["county"] as string, stage: r["stage"] as Stage })
  const out = new Map<string, Record<string, number | string>>()
  const at = (areaId: string | undefined): Record<string, number | string> | undefined => {
    const a = areaId === undefined ? undefined : areas.get(areaId)
    if (a === undefined) return undefined
    const f = zero({
      period: ctx.period,
      province: ctx.province,
      city: ctx.city,
      county: a.county,
      stage: a.stage,
    })
    const existing = out.get(f.id)
    if (existing !== undefined) return existing
    const created: Record<string, number | string> = { ...f }
    out.set(f.id, created)
    return created
  }
  const add = (f: Record<string, number | string> | undefined, field: FigureField, n: number) => {
    if (f !== undefined) f[field] = (f[field] as number) + n
  }
  const buildingArea = new Map<string, string>()
  const householdArea = new Map<string, string>()
  for (const r of detail) if (r.kind === "building") buildingArea.set(r.id, r["area"] as string)
  for (const r of detail)
    if (r.kind === "household") householdArea.set(r.id, buildingArea.get(r["building"] as string) ?? "")
  for (const r of detail) {
    switch (r.kind) {
      case "area":
        add(at(r.id), "areas", 1)
        break
      case "household": {
        const f = at(householdArea.get(r.id))
        add(f, "households", 1)
        add(f, "floorArea", r["floorArea"] as number)
        break
      }
      case "household-account":
        add(at(householdArea.get(r.id)), "balance", (r["principal"] as number) + (r["income"] as number))
        break
      case "deposit": {
        const f = at(r["area"] as string)
        add(f, "depositDue", r["due"] as number)
        add(f, "depositPaid", r["paid"] as number)
        add(f, "volume", 1)
        break
      }
      case "use": {
        const f = at(r["area"] as string)
        add(f, "useAmount", r["amount"] as number)
        add(f, "useCount", 1)
        add(f, "volume", 1)
        break
      }
      case "income": {
        const f = at(r["area"] as string)
        add(f, "valueAdded", r["amount"] as number)
        add(f, "volume", 1)
        break
      }
      case "case": {
        const f = at(r["area"] as string)
        add(f, "steps", r["steps"] as number)
        add(f, "reviewDays", r["reviewDays"] as number)
        add(f, "volume", 1)
        break
      }
    }
  }
  return [...out.values()]
    .map((f) => f as unknown as Figures)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Sums figures with the same (period, id); result sorted by period, then id. */
export const aggregateFigures = (figures: ReadonlyArray<Figures>): ReadonlyArray<Figures> => {
  const out = new Map<string, Record<string, number | string>>()
  for (const f of figures) {
    const k = `${f.period}\u0000${f.id}`
    const existing = out.get(k)
    if (existing === undefined) out.set(k, { ...f })
    else for (const field of figureFields) existing[field] = (existing[field] as number) + f[field]
  }
  return [...out.values()]
    .map((f) => f as unknown as Figures)
    .sort((a, b) =>
      a.period < b.period ? -1 : a.period > b.period ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    )
}

/** Whether a record may travel above the city tier (M184: no household detail, only figures). */
export const isAggregate = (r: FeedRecord): boolean => r.kind === "figures"
