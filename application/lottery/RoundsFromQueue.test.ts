/**
 * From queue to lottery and back (R53, R55) over memory stores: the pool of a round taken from the queue is
 * the families its plan ranks today, still waiting, of the round's unit types (R45 certificate, R46 intention
 * marks, left entries, other unit types and other projects stay out), strata `<project>/<unitType>` and units
 * = available stored units (R55); empty pools, bad unit types and foreign projects are refused. After any draw
 * the waiting numbers on the queue are exactly result.csv, every entrant got one and nobody else did;
 * annulment clears exactly that draw's numbers; the write-back is idempotent (property over random queues).
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { building, project, unit } from "../../contracts-tests/StockFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import { GONGYOU } from "../../domain/queue/QueuePlan.js"
import type { QueueEntry, WaitingNumber } from "../../domain/queue/QueueEntry.js"
import { waitingNumbersOf } from "../../domain/queue/WaitingNumbers.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { QueueStore } from "../ports/QueueStore.js"
import { StockStore } from "../ports/StockStore.js"
import { queuePlace, rankQueue } from "../queue/Queues.js"
import {
  annulRound,
  drawRound,
  listRounds,
  renderPoolCsv,
  resultRowOf,
  standingDraw,
} from "./LotteryRounds.js"
import { applyDrawToQueue } from "./QueueWriteBack.js"
import { openRoundFromQueue } from "./RoundsFromQueue.js"

const T0 = Date.parse("2026-06-01T02:00:00Z") // 10:00 in Shanghai
const DAY = 86_400_000
const pudong: Actor = { role: "district", id: "pd-1", district: "310115" }
const xuhui: Actor = { role: "district", id: "xh-1", district: "310104" }
const seed = [{ kind: "digits" as const, digits: "20260601" }]
const day = (d: string) => CivilDate.toDayNumber(d as CivilDate.CivilDate)

const services = () =>
  Layer.mergeAll(
    MemoryStockStore.layer,
    MemoryQueueStore.layer,
    MemoryLotteryStore.layer,
    SeededSecureRandom.layer(7),
  )

/** A queue entry of project `P-<tag>` as the admission leaves it (certificate valid through 2027-01-04). */
const entry = (
  tag: string,
  caseId: string,
  unitType: string,
  over: Partial<QueueEntry> = {},
  applicant: Partial<QueueEntry["applicant"]> = {},
): QueueEntry => ({
  queueId: `project:P-${tag}`,
  caseId,
  kind: "gongzu",
  district: "310115",
  projectId: `P-${tag}`,
  applicantIndex: `idx-${caseId}`,
  applicant: {
    id: caseId,
    project: `P-${tag}`,
    unitType,
    entryAt: T0 - 10 * DAY,
    qualifiedOn: day("2026-01-05"),
    certificateValidUntil: day("2027-01-04"),
    hardship: "none",
    intention: "none",
    ...applicant,
  },
  status: "waiting",
  at: T0 - 10 * DAY,
  windowStart: null,
  deadline: null,
  enteredBy: `queue.entry:${tag}:${caseId}`,
  leftReason: null,
  version: 1,
  ...over,
})

/** Project `P-<tag>` with `types` as [bedrooms, halls, status] per unit. */
const estate = (
  tag: string,
  types: ReadonlyArray<readonly [number, number, "available" | "draft"]>,
  kind: "gongzu" | "gongyou" = "gongzu",
) =>
  Effect.gen(function* () {
    yield* (yield* StockStore).write({
      projects: [project(tag, { kind })],
      buildings: [building(tag)],
      units: types.map(([bedrooms, halls, status], i) => unit(tag, i, { bedrooms, halls, status })),
    })
  })

const enter = (...entries: ReadonlyArray<QueueEntry>) =>
  Effect.gen(function* () {
    const store = yield* QueueStore
    for (const e of entries) yield* store.enter(e)
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

const numbersOf = (entries: ReadonlyArray<QueueEntry>) =>
  new Map(entries.flatMap((e) => (e.lottery == null ? [] : [[e.caseId, e.lottery] as const])))

describe("a lottery round from the queue (R53, R55)", () => {
  it.effect(
    "takes the ranked, waiting families of the unit types; strata are queue pools; units are available stock",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        yield* estate("q", [
          [1, 1, "available"],
          [1, 1, "available"],
          [1, 1, "draft"],
          [2, 1, "available"],
        ])
        yield* enter(
          entry("q", "C-1", "1-1"),
          entry("q", "C-2", "1-1", {}, { qualifiedOn: day("2026-01-04") }),
          entry("q", "C-3", "2-1"),
          entry("q", "C-4", "1-1", {}, { certificateValidUntil: day("2026-05-31") }), // R45: expired
          entry("q", "C-5", "1-1", { status: "removed", leftReason: "closed" }), // left the queue
          entry("q", "C-6", "3-1"), // another unit type
          entry("other", "C-7", "1-1"), // another project's queue
        )
        const r = yield* openRoundFromQueue(pudong, {
          projectId: "P-q",
          unitTypes: ["1-1", "2-1"],
          title: "第一批",
          roundId: "LR-q",
        })
        expect(r.district).toBe("310115")
        expect(r.unitTypes).toEqual(["1-1", "2-1"])
        expect([...r.entrants].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
          { id: "C-1", stratum: "P-q/1-1" },
          { id: "C-2", stratum: "P-q/1-1" },
          { id: "C-3", stratum: "P-q/2-1" },
        ])
        expect(r.units).toEqual([
          { stratum: "P-q/1-1", units: 2 },
          { stratum: "P-q/2-1", units: 1 },
        ])
        // Nothing personal: the published pool is application numbers and strata only.
        const csv = renderPoolCsv(r)
        expect(csv.split("\n")[0]).toBe("id,stratum")
        expect(csv).not.toContain("idx-")
      }).pipe(Effect.provide(services())),
  )

  it.effect("共有产权 (R46): only intention-marked families enter the pool", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      yield* estate("g", [[2, 1, "available"]], "gongyou")
      yield* (yield* QueueStore).setPlan("project:P-g", GONGYOU)
      yield* enter(
        entry("g", "G-1", "2-1", { kind: "gongyou" }, { intention: "first" }),
        entry("g", "G-2", "2-1", { kind: "gongyou" }, { intention: "none" }),
        entry("g", "G-3", "2-1", { kind: "gongyou" }, { intention: "second" }),
      )
      const r = yield* openRoundFromQueue(pudong, {
        projectId: "P-g",
        unitTypes: ["2-1"],
        title: "共有产权一次摇号",
      })
      expect(r.entrants.map((e) => e.id).sort()).toEqual(["G-1", "G-3"])
    }).pipe(Effect.provide(services())),
  )

  it.effect(
    "refuses an empty pool, malformed unit types and projects outside the scope; writes no round",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        yield* estate("e", [[1, 1, "available"]])
        yield* enter(entry("e", "E-1", "1-1"))
        const open = (actor: Actor, projectId: string, unitTypes: ReadonlyArray<string>) =>
          Effect.exit(openRoundFromQueue(actor, { projectId, unitTypes, title: "t" }))
        expect(failureOf(yield* open(pudong, "P-e", ["2-1"]))).toMatchObject({
          _tag: "QueuePoolEmpty",
          field: "unitTypes",
          rule: "R53.pool-empty",
        })
        expect(failureOf(yield* open(pudong, "P-e", ["1R"]))).toMatchObject({
          _tag: "LotteryInputRejected",
          issue: { field: "unitTypes[0]", rule: "R55.unit-type" },
        })
        expect(failureOf(yield* open(pudong, "P-e", []))).toMatchObject({
          issue: { field: "unitTypes", rule: "R55.unit-types" },
        })
        expect(failureOf(yield* open(pudong, "P-e", ["1-1", "1-1"]))).toMatchObject({
          issue: { field: "unitTypes[1]", rule: "R55.unit-type-repeated" },
        })
        // Another district's officer and an unknown project are refused alike (no oracle).
        const foreign = failureOf(yield* open(xuhui, "P-e", ["1-1"]))
        const unknown = failureOf(yield* open(pudong, "P-none", ["1-1"]))
        expect(foreign).toMatchObject({ _tag: "AccessDenied", object: "project:P-e" })
        const otherOperator: Actor = {
          role: "operator",
          id: "op-2",
          projectIds: ["P-x"],
          permissions: ["lottery.manage"],
        }
        expect(failureOf(yield* open(otherOperator, "P-e", ["1-1"]))).toMatchObject({
          _tag: "AccessDenied",
          object: "project:P-e",
        })
        expect(unknown).toMatchObject({ _tag: "AccessDenied", object: "project:P-none" })
        const applicant: Actor = { role: "applicant", id: "a", idIndex: "idx-E-1" }
        expect(failureOf(yield* open(applicant, "P-e", ["1-1"]))).toMatchObject({
          _tag: "AccessDenied",
          object: null,
        })
        expect(yield* listRounds()).toEqual([])
      }).pipe(Effect.provide(services())),
  )

  it.effect(
    "a draw writes the waiting numbers back; places show them and order the pool by them; idempotent",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        yield* estate("w", [[1, 1, "available"]])
        const ids = ["W-1", "W-2", "W-3", "W-4"]
        yield* enter(...ids.map((id, i) => entry("w", id, "1-1", {}, { qualifiedOn: day("2026-01-05") + i })))
        const r = yield* openRoundFromQueue(pudong, { projectId: "P-w", unitTypes: ["1-1"], title: "t" })
        yield* TestClock.adjust(60_000)
        const drawn = yield* drawRound(pudong, { roundId: r.roundId, seed })
        const s = standingDraw(drawn)!
        const store = yield* QueueStore
        const after = yield* store.entries("project:P-w")
        for (const e of after) {
          const row = resultRowOf(s.resultCsv, e.caseId)!
          expect(e.lottery).toEqual({
            roundId: r.roundId,
            drawId: s.draw.drawId,
            drawnAt: T0 + 60_000,
            stratum: "P-w/1-1",
            rank: row.rank,
            number: row.number,
            outcome: row.outcome,
          })
        }
        // One unit: exactly one winner (R55).
        expect(after.filter((e) => e.lottery?.outcome === "winner")).toHaveLength(1)
        // The place shows the number and the round; the pool is ordered by the waiting numbers.
        const byRank = [...after].sort((a, b) => a.lottery!.rank - b.lottery!.rank).map((e) => e.caseId)
        const ranked = yield* rankQueue(pudong, "project:P-w")
        expect(ranked.items.map((i) => i.caseId)).toEqual(byRank)
        expect(ranked.items.map((i) => i.lottery?.rank)).toEqual([1, 2, 3, 4])
        const [place] = yield* queuePlace({ role: "applicant", id: "a", idIndex: `idx-${byRank[2]}` }, {})
        expect(place!.position).toBe(3)
        expect(place!.lottery).toMatchObject({ roundId: r.roundId, rank: 3 })
        expect(place!.reasons.join("\n")).toContain(`waiting number ${place!.lottery!.number}`)
        // Idempotent: a second write-back changes nothing (versions unchanged).
        expect(yield* applyDrawToQueue(r.roundId)).toEqual({ numbered: 0, cleared: 0 })
        expect(yield* store.entries("project:P-w")).toEqual(after)
        // A write-back interrupted after the draw was recorded is finished by a repeated draw request (409).
        const lost = after[0]!
        yield* store.save({ ...lost, lottery: null })
        expect(failureOf(yield* Effect.exit(drawRound(pudong, { roundId: r.roundId, seed })))).toMatchObject({
          _tag: "PoolAlreadyDrawn",
        })
        expect(Option.getOrThrow(yield* store.get(lost.queueId, lost.caseId)).lottery).toEqual(lost.lottery)
      }).pipe(Effect.provide(services())),
  )

  it.effect(
    "property: written numbers are exactly result.csv; annulment clears exactly that draw's; redraw rewrites",
    () =>
      Effect.gen(function* () {
        const arbitraryQueue = fc.uniqueArray(
          fc.record({
            id: fc.stringMatching(/^[A-Z]{1,3}-[0-9]{1,3}$/u),
            type: fc.constantFrom("1-1", "2-1", "3-1"),
            status: fc.constantFrom("waiting", "waiting", "waiting", "removed", "offered"),
            /** A waiting number held from another round drawn earlier or later. */
            held: fc.option(fc.record({ later: fc.boolean(), rank: fc.integer({ min: 1, max: 9 }) }), {
              nil: undefined,
            }),
          }),
          { selector: (x) => x.id, minLength: 1, maxLength: 18 },
        )
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              arbitraryQueue,
              fc.nat(),
              fc.integer({ min: 0, max: 3 }),
              async (queue, digits, free) => {
                const program = Effect.gen(function* () {
                  yield* TestClock.setTime(T0)
                  yield* estate("p", [
                    ...Array.from({ length: free }, () => [1, 1, "available"] as const),
                    [2, 1, "available"],
                  ])
                  const other = (later: boolean, rank: number): WaitingNumber => ({
                    roundId: "LR-other",
                    drawId: "LD-other",
                    drawnAt: later ? T0 + 365 * DAY : T0 - DAY,
                    stratum: "P-p/x",
                    rank,
                    number: rank,
                    outcome: "waiting",
                  })
                  yield* enter(
                    ...queue.map((q) =>
                      entry("p", q.id, q.type, {
                        status: q.status as QueueEntry["status"],
                        ...(q.held === undefined ? {} : { lottery: other(q.held.later, q.held.rank) }),
                      }),
                    ),
                  )
                  const store = yield* QueueStore
                  const before = yield* store.entries("project:P-p")
                  const opened = yield* Effect.exit(
                    openRoundFromQueue(pudong, { projectId: "P-p", unitTypes: ["1-1", "2-1"], title: "t" }),
                  )
                  const eligible = queue.filter((q) => q.status === "waiting" && q.type !== "3-1")
                  if (eligible.length === 0) {
                    expect(failureOf(opened)).toMatchObject({ _tag: "QueuePoolEmpty" })
                    return
                  }
                  if (Exit.isFailure(opened)) throw new Error("open failed")
                  const r = opened.value
                  expect(r.entrants.map((e) => e.id).sort()).toEqual(eligible.map((q) => q.id).sort())
                  const check = (d: {
                    readonly draw: { readonly drawId: string; readonly drawnAt: DateTime.Utc }
                    readonly resultCsv: string
                  }) =>
                    Effect.gen(function* () {
                      const { drawId } = d.draw
                      const { resultCsv } = d
                      const drawnAt = DateTime.toEpochMillis(d.draw.drawnAt)
                      const now = yield* store.entries("project:P-p")
                      const rows = waitingNumbersOf(r.roundId, { drawId, drawnAt, resultCsv })
                      // The rows are result.csv, one per pool entrant.
                      expect([...rows.keys()].sort()).toEqual(r.entrants.map((e) => e.id).sort())
                      for (const e of now) {
                        const was = before.find((b) => b.caseId === e.caseId)!.lottery ?? null
                        const row = rows.get(e.caseId)
                        if (row === undefined) expect(e.lottery ?? null, e.caseId).toEqual(was)
                        else if (was !== null && was.drawnAt > drawnAt)
                          expect(e.lottery, e.caseId).toEqual(was)
                        else {
                          expect(e.lottery, e.caseId).toEqual(row)
                          expect(resultRowOf(resultCsv, e.caseId)).toMatchObject({
                            number: row.number,
                            rank: row.rank,
                          })
                        }
                      }
                      // Same entrant → same number; every pool entrant got one (unless a later round's stands).
                      const held = numbersOf(now)
                      const ofRound = [...held.values()].filter((w) => w.roundId === r.roundId)
                      const overridden = eligible.filter((q) => q.held?.later === true).length
                      expect(ofRound).toHaveLength(r.entrants.length - overridden)
                      expect(ofRound.every((w) => w.drawId === drawId)).toBe(true)
                    })
                  yield* TestClock.adjust(60_000)
                  const first = standingDraw(
                    yield* drawRound(pudong, {
                      roundId: r.roundId,
                      seed: [{ kind: "digits", digits: `${digits}` }],
                    }),
                  )!
                  yield* check(first)
                  const drawnNumbers = numbersOf(yield* store.entries("project:P-p"))
                  yield* TestClock.adjust(60_000)
                  yield* annulRound(pudong, { roundId: r.roundId, reason: "公证复核发现录入错误" })
                  // Annulment clears exactly that draw's numbers; every other number is as it was.
                  for (const e of yield* store.entries("project:P-p")) {
                    const had = drawnNumbers.get(e.caseId) ?? null
                    expect(e.lottery ?? null, e.caseId).toEqual(
                      had?.drawId === first.draw.drawId ? null : had,
                    )
                  }
                  yield* TestClock.adjust(60_000)
                  const second = standingDraw(
                    yield* drawRound(pudong, {
                      roundId: r.roundId,
                      seed: [{ kind: "digits", digits: `${digits + 1}` }],
                    }),
                  )!
                  yield* check(second)
                  expect(yield* applyDrawToQueue(r.roundId)).toEqual({ numbered: 0, cleared: 0 })
                })
                await Effect.runPromise(
                  program.pipe(Effect.provide(Layer.merge(services(), TestClock.layer()))),
                )
              },
            ),
            { numRuns: 25 },
          ),
        )
      }),
  )

  it.effect("an unknown round changes nothing", () =>
    Effect.gen(function* () {
      expect(yield* applyDrawToQueue("LR-none")).toEqual({ numbered: 0, cleared: 0 })
      expect(Option.isNone(yield* (yield* QueueStore).get("project:P-x", "X"))).toBe(true)
    }).pipe(Effect.provide(services())),
  )
})
