/**
 * A stored waiting-queue entry (轮候登记): one admitted case's family in one queue (a project's, or a kind's
 * when the case names no project), with the ranking attributes (Applicant), the 保租 window machine's state
 * (BaozuQueue: status, window start, persisted deadline, R43/R44) and the idempotency key of the event
 * that entered it. Pure: places, reasons and slot holds (R33/R34 quota restoration) are computed from
 * entries; ranking itself is Ranking.rank, never a second model. Invariant: `deadline` = deadlineOf(entry).
 */
import { Result, Schema } from "effect"
import * as CivilDate from "../values/CivilDate.js"
import type { Holds } from "../inventory/Inventory.js"
import type { Applicant } from "./Applicant.js"
import {
  type BaozuQueueEntry,
  deadlineOf,
  DEFAULT_WINDOWS,
  HOLDS_SLOT,
  STATUS_LABELS,
  STATUSES,
  TERMINAL,
  type BaozuQueueStatus,
} from "./BaozuQueue.js"
import { BAOZU, GONGYOU, GONGZU, type QueuePlan } from "./QueuePlan.js"
import { type DuplicateApplicant, type ExclusionReason, groupNames, rank } from "./Ranking.js"

const ApplicantSchema = Schema.Struct({
  id: Schema.String,
  project: Schema.String,
  unitType: Schema.String,
  unit: Schema.optionalKey(Schema.String),
  entryAt: Schema.Finite,
  qualifiedOn: Schema.Int,
  certificateValidUntil: Schema.optionalKey(Schema.Int),
  hardship: Schema.Literals(["tekun", "dibao", "none"]),
  industry: Schema.optionalKey(Schema.String),
  income: Schema.optionalKey(Schema.Finite),
  housingArea: Schema.optionalKey(Schema.Finite),
  ownsHome: Schema.optionalKey(Schema.Boolean),
  falseInformation: Schema.optionalKey(Schema.Boolean),
  abandoned: Schema.optionalKey(Schema.Boolean),
  intention: Schema.Literals(["first", "second", "none"]),
  familySize: Schema.optionalKey(Schema.Int),
})

/** A family's place in one lottery draw: its result.csv row plus the round, draw and draw time. */
export const WaitingNumberSchema = Schema.Struct({
  roundId: Schema.String,
  drawId: Schema.String,
  /** Instant of the draw (epoch ms): of two rounds, the later draw's number is the one kept. */
  drawnAt: Schema.Finite,
  stratum: Schema.String,
  /** 1-based place in the stratum's draw order. */
  rank: Schema.Int,
  /** 轮候序号 as published: start number + rank − 1. */
  number: Schema.Int,
  outcome: Schema.Literals(["winner", "waiting"]),
})
export type WaitingNumber = typeof WaitingNumberSchema.Type

export const QueueEntrySchema = Schema.Struct({
  /** `project:<projectId>` or `kind:<case kind>` (queueIdFor). */
  queueId: Schema.String,
  caseId: Schema.String,
  kind: Schema.String,
  /** Acceptance district of the case (district officers' scope). */
  district: Schema.String,
  projectId: Schema.NullOr(Schema.String),
  /** FieldCipher blind index of the main applicant's ID number (the applicant's own scope). */
  applicantIndex: Schema.String,
  applicant: ApplicantSchema,
  status: Schema.Literals(STATUSES),
  /** Instant (epoch ms) of the last accepted change. */
  at: Schema.Finite,
  windowStart: Schema.NullOr(Schema.Finite),
  /** Persisted end of the current 24 h / 3 h window (inclusive), epoch ms; null outside a window. */
  deadline: Schema.NullOr(Schema.Finite),
  /** Idempotency key of the admission event that created the entry (`<handler>:<event id>`). */
  enteredBy: Schema.String,
  /** Why it left the queue (closure, cancellation, exit, timeout), null while in it. */
  leftReason: Schema.NullOr(Schema.String),
  /** Optimistic-concurrency version, 1 when entered. */
  version: Schema.Int,
  /**
   * The waiting number (轮候序号, R53/R55) of the standing draw of the last lottery round the family was
   * drawn in; absent or null before a draw and after that draw's annulment (WaitingNumbers.ts writes it).
   */
  lottery: Schema.optionalKey(Schema.NullOr(WaitingNumberSchema)),
})
export type QueueEntry = typeof QueueEntrySchema.Type
export const decodeQueueEntry = Schema.decodeUnknownResult(QueueEntrySchema)

export const queueIdFor = (kind: string, projectId: string | null): string =>
  projectId === null ? `kind:${kind}` : `project:${projectId}`

/** The built-in plan of a case kind (R45 公租/廉租, R46 共有产权, R47 保租). */
export const builtinPlanFor = (kind: string): QueuePlan =>
  kind === "baozu" ? BAOZU : kind === "gongyou" ? GONGYOU : GONGZU

export const isActive = (e: Pick<QueueEntry, "status">): boolean => !TERMINAL.has(e.status)

/** Pool key the way Ranking names pools (`project/unitType`). */
export const poolOf = (e: QueueEntry): string => `${e.applicant.project}/${e.applicant.unitType}`

export const toMachine = (e: QueueEntry): BaozuQueueEntry =>
  e.windowStart === null
    ? { status: e.status, at: e.at }
    : { status: e.status, at: e.at, windowStart: e.windowStart }

/** The entry after a machine step, with the persisted deadline recomputed (the module invariant). */
export const withMachine = (
  e: QueueEntry,
  m: BaozuQueueEntry,
  leftReason: string | null = null,
): QueueEntry => ({
  ...e,
  status: m.status,
  at: m.at,
  windowStart: m.windowStart ?? null,
  deadline: deadlineOf(m, DEFAULT_WINDOWS) ?? null,
  leftReason: TERMINAL.has(m.status) ? (leftReason ?? e.leftReason ?? m.status) : null,
})

/**
 * Slots held per pool (R33/R34): entries in 待申请/申请中/待审核 hold one unit of their project × unit type
 * until they leave; the count is the `metered` argument of Inventory.remainingRentable/remainingApplicable.
 */
export const holdsByPool = (entries: ReadonlyArray<QueueEntry>): ReadonlyMap<string, Holds> => {
  const out = new Map<string, Holds>()
  for (const e of entries) {
    if (!HOLDS_SLOT.has(e.status)) continue
    const k = poolOf(e)
    const h = out.get(k) ?? { metered: 0, unmetered: 0 }
    out.set(k, { metered: h.metered + 1, unmetered: h.unmetered })
  }
  return out
}

export interface Place {
  readonly queueId: string
  readonly caseId: string
  readonly pool: string
  readonly status: BaozuQueueStatus
  readonly statusLabel: string
  /** 1-based place in the pool among the families ranked on the day; null when not ranked. */
  readonly position: number | null
  /** Families ranked in the pool that day. */
  readonly of: number
  readonly deadline: number | null
  /** The waiting number (轮候序号) of the family's standing lottery draw, or null before a draw. */
  readonly lottery: WaitingNumber | null
  /** Why the place is what it is: the plan, its order keys, priority groups met, or why not ranked. */
  readonly reasons: ReadonlyArray<string>
}

const EXCLUSION_TEXT: Record<ExclusionReason, string> = {
  "income-above": "R48: income above the plan's limit",
  "owns-home": "R48: owns a home",
  "false-information": "R48: false information",
  abandoned: "R48: abandoned",
  "certificate-invalid": "R45/R49: the qualification certificate is not valid on this day",
  "not-marked": "R46: no intention mark (意愿标注)",
  "not-yet-qualified": "not yet qualified on this day",
  "not-yet-in-pool": "entered the queue after this day",
  "no-unit": "R50: no intended unit in a per-unit pool",
}

export interface RankedEntries {
  /** Ranked entries, pool by pool, first in line first. */
  readonly order: ReadonlyArray<QueueEntry>
  readonly position: ReadonlyMap<string, { readonly pool: string; readonly position: number }>
  readonly size: ReadonlyMap<string, number>
  readonly excluded: ReadonlyMap<string, ExclusionReason>
  readonly groups: ReadonlyMap<string, number>
}

/**
 * Policy choice (2026-12-04, seeds vague): R53 makes the lottery's result "a full ordering (queue numbers) of
 * all participants" and R55 lets the first N of each project × unit type win; neither says how drawn and
 * undrawn families of one pool interleave. Anju's reading: within a pool, families holding a waiting number
 * come first, ordered by it (earlier draw first, then rank); the others follow in the plan's order
 * (R45–R50). The plan's exclusions (R45/R46/R48) still apply to numbered families. docs/allocation.md.
 */
export const WAITING_NUMBER_ORDER = {
  since: "2026-12-04",
  rule: "R53/R55",
  reading: "numbered families first by waiting number, then the plan's order",
} as const

const hasWaitingNumber = (e: QueueEntry): boolean => e.lottery !== undefined && e.lottery !== null

const byWaitingNumber = (a: QueueEntry, b: QueueEntry): number =>
  a.lottery!.drawnAt - b.lottery!.drawnAt ||
  a.lottery!.rank - b.lottery!.rank ||
  (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0)

/**
 * Ranks the active entries of one queue under its plan on `on` (Ranking.rank; R45–R50), with the families
 * that hold a waiting number first in their pool (WAITING_NUMBER_ORDER).
 */
export const rankEntries = (
  plan: QueuePlan,
  entries: ReadonlyArray<QueueEntry>,
  on: CivilDate.CivilDate,
): Result.Result<RankedEntries, DuplicateApplicant> => {
  const active = entries.filter(isActive)
  const ranked = rank(
    plan,
    active.map((e) => e.applicant as Applicant),
    on,
  )
  if (Result.isFailure(ranked)) return Result.fail(ranked.failure)
  const r = ranked.success
  // Pool by pool (the ranking is pool-major): numbered families first (WAITING_NUMBER_ORDER), then the plan.
  const order: Array<QueueEntry> = []
  const poolNames: Array<string> = []
  for (let j = 0; j < r.order.length; ) {
    let k = j
    while (k < r.order.length && r.pool[k] === r.pool[j]) k++
    const inPool = Array.from(r.order.subarray(j, k), (i) => active[i]!)
    const numbered = inPool.filter((e) => hasWaitingNumber(e)).sort(byWaitingNumber)
    for (const e of [...numbered, ...inPool.filter((e) => !hasWaitingNumber(e))]) {
      order.push(e)
      poolNames.push(r.pools[r.pool[j]!]!)
    }
    j = k
  }
  const position = new Map<string, { pool: string; position: number }>()
  const size = new Map<string, number>()
  for (let j = 0; j < order.length; j++) {
    const pool = poolNames[j]!
    size.set(pool, (size.get(pool) ?? 0) + 1)
    position.set(order[j]!.caseId, { pool, position: size.get(pool)! })
  }
  const excluded = new Map<string, ExclusionReason>(
    r.excluded.map((x) => [active[x.index]!.caseId, x.reason]),
  )
  const groups = new Map<string, number>(active.map((e, i) => [e.caseId, r.groups[i]!]))
  return Result.succeed({ order, position, size, excluded, groups })
}

/** A family's place in its queue and the reasons for it (queuePlace). */
export const placeOf = (
  plan: QueuePlan,
  entries: ReadonlyArray<QueueEntry>,
  entry: QueueEntry,
  on: CivilDate.CivilDate,
): Place => {
  const base = {
    queueId: entry.queueId,
    caseId: entry.caseId,
    pool: poolOf(entry),
    status: entry.status,
    statusLabel: STATUS_LABELS[entry.status],
    deadline: entry.deadline,
    lottery: entry.lottery ?? null,
  }
  const planLine = `plan ${plan.id}: order by ${plan.order.map((o) => o.by).join(", ")}`
  if (!isActive(entry))
    return {
      ...base,
      position: null,
      of: 0,
      reasons: [`left the queue: ${entry.leftReason ?? entry.status}`],
    }
  const ranked = rankEntries(plan, entries, on)
  if (Result.isFailure(ranked)) return { ...base, position: null, of: 0, reasons: [ranked.failure.message] }
  const r = ranked.success
  const at = r.position.get(entry.caseId)
  const why = r.excluded.get(entry.caseId)
  const groups = groupNames(plan, r.groups.get(entry.caseId) ?? 0)
  const reasons = [
    planLine,
    `entered ${new Date(entry.applicant.entryAt).toISOString()}, qualified ${CivilDate.fromDayNumber(entry.applicant.qualifiedOn)}`,
    ...(groups.length === 0 ? [] : [`priority groups met: ${groups.join(", ")}`]),
    ...(base.lottery === null
      ? []
      : [
          `R53/R55: waiting number ${base.lottery.number} (rank ${base.lottery.rank}, ${base.lottery.outcome}) in stratum ${base.lottery.stratum} of lottery round ${base.lottery.roundId}; numbered families come first in their pool`,
        ]),
    ...(why === undefined ? [] : [`not ranked: ${EXCLUSION_TEXT[why]}`]),
    ...(entry.deadline === null ? [] : [`window (R43/R44) ends ${new Date(entry.deadline).toISOString()}`]),
  ]
  return {
    ...base,
    position: at?.position ?? null,
    of: at === undefined ? 0 : (r.size.get(at.pool) ?? 0),
    reasons,
  }
}
