/**
 * Queue-plan simulation (轮候方案试算, #207, R51, R52): replays a history of arrivals, supplies and exits
 * day by day under a plan and reports queue length, waiting days per priority group and the supply/demand
 * ratio per month. Within a day: arrivals, then exits, then supplies; vacant units of a pool go to the
 * best-ranked admitted households (the plan's ranking on that day); households meeting a removal condition
 * leave the queue; unallocated units stay vacant for later arrivals. Pure and deterministic.
 */
import * as CivilDate from "../values/CivilDate.js"
import type { Applicant } from "./Applicant.js"
import type { QueuePlan } from "./QueuePlan.js"
import { groupMask, poolKey, rank } from "./Ranking.js"

export type HistoryEvent =
  | { readonly _tag: "Arrival"; readonly day: CivilDate.CivilDate; readonly applicant: Applicant }
  | {
      readonly _tag: "Supply"
      readonly day: CivilDate.CivilDate
      readonly project: string
      readonly unitType: string
      /** For the per-unit pool mode; a supply without it reaches only per-unit-type pools. */
      readonly unit?: string
      readonly units: number
    }
  | { readonly _tag: "Exit"; readonly day: CivilDate.CivilDate; readonly id: string }

export interface PeriodMetrics {
  /** `YYYY-MM`. */
  readonly period: string
  readonly arrivals: number
  readonly exits: number
  readonly removed: number
  readonly supplied: number
  readonly allocated: number
  /** Households waiting at the end of the month. */
  readonly queueLength: number
  /** R52 (formula not given by the seed): units supplied ÷ (households waiting at the start + arrivals); null if 0 ÷ 0. */
  readonly supplyDemandRatio: number | null
}

export interface GroupMetrics {
  /** First priority group met, in plan order, or `(none)`. */
  readonly group: string
  readonly allocated: number
  readonly meanWaitDays: number | null
  readonly medianWaitDays: number | null
  readonly maxWaitDays: number | null
  readonly stillWaiting: number
  /** Mean days waited so far by those still waiting at the end. */
  readonly meanWaitingSoFarDays: number | null
}

export interface SimulationReport {
  readonly plan: string
  readonly periods: ReadonlyArray<PeriodMetrics>
  readonly groups: ReadonlyArray<GroupMetrics>
  readonly totals: {
    readonly arrivals: number
    readonly allocated: number
    readonly exits: number
    readonly removed: number
    readonly finalQueue: number
    readonly vacantUnits: number
  }
}

const REMOVAL = new Set(["income-above", "owns-home", "false-information", "abandoned"])
const NONE = "(none)"
const ORDER: Record<HistoryEvent["_tag"], number> = { Arrival: 0, Exit: 1, Supply: 2 }

const mean = (xs: ReadonlyArray<number>) =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length
const median = (xs: ReadonlyArray<number>) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const h = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2
}

export const simulate = (plan: QueuePlan, history: ReadonlyArray<HistoryEvent>): SimulationReport => {
  const events = history
    .map((e, i) => ({ e, i }))
    .sort((a, b) =>
      a.e.day < b.e.day ? -1 : a.e.day > b.e.day ? 1 : ORDER[a.e._tag] - ORDER[b.e._tag] || a.i - b.i,
    )
    .map((x) => x.e)
  const waiting = new Map<string, Map<string, Applicant>>() // pool → id → household
  const poolOfId = new Map<string, string>()
  const vacant = new Map<string, number>()
  const groups = (plan.priorityGroups ?? []).map((g) => g.id)
  const groupOf = (a: Applicant) => {
    const m = groupMask(plan, a)
    return m === 0 ? NONE : groups[31 - Math.clz32(m & -m)]!
  }
  const waits = new Map<string, Array<number>>()
  const periods: Array<PeriodMetrics> = []
  const totals = { arrivals: 0, allocated: 0, exits: 0, removed: 0 }
  let cur:
    | {
        period: string
        arrivals: number
        exits: number
        removed: number
        supplied: number
        allocated: number
        start: number
      }
    | undefined
  let queueSize = 0
  const close = () => {
    if (cur === undefined) return
    const demand = cur.start + cur.arrivals
    periods.push({
      period: cur.period,
      arrivals: cur.arrivals,
      exits: cur.exits,
      removed: cur.removed,
      supplied: cur.supplied,
      allocated: cur.allocated,
      queueLength: queueSize,
      supplyDemandRatio:
        demand === 0 ? (cur.supplied === 0 ? null : Number.POSITIVE_INFINITY) : cur.supplied / demand,
    })
  }
  const openPeriod = (period: string) => {
    cur = { period, arrivals: 0, exits: 0, removed: 0, supplied: 0, allocated: 0, start: queueSize }
  }
  const leave = (id: string) => {
    const p = poolOfId.get(id)
    if (p === undefined) return false
    waiting.get(p)?.delete(id)
    poolOfId.delete(id)
    queueSize--
    return true
  }

  let i = 0
  while (i < events.length) {
    const day = events[i]!.day
    const month = day.slice(0, 7)
    if (cur === undefined || cur.period !== month) {
      // months without events still get a row, so the series has no holes
      if (cur !== undefined) {
        close()
        let m = CivilDate.addMonths(`${cur.period}-01` as CivilDate.CivilDate, 1).slice(0, 7)
        while (m < month) {
          openPeriod(m)
          close()
          m = CivilDate.addMonths(`${m}-01` as CivilDate.CivilDate, 1).slice(0, 7)
        }
      }
      openPeriod(month)
    }
    const c = cur!
    const touched = new Set<string>()
    for (; i < events.length && events[i]!.day === day; i++) {
      const e = events[i]!
      if (e._tag === "Arrival") {
        const p = poolKey(plan, e.applicant)
        if (p === undefined || poolOfId.has(e.applicant.id)) continue
        let w = waiting.get(p)
        if (w === undefined) {
          w = new Map()
          waiting.set(p, w)
        }
        w.set(e.applicant.id, e.applicant)
        poolOfId.set(e.applicant.id, p)
        queueSize++
        c.arrivals++
        totals.arrivals++
        touched.add(p)
      } else if (e._tag === "Exit") {
        if (leave(e.id)) {
          c.exits++
          totals.exits++
        }
      } else {
        const p =
          plan.pool === "unit-type"
            ? `${e.project}/${e.unitType}`
            : e.unit === undefined
              ? undefined
              : `${e.project}/${e.unit}`
        if (p === undefined) continue
        vacant.set(p, (vacant.get(p) ?? 0) + e.units)
        c.supplied += e.units
        touched.add(p)
      }
    }
    for (const p of [...touched].sort()) {
      const free = vacant.get(p) ?? 0
      const w = waiting.get(p)
      if (free === 0 || w === undefined || w.size === 0) continue
      const xs = [...w.values()]
      const r = rank(plan, xs, day)
      if (r._tag === "Failure") continue // ids are unique within the queue by construction
      for (const ex of r.success.excluded)
        if (REMOVAL.has(ex.reason) && leave(xs[ex.index]!.id)) {
          c.removed++
          totals.removed++
        }
      const take = Math.min(free, r.success.order.length)
      for (let k = 0; k < take; k++) {
        const a = xs[r.success.order[k]!]!
        leave(a.id)
        const g = groupOf(a)
        const list = waits.get(g) ?? []
        list.push(CivilDate.toDayNumber(day) - CivilDate.toDayNumber(CivilDate.fromInstant(a.entryAt)))
        waits.set(g, list)
      }
      vacant.set(p, free - take)
      c.allocated += take
      totals.allocated += take
    }
  }
  close()

  const lastDay = events.at(-1)?.day
  const stillBy = new Map<string, Array<number>>()
  for (const w of waiting.values())
    for (const a of w.values()) {
      const g = groupOf(a)
      const list = stillBy.get(g) ?? []
      if (lastDay !== undefined)
        list.push(CivilDate.toDayNumber(lastDay) - CivilDate.toDayNumber(CivilDate.fromInstant(a.entryAt)))
      stillBy.set(g, list)
    }
  const groupRows = [...groups, NONE]
    .filter((g) => waits.has(g) || stillBy.has(g))
    .map((g) => {
      const ws = waits.get(g) ?? []
      const still = stillBy.get(g) ?? []
      return {
        group: g,
        allocated: ws.length,
        meanWaitDays: mean(ws),
        medianWaitDays: median(ws),
        maxWaitDays: ws.length === 0 ? null : Math.max(...ws),
        stillWaiting: still.length,
        meanWaitingSoFarDays: mean(still),
      }
    })
  return {
    plan: plan.id,
    periods,
    groups: groupRows,
    totals: {
      ...totals,
      finalQueue: queueSize,
      vacantUnits: [...vacant.values()].reduce((a, b) => a + b, 0),
    },
  }
}
