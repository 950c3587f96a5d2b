/**
 * Importing an offline session's result into the server's records (R54): the round's session then answers,
 * through the same use-cases as `GET /api/v1/selections/{id}`, exactly what the offline session recorded
 * (check-ins, choices, a release, a skip), the chosen units are let and the chosen families' queue entries
 * converted; a second import of the same file changes nothing; a file that contradicts the server (a family
 * chose another unit, a unit held by another family) is refused, naming family and unit, and writes nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Result } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { queueEntry } from "../../contracts-tests/QueueStore.contract.js"
import { type DrawnRound, seedDrawnRound } from "../../contracts-tests/SelectionFixtures.js"
import { freshTag } from "../../contracts-tests/StockFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import { waitingNumbersOf } from "../../domain/queue/WaitingNumbers.js"
import { encodeResult, resultOf } from "../../domain/selection/SelectionResult.js"
import * as S from "../../domain/selection/SelectionSession.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { standingDraw } from "../lottery/LotteryRounds.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { QueueStore } from "../ports/QueueStore.js"
import { SelectionStore } from "../ports/SelectionStore.js"
import { StockStore } from "../ports/StockStore.js"
import {
  importSelectionResult,
  SelectionImportConflict,
  SelectionImportFailed,
} from "./ImportSelectionResult.js"
import { checkIn, choose, openSession, selectionStatus } from "./Selections.js"

const T0 = 1_770_000_000_000
const PUDONG: Actor = { role: "district", id: "pudong-1", district: "310115" }
const ELSEWHERE: Actor = { role: "district", id: "minhang-1", district: "310112" }

const services = () =>
  Layer.mergeAll(
    Layer.provideMerge(MemorySelectionStore.layer, MemoryStockStore.layer),
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(5),
    TestClock.layer(),
  )

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return undefined
  return exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
}

/**
 * An offline session of the round, as `anju selection init --families result.csv --units …` makes it: the
 * round's result rows (barcode = application number) and its available units by stratum.
 */
const offlineSession = (round: DrawnRound) =>
  Effect.gen(function* () {
    const stored = Option.getOrThrow(yield* (yield* LotteryStore).getRound(round.roundId))
    const standing = standingDraw(stored)!
    const rows = [
      ...waitingNumbersOf(round.roundId, {
        drawId: standing.draw.drawId,
        drawnAt: 0,
        resultCsv: standing.resultCsv,
      }).entries(),
    ]
    const families = rows.map(([id, w]) => ({ id, rank: w.rank, barcode: id, stratum: w.stratum }))
    const units = round.units.map((u) => ({
      id: u.id,
      stratum: `${round.projectId}/${u.bedrooms}-${u.halls}`,
    }))
    return Result.getOrThrow(S.makeSession("第一批选房（离线）", families, units, T0))
  })

const inStratum = (s: S.SessionState, stratum: string) =>
  s.families.filter((f) => f.stratum === stratum).sort((a, b) => a.rank - b.rank)

/**
 * 1-1: rank 1 chooses, rank 2 chooses then is released, rank 3 takes the released unit; 2-1: rank 1 is
 * skipped, rank 2 chooses. Returns the sealed bytes' content and who did what.
 */
const runOffline = (round: DrawnRound) =>
  Effect.gen(function* () {
    let s = yield* offlineSession(round)
    const [a1, a2, a3] = inStratum(s, round.strata.oneRoom)
    const [b1, b2] = inStratum(s, round.strata.twoRoom)
    const one = s.units.filter((u) => u.stratum === round.strata.oneRoom).map((u) => u.id)
    const two = s.units.filter((u) => u.stratum === round.strata.twoRoom).map((u) => u.id)
    const step = (r: Result.Result<S.SessionState, S.SelectionRefused>) => {
      s = Result.getOrThrow(r)
    }
    let t = T0
    const tick = () => {
      t += 60_000
      return t
    }
    for (const f of [a1!, a2!, a3!, b2!]) step(S.checkIn(s, f.barcode, tick()))
    step(S.choose(s, a1!.id, one[0]!, tick()))
    step(S.choose(s, a2!.id, one[1]!, tick()))
    step(S.release(s, a2!.id, "现场解除", tick()))
    step(S.choose(s, a3!.id, one[1]!, tick()))
    step(S.skip(s, b1!.id, "未到场", tick()))
    step(S.choose(s, b2!.id, two[0]!, tick()))
    return {
      bytes: encodeResult(resultOf(s, t + 3_600_000)),
      families: {
        a1: a1!.id,
        a2: a2!.id,
        a3: a3!.id,
        b1: b1!.id,
        b2: b2!.id,
        b3: inStratum(s, round.strata.twoRoom)[2]!.id,
      },
      units: { one, two },
    }
  })

/** Every family of the round waiting in the project's queue (as the round from the queue had them). */
const enqueue = (round: DrawnRound, ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const queue = yield* QueueStore
    for (const id of ids)
      yield* queue.enter(queueEntry(`project:${round.projectId}`, id, { projectId: round.projectId }))
  })

describe("importSelectionResult into the server's records", () => {
  it.effect(
    "writes the offline check-ins, choices, release and skip; lets the units; settles the queue",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const round = yield* seedDrawnRound(freshTag("imp"), { families: 3, units: 2 })
        const offline = yield* runOffline(round)
        const f = offline.families
        yield* enqueue(round, Object.values(f))
        const stock = yield* StockStore
        const countsBefore = yield* stock.countUnits({ inProjects: [round.projectId as never] })

        // Out of scope: the round is not found, nothing is opened or written.
        const outside = failureOf(yield* Effect.exit(importSelectionResult(ELSEWHERE, offline.bytes, round)))
        expect((outside as { _tag: string })._tag).toBe("RoundNotFound")

        const out = yield* importSelectionResult(PUDONG, offline.bytes, { roundId: round.roundId })
        expect([out.changed, out.written]).toEqual([true, 10])
        // Query the session as the HTTP route does (GET /api/v1/selections/{id}).
        const s = yield* selectionStatus(PUDONG, out.sessionId)
        const fam = (id: string) => s.families.find((x) => x.id === id)!
        expect(
          [f.a1, f.a2, f.a3, f.b1, f.b2, f.b3].map((id) => [fam(id).status, fam(id).checkedIn, fam(id).unit]),
        ).toEqual([
          ["chosen", true, offline.units.one[0]],
          ["released", true, offline.units.one[1]],
          ["chosen", true, offline.units.one[1]],
          ["skipped", false, null],
          ["chosen", true, offline.units.two[0]],
          ["pending", false, null],
        ])
        expect(s.progress).toMatchObject({ chosen: 3, skipped: 1, released: 1, pending: 1, unitsFree: 1 })
        // The log keeps the file's instants and order; the importing officer is the actor.
        expect(s.log.map((l) => `${l.action}:${l.family}`)).toEqual([
          `check-in:${f.a1}`,
          `choose:${f.a1}`,
          `check-in:${f.a2}`,
          `choose:${f.a2}`,
          `release:${f.a2}`,
          `check-in:${f.a3}`,
          `choose:${f.a3}`,
          `skip:${f.b1}`,
          `check-in:${f.b2}`,
          `choose:${f.b2}`,
        ])
        expect(s.log.every((l) => l.actor === PUDONG.id)).toBe(true)
        expect(s.units.filter((u) => u.heldBy !== null).map((u) => [u.id, u.heldBy])).toEqual(
          expect.arrayContaining([
            [offline.units.one[0], f.a1],
            [offline.units.one[1], f.a3],
            [offline.units.two[0], f.b2],
          ]),
        )
        // The stock: the three chosen units let (R37), the other 2-1 unit still available; counts follow.
        const units = yield* stock.getUnits([...offline.units.one, ...offline.units.two] as Array<UnitId>)
        expect(units.map((u) => u.status)).toEqual(["let", "let", "let", "available"])
        const avail = (c: ReadonlyArray<{ status: string; units: number }>) =>
          c.filter((x) => x.status === "available").reduce((n, x) => n + x.units, 0)
        expect(avail(out.counts)).toBe(avail(countsBefore) - 3)
        // The queue: chosen families converted (R54.selected), the released, skipped and pending ones wait.
        const queue = yield* QueueStore
        const entries = yield* queue.entries(`project:${round.projectId}`)
        const statusOf = (id: string) => entries.find((e) => e.caseId === id)!
        expect([f.a1, f.a3, f.b2].map((id) => [statusOf(id).status, statusOf(id).leftReason])).toEqual([
          ["converted", `R54.selected:${offline.units.one[0]}`],
          ["converted", `R54.selected:${offline.units.one[1]}`],
          ["converted", `R54.selected:${offline.units.two[0]}`],
        ])
        expect([f.a2, f.b1, f.b3].map((id) => statusOf(id).status)).toEqual(["waiting", "waiting", "waiting"])
        // The imported session goes on on the server: the last 2-1 family checks in and chooses.
        yield* checkIn(PUDONG, { sessionId: out.sessionId, barcode: fam(f.b3).barcode })
        const after = yield* choose(PUDONG, {
          sessionId: out.sessionId,
          family: f.b3,
          unit: offline.units.two[1]!,
        })
        expect(after.progress).toMatchObject({ chosen: 4, pending: 0, unitsFree: 0 })
      }).pipe(Effect.provide(services())),
  )

  it.effect("importing the same file twice changes nothing and says so", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const round = yield* seedDrawnRound(freshTag("imp-twice"), { families: 3, units: 2 })
      const offline = yield* runOffline(round)
      yield* enqueue(round, Object.values(offline.families))
      const first = yield* importSelectionResult(PUDONG, offline.bytes, round)
      const stock = yield* StockStore
      const ids = [...offline.units.one, ...offline.units.two] as Array<UnitId>
      const unitsBefore = yield* stock.getUnits(ids)
      const entriesBefore = yield* (yield* QueueStore).entries(`project:${round.projectId}`)
      const again = yield* importSelectionResult(PUDONG, offline.bytes, round)
      expect([again.changed, again.written, again.sessionId]).toEqual([false, 0, first.sessionId])
      expect(again.status).toEqual(first.status)
      expect(yield* stock.getUnits(ids)).toEqual(unitsBefore)
      expect(yield* (yield* QueueStore).entries(`project:${round.projectId}`)).toEqual(entriesBefore)
    }).pipe(Effect.provide(services())),
  )

  it.effect("a server session already holding the file's choices in part: only the rest is written", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const round = yield* seedDrawnRound(freshTag("imp-part"), { families: 3, units: 2 })
      const offline = yield* runOffline(round)
      const sessionId = (yield* openSession(PUDONG, round)).session.sessionId
      const s = yield* selectionStatus(PUDONG, sessionId)
      const a1 = s.families.find((x) => x.id === offline.families.a1)!
      yield* checkIn(PUDONG, { sessionId, barcode: a1.barcode })
      yield* choose(PUDONG, { sessionId, family: a1.id, unit: offline.units.one[0]! })
      const out = yield* importSelectionResult(PUDONG, offline.bytes, round)
      expect([out.changed, out.written, out.sessionId]).toEqual([true, 8, sessionId])
      expect(out.status.progress).toMatchObject({ chosen: 3, skipped: 1, released: 1, pending: 1 })
    }).pipe(Effect.provide(services())),
  )

  it.effect("conflicting server-side choices refuse the whole import, naming family and unit", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const round = yield* seedDrawnRound(freshTag("imp-clash"), { families: 3, units: 2 })
      const offline = yield* runOffline(round)
      const sessionId = (yield* openSession(PUDONG, round)).session.sessionId
      const s = yield* selectionStatus(PUDONG, sessionId)
      const barcode = (id: string) => s.families.find((x) => x.id === id)!.barcode
      const stock = yield* StockStore
      const ids = [...offline.units.one, ...offline.units.two] as Array<UnitId>

      // On the server, 2-1 rank 1 (skipped in the file) chose the unit the file gives rank 2.
      yield* checkIn(PUDONG, { sessionId, barcode: barcode(offline.families.b1) })
      yield* choose(PUDONG, { sessionId, family: offline.families.b1, unit: offline.units.two[0]! })
      const logBefore = (yield* selectionStatus(PUDONG, sessionId)).log
      const unitsBefore = yield* stock.getUnits(ids)
      const clash = failureOf(yield* Effect.exit(importSelectionResult(PUDONG, offline.bytes, round)))
      expect(clash).toBeInstanceOf(SelectionImportConflict)
      expect(clash).toMatchObject({ family: offline.families.b1, rule: "R54.import-conflict" })
      expect((clash as SelectionImportConflict).message).toContain(`family ${offline.families.b1} is chosen`)
      // Nothing of the file was written, no unit changed.
      expect((yield* selectionStatus(PUDONG, sessionId)).log).toEqual(logBefore)
      expect(yield* stock.getUnits(ids)).toEqual(unitsBefore)
    }).pipe(Effect.provide(services())),
  )

  it.effect(
    "a unit held on the server by a family the file leaves pending is a conflict naming the unit",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const round = yield* seedDrawnRound(freshTag("imp-unit"), { families: 3, units: 2 })
        const offline = yield* runOffline(round)
        const sessionId = (yield* openSession(PUDONG, round)).session.sessionId
        const s = yield* selectionStatus(PUDONG, sessionId)
        // Server (written through the port, as another officer's terminal might have): 2-1 rank 1 skipped as in
        // the file, rank 3 holds the unit the file gives rank 2, who is still pending there.
        const { b1, b3 } = offline.families
        const store = yield* SelectionStore
        const stock = yield* StockStore
        const at = T0 + 1
        yield* store.record(sessionId, { action: "skip", family: b1, note: "未到场", at, actor: "other" })
        yield* store.record(sessionId, { action: "check-in", family: b3, at, actor: "other" })
        const [u] = yield* stock.getUnits([offline.units.two[0]! as UnitId])
        yield* store.choose(
          sessionId,
          { action: "choose", family: b3, unit: u!.id, at, actor: "other" },
          { unit: Result.getOrThrow(Rules.letUnit(u!)), expectedVersion: u!.version },
        )
        expect(s.families.find((x) => x.id === b3)).toBeDefined()
        const clash = failureOf(yield* Effect.exit(importSelectionResult(PUDONG, offline.bytes, round)))
        expect(clash).toBeInstanceOf(SelectionImportConflict)
        expect(clash).toMatchObject({ unit: offline.units.two[0], rule: "R54.import-conflict" })
        expect((clash as SelectionImportConflict).message).toContain(`held by family ${b3}`)
      }).pipe(Effect.provide(services())),
  )

  it.effect("a family or unit the round does not hold, or malformed bytes: refused, nothing written", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const round = yield* seedDrawnRound(freshTag("imp-bad"), { families: 3, units: 2 })
      const other = yield* seedDrawnRound(freshTag("imp-other"), { families: 3, units: 2 })
      const offline = yield* runOffline(other)
      const wrongRound = failureOf(yield* Effect.exit(importSelectionResult(PUDONG, offline.bytes, round)))
      expect(wrongRound).toBeInstanceOf(SelectionImportFailed)
      expect(wrongRound).toMatchObject({ reason: "family", rule: "R54.unknown-family" })
      const garbage = failureOf(
        yield* Effect.exit(importSelectionResult(PUDONG, new TextEncoder().encode("{}"), round)),
      )
      expect(garbage).toMatchObject({ _tag: "SelectionImportFailed", reason: "malformed" })
      const s = yield* selectionStatus(PUDONG, (yield* openSession(PUDONG, round)).session.sessionId)
      expect(s.log).toEqual([])
    }).pipe(Effect.provide(services())),
  )
})
