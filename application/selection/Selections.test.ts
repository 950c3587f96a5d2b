/**
 * House selection use-cases on memory stores (选房, R54): a session opened from a drawn round takes the
 * families in result order per stratum `<projectId>/<unitType>` and only the round's types' `available`
 * units; choice in rank order within the stratum (R54.order), skip moves the turn on, once per family
 * (R54.once, also after a release), units only of the family's stratum (R54.stratum), the unit let on
 * choose (R37) and available again on release (R35); a round without a standing draw has no session.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { seedDrawnRound } from "../../contracts-tests/SelectionFixtures.js"
import { freshTag } from "../../contracts-tests/StockFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import { openRound } from "../lottery/LotteryRounds.js"
import { StockStore } from "../ports/StockStore.js"
import { LOCAL_AUTHORITY } from "../stock/StockAccess.js"
import {
  checkIn,
  choose,
  openSession,
  release,
  type SelectionStatus,
  selectionStatus,
  skip,
} from "./Selections.js"

const T0 = 1_770_000_000_000
const PUDONG: Actor = { role: "district", id: "pudong-1", district: "310115" }

const services = () =>
  Layer.mergeAll(
    Layer.provideMerge(MemorySelectionStore.layer, MemoryStockStore.layer),
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(3),
    TestClock.layer(),
  )

const refusal = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return "success"
  const [e] = exit.cause.reasons.flatMap((r) =>
    r._tag === "Fail" ? [r.error as Record<string, unknown>] : [],
  )
  return e === undefined ? "defect" : { tag: e._tag, field: e.field, rule: e.rule, status: e.status }
}

const inStratum = (s: SelectionStatus, stratum: string) =>
  s.families.filter((f) => f.stratum === stratum).sort((a, b) => a.rank - b.rank)
const stratumOf = (s: SelectionStatus, stratum: string) => s.strata.find((x) => x.stratum === stratum)!

describe("selection use-cases", () => {
  it.effect(
    "opens from the drawn round: families in rank order per stratum, only available units of the round's types",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const round = yield* seedDrawnRound(freshTag("sel-open"), { families: 3, units: 2 })
        const opened = yield* openSession(PUDONG, { roundId: round.roundId })
        const s = yield* selectionStatus(PUDONG, opened.session.sessionId)
        expect(s.families.map((f) => f.stratum)).toEqual([
          ...Array(3).fill(round.strata.oneRoom),
          ...Array(3).fill(round.strata.twoRoom),
        ])
        for (const stratum of [round.strata.oneRoom, round.strata.twoRoom])
          expect(inStratum(s, stratum).map((f) => f.rank)).toEqual([1, 2, 3])
        // The draft unit of the fixture is not offered; units go to their own type's stratum.
        expect(s.units.map((u) => u.id).sort()).toEqual(round.units.map((u) => u.id).sort())
        for (const u of s.units) {
          const stored = round.units.find((x) => x.id === u.id)!
          expect(u.stratum).toBe(`${round.projectId}/${stored.bedrooms}-${stored.halls}`)
        }
        expect(new Set(s.families.map((f) => f.barcode)).size).toBe(6)
        expect(s.progress).toMatchObject({ families: 6, chosen: 0, pending: 6, units: 4, unitsFree: 4 })
      }).pipe(Effect.provide(services())),
  )

  it.effect(
    "order within the stratum, skip, once per family, stratum of the unit, let and release in the stock",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const round = yield* seedDrawnRound(freshTag("sel-rules"), { families: 3, units: 2 })
        const sessionId = (yield* openSession(PUDONG, { roundId: round.roundId })).session.sessionId
        let s = yield* selectionStatus(PUDONG, sessionId)
        const [a1, a2, a3] = inStratum(s, round.strata.oneRoom)
        const oneRoom = s.units.filter((u) => u.stratum === round.strata.oneRoom).map((u) => u.id)
        const twoRoom = s.units.filter((u) => u.stratum === round.strata.twoRoom).map((u) => u.id)
        for (const f of [a1!, a2!, a3!]) yield* checkIn(PUDONG, { sessionId, barcode: f.barcode })
        expect(
          refusal(yield* Effect.exit(checkIn(PUDONG, { sessionId, barcode: a1!.barcode }))),
        ).toMatchObject({
          rule: "R54.check-in-once",
          status: 409,
        })
        // Rank 2 may not choose before rank 1 (R54.order); rank 1 may not take a 2-1 unit (R54.stratum).
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a2!.id, unit: oneRoom[0]! }))),
        ).toMatchObject({ tag: "SelectionRefusedByRule", field: "family", rule: "R54.order", status: 409 })
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a1!.id, unit: twoRoom[0]! }))),
        ).toMatchObject({ field: "unit", rule: "R54.stratum", status: 422 })
        // Rank 1 is skipped: the turn moves to rank 2, who chooses; rank 1 cannot come back.
        yield* skip(PUDONG, { sessionId, family: a1!.id, reason: "未到场" })
        expect(stratumOf(yield* selectionStatus(PUDONG, sessionId), round.strata.oneRoom).current).toBe(
          a2!.id,
        )
        s = yield* choose(PUDONG, { sessionId, family: a2!.id, unit: oneRoom[0]! })
        expect(s.families.find((f) => f.id === a2!.id)).toMatchObject({ status: "chosen", unit: oneRoom[0] })
        expect(stratumOf(s, round.strata.oneRoom)).toMatchObject({
          current: a3!.id,
          unitsLeft: 1,
          skipped: 1,
        })
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a1!.id, unit: oneRoom[1]! }))),
        ).toMatchObject({ rule: "R54.once" })
        // Rank 3 may not take the unit rank 2 holds.
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a3!.id, unit: oneRoom[0]! }))),
        ).toMatchObject({ field: "unit", rule: "R54.unit-taken", status: 409 })
        const stock = yield* StockStore
        expect((yield* stock.getUnits([oneRoom[0]! as UnitId]))[0]!.status).toBe("let")
        // Release: the unit is available again and offered; rank 2 does not choose again in this session.
        s = yield* release(PUDONG, { sessionId, family: a2!.id, reason: "放弃" })
        expect((yield* stock.getUnits([oneRoom[0]! as UnitId]))[0]!.status).toBe("available")
        expect(s.families.find((f) => f.id === a2!.id)!.status).toBe("released")
        expect(stratumOf(s, round.strata.oneRoom).unitsLeft).toBe(2)
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a2!.id, unit: oneRoom[1]! }))),
        ).toMatchObject({ rule: "R54.once" })
        expect(
          refusal(yield* Effect.exit(release(PUDONG, { sessionId, family: a2!.id, reason: "again" }))),
        ).toMatchObject({ rule: "R54.release-chosen-only" })
        s = yield* choose(PUDONG, { sessionId, family: a3!.id, unit: oneRoom[0]! })
        expect(s.log.map((l) => l.action)).toEqual([
          "check-in",
          "check-in",
          "check-in",
          "skip",
          "choose",
          "release",
          "choose",
        ])
        expect(s.log.every((l) => l.actor === PUDONG.id && l.at === T0)).toBe(true)
        expect(s.progress).toMatchObject({ chosen: 1, skipped: 1, released: 1, pending: 3 })
      }).pipe(Effect.provide(services())),
  )

  it.effect("a round without a standing draw has no session (RoundNotDrawn)", () =>
    Effect.gen(function* () {
      const tag = freshTag("sel-undrawn")
      yield* openRound(LOCAL_AUTHORITY, {
        roundId: `LR-${tag}`,
        projectId: `P-${tag}`,
        district: "310115",
        unitTypes: ["1-1"],
        title: "未摇号批次",
        entrants: [{ id: `A-${tag}-1`, stratum: `P-${tag}/1-1` }],
        units: [{ stratum: `P-${tag}/1-1`, units: 1 }],
      })
      expect(refusal(yield* Effect.exit(openSession(PUDONG, { roundId: `LR-${tag}` })))).toMatchObject({
        tag: "RoundNotDrawn",
      })
    }).pipe(Effect.provide(services())),
  )

  it.effect(
    "a unit locked in the stock after opening is refused by R37 and nothing is recorded; opening is idempotent",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const round = yield* seedDrawnRound(freshTag("sel-lock"), { families: 2, units: 2 })
        const opened = yield* openSession(PUDONG, { roundId: round.roundId })
        expect((yield* openSession(PUDONG, { roundId: round.roundId })).session).toEqual(opened.session)
        const sessionId = opened.session.sessionId
        const s = yield* selectionStatus(PUDONG, sessionId)
        const [a1] = inStratum(s, round.strata.oneRoom)
        const [u1, u2] = s.units.filter((u) => u.stratum === round.strata.oneRoom).map((u) => u.id)
        yield* checkIn(PUDONG, { sessionId, barcode: a1!.barcode })
        const stock = yield* StockStore
        const [stored] = yield* stock.getUnits([u1! as UnitId])
        yield* stock.updateUnits([
          {
            unit: { ...stored!, status: "locked", lockedFrom: "available", version: stored!.version + 1 },
            expectedVersion: stored!.version,
          },
        ])
        expect(
          refusal(yield* Effect.exit(choose(PUDONG, { sessionId, family: a1!.id, unit: u1! }))),
        ).toMatchObject({ field: "unit", rule: "R37.let-available-only", status: 409 })
        const after = yield* selectionStatus(PUDONG, sessionId)
        expect(after.progress.chosen).toBe(0)
        expect(after.log.map((l) => l.action)).toEqual(["check-in"])
        // Another unit of the stratum can still be chosen.
        yield* choose(PUDONG, { sessionId, family: a1!.id, unit: u2! })
        expect((yield* stock.getUnits([u2! as UnitId]))[0]!.status).toBe("let")
      }).pipe(Effect.provide(services())),
  )
})
