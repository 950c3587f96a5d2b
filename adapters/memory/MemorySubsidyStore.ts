/**
 * In-memory SubsidyStore: the reference implementation of the contract suite. Each call checks before it
 * mutates (line id, case, version); JavaScript's single thread makes every call serialisable. Values are
 * cloned in and out (no aliasing).
 */
import { Effect, Layer, Option } from "effect"
import {
  type DistrictTotal,
  SubsidyStore,
  SubsidyStoreError,
  type SubsidyRun,
} from "../../application/ports/SubsidyStore.js"
import type { PayoutLine, SubsidyAgreement } from "../../domain/subsidy/SubsidyAgreement.js"

const fail = (reason: SubsidyStoreError["reason"]) => Effect.fail(new SubsidyStoreError({ reason }))
const clone = <T>(v: T): T => structuredClone(v)
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export const make = Effect.sync((): SubsidyStore["Service"] => {
  const agreements = new Map<string, SubsidyAgreement>()
  const lines = new Map<string, PayoutLine>()
  const runs = new Map<string, SubsidyRun>()
  return SubsidyStore.of({
    ensureAgreement: (a) =>
      Effect.sync(() => {
        const stored = agreements.get(a.caseId)
        if (stored !== undefined) return { created: false, agreement: clone(stored) }
        const next = clone({ ...a, version: 1 })
        agreements.set(a.caseId, next)
        return { created: true, agreement: clone(next) }
      }),
    getAgreement: (caseId) =>
      Effect.sync(() => Option.map(Option.fromNullishOr(agreements.get(caseId)), clone)),
    saveAgreement: (a) =>
      Effect.suspend(() => {
        const cur = agreements.get(a.caseId)
        if (cur === undefined) return fail({ _tag: "NotFound", caseId: a.caseId })
        if (cur.version !== a.version)
          return fail({ _tag: "StaleVersion", expected: a.version, actual: cur.version })
        const next = clone({ ...a, createdBy: cur.createdBy, version: cur.version + 1 })
        agreements.set(a.caseId, next)
        return Effect.succeed(clone(next))
      }),
    listAgreements: (q) =>
      Effect.sync(() =>
        [...agreements.values()]
          .filter(
            (a) =>
              (q.districts === undefined || q.districts.includes(a.district)) &&
              (q.statuses === undefined || q.statuses.includes(a.status)) &&
              (q.after === undefined || a.caseId > q.after),
          )
          .sort((a, b) => cmp(a.caseId, b.caseId))
          .slice(0, q.limit)
          .map(clone),
      ),
    putLine: (line) =>
      Effect.sync(() => {
        const stored = lines.get(line.lineId)
        if (stored !== undefined) return { created: false, line: clone(stored) }
        lines.set(line.lineId, clone(line))
        return { created: true, line: clone(line) }
      }),
    listLines: (q) =>
      Effect.sync(() =>
        [...lines.values()]
          .filter(
            (l) =>
              l.month === q.month &&
              (q.districts === undefined || q.districts.includes(l.district)) &&
              (q.caseId === undefined || l.caseId === q.caseId) &&
              (q.after === undefined || l.lineId > q.after),
          )
          .sort((a, b) => cmp(a.lineId, b.lineId))
          .slice(0, q.limit)
          .map(clone),
      ),
    totals: (month, districts) =>
      Effect.sync(() => {
        const by = new Map<string, { lines: number; amount: number; computed: number; confirmed: number }>()
        for (const l of lines.values()) {
          if (l.month !== month || (districts !== undefined && !districts.includes(l.district))) continue
          const t = by.get(l.district) ?? { lines: 0, amount: 0, computed: 0, confirmed: 0 }
          t.lines += 1
          t.amount += l.amount
          if (l.status === "computed") t.computed += 1
          else t.confirmed += 1
          by.set(l.district, t)
        }
        return [...by.entries()]
          .sort(([a], [b]) => cmp(a, b))
          .map(([district, t]): DistrictTotal => ({ district, ...t }))
      }),
    confirm: (district, month, by, at) =>
      Effect.sync(() => {
        let n = 0
        for (const [id, l] of lines)
          if (l.district === district && l.month === month && l.status === "computed") {
            lines.set(id, { ...l, status: "confirmed", confirmedBy: by, confirmedAt: at })
            n += 1
          }
        return n
      }),
    recordRun: (run) =>
      Effect.sync(() => {
        runs.set(run.month, clone(run))
      }),
    lastRun: () =>
      Effect.sync(() => {
        const months = [...runs.keys()].sort(cmp)
        const last = months.at(-1)
        return last === undefined ? Option.none() : Option.some(clone(runs.get(last)!))
      }),
  })
})

export const layer: Layer.Layer<SubsidyStore> = Layer.effect(SubsidyStore, make)
