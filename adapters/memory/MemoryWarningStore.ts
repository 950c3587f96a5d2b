/**
 * In-memory WarningStore (tests, demos, `--memory`): maps keyed by warning id and by (case, check, period).
 * Raising the same key twice keeps the first record; the list order and cursor are the port's (open first,
 * newest raise first, then id), computed over a sorted copy.
 */
import { Effect, Layer, Option } from "effect"
import {
  cursorOf,
  parseCursor,
  type WarningPage,
  type WarningQuery,
  WarningStore,
  WarningStoreError,
} from "../../application/ports/WarningStore.js"
import { resolveWarning, type WarningRecord } from "../../domain/guard/WarningRecord.js"
import type { RecheckResult } from "../../domain/supervision/Recheck.js"

/** Negative when `a` lists before `b`. */
type Listed = { readonly status: string; readonly raisedAt: number; readonly id: string }

export const compareListed = (a: Listed, b: Listed): number =>
  a.status !== b.status
    ? a.status < b.status
      ? -1
      : 1
    : a.raisedAt !== b.raisedAt
      ? b.raisedAt - a.raisedAt
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0

const checkKey = (caseId: string, check: string, period: string) => `${caseId}\u0000${check}\u0000${period}`

export const make = Effect.sync((): WarningStore["Service"] => {
  const warnings = new Map<string, WarningRecord>()
  const checks = new Map<string, RecheckResult>()
  const rejected = (detail: string) =>
    Effect.fail(new WarningStoreError({ reason: { _tag: "Rejected", detail } }))

  const list = (q: WarningQuery): WarningPage => {
    const cursor = q.after === undefined ? undefined : parseCursor(q.after)
    const items = [...warnings.values()]
      .filter(
        (w) =>
          (q.districts === undefined || q.districts.includes(w.district)) &&
          (q.levels === undefined || q.levels.includes(w.level)) &&
          (q.rules === undefined || q.rules.includes(w.category)) &&
          (q.caseId === undefined || w.caseId === q.caseId) &&
          (q.status === undefined || w.status === q.status) &&
          (cursor === undefined || compareListed(w, cursor) > 0),
      )
      .sort(compareListed)
    const page = items.slice(0, q.limit)
    const last = page.at(-1)
    return { items: page, next: items.length > q.limit && last !== undefined ? cursorOf(last) : null }
  }

  return WarningStore.of({
    raise: (record) =>
      Effect.suspend((): Effect.Effect<{ created: boolean; warning: WarningRecord }, WarningStoreError> => {
        if (record.id.length === 0 || record.personIndex.length === 0)
          return rejected("a warning needs an id and a person index")
        const stored = warnings.get(record.id)
        if (stored !== undefined) return Effect.succeed({ created: false, warning: stored })
        warnings.set(record.id, record)
        return Effect.succeed({ created: true, warning: record })
      }),
    get: (id) => Effect.sync(() => Option.fromNullishOr(warnings.get(id))),
    list: (q) =>
      q.after !== undefined && parseCursor(q.after) === undefined
        ? rejected("the cursor is not one this store returned")
        : Effect.sync(() => list(q)),
    resolve: ({ id, by, at, reason }) =>
      Effect.suspend(() => {
        const w = warnings.get(id)
        if (w === undefined) return Effect.fail(new WarningStoreError({ reason: { _tag: "NotFound", id } }))
        if (w.status !== "open")
          return Effect.fail(
            new WarningStoreError({ reason: { _tag: "Conflict", id, detail: "already resolved" } }),
          )
        const next = resolveWarning(w, { by, at, reason })
        warnings.set(id, next)
        return Effect.succeed(next)
      }),
    recordCheck: (result) =>
      Effect.sync(() => {
        const k = checkKey(result.caseId, result.check, result.period)
        const stored = checks.get(k)
        if (stored !== undefined) return { created: false, result: stored }
        checks.set(k, result)
        return { created: true, result }
      }),
    findCheck: (caseId, check, period) =>
      Effect.sync(() => Option.fromNullishOr(checks.get(checkKey(caseId, check, period)))),
    checksOf: (caseId) =>
      Effect.sync(() =>
        [...checks.values()]
          .filter((r) => r.caseId === caseId)
          .sort((a, b) =>
            a.period !== b.period
              ? a.period < b.period
                ? -1
                : 1
              : a.check < b.check
                ? -1
                : a.check > b.check
                  ? 1
                  : 0,
          ),
      ),
  })
})

export const layer: Layer.Layer<WarningStore> = Layer.effect(WarningStore, make)
