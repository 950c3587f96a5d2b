/**
 * In-memory SelectionStore: the reference implementation of the contract suite. It shares the state of the
 * StockStore in its context (MemoryStockStore: the unit write goes through its atomic, version-checked
 * `updateUnits`), and serialises its own writes with one permit, checking every once-only rule before the
 * unit is written and recording only after that write succeeded: a choose or release lands whole or not at all.
 */
import { Effect, Layer, Option, Semaphore } from "effect"
import {
  type SelectionEvent,
  type SelectionSessionRecord,
  SelectionStore,
  SelectionStoreError,
  type SelectionStoreErrorReason,
  type StoredSelection,
} from "../../application/ports/SelectionStore.js"
import { StockStore, type UnitUpdate } from "../../application/ports/StockStore.js"
import type { LogEntry } from "../../domain/selection/SelectionSession.js"
import type { UnitId } from "../../domain/stock/Stock.js"

const fail = (reason: SelectionStoreErrorReason) => Effect.fail(new SelectionStoreError({ reason }))

interface Held {
  readonly session: SelectionSessionRecord
  readonly log: Array<LogEntry>
  /** family → unit of the family's choice, and whether it still stands. */
  readonly choices: Map<string, { readonly unit: string; released: boolean }>
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export const make = Effect.gen(function* () {
  const stock = yield* StockStore
  const permit = yield* Semaphore.make(1)
  const sessions = new Map<string, Held>()
  /** unit → "session\u0000family" of its standing choice (platform-wide, like the database's index). */
  const heldUnits = new Map<string, string>()

  /**
   * The stored unit is the one truth for a unit's state: a standing choice of a unit the stock shows
   * available again ended with what followed it (contract revoked, exited or moved out, R35), so it no
   * longer holds the unit (as the PostgreSQL adapter).
   */
  const endStaleHolding = (unit: string) =>
    Effect.gen(function* () {
      const key = heldUnits.get(unit)
      if (key === undefined) return
      const units = yield* stock
        .getUnits([unit as UnitId])
        .pipe(
          Effect.mapError(
            (e) => new SelectionStoreError({ reason: { _tag: "Unavailable", detail: e.message } }),
          ),
        )
      if (units[0]?.status !== "available") return
      const [sessionId, family] = key.split("\u0000") as [string, string]
      const c = sessions.get(sessionId)?.choices.get(family)
      if (c !== undefined) c.released = true
      heldUnits.delete(unit)
    })

  const snapshot = (h: Held): StoredSelection => ({ session: h.session, log: [...h.log] })
  const entry = (h: Held, e: SelectionEvent): LogEntry => ({
    seq: h.log.length + 1,
    at: e.at,
    action: e.action,
    family: e.family,
    actor: e.actor,
    ...(e.unit === undefined ? {} : { unit: e.unit }),
    ...(e.note === undefined ? {} : { note: e.note }),
  })
  const held = (sessionId: string) =>
    Effect.suspend(() => {
      const h = sessions.get(sessionId)
      return h === undefined ? fail({ _tag: "NotFound", sessionId }) : Effect.succeed(h)
    })
  const writeUnit = (update: UnitUpdate) =>
    stock.updateUnits([update]).pipe(
      Effect.mapError(
        (e) =>
          new SelectionStoreError({
            reason:
              e.reason._tag === "StaleVersion"
                ? { _tag: "StaleVersion", unit: update.unit.id, expected: update.expectedVersion }
                : e.reason._tag === "Contention" || e.reason._tag === "Unavailable"
                  ? e.reason
                  : { _tag: "Rejected", detail: "the stock refused the unit write" },
          }),
      ),
    )
  const onceDone = (h: Held, family: string) =>
    h.choices.has(family) || h.log.some((l) => l.family === family && l.action === "skip")

  return SelectionStore.of({
    open: (session) =>
      Semaphore.withPermit(permit)(
        Effect.suspend(
          (): Effect.Effect<
            { readonly created: boolean; readonly selection: StoredSelection },
            SelectionStoreError
          > => {
            const byDraw = [...sessions.values()].find((h) => h.session.drawId === session.drawId)
            if (byDraw !== undefined) return Effect.succeed({ created: false, selection: snapshot(byDraw) })
            const old = sessions.get(session.sessionId)
            if (old !== undefined)
              return same(old.session, session)
                ? Effect.succeed({ created: false, selection: snapshot(old) })
                : fail({ _tag: "Conflict", sessionId: session.sessionId })
            const h: Held = { session, log: [], choices: new Map() }
            sessions.set(session.sessionId, h)
            return Effect.succeed({ created: true, selection: snapshot(h) })
          },
        ),
      ),
    get: (sessionId) =>
      Effect.sync(() => {
        const h = sessions.get(sessionId)
        return h === undefined ? Option.none() : Option.some(snapshot(h))
      }),
    list: (q) =>
      Effect.sync(() =>
        [...sessions.values()]
          .map((h) => h.session)
          .filter(
            (s) =>
              (q.districts === undefined || q.districts.includes(s.district)) &&
              (q.projectIds === undefined || q.projectIds.includes(s.projectId)) &&
              (q.roundId === undefined || q.roundId === s.roundId),
          )
          .sort((a, b) => b.openedAt - a.openedAt || (a.sessionId < b.sessionId ? -1 : 1)),
      ),
    record: (sessionId, event) =>
      Semaphore.withPermit(permit)(
        Effect.gen(function* () {
          const h = yield* held(sessionId)
          if (
            event.action === "check-in" &&
            h.log.some((l) => l.family === event.family && l.action === "check-in")
          )
            return yield* fail({ _tag: "AlreadyDone", family: event.family, action: event.action })
          if (event.action === "skip" && onceDone(h, event.family))
            return yield* fail({ _tag: "AlreadyDone", family: event.family, action: event.action })
          if (event.action === "choose" || event.action === "release")
            return yield* fail({ _tag: "Rejected", detail: "choose and release have their own calls" })
          h.log.push(entry(h, event))
        }),
      ),
    choose: (sessionId, event, update) =>
      Semaphore.withPermit(permit)(
        Effect.gen(function* () {
          const h = yield* held(sessionId)
          if (event.action !== "choose" || event.unit === undefined || update.unit.id !== event.unit)
            return yield* fail({ _tag: "Rejected", detail: "a choice names its unit and writes that unit" })
          if (onceDone(h, event.family))
            return yield* fail({ _tag: "AlreadyDone", family: event.family, action: "choose" })
          yield* endStaleHolding(event.unit)
          if (heldUnits.has(event.unit)) return yield* fail({ _tag: "UnitTaken", unit: event.unit })
          yield* writeUnit(update)
          h.choices.set(event.family, { unit: event.unit, released: false })
          heldUnits.set(event.unit, `${sessionId}\u0000${event.family}`)
          h.log.push(entry(h, event))
        }),
      ),
    release: (sessionId, event, update) =>
      Semaphore.withPermit(permit)(
        Effect.gen(function* () {
          const h = yield* held(sessionId)
          const c = h.choices.get(event.family)
          if (c === undefined || c.released) return yield* fail({ _tag: "NotChosen", family: event.family })
          if (event.action !== "release" || update.unit.id !== c.unit)
            return yield* fail({ _tag: "Rejected", detail: "a release writes back the chosen unit" })
          yield* writeUnit(update)
          c.released = true
          heldUnits.delete(c.unit)
          h.log.push(entry(h, { ...event, unit: c.unit }))
        }),
      ),
    importLog: (sessionId, events, updates) =>
      Semaphore.withPermit(permit)(
        Effect.gen(function* () {
          const h = yield* held(sessionId)
          // Every rule is checked on scratch copies; the units are written (atomically) before anything commits.
          const scratch: Held = {
            session: h.session,
            log: [...h.log],
            choices: new Map([...h.choices].map(([f, c]) => [f, { ...c }])),
          }
          const units = new Map(heldUnits)
          for (const event of events) {
            const f = event.family
            const refuse = (reason: SelectionStoreErrorReason) => fail(reason)
            if (event.action === "check-in" || event.action === "skip") {
              const twice =
                event.action === "check-in"
                  ? scratch.log.some((l) => l.family === f && l.action === "check-in")
                  : onceDone(scratch, f)
              if (twice) return yield* refuse({ _tag: "AlreadyDone", family: f, action: event.action })
            } else if (event.action === "choose") {
              if (event.unit === undefined)
                return yield* refuse({ _tag: "Rejected", detail: "a choice names its unit" })
              if (onceDone(scratch, f))
                return yield* refuse({ _tag: "AlreadyDone", family: f, action: "choose" })
              if (units.has(event.unit)) return yield* refuse({ _tag: "UnitTaken", unit: event.unit })
              scratch.choices.set(f, { unit: event.unit, released: false })
              units.set(event.unit, `${sessionId}\u0000${f}`)
            } else if (event.action === "release") {
              const c = scratch.choices.get(f)
              if (c === undefined || c.released) return yield* refuse({ _tag: "NotChosen", family: f })
              c.released = true
              units.delete(c.unit)
              scratch.log.push(entry(scratch, { ...event, unit: c.unit }))
              continue
            }
            scratch.log.push(entry(scratch, event))
          }
          if (updates.length > 0)
            yield* stock.updateUnits(updates).pipe(
              Effect.mapError(
                (e) =>
                  new SelectionStoreError({
                    reason:
                      e.reason._tag === "StaleVersion"
                        ? { _tag: "StaleVersion", unit: e.reason.id, expected: e.reason.expected }
                        : e.reason._tag === "Contention" || e.reason._tag === "Unavailable"
                          ? e.reason
                          : { _tag: "Rejected", detail: "the stock refused the unit write" },
                  }),
              ),
            )
          sessions.set(sessionId, scratch)
          heldUnits.clear()
          for (const [u, k] of units) heldUnits.set(u, k)
        }),
      ),
  })
})

/** Needs the StockStore whose units it lets (MemoryStockStore.layer in tests and `--store memory`). */
export const layer: Layer.Layer<SelectionStore, never, StockStore> = Layer.effect(SelectionStore, make)
