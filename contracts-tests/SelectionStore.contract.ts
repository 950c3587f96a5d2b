/**
 * Contract suite for the SelectionStore port (选房, R54). Every adapter (memory, PGlite, PostgreSQL) runs
 * exactly this file through `suite(name, layer)`, with the StockStore whose units it lets: round trip and
 * idempotent opening by draw; the log in order with actors; choose = choice + stock unit let in one step;
 * once only (a second choice or a skip of the family, a second holder of a unit, a stale unit version are
 * refused and change nothing); release writes the unit back; and races — two families choosing one unit at
 * the same time, one family choosing two units at the same time — repeated, exactly one winner each time;
 * `importLog` (an offline session's log) under the same rules, all or nothing.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Result } from "effect"
import {
  type SelectionEvent,
  type SelectionSessionRecord,
  SelectionStore,
  type SelectionStoreError,
  type SelectionStoreErrorReason,
} from "../application/ports/SelectionStore.js"
import { StockStore, type UnitUpdate } from "../application/ports/StockStore.js"
import type { Unit, UnitId } from "../domain/stock/Stock.js"
import * as Rules from "../domain/stock/StockRules.js"
import { freshTag, project, building, unit } from "./StockFixtures.js"

const T0 = 1_770_000_000_000

/** A project with `n` available units and a session offering them to families F1..F<families>. */
const seeded = (n: number, families = 4) =>
  Effect.gen(function* () {
    const tag = freshTag("sel")
    const stock = yield* StockStore
    const units = Array.from({ length: n }, (_, i) => unit(tag, i, { status: "available" }))
    yield* stock.write({ projects: [project(tag)], buildings: [building(tag)], units })
    const session: SelectionSessionRecord = {
      sessionId: `SS-${tag}`,
      roundId: `LR-${tag}`,
      drawId: `LD-${tag}`,
      projectId: `P-${tag}`,
      district: "310115",
      title: "第一批选房",
      openedAt: T0,
      openedBy: "officer-1",
      families: Array.from({ length: families }, (_, i) => ({
        id: `F${i + 1}`,
        stratum: `P-${tag}/any`,
        rank: i + 1,
        number: i + 1,
        outcome: "winner" as const,
        barcode: `BC-${tag}-${i + 1}`,
      })),
      units: units.map((u) => ({ id: u.id, stratum: `P-${tag}/any` })),
    }
    const opened = yield* (yield* SelectionStore).open(session)
    expect(opened.created).toBe(true)
    return { tag, session, units }
  })

const current = (id: string) =>
  Effect.gen(function* () {
    const [u] = yield* (yield* StockStore).getUnits([id as UnitId])
    return u!
  })

const letOf = (u: Unit): UnitUpdate => {
  const r = Rules.letUnit(u)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return { unit: r.success, expectedVersion: u.version }
}
const backOf = (u: Unit): UnitUpdate => {
  const r = Rules.release(u)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return { unit: r.success, expectedVersion: u.version }
}

const ev = (action: SelectionEvent["action"], family: string, extra: Partial<SelectionEvent> = {}) =>
  ({ action, family, at: T0 + 1000, actor: "officer-1", ...extra }) satisfies SelectionEvent

const reasonOf = (exit: Exit.Exit<unknown, SelectionStoreError>): SelectionStoreErrorReason | undefined =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

const choose = (sessionId: string, family: string, u: Unit) =>
  Effect.gen(function* () {
    const s = yield* SelectionStore
    return yield* s.choose(sessionId, ev("choose", family, { unit: u.id }), letOf(u))
  })

export const suite = (name: string, storeLayer: Layer.Layer<SelectionStore | StockStore, unknown>) =>
  describe(`SelectionStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "180 seconds" })((it) => {
      it.effect("opens a session once per draw and reads it back unchanged", () =>
        Effect.gen(function* () {
          const store = yield* SelectionStore
          const { session } = yield* seeded(2)
          const got = yield* store.get(session.sessionId)
          expect(Option.getOrThrow(got)).toEqual({ session, log: [] })
          // Same draw under another id: the stored session is returned.
          const again = yield* store.open({ ...session, sessionId: `${session.sessionId}-2` })
          expect(again).toEqual({ created: false, selection: { session, log: [] } })
          // Same id, another draw and content: Conflict.
          const clash = yield* Effect.exit(
            store.open({ ...session, drawId: `${session.drawId}-x`, title: "x" }),
          )
          expect(reasonOf(clash)).toEqual({ _tag: "Conflict", sessionId: session.sessionId })
          expect(Option.isNone(yield* store.get("SS-none"))).toBe(true)
          const listed = yield* store.list({ projectIds: [session.projectId] })
          expect(listed.map((s) => s.sessionId)).toEqual([session.sessionId])
          expect(yield* store.list({ districts: [] })).toEqual([])
          expect((yield* store.list({ roundId: session.roundId })).length).toBe(1)
        }),
      )

      it.effect("keeps the log in order with actors; one check-in per family", () =>
        Effect.gen(function* () {
          const store = yield* SelectionStore
          const { session, units } = yield* seeded(2)
          const id = session.sessionId
          yield* store.record(id, ev("check-in", "F1"))
          yield* store.record(id, ev("preselect", "F1", { unit: units[0]!.id, actor: "officer-2" }))
          yield* store.record(id, ev("preselect", "F1", { unit: units[1]!.id }))
          const twice = yield* Effect.exit(store.record(id, ev("check-in", "F1")))
          expect(reasonOf(twice)).toEqual({ _tag: "AlreadyDone", family: "F1", action: "check-in" })
          const missing = yield* Effect.exit(store.record("SS-none", ev("check-in", "F1")))
          expect(reasonOf(missing)?._tag).toBe("NotFound")
          const log = Option.getOrThrow(yield* store.get(id)).log
          expect(log.map((l) => [l.seq, l.action, l.family, l.unit, l.actor])).toEqual([
            [1, "check-in", "F1", undefined, "officer-1"],
            [2, "preselect", "F1", units[0]!.id, "officer-2"],
            [3, "preselect", "F1", units[1]!.id, "officer-1"],
          ])
        }),
      )

      it.effect("choose lets the stock unit in the same step, once per family and unit", () =>
        Effect.gen(function* () {
          const store = yield* SelectionStore
          const { session, units } = yield* seeded(3)
          const id = session.sessionId
          const [u0, u1] = units
          yield* choose(id, "F1", u0!)
          const let0 = yield* current(u0!.id)
          expect([let0.status, let0.supplied, let0.version]).toEqual(["let", true, u0!.version + 1])
          // The same family again (another unit): refused, the other unit untouched.
          const again = yield* Effect.exit(choose(id, "F1", u1!))
          expect(reasonOf(again)).toEqual({ _tag: "AlreadyDone", family: "F1", action: "choose" })
          expect((yield* current(u1!.id)).status).toBe("available")
          // Another family, the held unit (with its current version): UnitTaken, nothing written.
          const taken = yield* Effect.exit(
            store.choose(id, ev("choose", "F2", { unit: u0!.id }), {
              unit: { ...let0, version: let0.version + 1 },
              expectedVersion: let0.version,
            }),
          )
          expect(reasonOf(taken)).toEqual({ _tag: "UnitTaken", unit: u0!.id })
          expect((yield* current(u0!.id)).version).toBe(let0.version)
          // A skip after a choice is refused too (once only).
          const skip = yield* Effect.exit(store.record(id, ev("skip", "F1", { note: "absent" })))
          expect(reasonOf(skip)?._tag).toBe("AlreadyDone")
          // A stale unit version: StaleVersion, no choice recorded, the family may still choose.
          const stale = yield* Effect.exit(
            store.choose(id, ev("choose", "F2", { unit: u1!.id }), {
              unit: { ...u1!, status: "let", supplied: true, version: u1!.version + 2 },
              expectedVersion: u1!.version + 1,
            }),
          )
          expect(reasonOf(stale)).toEqual({ _tag: "StaleVersion", unit: u1!.id, expected: u1!.version + 1 })
          yield* choose(id, "F2", u1!)
          // A skipped family cannot choose afterwards.
          yield* store.record(id, ev("skip", "F3", { note: "未到场" }))
          const afterSkip = yield* Effect.exit(choose(id, "F3", units[2]!))
          expect(reasonOf(afterSkip)?._tag).toBe("AlreadyDone")
          expect((yield* current(units[2]!.id)).status).toBe("available")
          const log = Option.getOrThrow(yield* store.get(id)).log
          expect(log.map((l) => `${l.action}:${l.family}:${l.unit ?? ""}`)).toEqual([
            `choose:F1:${u0!.id}`,
            `choose:F2:${u1!.id}`,
            "skip:F3:",
          ])
        }),
      )

      it.effect(
        "a choice stops holding its unit once the stock shows it available again (contract ended, R35)",
        () =>
          Effect.gen(function* () {
            const store = yield* SelectionStore
            const { session, units } = yield* seeded(2)
            const id = session.sessionId
            yield* choose(id, "F1", units[0]!)
            const held = yield* current(units[0]!.id)
            // While the unit is let, another family is refused.
            const taken = yield* Effect.exit(
              store.choose(id, ev("choose", "F2", { unit: held.id }), {
                unit: { ...held, version: held.version + 1 },
                expectedVersion: held.version,
              }),
            )
            expect(reasonOf(taken)).toEqual({ _tag: "UnitTaken", unit: held.id })
            // The family's contract is revoked: the contract store releases the unit in the stock (R35).
            yield* (yield* StockStore).updateUnits([backOf(held)])
            const freed = yield* current(units[0]!.id)
            expect(freed.status).toBe("available")
            yield* choose(id, "F2", freed)
            expect((yield* current(units[0]!.id)).status).toBe("let")
            const log = (yield* store.get(id)).pipe(Option.getOrThrow).log
            expect(log.filter((l) => l.action === "choose").map((l) => [l.family, l.unit])).toEqual([
              ["F1", held.id],
              ["F2", held.id],
            ])
          }),
      )

      it.effect("release writes the unit back; the family does not choose again; the unit is free", () =>
        Effect.gen(function* () {
          const store = yield* SelectionStore
          const { session, units } = yield* seeded(2)
          const id = session.sessionId
          yield* choose(id, "F1", units[0]!)
          const held = yield* current(units[0]!.id)
          yield* store.release(id, ev("release", "F1", { note: "家庭放弃" }), backOf(held))
          const back = yield* current(units[0]!.id)
          expect([back.status, back.version]).toEqual(["available", held.version + 1])
          const twice = yield* Effect.exit(store.release(id, ev("release", "F1"), backOf(held)))
          expect(reasonOf(twice)).toEqual({ _tag: "NotChosen", family: "F1" })
          const never = yield* Effect.exit(store.release(id, ev("release", "F2"), backOf(held)))
          expect(reasonOf(never)).toEqual({ _tag: "NotChosen", family: "F2" })
          const again = yield* Effect.exit(choose(id, "F1", back))
          expect(reasonOf(again)?._tag).toBe("AlreadyDone")
          yield* choose(id, "F2", back)
          expect((yield* current(units[0]!.id)).status).toBe("let")
          const log = Option.getOrThrow(yield* store.get(id)).log
          expect(log.map((l) => [l.action, l.family, l.unit, l.note])).toEqual([
            ["choose", "F1", units[0]!.id, undefined],
            ["release", "F1", units[0]!.id, "家庭放弃"],
            ["choose", "F2", units[0]!.id, undefined],
          ])
        }),
      )

      it.effect("importLog writes a whole offline log and the net unit changes in one step (R54)", () =>
        Effect.gen(function* () {
          const store = yield* SelectionStore
          const { session, units } = yield* seeded(3, 4)
          const id = session.sessionId
          const [u0, u1, u2] = units as [Unit, Unit, Unit]
          const events: ReadonlyArray<SelectionEvent> = [
            ev("check-in", "F1"),
            ev("choose", "F1", { unit: u0.id }),
            ev("check-in", "F2"),
            ev("choose", "F2", { unit: u1.id }),
            ev("release", "F2", { unit: u1.id, note: "现场解除" }),
            ev("check-in", "F3"),
            ev("choose", "F3", { unit: u1.id }),
            ev("skip", "F4", { note: "未到场" }),
          ]
          yield* store.importLog(id, events, [letOf(u0), letOf(u1)])
          const log = Option.getOrThrow(yield* store.get(id)).log
          expect(log.map((l) => `${l.seq}:${l.action}:${l.family}:${l.unit ?? ""}`)).toEqual([
            `1:check-in:F1:`,
            `2:choose:F1:${u0.id}`,
            `3:check-in:F2:`,
            `4:choose:F2:${u1.id}`,
            `5:release:F2:${u1.id}`,
            `6:check-in:F3:`,
            `7:choose:F3:${u1.id}`,
            "8:skip:F4:",
          ])
          const after = [yield* current(u0.id), yield* current(u1.id), yield* current(u2.id)]
          expect(after.map((u) => u.status)).toEqual(["let", "let", "available"])
          // The imported choices hold their units and families like server choices do.
          const taken = yield* Effect.exit(choose(id, "F4", u2))
          expect(reasonOf(taken)?._tag).toBe("AlreadyDone")
          const held = yield* Effect.exit(store.record(id, ev("check-in", "F1")))
          expect(reasonOf(held)).toEqual({ _tag: "AlreadyDone", family: "F1", action: "check-in" })
        }),
      )

      it.effect(
        "importLog is all or nothing: one refusal or a stale unit leaves log and units unchanged",
        () =>
          Effect.gen(function* () {
            const store = yield* SelectionStore
            const { session, units } = yield* seeded(3, 4)
            const id = session.sessionId
            const [u0, u1, u2] = units as [Unit, Unit, Unit]
            yield* choose(id, "F1", u0)
            const before = Option.getOrThrow(yield* store.get(id)).log
            const unitsBefore = [yield* current(u0.id), yield* current(u1.id), yield* current(u2.id)]
            const attempts: ReadonlyArray<
              readonly [ReadonlyArray<SelectionEvent>, ReadonlyArray<UnitUpdate>, SelectionStoreErrorReason]
            > = [
              // A unit held by a standing server choice.
              [
                [
                  ev("check-in", "F2"),
                  ev("choose", "F2", { unit: u1.id }),
                  ev("choose", "F3", { unit: u0.id }),
                ],
                [letOf(u1)],
                { _tag: "UnitTaken", unit: u0.id },
              ],
              // A family that has already chosen.
              [
                [ev("choose", "F2", { unit: u1.id }), ev("skip", "F1", { note: "x" })],
                [letOf(u1)],
                { _tag: "AlreadyDone", family: "F1", action: "skip" },
              ],
              // A release without a standing choice.
              [
                [ev("skip", "F2", { note: "x" }), ev("release", "F3", { unit: u2.id })],
                [],
                { _tag: "NotChosen", family: "F3" },
              ],
              // Every event fine, one unit write stale.
              [
                [ev("choose", "F2", { unit: u1.id }), ev("choose", "F3", { unit: u2.id })],
                [letOf(u1), { ...letOf(u2), expectedVersion: u2.version + 5 }],
                { _tag: "StaleVersion", unit: u2.id, expected: u2.version + 5 },
              ],
            ]
            for (const [events, updates, reason] of attempts) {
              const exit = yield* Effect.exit(store.importLog(id, events, updates))
              expect(reasonOf(exit)).toEqual(reason)
              expect(Option.getOrThrow(yield* store.get(id)).log).toEqual(before)
              expect([yield* current(u0.id), yield* current(u1.id), yield* current(u2.id)]).toEqual(
                unitsBefore,
              )
            }
            // The refused imports left F2 free to choose u1 on the server.
            yield* choose(id, "F2", u1)
            const missing = yield* Effect.exit(store.importLog("SS-none", [ev("check-in", "F1")], []))
            expect(reasonOf(missing)?._tag).toBe("NotFound")
          }),
      )

      it.effect(
        "two families choosing one unit at the same time: exactly one wins, the unit is let once (×20)",
        () =>
          Effect.gen(function* () {
            for (let round = 0; round < 20; round++) {
              const { session, units } = yield* seeded(1, 2)
              const u = units[0]!
              const exits = yield* Effect.all(
                [
                  Effect.exit(choose(session.sessionId, "F1", u)),
                  Effect.exit(choose(session.sessionId, "F2", u)),
                ],
                { concurrency: 2 },
              )
              const wins = exits.filter(Exit.isSuccess).length
              expect(wins).toBe(1)
              const loser = reasonOf(exits.find(Exit.isFailure)!)
              expect(["UnitTaken", "StaleVersion"]).toContain(loser?._tag)
              const after = yield* current(u.id)
              expect([after.status, after.version]).toEqual(["let", u.version + 1])
              const log = Option.getOrThrow(yield* (yield* SelectionStore).get(session.sessionId)).log
              expect(log.filter((l) => l.action === "choose").length).toBe(1)
            }
          }),
      )

      it.effect("one family choosing two units at the same time: only one choice stands (×20)", () =>
        Effect.gen(function* () {
          for (let round = 0; round < 20; round++) {
            const { session, units } = yield* seeded(2, 1)
            const exits = yield* Effect.all(
              [
                Effect.exit(choose(session.sessionId, "F1", units[0]!)),
                Effect.exit(choose(session.sessionId, "F1", units[1]!)),
              ],
              { concurrency: 2 },
            )
            expect(exits.filter(Exit.isSuccess).length).toBe(1)
            expect(reasonOf(exits.find(Exit.isFailure)!)?._tag).toBe("AlreadyDone")
            const statuses = [(yield* current(units[0]!.id)).status, (yield* current(units[1]!.id)).status]
            expect(statuses.filter((s) => s === "let").length).toBe(1)
            expect(statuses.filter((s) => s === "available").length).toBe(1)
          }
        }),
      )
    })
  })
