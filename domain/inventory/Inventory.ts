/**
 * Unit inventory (剩余可租套数 / 可申请名额, R26–R42) as a pure derivation from stored units: the stock unit is
 * the only truth for a unit's status (domain/stock/StockRules.ts), and the counts per stratum (project × unit
 * type, 项目户型) are recomputed from it, never kept as a second state. Application holds (submitted, not yet
 * bound) come from the cases and queues as an argument. Invariants: a count row exists only for a non-zero
 * number of units; the rows of a set of units sum to its size; remaining counts are never negative.
 */
import type { ProjectId, Unit } from "../stock/Stock.js"
import type { UnitStatus } from "../stock/UnitStatus.js"

/** 户型: bedrooms and halls, as R132 records them (0..5 each). */
export interface UnitType {
  readonly bedrooms: number
  readonly halls: number
}

/** `2室1厅`: the unit type as the platform prints it. */
export const unitTypeLabel = (t: UnitType): string => `${t.bedrooms}室${t.halls}厅`

/** Units of one project × unit type in one status (what a store's count query returns). */
export interface StatusCount extends UnitType {
  readonly projectId: ProjectId
  readonly status: UnitStatus
  /** ≥ 1 */
  readonly units: number
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The canonical order of count rows: project id (code-unit order), bedrooms, halls, status (code-unit order). */
export const compareStatusCounts = (a: StatusCount, b: StatusCount): number =>
  byCodeUnit(a.projectId, b.projectId) ||
  a.bedrooms - b.bedrooms ||
  a.halls - b.halls ||
  byCodeUnit(a.status, b.status)

/** Counts units per project × unit type × status, in the canonical order. */
export const countUnits = (
  units: Iterable<Pick<Unit, "projectId" | "bedrooms" | "halls" | "status">>,
): ReadonlyArray<StatusCount> => {
  const rows = new Map<string, { -readonly [K in keyof StatusCount]: StatusCount[K] }>()
  for (const u of units) {
    const key = `${u.projectId}\u0000${u.bedrooms}\u0000${u.halls}\u0000${u.status}`
    const row = rows.get(key)
    if (row === undefined)
      rows.set(key, {
        projectId: u.projectId,
        bedrooms: u.bedrooms,
        halls: u.halls,
        status: u.status,
        units: 1,
      })
    else row.units++
  }
  return [...rows.values()].sort(compareStatusCounts)
}

/** The counts of one stratum (project × unit type) by status. */
export interface StratumCounts extends UnitType {
  readonly projectId: ProjectId
  readonly draft: number
  readonly available: number
  readonly locked: number
  readonly let: number
  readonly unusable: number
}

/** Folds count rows into one record per stratum, in (project, bedrooms, halls) order. */
export const strata = (rows: ReadonlyArray<StatusCount>): ReadonlyArray<StratumCounts> => {
  const out = new Map<string, { -readonly [K in keyof StratumCounts]: StratumCounts[K] }>()
  for (const r of [...rows].sort(compareStatusCounts)) {
    const key = `${r.projectId}\u0000${r.bedrooms}\u0000${r.halls}`
    let s = out.get(key)
    if (s === undefined) {
      s = {
        projectId: r.projectId,
        bedrooms: r.bedrooms,
        halls: r.halls,
        draft: 0,
        available: 0,
        locked: 0,
        let: 0,
        unusable: 0,
      }
      out.set(key, s)
    }
    s[r.status] += r.units
  }
  return [...out.values()]
}

/** The counts of one stratum (all zero when no unit of it is stored). */
export const stratumOf = (
  rows: ReadonlyArray<StatusCount>,
  projectId: ProjectId,
  type: UnitType,
): StratumCounts =>
  strata(
    rows.filter((r) => r.projectId === projectId && r.bedrooms === type.bedrooms && r.halls === type.halls),
  )[0] ?? { projectId, ...type, draft: 0, available: 0, locked: 0, let: 0, unusable: 0 }

/**
 * Applications holding a slot of a stratum (submitted, not yet bound to a unit). `metered` holds were made
 * in the normal period and deduct the remaining rentable count (R27); holds made during a centralised
 * acceptance period are not metered (R26). Restoring a count (R29, R30, R32–R34) is removing the hold.
 */
export interface Holds {
  readonly metered: number
  readonly unmetered: number
}
export const NO_HOLDS: Holds = { metered: 0, unmetered: 0 }

/** 剩余可租套数 (R26, R27): available units not reserved by a metered hold; never negative. */
export const remainingRentable = (c: Pick<StratumCounts, "available">, holds: Holds = NO_HOLDS): number =>
  Math.max(0, c.available - holds.metered)

/** 剩余可申请名额 (R28): available units minus every hold; never negative. */
export const remainingApplicable = (c: Pick<StratumCounts, "available">, holds: Holds = NO_HOLDS): number =>
  Math.max(0, c.available - holds.metered - holds.unmetered)

/** Holds beyond the available units (after a centralised acceptance period or a recall): the queue's share. */
export const oversubscribed = (c: Pick<StratumCounts, "available">, holds: Holds = NO_HOLDS): number =>
  Math.max(0, holds.metered + holds.unmetered - c.available)

/** Allocation period of the project at submission: 常态化 normal, or 集中配租受理期 centralised acceptance. */
export type Period = "normal" | "centralised"

/**
 * Whether a new application of the stratum may proceed, or must join the queue (R26, R28): during a
 * centralised acceptance period there is no check; otherwise a remaining applicable slot is needed (when
 * applicants equal supply, the last unit is applied for normally and the next submission queues).
 */
export const admitsApplication = (
  c: Pick<StratumCounts, "available">,
  holds: Holds,
  period: Period,
): boolean => period === "centralised" || remainingApplicable(c, holds) > 0
