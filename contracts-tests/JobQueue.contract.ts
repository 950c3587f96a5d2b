/**
 * Contract suite for the JobQueue port. `suite(name, layer)` runs on real time (short leases, backoffs and
 * intervals) so every adapter, BullMQ on Redis included, is held to the same laws: one job per key, a claim
 * is exclusive until its lease expires and then the job comes back, failures retry with backoff and end in
 * dead-letter, `release` hands a job back, schedules enqueue their kind once per due time and coalesce
 * missed runs, counts per kind and state. `clockSuite` adds the laws that need a controllable clock
 * (TestClock): exact backoff times and the three-day catch-up; adapters whose time is their server's
 * (BullMQ: Redis) do not run it. Every test uses fresh kinds, so tests share one queue.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Clock, Effect, Exit, type Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import fc from "fast-check"
import {
  type ClaimedJob,
  type JobKindDefinition,
  JobQueue,
  type KindCounts,
} from "../application/ports/JobQueue.js"

let counter = 0
const freshKind = (label: string) => `${label}.${process.pid.toString(36)}.${(counter++).toString(36)}`

const kindDef = (kind: string, over: Partial<JobKindDefinition> = {}): JobKindDefinition => ({
  kind,
  maxAttempts: 3,
  backoff: { baseMs: 200, maxMs: 10_000 },
  leaseMs: 30_000,
  ...over,
})

const define = (over: Partial<JobKindDefinition> = {}, label = "t") =>
  Effect.gen(function* () {
    const q = yield* JobQueue
    const kind = freshKind(label)
    yield* q.define([kindDef(kind, over)])
    return kind
  })

const countsOf = (kind: string) =>
  Effect.gen(function* () {
    const all = yield* (yield* JobQueue).counts
    const c = all.find((k) => k.kind === kind)
    expect(c, `counts for ${kind}`).toBeDefined()
    return c as KindCounts
  })

const states = (c: KindCounts) => ({
  pending: c.pending,
  running: c.running,
  done: c.done,
  failed: c.failed,
  dead: c.dead,
})

const reasonTag = <A, E extends { reason: { _tag: string } }>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason._tag] : []))[0]
    : undefined

/** Claims `kind` until `n` jobs came back or `ms` passed (adapters with a server clock need polling). */
const claimWithin = (kind: string, n: number, ms: number) =>
  Effect.gen(function* () {
    const q = yield* JobQueue
    const out: Array<ClaimedJob> = []
    const until = (yield* Clock.currentTimeMillis) + ms
    while (out.length < n && (yield* Clock.currentTimeMillis) < until) {
      out.push(...(yield* q.claim({ kinds: [kind], limit: n - out.length })))
      if (out.length < n) yield* Effect.sleep("50 millis")
    }
    return out
  })

export const suite = (name: string, queueLayer: Layer.Layer<JobQueue, unknown>) =>
  describe(`JobQueue contract: ${name}`, () => {
    // Real time: BullMQ's clock is Redis's, so no TestClock here.
    layer(queueLayer, { timeout: "120 seconds", excludeTestServices: true })((it) => {
      it.effect("enqueue is idempotent by key: the same key twice is one job", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define()
          const a = yield* q.enqueue({ kind, key: "event-1", payload: { n: 1 } })
          const b = yield* q.enqueue({ kind, key: "event-1", payload: { n: 2 } })
          const [c, again] = yield* q.enqueueAll([
            { kind, key: "event-2", payload: { n: 3 } },
            { kind, key: "event-1", payload: { n: 4 } },
          ])
          expect(again).toEqual({ id: a.id, created: false })
          expect(a.created).toBe(true)
          expect(b).toEqual({ id: a.id, created: false })
          expect(c!.created).toBe(true)
          expect(c!.id).not.toBe(a.id)
          expect(states(yield* countsOf(kind))).toEqual({
            pending: 2,
            running: 0,
            done: 0,
            failed: 0,
            dead: 0,
          })
          const jobs = yield* claimWithin(kind, 2, 3000)
          // The first payload stays: a replayed enqueue changes nothing.
          expect(jobs.map((j) => [j.key, j.payload]).sort()).toEqual([
            ["event-1", { n: 1 }],
            ["event-2", { n: 3 }],
          ])
        }),
      )

      it.effect("an undefined kind, an empty key and a broken definition are Rejected", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          expect(
            reasonTag(yield* Effect.exit(q.enqueue({ kind: "never.defined", key: "k", payload: {} }))),
          ).toBe("Rejected")
          const kind = yield* define()
          expect(reasonTag(yield* Effect.exit(q.enqueue({ kind, key: "", payload: {} })))).toBe("Rejected")
          expect(reasonTag(yield* Effect.exit(q.define([kindDef("Bad Kind")])))).toBe("Rejected")
          expect(reasonTag(yield* Effect.exit(q.define([kindDef("x.y", { maxAttempts: 0 })])))).toBe(
            "Rejected",
          )
          expect(
            reasonTag(
              yield* Effect.exit(
                q.schedule({ id: "s", kind, every: { _tag: "Cron", expression: "not a cron" }, payload: {} }),
              ),
            ),
          ).toBe("Rejected")
        }),
      )

      it.effect("a claim is exclusive; complete makes it done; payload and attempt arrive intact", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define()
          const payload = { caseId: "C-1", text: '通知 "quoted"', list: [1, 2], nested: { ok: true } }
          yield* q.enqueue({ kind, key: "k1", payload })
          const [job] = yield* claimWithin(kind, 1, 3000)
          expect(job).toBeDefined()
          expect(job!.payload).toEqual(payload)
          expect(job!.attempt).toBe(1)
          expect(job!.maxAttempts).toBe(3)
          expect(job!.schedule).toBeNull()
          expect(yield* q.claim({ kinds: [kind], limit: 10 })).toEqual([])
          expect((yield* countsOf(kind)).running).toBe(1)
          yield* q.complete(job!)
          expect(states(yield* countsOf(kind))).toEqual({
            pending: 0,
            running: 0,
            done: 1,
            failed: 0,
            dead: 0,
          })
          // Completing twice: the lease is gone.
          expect(reasonTag(yield* Effect.exit(q.complete(job!)))).toBe("LeaseLost")
          // A done job's key still dedupes.
          expect((yield* q.enqueue({ kind, key: "k1", payload })).created).toBe(false)
          expect(yield* q.claim({ kinds: [kind], limit: 10 })).toEqual([])
        }),
      )

      it.effect("a job with a run-at ahead waits for it and shows as the kind's next run", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define()
          const runAt = (yield* Clock.currentTimeMillis) + 700
          yield* q.enqueue({ kind, key: "later", payload: {}, runAt })
          expect(yield* q.claim({ kinds: [kind], limit: 1 })).toEqual([])
          const c = yield* countsOf(kind)
          expect(c.pending).toBe(1)
          expect(Math.abs((c.nextRunAt ?? 0) - runAt)).toBeLessThan(50)
          const jobs = yield* claimWithin(kind, 1, 5000)
          expect(jobs).toHaveLength(1)
          expect(yield* Clock.currentTimeMillis).toBeGreaterThanOrEqual(runAt - 20)
        }),
      )

      it.effect("a failed attempt is retried after backoff; after the last attempt the job is dead", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define({ maxAttempts: 2, backoff: { baseMs: 400, maxMs: 400 } })
          yield* q.enqueue({ kind, key: "flaky", payload: {} })
          const [first] = yield* claimWithin(kind, 1, 3000)
          const failedAt = yield* Clock.currentTimeMillis
          const outcome = yield* q.fail(first!, "boom")
          expect(outcome._tag).toBe("Retry")
          if (outcome._tag === "Retry") expect(outcome.at).toBeGreaterThanOrEqual(failedAt + 350)
          expect(yield* q.claim({ kinds: [kind], limit: 1 })).toEqual([])
          expect(states(yield* countsOf(kind))).toEqual({
            pending: 0,
            running: 0,
            done: 0,
            failed: 1,
            dead: 0,
          })
          const [second] = yield* claimWithin(kind, 1, 5000)
          expect(second!.id).toBe(first!.id)
          expect(second!.attempt).toBe(2)
          expect((yield* Clock.currentTimeMillis) - failedAt).toBeGreaterThanOrEqual(350)
          expect(yield* q.fail(second!, "boom again")).toEqual({ _tag: "Dead" })
          expect(states(yield* countsOf(kind))).toEqual({
            pending: 0,
            running: 0,
            done: 0,
            failed: 0,
            dead: 1,
          })
          yield* Effect.sleep("600 millis")
          expect(yield* q.claim({ kinds: [kind], limit: 1 })).toEqual([])
        }),
      )

      it.effect("an expired lease hands the job to the next claim; the old holder has lost it", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define({ leaseMs: 500, maxAttempts: 5 })
          yield* q.enqueue({ kind, key: "crash", payload: { v: 1 } })
          const [held] = yield* claimWithin(kind, 1, 3000)
          // The holder "crashes": never completes.
          const [again] = yield* claimWithin(kind, 1, 10_000)
          expect(again).toBeDefined()
          expect(again!.id).toBe(held!.id)
          expect(again!.payload).toEqual({ v: 1 })
          expect(again!.lease).not.toBe(held!.lease)
          expect(reasonTag(yield* Effect.exit(q.complete(held!)))).toBe("LeaseLost")
          yield* q.complete(again!)
          expect((yield* countsOf(kind)).done).toBe(1)
        }),
      )

      it.effect(
        "completions at once (a batch on the embedded queue): each held job is done, a stale lease among them fails alone",
        () =>
          Effect.gen(function* () {
            const q = yield* JobQueue
            const short = yield* define({ leaseMs: 500, maxAttempts: 5 })
            const long = yield* define({ leaseMs: 60_000 })
            yield* q.enqueue({ kind: short, key: "stale", payload: {} })
            for (let i = 0; i < 5; i++) yield* q.enqueue({ kind: long, key: `b${i}`, payload: { i } })
            const [stale] = yield* claimWithin(short, 1, 3000)
            // Its lease runs out and the job goes to another claim: the first holder's lease is stale.
            const [again] = yield* claimWithin(short, 1, 10_000)
            expect(again!.id).toBe(stale!.id)
            const held = yield* claimWithin(long, 5, 3000)
            expect(held).toHaveLength(5)
            const exits = yield* Effect.forEach([stale!, ...held], (j) => Effect.exit(q.complete(j)), {
              concurrency: "unbounded",
            })
            expect(exits.map(reasonTag)).toEqual([
              "LeaseLost",
              undefined,
              undefined,
              undefined,
              undefined,
              undefined,
            ])
            expect(states(yield* countsOf(long))).toMatchObject({ done: 5, running: 0, pending: 0 })
          }),
      )

      it.effect("release hands a claimed job back at once", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const kind = yield* define()
          yield* q.enqueue({ kind, key: "r", payload: {} })
          const [a] = yield* claimWithin(kind, 1, 3000)
          yield* q.release(a!)
          const [b] = yield* claimWithin(kind, 1, 3000)
          expect(b!.id).toBe(a!.id)
          yield* q.complete(b!)
        }),
      )

      it.effect(
        "a backlog drained in claims of 10, each batch completed at once: every job claimed exactly once, none left running",
        () =>
          Effect.gen(function* () {
            const q = yield* JobQueue
            const kind = yield* define()
            const keys = Array.from({ length: 35 }, (_, i) => `d${i}`)
            yield* q.enqueueAll(keys.map((key) => ({ kind, key, payload: { key } })))
            const seen: Array<string> = []
            for (let round = 0; round < 20; round++) {
              const jobs = yield* q.claim({ kinds: [kind], limit: 10 })
              expect(jobs.length).toBeLessThanOrEqual(10)
              if (jobs.length === 0) break
              seen.push(...jobs.map((j) => j.key))
              yield* Effect.forEach(jobs, (j) => q.complete(j), { concurrency: "unbounded" })
            }
            expect([...seen].sort()).toEqual([...keys].sort())
            expect(states(yield* countsOf(kind))).toEqual({
              pending: 0,
              running: 0,
              done: 35,
              failed: 0,
              dead: 0,
            })
          }),
      )

      it.effect(
        "an interval schedule enqueues its kind; missed runs come as ONE job that says how many",
        () =>
          Effect.gen(function* () {
            const q = yield* JobQueue
            const kind = yield* define()
            const id = `every-${kind}`
            yield* q.schedule({ id, kind, every: { _tag: "Interval", ms: 400 }, payload: { task: "tick" } })
            expect((yield* countsOf(kind)).nextRunAt).not.toBeNull()
            yield* Effect.sleep("1500 millis")
            const jobs = yield* claimWithin(kind, 1, 3000)
            expect(jobs).toHaveLength(1)
            const job = jobs[0]!
            expect(job.payload).toEqual({ task: "tick" })
            expect(job.schedule?.scheduleId).toBe(id)
            expect(job.schedule!.coalesced).toBeGreaterThanOrEqual(1)
            expect(job.schedule!.dueAt).toBeLessThanOrEqual(yield* Clock.currentTimeMillis)
            // Nothing else for the missed runs was queued meanwhile: at most the NEXT run (BullMQ queues it
            // when this one starts, so on a loaded machine it may already be due), never a second old one.
            const meanwhile = yield* q.claim({ kinds: [kind], limit: 10 })
            expect(meanwhile.length).toBeLessThanOrEqual(1)
            for (const m of meanwhile) expect(m.schedule!.dueAt).toBeGreaterThan(job.schedule!.dueAt)
            yield* q.complete(job)
            const next = meanwhile.length > 0 ? meanwhile : yield* claimWithin(kind, 1, 3000)
            expect(next).toHaveLength(1)
            expect(next[0]!.schedule!.dueAt).toBeGreaterThan(job.schedule!.dueAt)
            yield* q.complete(next[0]!)
          }),
      )

      it.effect("a cursor starts at 0 and only moves forward", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const name = freshKind("cursor")
          expect(yield* q.cursor(name)).toBe(0)
          yield* q.advanceCursor(name, 41)
          yield* q.advanceCursor(name, 7)
          expect(yield* q.cursor(name)).toBe(41)
          yield* q.advanceCursor(name, 1_000_000_000_123)
          expect(yield* q.cursor(name)).toBe(1_000_000_000_123)
        }),
      )

      it.effect("property: any sequence of enqueues yields exactly one job per distinct key", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          const samples = fc.sample(
            fc.array(fc.constantFrom("a", "b", "c", "d", "e", "f"), { maxLength: 20 }),
            {
              numRuns: 8,
              seed: 12,
            },
          )
          for (const keys of samples) {
            const kind = yield* define({}, "p")
            const created = yield* Effect.forEach(keys, (key) => q.enqueue({ kind, key, payload: { key } }), {
              concurrency: 4,
            })
            const distinct = new Set(keys)
            expect(created.filter((e) => e.created)).toHaveLength(distinct.size)
            const jobs = yield* claimWithin(kind, distinct.size, 3000)
            expect(new Set(jobs.map((j) => j.key))).toEqual(distinct)
            expect(new Set(jobs.map((j) => j.id)).size).toBe(distinct.size)
          }
        }),
      )
    })
  })

/** Laws that need TestClock: adapters whose time comes from Effect's Clock (memory, PGlite, PostgreSQL). */
export const clockSuite = (name: string, queueLayer: Layer.Layer<JobQueue, unknown>) =>
  describe(`JobQueue clock laws: ${name}`, () => {
    layer(queueLayer, { timeout: "120 seconds" })((it) => {
      it.effect("backoff doubles per attempt up to its cap", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          yield* TestClock.setTime(Date.UTC(2024, 5, 1))
          const kind = yield* define({ maxAttempts: 5, backoff: { baseMs: 1000, maxMs: 3000 } })
          yield* q.enqueue({ kind, key: "b", payload: {} })
          const gaps: Array<number> = []
          for (let i = 0; i < 4; i++) {
            const [job] = yield* q.claim({ kinds: [kind], limit: 1 })
            expect(job!.attempt).toBe(i + 1)
            const now = yield* Clock.currentTimeMillis
            const r = yield* q.fail(job!, "x")
            if (r._tag !== "Retry") throw new Error("expected a retry")
            gaps.push(r.at - now)
            yield* TestClock.adjust(r.at - now - 1)
            expect(yield* q.claim({ kinds: [kind], limit: 1 })).toEqual([])
            yield* TestClock.adjust(1)
          }
          expect(gaps).toEqual([1000, 2000, 3000, 3000])
          const [last] = yield* q.claim({ kinds: [kind], limit: 1 })
          expect(yield* q.fail(last!, "x")).toEqual({ _tag: "Dead" })
        }),
      )

      it.effect("a daily schedule missed for three days runs once and records two coalesced runs", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          // 2024-06-01 00:30 in Asia/Shanghai.
          yield* TestClock.setTime(Date.UTC(2024, 4, 31, 16, 30))
          const kind = yield* define()
          const id = `daily-${kind}`
          // 02:00 Asia/Shanghai daily (18:00 UTC).
          yield* q.schedule({ id, kind, every: { _tag: "Cron", expression: "0 2 * * *" }, payload: {} })
          expect((yield* countsOf(kind)).nextRunAt).toBe(Date.UTC(2024, 4, 31, 18, 0))
          // Down until 2024-06-03 09:00 Shanghai: due on the 1st, 2nd and 3rd at 02:00.
          yield* TestClock.setTime(Date.UTC(2024, 5, 3, 1, 0))
          const jobs = yield* q.claim({ kinds: [kind], limit: 10 })
          expect(jobs).toHaveLength(1)
          expect(jobs[0]!.schedule).toEqual({
            scheduleId: id,
            dueAt: Date.UTC(2024, 5, 2, 18, 0),
            coalesced: 2,
          })
          yield* q.complete(jobs[0]!)
          expect((yield* countsOf(kind)).nextRunAt).toBe(Date.UTC(2024, 5, 3, 18, 0))
          expect(yield* q.claim({ kinds: [kind], limit: 10 })).toEqual([])
          // On time the next day: one run, nothing coalesced.
          yield* TestClock.setTime(Date.UTC(2024, 5, 3, 18, 0, 5))
          const [onTime] = yield* q.claim({ kinds: [kind], limit: 10 })
          expect(onTime!.schedule).toEqual({
            scheduleId: id,
            dueAt: Date.UTC(2024, 5, 3, 18, 0),
            coalesced: 0,
          })
          yield* q.complete(onTime!)
        }),
      )

      it.effect("an expired lease on the last attempt dead-letters the job", () =>
        Effect.gen(function* () {
          const q = yield* JobQueue
          yield* TestClock.setTime(Date.UTC(2024, 5, 1))
          const kind = yield* define({ maxAttempts: 1, leaseMs: 1000 })
          yield* q.enqueue({ kind, key: "once", payload: {} })
          const [job] = yield* q.claim({ kinds: [kind], limit: 1 })
          expect(job).toBeDefined()
          yield* TestClock.adjust(1001)
          expect(yield* q.claim({ kinds: [kind], limit: 1 })).toEqual([])
          expect(states(yield* countsOf(kind))).toEqual({
            pending: 0,
            running: 0,
            done: 0,
            failed: 0,
            dead: 1,
          })
        }),
      )
    })
  })
