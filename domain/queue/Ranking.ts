/**
 * Ranking a queue (轮候排序) under a plan (R45–R50) on a given date. Sort keys are precomputed into typed
 * columns (one per order rule, most significant first, the pool above them all) and ordered by a stable
 * LSD radix sort; only households equal on every column are compared by id (ordinal UTF-16 order). The
 * result is therefore a permutation of the admitted households that depends on the inputs as a set, never on
 * their order; a million households rank within the 2-s goal (bench/QueueBench.ts).
 */
import { Data, Result } from "effect"
import * as CivilDate from "../values/CivilDate.js"
import type { Applicant } from "./Applicant.js"
import type { Condition, OrderKey, QueuePlan } from "./QueuePlan.js"

export type ExclusionReason =
  | "income-above"
  | "owns-home"
  | "false-information"
  | "abandoned"
  | "certificate-invalid"
  | "not-marked"
  | "not-yet-qualified"
  | "not-yet-in-pool"
  | "no-unit"

export interface Excluded {
  readonly index: number
  readonly reason: ExclusionReason
}

export interface Ranking {
  /** Pool keys (`project/unitType` or `project/unit`), in ordinal order. */
  readonly pools: ReadonlyArray<string>
  /** Input indices of the ranked households, pool by pool, first in line first. */
  readonly order: Uint32Array
  /** Pool index (into `pools`) of each entry of `order`. */
  readonly pool: Uint32Array
  /** 1-based position within its pool of each entry of `order`. */
  readonly position: Uint32Array
  /** Priority groups met, as a bitmask over `plan.priorityGroups`, per input index. */
  readonly groups: Uint32Array
  readonly excluded: ReadonlyArray<Excluded>
}

/** Two households share an id: the tie-break would not be total. */
export class DuplicateApplicant extends Data.TaggedError("DuplicateApplicant")<{
  readonly id: string
  readonly message: string
}> {}

export const conditionHolds = (c: Condition, a: Applicant): boolean => {
  switch (c.attribute) {
    case "hardship":
      return a.hardship !== "none" && c.in.includes(a.hardship)
    case "industry":
      return a.industry !== undefined && c.in.includes(a.industry)
    case "ownsHome":
      return (a.ownsHome ?? false) === c.equals
    default: {
      const v = a[c.attribute]
      return v !== undefined && (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max)
    }
  }
}

/** Bitmask of the plan's priority groups the household meets (bit i = group i). */
export const groupMask = (plan: QueuePlan, a: Applicant): number => {
  let m = 0
  const gs = plan.priorityGroups ?? []
  for (let g = 0; g < gs.length; g++) if (gs[g]!.all.every((c) => conditionHolds(c, a))) m |= 1 << g
  return m
}

export const popcount = (m: number): number => {
  let n = 0
  for (let x = m; x !== 0; x &= x - 1) n++
  return n
}

export const poolKey = (plan: QueuePlan, a: Applicant): string | undefined =>
  plan.pool === "unit-type"
    ? `${a.project}/${a.unitType}`
    : a.unit === undefined
      ? undefined
      : `${a.project}/${a.unit}`

/** Why the household does not take part on `onDay`, or undefined when it does (R45, R46, R48). */
export const exclusion = (
  plan: QueuePlan,
  a: Applicant,
  onDay: number,
  endOfDayMs: number,
): ExclusionReason | undefined => {
  const r = plan.removal
  if (r !== undefined) {
    if (r.incomeAbove !== undefined && a.income !== undefined && a.income > r.incomeAbove)
      return "income-above"
    if (r.ownsHome === true && a.ownsHome === true) return "owns-home"
    if (r.falseInformation === true && a.falseInformation === true) return "false-information"
    if (r.abandoned === true && a.abandoned === true) return "abandoned"
  }
  if (a.qualifiedOn > onDay) return "not-yet-qualified"
  if (a.entryAt >= endOfDayMs) return "not-yet-in-pool"
  if (
    plan.admission?.validCertificate === true &&
    !(a.certificateValidUntil !== undefined && onDay <= a.certificateValidUntil)
  )
    return "certificate-invalid"
  if (plan.admission?.intentionMarked === true && a.intention === "none") return "not-marked"
  if (plan.pool === "unit" && a.unit === undefined) return "no-unit"
  return undefined
}

/** Raw value of an order key (before direction and normalisation). */
const rawKey = (k: Exclude<OrderKey, "id">, a: Applicant, mask: number, groupCount: number): number => {
  switch (k) {
    case "priorityCount":
      return popcount(mask)
    case "priorityGroup":
      return mask === 0 ? groupCount : 31 - Math.clz32(mask & -mask)
    case "intention":
      return a.intention === "first" ? 0 : a.intention === "second" ? 1 : 2
    case "entryTime":
      return a.entryAt
    case "qualificationDate":
      return a.qualifiedOn
  }
}

/** Default directions: more priority conditions first; everything else ascending (earlier first). */
export const directionOf = (plan: QueuePlan, k: OrderKey): "asc" | "desc" => {
  const r = plan.order.find((o) => o.by === k)
  return r?.direction ?? (k === "priorityCount" ? "desc" : "asc")
}

/** The key tuple of one household under a plan, as compared (smaller first), without the id. For tests and docs. */
export const sortKey = (plan: QueuePlan, a: Applicant): ReadonlyArray<number> => {
  const mask = groupMask(plan, a)
  const gc = plan.priorityGroups?.length ?? 0
  return plan.order
    .filter((o) => o.by !== "id")
    .map((o) => {
      const v = rawKey(o.by as Exclude<OrderKey, "id">, a, mask, gc)
      return directionOf(plan, o.by) === "desc" ? -v : v
    })
}

const gcd = (a: number, b: number): number => {
  let x = a
  let y = b
  while (y !== 0) {
    const t = x % y
    x = y
    y = t
  }
  return x
}

const bitsFor = (max: number): number => (max <= 0 ? 0 : Math.floor(Math.log2(max)) + 1)

/** Columns packed into composite keys of at most 52 bits each (exact in a float64), most significant first. */
interface Packed {
  readonly key: Float64Array
  readonly bits: number
}

const pack = (
  cols: ReadonlyArray<{ readonly values: Float64Array; readonly max: number }>,
): Array<Packed> => {
  const out: Array<Packed> = []
  let cur: { key: Float64Array; bits: number } | undefined
  for (const c of cols) {
    const b = bitsFor(c.max)
    if (cur !== undefined && cur.bits + b <= 52) {
      const scale = 2 ** b
      const k = cur.key
      for (let j = 0; j < k.length; j++) k[j] = k[j]! * scale + c.values[j]!
      cur.bits += b
    } else {
      cur = { key: c.values, bits: b }
      out.push(cur)
    }
  }
  return out
}

const DIGITS: ReadonlyArray<{ readonly high: boolean; readonly shift: number; readonly width: number }> = [
  { high: false, shift: 0, width: 11 },
  { high: false, shift: 11, width: 11 },
  { high: false, shift: 22, width: 10 },
  { high: true, shift: 0, width: 11 },
  { high: true, shift: 11, width: 10 },
]

/**
 * Stable LSD radix sort of `perm` (positions) by `key[position]` (integers < 2^53, `bits` significant):
 * the key is gathered once into aligned 32-bit halves, then 10–11-bit digits are scattered with it.
 */
const radixSortBy = (perm: Uint32Array, key: Float64Array, bits: number): Uint32Array => {
  const m = perm.length
  let p: Uint32Array = perm
  let lo = new Uint32Array(m)
  let hi = new Uint32Array(m)
  for (let i = 0; i < m; i++) {
    const k = key[p[i]!]!
    lo[i] = k >>> 0
    hi[i] = Math.floor(k / 4_294_967_296)
  }
  let p2: Uint32Array = new Uint32Array(m)
  let lo2 = new Uint32Array(m)
  let hi2 = new Uint32Array(m)
  const count = new Uint32Array(2049)
  for (const d of DIGITS) {
    if ((d.high ? 32 : 0) + d.shift >= bits) continue
    const mask = (1 << d.width) - 1
    const word = d.high ? hi : lo
    count.fill(0)
    for (let i = 0; i < m; i++) count[((word[i]! >>> d.shift) & mask) + 1]!++
    for (let x = 0; x < mask + 1; x++) count[x + 1]! += count[x]!
    for (let i = 0; i < m; i++) {
      const t = count[(word[i]! >>> d.shift) & mask]!++
      p2[t] = p[i]!
      lo2[t] = lo[i]!
      hi2[t] = hi[i]!
    }
    ;[p, p2] = [p2, p]
    ;[lo, lo2] = [lo2, lo]
    ;[hi, hi2] = [hi2, hi]
  }
  return p
}

const cmpId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Ranks the households admitted on `on` (Asia/Shanghai civil date) into their pools. Ids should be unique;
 * two households with the same id and the same keys cannot be ordered and fail with DuplicateApplicant
 * (callers that read files check uniqueness up front).
 */
export const rank = (
  plan: QueuePlan,
  applicants: ReadonlyArray<Applicant>,
  on: CivilDate.CivilDate,
): Result.Result<Ranking, DuplicateApplicant> => {
  const n = applicants.length
  const onDay = CivilDate.toDayNumber(on)
  const endOfDayMs = CivilDate.startOfDayInstant(CivilDate.addDays(on, 1))
  const groups = new Uint32Array(n)
  const excluded: Array<Excluded> = []
  // Two-level map: no string concatenation per household.
  const poolIndex = new Map<string, Map<string, number>>()
  const poolNames: Array<string> = []
  const admitted = new Uint32Array(n)
  const poolOfPos = new Float64Array(n)
  const hasGroups = (plan.priorityGroups?.length ?? 0) > 0
  let m = 0
  for (let i = 0; i < n; i++) {
    const a = applicants[i]!
    if (hasGroups) groups[i] = groupMask(plan, a)
    const why = exclusion(plan, a, onDay, endOfDayMs)
    if (why !== undefined) {
      excluded.push({ index: i, reason: why })
      continue
    }
    const second = plan.pool === "unit-type" ? a.unitType : a.unit!
    let inner = poolIndex.get(a.project)
    if (inner === undefined) {
      inner = new Map()
      poolIndex.set(a.project, inner)
    }
    let p = inner.get(second)
    if (p === undefined) {
      p = poolNames.length
      inner.set(second, p)
      poolNames.push(`${a.project}/${second}`)
    }
    poolOfPos[m] = p
    admitted[m++] = i
  }
  const idx = admitted.slice(0, m)
  const pools = [...poolNames].sort(cmpId)
  const poolRank = new Float64Array(poolNames.length)
  pools.forEach((k, r) => {
    poolRank[poolNames.indexOf(k)] = r
  })
  for (let j = 0; j < m; j++) poolOfPos[j] = poolRank[poolOfPos[j]!]!
  const poolCol = poolOfPos.subarray(0, m)

  // Columns aligned by admitted position, normalised to non-negative integers, most significant first.
  const gc = plan.priorityGroups?.length ?? 0
  const cols: Array<{ values: Float64Array; max: number }> = [
    { values: Float64Array.from(poolCol), max: pools.length - 1 },
  ]
  for (const r of plan.order) {
    if (r.by === "id") continue
    const k = r.by
    const col = new Float64Array(m)
    let lo = Number.POSITIVE_INFINITY
    let hi = Number.NEGATIVE_INFINITY
    for (let j = 0; j < m; j++) {
      const i = idx[j]!
      const v = rawKey(k, applicants[i]!, groups[i]!, gc)
      col[j] = v
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    const desc = directionOf(plan, k) === "desc"
    let g = 0
    for (let j = 0; j < m; j++) {
      const v = desc ? hi - col[j]! : col[j]! - lo
      col[j] = v
      if (g !== 1) g = gcd(v, g)
    }
    // Dividing by the common step (whole seconds, whole days) keeps the order and saves key bits.
    if (g > 1) for (let j = 0; j < m; j++) col[j] = col[j]! / g
    cols.push({ values: col, max: m === 0 ? 0 : (hi - lo) / Math.max(g, 1) })
  }
  const packed = pack(cols)

  let perm: Uint32Array = new Uint32Array(m)
  for (let j = 0; j < m; j++) perm[j] = j
  for (let c = packed.length - 1; c >= 0; c--) perm = radixSortBy(perm, packed[c]!.key, packed[c]!.bits)

  // Runs equal on every key are ordered by id, the stable tie-break. Keys are gathered in sorted order
  // once, so the scan reads memory sequentially.
  const aligned = packed.map((pk) => {
    const a = new Float64Array(m)
    for (let j = 0; j < m; j++) a[j] = pk.key[perm[j]!]!
    return a
  })
  const sameKeys = (a: number, b: number) => {
    for (let g = 0; g < aligned.length; g++) if (aligned[g]![a] !== aligned[g]![b]) return false
    return true
  }
  for (let s = 0; s < m; ) {
    let e = s + 1
    while (e < m && sameKeys(s, e)) e++
    if (e - s > 1) {
      const run = Array.from(perm.subarray(s, e)).sort((x, y) =>
        cmpId(applicants[idx[x]!]!.id, applicants[idx[y]!]!.id),
      )
      for (let t = 1; t < run.length; t++) {
        const id = applicants[idx[run[t]!]!]!.id
        if (id === applicants[idx[run[t - 1]!]!]!.id)
          return Result.fail(new DuplicateApplicant({ id, message: `applicant id ${id} appears twice` }))
      }
      perm.set(run, s)
    }
    s = e
  }

  const order = new Uint32Array(m)
  const pool = new Uint32Array(m)
  const position = new Uint32Array(m)
  for (let j = 0; j < m; j++) {
    const q = perm[j]!
    order[j] = idx[q]!
    pool[j] = poolCol[q]!
    position[j] = j > 0 && pool[j] === pool[j - 1] ? position[j - 1]! + 1 : 1
  }
  return Result.succeed({ pools, order, pool, position, groups, excluded })
}

/** Whole days the household has waited on `onDay` (pool-entry day counted as day 0). */
export const waitingDays = (a: Applicant, onDay: number): number =>
  onDay - CivilDate.toDayNumber(CivilDate.fromInstant(a.entryAt))

/** R48: due for allocation (出列) when waiting reached the limit or a listed priority group is met. */
export const isDue = (plan: QueuePlan, a: Applicant, mask: number, onDay: number): boolean => {
  const x = plan.exit
  if (x === undefined) return false
  if (x.waitingDaysAtLeast !== undefined && waitingDays(a, onDay) >= x.waitingDaysAtLeast) return true
  const gs = plan.priorityGroups ?? []
  return (x.groups ?? []).some((g) => {
    const i = gs.findIndex((pg) => pg.id === g)
    return i >= 0 && (mask & (1 << i)) !== 0
  })
}

/** Names of the groups in a mask, in plan order. */
export const groupNames = (plan: QueuePlan, mask: number): ReadonlyArray<string> =>
  (plan.priorityGroups ?? []).filter((_, i) => (mask & (1 << i)) !== 0).map((g) => g.id)
