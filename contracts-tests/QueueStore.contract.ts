/**
 * Contract suite for the QueueStore port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this file
 * through `suite(name, layer)`: round trip, idempotent entry by admission key (enter twice = one entry),
 * optimistic saves, the waiting number of a lottery draw (kept value for value, cleared to null), scoped listing, the window-deadline index (`due`), stored plans, and the law that the
 * ranking of entries read back from the store equals the pure ranking (R45–R50) of the entries written.
 * Queue ids carry a fresh tag so runs may share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Result } from "effect"
import * as fc from "fast-check"
import { QueueStore, type QueueStoreError } from "../application/ports/QueueStore.js"
import type { Applicant } from "../domain/queue/Applicant.js"
import type { QueueEntry } from "../domain/queue/QueueEntry.js"
import { BAOZU, GONGYOU, GONGZU } from "../domain/queue/QueuePlan.js"
import { rank } from "../domain/queue/Ranking.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const T0 = 1_770_000_000_000
const DAY0 = 20_400

export const queueEntry = (queueId: string, caseId: string, patch: Partial<QueueEntry> = {}): QueueEntry => ({
  queueId,
  caseId,
  kind: "gongzu",
  district: "310115",
  projectId: null,
  applicantIndex: `idx-${caseId}`,
  applicant: {
    id: caseId,
    project: queueId,
    unitType: "1-1",
    entryAt: T0,
    qualifiedOn: DAY0,
    certificateValidUntil: DAY0 + 1000,
    hardship: "none",
    intention: "none",
  },
  status: "waiting",
  at: T0,
  windowStart: null,
  deadline: null,
  enteredBy: `admit:${queueId}:${caseId}`,
  leftReason: null,
  version: 1,
  ...patch,
})

const reasonOf = (exit: Exit.Exit<unknown, QueueStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

const applicantArb = (i: number) =>
  fc.record({
    unitType: fc.constantFrom("1-1", "2-1"),
    entryDelta: fc.integer({ min: 0, max: 5 }).map((d) => d * 60_000),
    qualifiedDelta: fc.integer({ min: -3, max: 0 }),
    hardship: fc.constantFrom("tekun" as const, "dibao" as const, "none" as const),
    intention: fc.constantFrom("first" as const, "second" as const, "none" as const),
    income: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
    caseId: fc.constant(`C${String(i).padStart(3, "0")}`),
  })

export const suite = (name: string, storeLayer: Layer.Layer<QueueStore, unknown>) =>
  describe(`QueueStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("enters an entry and reads it back unchanged, at version 1", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          const e = queueEntry(q, "C1", {
            projectId: "P1",
            applicant: { ...queueEntry(q, "C1").applicant, income: 12_345, familySize: 3 },
          })
          const r = yield* store.enter(e)
          expect(r.created).toBe(true)
          expect(r.entry).toEqual(e)
          expect(yield* store.get(q, "C1")).toEqual(Option.some(e))
          expect(yield* store.get(q, "nobody")).toEqual(Option.none())
        }),
      )

      it.effect("entering twice with one admission key gives one entry; the same case again too", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          const e = queueEntry(q, "C1")
          const [a, b] = yield* Effect.all([store.enter(e), store.enter(e)], { concurrency: 2 })
          expect([a.created, b.created].sort()).toEqual([false, true])
          expect(b.entry).toEqual(a.entry)
          // Another key for the same (queue, case): still one family, one place.
          const c = yield* store.enter({ ...e, enteredBy: `${e.enteredBy}:again`, at: T0 + 5 })
          expect(c.created).toBe(false)
          expect(c.entry.enteredBy).toBe(e.enteredBy)
          expect(yield* store.entries(q)).toHaveLength(1)
        }),
      )

      it.effect("keeps a waiting number (轮候序号, R53) value for value: written, replaced, cleared", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          const { entry } = yield* store.enter(queueEntry(q, "C1"))
          expect(entry.lottery ?? null).toBeNull()
          const number = {
            roundId: "LR-1",
            drawId: "LD-1",
            drawnAt: T0 + 123,
            stratum: "P1/1-1",
            rank: 2,
            number: 1002,
            outcome: "waiting" as const,
          }
          const numbered = yield* store.save({ ...entry, lottery: number })
          expect(numbered.lottery).toEqual(number)
          expect(Option.getOrThrow(yield* store.get(q, "C1"))).toEqual(numbered)
          const redrawn = { ...number, drawId: "LD-2", rank: 1, number: 1001, outcome: "winner" as const }
          const replaced = yield* store.save({ ...numbered, lottery: redrawn })
          expect((yield* store.entries(q))[0]!.lottery).toEqual(redrawn)
          const cleared = yield* store.save({ ...replaced, lottery: null })
          expect(Option.getOrThrow(yield* store.get(q, "C1"))).toEqual(cleared)
          expect(cleared.lottery).toBeNull()
        }),
      )

      it.effect("save is optimistic on version; a stale or unknown entry is refused", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          const { entry } = yield* store.enter(queueEntry(q, "C1"))
          const offered = {
            ...entry,
            status: "offered" as const,
            at: T0 + 1,
            windowStart: T0 + 1,
            deadline: T0 + 2,
          }
          const saved = yield* store.save(offered)
          expect(saved).toEqual({ ...offered, version: 2 })
          const stale = yield* Effect.exit(store.save({ ...offered, status: "applying" }))
          expect(reasonOf(stale)).toMatchObject({ _tag: "StaleVersion", expected: 1, actual: 2 })
          const missing = yield* Effect.exit(store.save(queueEntry(q, "C9")))
          expect(reasonOf(missing)).toMatchObject({ _tag: "NotFound" })
          expect(Option.getOrThrow(yield* store.get(q, "C1")).status).toBe("offered")
        }),
      )

      it.effect("due lists open windows whose deadline has passed, earliest first, never left ones", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          const far = 9e12 + (counter++ % 1000) * 1e6
          const mk = (id: string, status: QueueEntry["status"], deadline: number | null) =>
            Effect.flatMap(store.enter(queueEntry(q, id)), ({ entry }) =>
              store.save({
                ...entry,
                status,
                deadline,
                windowStart: deadline === null ? null : deadline - 10,
              }),
            )
          yield* mk("A", "offered", far + 20)
          yield* mk("B", "applying", far + 10)
          yield* mk("C", "offered", far + 100)
          yield* mk("D", "timedOut", null)
          yield* mk("E", "waiting", null)
          const due = (yield* store.due(far + 50, 100)).filter((e) => e.queueId === q)
          expect(due.map((e) => e.caseId)).toEqual(["B", "A"])
          // Inclusive windows: a deadline equal to `now` is not yet due.
          expect(
            (yield* store.due(far + 20, 100)).filter((e) => e.queueId === q).map((e) => e.caseId),
          ).toEqual(["B"])
        }),
      )

      it.effect("lists by district, project, applicant and case", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          yield* store.enter(queueEntry(q, "A", { district: "310101", projectId: "PA" }))
          yield* store.enter(
            queueEntry(q, "B", { district: "310115", projectId: "PB", applicantIndex: "ix-b" }),
          )
          yield* store.enter(queueEntry(q, "C", { district: "310115", projectId: null }))
          const ids = (es: ReadonlyArray<QueueEntry>) =>
            es.filter((e) => e.queueId === q).map((e) => e.caseId)
          expect(ids(yield* store.list({ districts: ["310115"], limit: 1000 }))).toEqual(["B", "C"])
          expect(ids(yield* store.list({ projectIds: ["PA", "PB"], limit: 1000 }))).toEqual(["A", "B"])
          expect(ids(yield* store.list({ projectIds: [], limit: 1000 }))).toEqual([])
          expect(ids(yield* store.list({ applicantIndex: "ix-b", limit: 1000 }))).toEqual(["B"])
          expect(ids(yield* store.list({ caseId: "C", districts: ["310115"], limit: 1000 }))).toEqual(["C"])
        }),
      )

      it.effect("stores one plan per queue; onlyIfAbsent keeps the stored one", () =>
        Effect.gen(function* () {
          const store = yield* QueueStore
          const q = freshTag("q")
          expect(yield* store.plan(q)).toEqual(Option.none())
          expect(yield* store.setPlan(q, GONGZU, true)).toEqual(GONGZU)
          expect(yield* store.setPlan(q, BAOZU, true)).toEqual(GONGZU)
          expect(yield* store.setPlan(q, GONGYOU)).toEqual(GONGYOU)
          expect(yield* store.plan(q)).toEqual(Option.some(GONGYOU))
        }),
      )

      it.effect(
        "property: ranking the entries read back equals the pure ranking of the entries written",
        () =>
          Effect.gen(function* () {
            const store = yield* QueueStore
            const arb = fc
              .integer({ min: 0, max: 8 })
              .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => applicantArb(i))))
              .chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length })))
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(arb, fc.constantFrom(GONGZU, GONGYOU, BAOZU), async ([xs, order], plan) => {
                  const q = freshTag("rank")
                  const entryFor = (x: (typeof xs)[number]): QueueEntry => {
                    const base = queueEntry(q, x.caseId)
                    const applicant: Applicant = {
                      ...base.applicant,
                      unitType: x.unitType,
                      entryAt: T0 + x.entryDelta,
                      qualifiedOn: DAY0 + x.qualifiedDelta,
                      hardship: x.hardship,
                      intention: x.intention,
                      ...(x.income === undefined ? {} : { income: x.income }),
                    }
                    return { ...base, applicant }
                  }
                  // Written in a shuffled order, twice (the replay must not add entries).
                  for (const x of [...order, ...order]) await Effect.runPromise(store.enter(entryFor(x)))
                  const back = await Effect.runPromise(store.entries(q))
                  expect(back).toHaveLength(xs.length)
                  // T0 is 2026-02-02 (Shanghai): every entry is in the pool and qualified on this day.
                  const on = "2026-03-01" as Parameters<typeof rank>[2]
                  const ids = (as: ReadonlyArray<Applicant>) => {
                    const r = rank(plan, as, on)
                    if (Result.isFailure(r)) throw r.failure
                    return Array.from(r.success.order, (i) => as[i]!.id)
                  }
                  const expected = ids(xs.map((x) => entryFor(x).applicant))
                  if (plan !== GONGYOU) expect(expected).toHaveLength(xs.length)
                  expect(ids(back.map((e) => e.applicant))).toEqual(expected)
                }),
                { numRuns: 15 },
              ),
            )
          }),
      )
    })
  })
