/**
 * In-memory CaseStore: the reference implementation the contract suite is written against. A commit
 * checks everything (version, new id, idempotency key) before mutating, so it is atomic; JavaScript's
 * single thread makes each call serialisable. Values are cloned in and out (no aliasing).
 */
import { Effect, Layer, Option } from "effect"
import {
  type CaseChange,
  type CaseQuery,
  CaseStore,
  CaseStoreError,
  type CommandRecord,
  type HistoryEntry,
  type OutboxEvent,
  type StoredCase,
} from "../../application/ports/CaseStore.js"

const fail = (reason: CaseStoreError["reason"]) => Effect.fail(new CaseStoreError({ reason }))
const byId = (a: { readonly id: string }, b: { readonly id: string }) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0

export const make = Effect.sync((): CaseStore["Service"] => {
  const cases = new Map<string, StoredCase>()
  const history = new Map<string, Array<HistoryEntry>>()
  const commands = new Map<string, CommandRecord>()
  const outbox: Array<OutboxEvent & { readonly seq: number }> = []

  const commit = (change: CaseChange) =>
    Effect.suspend(() => {
      const c = change.case
      const cur = cases.get(c.id)
      const cmdKey = `${change.command.actorId}\u0000${change.command.key}`
      if (commands.has(cmdKey)) return fail({ _tag: "Conflict", entity: "command", id: change.command.key })
      if (change.expectedVersion === 0) {
        if (cur !== undefined) return fail({ _tag: "Conflict", entity: "case", id: c.id })
      } else if (cur === undefined || cur.version !== change.expectedVersion)
        return fail({
          _tag: "StaleVersion",
          id: c.id,
          expected: change.expectedVersion,
          actual: cur?.version ?? null,
        })
      cases.set(c.id, structuredClone(c))
      history.set(c.id, [...(history.get(c.id) ?? []), structuredClone(change.history)])
      commands.set(cmdKey, structuredClone(change.command))
      for (const e of change.events) outbox.push({ ...structuredClone(e), seq: outbox.length + 1 })
      return Effect.void
    })

  const matches = (q: CaseQuery, s: StoredCase): boolean => {
    if (q.districts !== undefined && !q.districts.includes(s.district)) return false
    if (q.projectIds !== undefined && (s.projectId === null || !q.projectIds.includes(s.projectId)))
      return false
    if (
      q.applicantIndex !== undefined &&
      !s.members.some((m) => m.role === "applicant" && m.idIndex === q.applicantIndex)
    )
      return false
    if (q.states !== undefined && !q.states.includes(s.state)) return false
    if (q.kind !== undefined && s.kind !== q.kind) return false
    if (q.actedBy !== undefined && !(history.get(s.id) ?? []).some((h) => h.actorId === q.actedBy))
      return false
    if (q.after !== undefined && !(s.id > q.after)) return false
    return true
  }

  return {
    commit,
    get: (id) =>
      Effect.sync(() => Option.map(Option.fromUndefinedOr(cases.get(id)), (c) => structuredClone(c))),
    history: (id) => Effect.sync(() => structuredClone(history.get(id) ?? [])),
    findCommand: (actorId, key) =>
      Effect.sync(() =>
        Option.map(Option.fromUndefinedOr(commands.get(`${actorId}\u0000${key}`)), (c) => structuredClone(c)),
      ),
    list: (q) =>
      Effect.sync(() => {
        const all = [...cases.values()].filter((s) => matches(q, s)).sort(byId)
        const items = all.slice(0, q.limit)
        const last = items.at(-1)
        return {
          items: structuredClone(items),
          next: all.length > q.limit && last !== undefined ? last.id : null,
        }
      }),
    findByIdIndex: (idx) =>
      Effect.sync(() =>
        structuredClone(
          [...cases.values()].filter((s) => s.members.some((m) => m.idIndex === idx)).sort(byId),
        ),
      ),
    resealCase: (next, expectedVersion) =>
      Effect.sync(() => {
        const cur = cases.get(next.id)
        if (cur === undefined || cur.version !== expectedVersion || next.version !== expectedVersion)
          return false
        cases.set(next.id, structuredClone(next))
        return true
      }),
    outbox: (after, limit) =>
      Effect.sync(() => structuredClone(outbox.filter((e) => e.seq > after).slice(0, limit))),
  }
})

export const layer = Layer.effect(CaseStore, make)
