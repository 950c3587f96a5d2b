/**
 * In-memory QueueStore: the reference implementation the contract suite is written against. Each call
 * checks before it mutates (idempotency key, version), and JavaScript's single thread makes every call
 * serialisable. Values are cloned in and out (no aliasing).
 */
import { Effect, Layer, Option } from "effect"
import { type QueueEntryQuery, QueueStore, QueueStoreError } from "../../application/ports/QueueStore.js"
import { isActive, type QueueEntry } from "../../domain/queue/QueueEntry.js"
import type { QueuePlan } from "../../domain/queue/QueuePlan.js"

const fail = (reason: QueueStoreError["reason"]) => Effect.fail(new QueueStoreError({ reason }))
const clone = <T>(v: T): T => structuredClone(v)
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byPair = (a: QueueEntry, b: QueueEntry) => cmp(a.queueId, b.queueId) || cmp(a.caseId, b.caseId)
const keyOf = (queueId: string, caseId: string) => `${queueId}\u0000${caseId}`

export const make = Effect.sync((): QueueStore["Service"] => {
  const entries = new Map<string, QueueEntry>()
  const byEvent = new Map<string, string>()
  const plans = new Map<string, QueuePlan>()
  const matches = (q: QueueEntryQuery, e: QueueEntry) =>
    (q.districts === undefined || q.districts.includes(e.district)) &&
    (q.projectIds === undefined || (e.projectId !== null && q.projectIds.includes(e.projectId))) &&
    (q.applicantIndex === undefined || e.applicantIndex === q.applicantIndex) &&
    (q.caseId === undefined || e.caseId === q.caseId)

  return QueueStore.of({
    enter: (entry) =>
      Effect.sync(() => {
        const known = byEvent.get(entry.enteredBy) ?? keyOf(entry.queueId, entry.caseId)
        const stored = entries.get(known)
        if (stored !== undefined) return { created: false, entry: clone(stored) }
        const e = clone({ ...entry, version: 1 })
        entries.set(keyOf(e.queueId, e.caseId), e)
        byEvent.set(e.enteredBy, keyOf(e.queueId, e.caseId))
        return { created: true, entry: clone(e) }
      }),
    get: (queueId, caseId) =>
      Effect.sync(() => Option.map(Option.fromNullishOr(entries.get(keyOf(queueId, caseId))), clone)),
    entries: (queueId) =>
      Effect.sync(() =>
        [...entries.values()]
          .filter((e) => e.queueId === queueId)
          .sort(byPair)
          .map(clone),
      ),
    list: (q) =>
      Effect.sync(() =>
        [...entries.values()]
          .filter((e) => matches(q, e))
          .sort(byPair)
          .slice(0, q.limit)
          .map(clone),
      ),
    save: (entry) =>
      Effect.suspend(() => {
        const k = keyOf(entry.queueId, entry.caseId)
        const cur = entries.get(k)
        if (cur === undefined) return fail({ _tag: "NotFound", queueId: entry.queueId, caseId: entry.caseId })
        if (cur.version !== entry.version)
          return fail({ _tag: "StaleVersion", expected: entry.version, actual: cur.version })
        const next = clone({ ...entry, enteredBy: cur.enteredBy, version: cur.version + 1 })
        entries.set(k, next)
        return Effect.succeed(clone(next))
      }),
    due: (now, limit) =>
      Effect.sync(() =>
        [...entries.values()]
          .filter((e) => isActive(e) && e.deadline !== null && e.deadline < now)
          .sort((a, b) => a.deadline! - b.deadline! || byPair(a, b))
          .slice(0, limit)
          .map(clone),
      ),
    plan: (queueId) => Effect.sync(() => Option.map(Option.fromNullishOr(plans.get(queueId)), clone)),
    setPlan: (queueId, plan, onlyIfAbsent = false) =>
      Effect.sync(() => {
        const cur = plans.get(queueId)
        if (!(onlyIfAbsent && cur !== undefined)) plans.set(queueId, clone(plan))
        return clone(plans.get(queueId)!)
      }),
  })
})

export const layer: Layer.Layer<QueueStore> = Layer.effect(QueueStore, make)
