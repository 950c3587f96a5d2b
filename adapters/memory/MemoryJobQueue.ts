/**
 * JobQueue in memory (tests, replays, embedding): the embedded queue's rules over plain maps, time from
 * Effect's Clock (so TestClock drives leases, backoff and schedules). One job per (kind, key); a claim
 * leases a job until `leaseUntil`; an expired lease counts as a failed attempt and the job comes back (or
 * is dead-lettered when it was the last attempt). Nothing survives the layer.
 */
import { Clock, Effect, Layer } from "effect"
import {
  backoffMs,
  catchUp,
  kindProblem,
  nextDue,
  recurrenceProblem,
} from "../../application/jobs/Recurrence.js"
import {
  type ClaimedJob,
  type JobKindDefinition,
  type JobPayload,
  JobQueue,
  JobQueueError,
  type KindCounts,
  type ScheduledRun,
  type ScheduleDefinition,
} from "../../application/ports/JobQueue.js"

type State = "pending" | "running" | "done" | "failed" | "dead"

interface Job {
  readonly id: string
  readonly kind: string
  readonly key: string
  readonly payload: JobPayload
  readonly schedule: ScheduledRun | null
  readonly maxAttempts: number
  state: State
  runAt: number
  attempt: number
  lease: string | null
  leaseUntil: number
  lastError: string | null
}

interface StoredSchedule {
  definition: ScheduleDefinition
  anchor: number
  pendingAt: number
}

const rejected = (detail: string) => new JobQueueError({ reason: { _tag: "Rejected", detail } })

export const make = Effect.sync(() => {
  const kinds = new Map<string, JobKindDefinition>()
  const jobs = new Map<string, Job>()
  const byKey = new Map<string, Job>()
  const schedules = new Map<string, StoredSchedule>()
  const cursors = new Map<string, number>()
  let seq = 0
  let leases = 0

  const insert = (
    kind: string,
    key: string,
    payload: JobPayload,
    runAt: number,
    schedule: ScheduledRun | null,
  ) => {
    const existing = byKey.get(`${kind}\u0000${key}`)
    if (existing !== undefined) return { id: existing.id, created: false }
    const d = kinds.get(kind)!
    const job: Job = {
      id: String(++seq),
      kind,
      key,
      payload: structuredClone(payload),
      schedule,
      maxAttempts: d.maxAttempts,
      state: "pending",
      runAt,
      attempt: 0,
      lease: null,
      leaseUntil: 0,
      lastError: null,
    }
    jobs.set(job.id, job)
    byKey.set(`${kind}\u0000${key}`, job)
    return { id: job.id, created: true }
  }

  const fireSchedules = (now: number) => {
    for (const s of schedules.values()) {
      const c = catchUp(s.definition.every, s.pendingAt, now, s.anchor)
      if (!c.due || c.dueAt === null) continue
      const run: ScheduledRun = { scheduleId: s.definition.id, dueAt: c.dueAt, coalesced: c.coalesced }
      insert(s.definition.kind, `${s.definition.id}@${c.dueAt}`, s.definition.payload, c.dueAt, run)
      s.pendingAt = c.nextAt
    }
  }

  const held = (job: ClaimedJob, now: number) => {
    const j = jobs.get(job.id)
    if (j === undefined || j.state !== "running" || j.lease !== job.lease || j.leaseUntil <= now)
      return Effect.fail(new JobQueueError({ reason: { _tag: "LeaseLost", jobId: job.id } }))
    return Effect.succeed(j)
  }

  const service = JobQueue.of({
    define: (defs) =>
      Effect.suspend(() => {
        for (const d of defs) {
          const problem = kindProblem(d)
          if (problem !== null) return Effect.fail(rejected(problem))
        }
        for (const d of defs) kinds.set(d.kind, d)
        return Effect.void
      }),
    enqueue: (r) =>
      Effect.gen(function* () {
        if (!kinds.has(r.kind)) return yield* rejected(`job kind "${r.kind}" is not defined`)
        if (r.key.length === 0 || r.key.length > 256) return yield* rejected("a job key is 1–256 characters")
        const now = yield* Clock.currentTimeMillis
        return insert(r.kind, r.key, r.payload, r.runAt ?? now, null)
      }),
    enqueueAll: (requests) => Effect.forEach(requests, (r) => service.enqueue(r)),
    claim: ({ kinds: wanted, limit }) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        fireSchedules(now)
        const accept = wanted === undefined ? (k: string) => kinds.has(k) : (k: string) => wanted.includes(k)
        const out: Array<ClaimedJob> = []
        const ordered = [...jobs.values()]
          .filter((j) => accept(j.kind))
          .sort((a, b) => a.runAt - b.runAt || Number(a.id) - Number(b.id))
        for (const j of ordered) {
          if (out.length >= limit) break
          const expired = j.state === "running" && j.leaseUntil <= now
          if (expired && j.attempt >= j.maxAttempts) {
            j.state = "dead"
            j.lastError = "lease expired on the last attempt"
            continue
          }
          if (!(expired || ((j.state === "pending" || j.state === "failed") && j.runAt <= now))) continue
          const d = kinds.get(j.kind)!
          j.state = "running"
          j.attempt += 1
          j.lease = `m${++leases}`
          j.leaseUntil = now + d.leaseMs
          out.push({
            id: j.id,
            kind: j.kind,
            key: j.key,
            payload: structuredClone(j.payload),
            attempt: j.attempt,
            maxAttempts: j.maxAttempts,
            lease: j.lease,
            leaseUntil: j.leaseUntil,
            schedule: j.schedule,
          })
        }
        return out
      }),
    complete: (job) =>
      Effect.gen(function* () {
        const j = yield* held(job, yield* Clock.currentTimeMillis)
        j.state = "done"
        j.lease = null
      }),
    fail: (job, error) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const j = yield* held(job, now)
        j.lease = null
        j.lastError = error
        if (j.attempt >= j.maxAttempts) {
          j.state = "dead"
          return { _tag: "Dead" } as const
        }
        j.state = "failed"
        j.runAt = now + backoffMs(kinds.get(j.kind)!, j.attempt)
        return { _tag: "Retry", at: j.runAt } as const
      }),
    release: (job) =>
      Effect.gen(function* () {
        const j = yield* held(job, yield* Clock.currentTimeMillis)
        j.state = j.attempt > 1 ? "failed" : "pending"
        j.attempt -= 1
        j.lease = null
      }),
    schedule: (s) =>
      Effect.gen(function* () {
        if (!kinds.has(s.kind)) return yield* rejected(`job kind "${s.kind}" is not defined`)
        const problem = recurrenceProblem(s.every)
        if (problem !== null) return yield* rejected(`schedule ${s.id}: ${problem}`)
        const now = yield* Clock.currentTimeMillis
        const prior = schedules.get(s.id)
        const same = prior !== undefined && JSON.stringify(prior.definition.every) === JSON.stringify(s.every)
        schedules.set(s.id, {
          definition: s,
          anchor: same ? prior.anchor : now,
          pendingAt: same ? prior.pendingAt : nextDue(s.every, now, now),
        })
      }),
    cursor: (name) => Effect.sync(() => cursors.get(name) ?? 0),
    advanceCursor: (name, position) =>
      Effect.sync(() => {
        if (position > (cursors.get(name) ?? 0)) cursors.set(name, position)
      }),
    counts: Effect.gen(function* () {
      const out = new Map<string, { -readonly [K in keyof KindCounts]: KindCounts[K] }>()
      for (const kind of kinds.keys())
        out.set(kind, { kind, pending: 0, running: 0, done: 0, failed: 0, dead: 0, nextRunAt: null })
      const earliest = (c: { nextRunAt: number | null }, t: number) => {
        c.nextRunAt = c.nextRunAt === null ? t : Math.min(c.nextRunAt, t)
      }
      for (const j of jobs.values()) {
        const c = out.get(j.kind)
        if (c === undefined) continue
        c[j.state] += 1
        if (j.state === "pending" || j.state === "failed") earliest(c, j.runAt)
      }
      for (const s of schedules.values()) {
        const c = out.get(s.definition.kind)
        if (c !== undefined) earliest(c, s.pendingAt)
      }
      return [...out.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1))
    }),
  })
  return service
})

export const layer: Layer.Layer<JobQueue> = Layer.effect(JobQueue, make)
