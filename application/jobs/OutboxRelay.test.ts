/**
 * The outbox relay on the in-memory queue: 1,000 events, a notice gateway that fails at random (seeded:
 * before sending, or after sending with the acknowledgement lost) and workers that crash holding jobs →
 * every admission / rejection notice exists exactly once and nothing is dead. Also: a hole in the outbox's
 * sequence numbers holds the cursor back until it is filled or older than the grace period.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryJobQueue from "../../adapters/memory/MemoryJobQueue.js"
import type { CaseId } from "../../domain/cases/Case.js"
import { CaseStore, type OutboxEvent } from "../ports/CaseStore.js"
import { JobQueue } from "../ports/JobQueue.js"
import { type Notice, Notifier, NotifierError } from "../ports/Notifier.js"
import { applicantNotice, makeRelay, RELAY_CURSOR, RELAY_KIND } from "./OutboxRelay.js"

type Row = OutboxEvent & { readonly seq: number }

/** A CaseStore whose only live method is `outbox` over `rows` (the relay reads nothing else). */
const outboxOnly = (rows: Array<Row>) =>
  Layer.succeed(
    CaseStore,
    new Proxy({} as CaseStore["Service"], {
      get: (_, prop) =>
        prop === "outbox"
          ? (after: number, limit: number) =>
              Effect.sync(() =>
                rows
                  .filter((r) => r.seq > after)
                  .sort((a, b) => a.seq - b.seq)
                  .slice(0, limit),
              )
          : () => Effect.die(`CaseStore.${String(prop)} is not used by the relay`),
    }),
  )

const event = (seq: number): Row => {
  const caseId = `C-${seq}` as CaseId
  const base = { seq, id: `${caseId}:2:0`, caseId, at: seq }
  if (seq % 3 === 0)
    return {
      ...base,
      type: "CaseAdmitted",
      payload: { certificateNumber: `Z-${seq}`, validUntil: "2027-01-01" },
    }
  if (seq % 3 === 1)
    return {
      ...base,
      type: "CaseClosed",
      payload: { closure: seq % 2 === 0 ? "rejected" : "abandoned", reason: "材料不全，逾期未补正" },
    }
  return { ...base, type: "CheckRecorded", payload: { source: "civil_affairs", result: "pass" } }
}

/** mulberry32 for the crash decisions. */
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A gateway that records once per notice id and fails at random (seeded): before recording, or after it
 * (the notice went out but the acknowledgement was lost). Application tests use no adapter but memory ones,
 * so this stands in for adapters/sim/SimulatedNotifier (which behaves the same way).
 */
const flakyGateway = (failBefore: number, failAfter: number, seed: number) => {
  const draw = seeded(seed)
  const byId = new Map<string, Notice>()
  let calls = 0
  const unavailable = () => new NotifierError({ reason: { _tag: "Unavailable", detail: "simulated outage" } })
  const service = Notifier.of({
    send: (notice) =>
      Effect.suspend(() => {
        calls += 1
        if (draw() < failBefore) return Effect.fail(unavailable())
        const duplicate = byId.has(notice.id)
        if (!duplicate) byId.set(notice.id, notice)
        return draw() < failAfter ? Effect.fail(unavailable()) : Effect.succeed({ duplicate })
      }),
  })
  return { service, sent: () => [...byId.values()], calls: () => calls }
}

describe("OutboxRelay", () => {
  it.effect("1,000 events, a flaky gateway and crashing workers: each notice exactly once, none dead", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => event(i + 1))
    const sim = flakyGateway(0.2, 0.1, 7)
    const relay = makeRelay([applicantNotice], { batch: 128 })
    const crash = seeded(99)
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2024, 5, 1))
      const queue = yield* JobQueue
      yield* relay.runOnce()
      for (let round = 0; round < 60; round++) {
        // A worker claims a few jobs and dies holding them: their leases expire and they come back.
        const grabbed = yield* queue.claim({ kinds: [RELAY_KIND], limit: Math.floor(crash() * 20) })
        expect(grabbed.every((j) => j.kind === RELAY_KIND)).toBe(true)
        yield* TestClock.adjust("11 minutes")
        yield* relay.runOnce()
        const c = (yield* queue.counts).find((k) => k.kind === RELAY_KIND)!
        if (c.pending + c.failed + c.running === 0) break
      }
      const expected = rows.filter(
        (r) => r.type === "CaseAdmitted" || (r.type === "CaseClosed" && r.payload["closure"] === "rejected"),
      )
      const sent = sim.sent()
      expect(sent.map((n) => n.id).sort()).toEqual(expected.map((r) => `notice.applicant:${r.id}`).sort())
      expect(new Set(sent.map((n) => n.id)).size).toBe(sent.length)
      const admitted = sent.find((n) => n.id === "notice.applicant:C-3:2:0")
      expect(admitted).toEqual({
        id: "notice.applicant:C-3:2:0",
        to: { caseId: "C-3", role: "applicant" },
        template: "case.admitted",
        params: { caseId: "C-3", certificateNumber: "Z-3", validUntil: "2027-01-01" },
      })
      // Faults really happened: more gateway calls than notices.
      expect(sim.calls()).toBeGreaterThan(sent.length + 100)
      const c = (yield* queue.counts).find((k) => k.kind === RELAY_KIND)!
      // One job per (handler, event) with a matching type: admissions and every closure.
      const jobs = rows.filter((r) => r.type === "CaseAdmitted" || r.type === "CaseClosed").length
      expect(c).toMatchObject({ pending: 0, running: 0, failed: 0, dead: 0, done: jobs })
      expect(yield* queue.cursor(RELAY_CURSOR)).toBe(1000)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(MemoryJobQueue.layer, outboxOnly(rows), Layer.succeed(Notifier, sim.service)),
      ),
    )
  })

  it.effect("a hole in the sequence holds the cursor until it is filled or older than the grace", () => {
    const rows: Array<Row> = [event(3), event(6)]
    const sim = flakyGateway(0, 0, 1)
    const relay = makeRelay([applicantNotice], { gapGraceMs: 30_000 })
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2024, 5, 1))
      const queue = yield* JobQueue
      // Seqs 1, 2 (and 4, 5) are still committing: nothing may be skipped yet.
      expect(yield* relay.pump()).toEqual({ read: 2, enqueued: 2, cursor: 0 })
      rows.push(event(1), event(2))
      yield* TestClock.adjust("1 second")
      expect((yield* relay.pump()).cursor).toBe(3)
      // 4 and 5 never come (rolled back): after the grace the cursor moves past them.
      yield* TestClock.adjust("29 seconds")
      expect((yield* relay.pump()).cursor).toBe(3)
      yield* TestClock.adjust("2 seconds")
      expect((yield* relay.pump()).cursor).toBe(6)
      yield* relay.runOnce()
      // Seq 3 (admitted) and 6 (admitted); seq 1 closed as abandoned → no notice; seq 2 is a check.
      expect(
        sim
          .sent()
          .map((n) => n.id)
          .sort(),
      ).toEqual(["notice.applicant:C-3:2:0", "notice.applicant:C-6:2:0"])
      expect(yield* queue.cursor(RELAY_CURSOR)).toBe(6)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(MemoryJobQueue.layer, outboxOnly(rows), Layer.succeed(Notifier, sim.service)),
      ),
    )
  })
})
