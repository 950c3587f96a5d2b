/**
 * JobQueue on Redis through BullMQ, for sites running several workers. One BullMQ queue per job kind
 * (so counts per kind are Redis counters); jobs are processed manually (`Worker.getNextJob` with a token =
 * the lease, `moveToCompleted` / `moveToFailed` check it). jobId = a hash of the idempotency key, so the same
 * key is one job for as long as the job is kept (completed jobs are kept `keepDoneMs`, default 7 days;
 * the outbox relay's cursor never re-enqueues older events). Attempts and the exponential, capped backoff
 * come from the kind's definition; failed after the last attempt = dead. An expired lock is a stalled job:
 * BullMQ's stalled checker hands it back. Schedules are BullMQ Job Schedulers (`upsertJobScheduler`, cron
 * in Asia/Shanghai); a scheduler creates its next job only when the previous one starts, so missed runs
 * coalesce by themselves and the claim counts them. Redis must keep `maxmemory-policy noeviction`.
 * Redis losing its data (a restart without persistence): an `epoch` key marks the data set; a cursor read
 * remembers the epoch it saw and its advance is refused under another one (so a pump straddling the loss
 * cannot move the fresh cursor past jobs that died with the old data); on reconnect a missing epoch is
 * re-created and the schedules are upserted again (`onDataLoss` is told). The outbox is the truth: the relay
 * re-reads it from the lost cursor (0) and the handlers' idempotency keeps every effect once.
 */
import { createHash, randomUUID } from "node:crypto"
import { type Job, Queue, Worker } from "bullmq"
import { Clock, Effect, Layer } from "effect"
import { Redis } from "ioredis"
import {
  backoffMs,
  catchUp,
  kindProblem,
  nextDue,
  recurrenceProblem,
  SCHEDULE_TIME_ZONE,
} from "../../application/jobs/Recurrence.js"
import {
  type ClaimedJob,
  type JobKindDefinition,
  type JobPayload,
  JobQueue,
  JobQueueError,
  type JobQueueErrorReason,
  type KindCounts,
  type Recurrence,
  type ScheduleDefinition,
  type ScheduledRun,
} from "../../application/ports/JobQueue.js"

export interface BullmqConfig {
  /** `redis://host:6379/0`; the caller unwraps its `Redacted` secret. */
  readonly url: string
  /** Key prefix (default `anju`): several deployments may share one Redis. */
  readonly prefix?: string
  /** How long completed jobs (and so their keys' dedupe) are kept, ms (default 7 days). */
  readonly keepDoneMs?: number
  /** Told when a reconnect finds Redis emptied (the schedules have been upserted again). */
  readonly onDataLoss?: (detail: string) => void
}

interface JobData {
  readonly key: string
  readonly payload: JobPayload
  readonly nonce?: string
}

/** A job BullMQ moved to active for this process when it completed the one before (`fetchNext`). */
interface Prefetched {
  readonly job: Job
  readonly token: string
  /** When its lock was taken (epoch ms). */
  readonly at: number
}

interface Kind {
  definition: JobKindDefinition
  readonly queue: Queue
  readonly worker: Worker
  /** Jobs already active under this process's lock, handed out first by the next claim. */
  readonly prefetched: Array<Prefetched>
  /** Completions in flight that asked for the next job. */
  fetching: number
  /** The last claim of this kind was filled to its limit: more jobs are probably waiting. */
  backlog: boolean
  /** The largest claim limit seen for this kind: the prefetch never holds more than that. */
  claimLimit: number
}

/** BullMQ's own hand-over of the next job after a completion (what its processing loop does with `fetchNext`). */
type NextJobFromData = (jobData: unknown, jobId: string, token: string) => Promise<Job | undefined>

class Abort {
  constructor(readonly reason: JobQueueErrorReason) {}
}

const rejected = (detail: string) => new JobQueueError({ reason: { _tag: "Rejected", detail } })

/** Lock / state errors of BullMQ's scripts mean the lease is gone; anything else is Unavailable. */
const classify = (e: unknown, jobId?: string): JobQueueErrorReason => {
  if (e instanceof Abort) return e.reason
  const text = e instanceof Error ? e.message : String(e)
  if (jobId !== undefined && /lock|not in the active state|Missing key for job/iu.test(text))
    return { _tag: "LeaseLost", jobId }
  return { _tag: "Unavailable", detail: "the job queue (Redis) failed or cannot be reached" }
}

const attempt = <A>(f: () => Promise<A>, jobId?: string) =>
  Effect.tryPromise({ try: f, catch: (e) => new JobQueueError({ reason: classify(e, jobId) }) })

/** BullMQ job ids may not be integers or contain ':'; a hash of the key is neither. */
export const jobIdOf = (key: string) =>
  `k${createHash("sha256").update(key).digest("base64url").slice(0, 32)}`

/** KEYS: cursors hash, epoch key; ARGV: name, position, the epoch the position was read under. */
const CURSOR_SCRIPT = `if ARGV[3] == '' or redis.call('get', KEYS[2]) ~= ARGV[3] then return 0 end
local c = tonumber(redis.call('hget', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > c then redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end
return 1`

/** KEYS: cursors hash, epoch key; ARGV: name → { position, epoch or '' }. */
const READ_CURSOR_SCRIPT = `return { redis.call('hget', KEYS[1], ARGV[1]) or '0', redis.call('get', KEYS[2]) or '' }`

/** The JobQueue over Redis at `config.url`; closes its queues, workers and connection with the scope. */
export const make = (config: BullmqConfig) =>
  Effect.gen(function* () {
    const prefix = config.prefix ?? "anju"
    const keepDone = Math.ceil((config.keepDoneMs ?? 7 * 24 * 3600_000) / 1000)
    const redis = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const r = new Redis(config.url, {
            maxRetriesPerRequest: null,
            lazyConnect: true,
            connectTimeout: 5000,
            // Commands issued in the same turn of the event loop (the claims and completions of one batch)
            // leave in one socket write instead of one write each.
            enableAutoPipelining: true,
          })
          r.on("error", () => {})
          try {
            await r.connect()
            await r.ping()
          } catch (e) {
            r.disconnect()
            throw e
          }
          return r
        },
        catch: () =>
          new JobQueueError({
            reason: { _tag: "Unavailable", detail: `Redis at the configured URL cannot be reached` },
          }),
      }),
      (r) => Effect.promise(() => r.quit().catch(() => r.disconnect())),
    )
    const kinds = new Map<string, Kind>()
    const held = new Map<string, { readonly job: Job; readonly token: string }>()
    const recurrences = new Map<string, Recurrence>()
    const schedules = new Map<string, ScheduleDefinition>()
    const cursorsKey = `${prefix}:anju:cursors`
    const epochKey = `${prefix}:anju:epoch`
    /** The epoch each cursor was last read under (its advance must carry it). */
    const readUnder = new Map<string, string>()
    /** The epoch this process last saw (for an advance without a read before it). */
    let seenEpoch = ""
    const ensureEpoch = async (): Promise<{ epoch: string; created: boolean }> => {
      const created = (await redis.set(epochKey, randomUUID(), "NX")) === "OK"
      seenEpoch = (await redis.get(epochKey)) ?? ""
      return { epoch: seenEpoch, created }
    }
    yield* attempt(ensureEpoch)

    let closing = false
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        closing = true
        // Prefetched jobs nobody claimed go back to wait at once (not after their lock expires).
        for (const k of kinds.values())
          await Promise.all(k.prefetched.splice(0).map((p) => p.job.moveToWait(p.token).catch(() => {})))
        for (const k of kinds.values()) {
          await k.worker.close(true).catch(() => {})
          await k.queue.close().catch(() => {})
        }
      }),
    )

    const jobOptions = (d: JobKindDefinition) => ({
      attempts: d.maxAttempts,
      backoff: { type: "anju" },
      removeOnComplete: { age: keepDone },
      removeOnFail: false,
    })

    const open = (d: JobKindDefinition): Kind => {
      const queue = new Queue(d.kind, { connection: redis, prefix })
      const worker = new Worker(d.kind, null, {
        connection: redis,
        prefix,
        autorun: false,
        lockDuration: d.leaseMs,
        stalledInterval: Math.max(100, Math.floor(d.leaseMs / 2)),
        maxStalledCount: d.maxAttempts,
        settings: { backoffStrategy: (made: number) => backoffMs(kinds.get(d.kind)?.definition ?? d, made) },
      })
      queue.on("error", () => {})
      worker.on("error", () => {})
      void worker.startStalledCheckTimer()
      return { definition: d, queue, worker, prefetched: [], fetching: 0, backlog: false, claimLimit: 0 }
    }

    const kindOf = (name: string) => {
      const k = kinds.get(name)
      return k === undefined ? Effect.fail(rejected(`job kind "${name}" is not defined`)) : Effect.succeed(k)
    }

    const recurrenceOf = async (k: Kind, scheduleId: string): Promise<Recurrence | undefined> => {
      const known = recurrences.get(scheduleId)
      if (known !== undefined) return known
      const s = await k.queue.getJobScheduler(scheduleId)
      if (s === undefined) return undefined
      const r: Recurrence | undefined =
        s.pattern != null
          ? { _tag: "Cron", expression: s.pattern }
          : s.every != null
            ? { _tag: "Interval", ms: Number(s.every) }
            : undefined
      if (r !== undefined) recurrences.set(scheduleId, r)
      return r
    }

    const scheduledRun = async (k: Kind, job: Job, now: number): Promise<ScheduledRun | null> => {
      const scheduleId = job.repeatJobKey
      if (scheduleId === undefined || scheduleId === null) return null
      const dueAt = Number(job.opts.prevMillis ?? job.timestamp + (job.delay ?? 0))
      const every = await recurrenceOf(k, scheduleId)
      if (every === undefined) return { scheduleId, dueAt, coalesced: 0 }
      const c = catchUp(every, nextDue(every, dueAt, 0), now, 0)
      return c.due && c.dueAt !== null
        ? { scheduleId, dueAt: c.dueAt, coalesced: c.coalesced + 1 }
        : { scheduleId, dueAt, coalesced: 0 }
    }

    const upsert = (k: Kind, s: ScheduleDefinition) =>
      k.queue.upsertJobScheduler(
        s.id,
        s.every._tag === "Cron"
          ? { pattern: s.every.expression, tz: SCHEDULE_TIME_ZONE }
          : { every: s.every.ms },
        {
          name: s.kind,
          data: { key: s.id, payload: s.payload } satisfies JobData,
          opts: jobOptions(k.definition),
        },
      )

    // A reconnect to a Redis that lost its data: a new epoch, the schedules again (the relay re-reads the
    // outbox from the lost cursor by itself). The first `ready` is the connect above.
    let connected = false
    const onReady = () => {
      if (!connected) {
        connected = true
        return
      }
      void ensureEpoch()
        .then(async ({ created }) => {
          if (!created) return
          for (const s of schedules.values()) {
            const k = kinds.get(s.kind)
            if (k !== undefined) await upsert(k, s)
          }
          config.onDataLoss?.(
            `Redis came back without the queue's data; ${schedules.size} schedule(s) upserted again, the relay re-reads the outbox from its start`,
          )
        })
        .catch(() => {})
    }
    redis.on("ready", onReady)
    if (redis.status === "ready") connected = true
    yield* Effect.addFinalizer(() => Effect.sync(() => redis.off("ready", onReady)))

    /** The BullMQ job this process claimed under this lease; anything else has lost it. */
    const heldJob = (job: ClaimedJob) => {
      const h = held.get(job.id)
      return h !== undefined && h.token === job.lease
        ? Effect.succeed(h.job)
        : Effect.fail(new JobQueueError({ reason: { _tag: "LeaseLost", jobId: job.id } }))
    }

    return JobQueue.of({
      define: (defs) =>
        Effect.suspend(() => {
          for (const d of defs) {
            const problem = kindProblem(d)
            if (problem !== null) return Effect.fail(rejected(problem))
          }
          for (const d of defs) {
            const k = kinds.get(d.kind)
            if (k === undefined) kinds.set(d.kind, open(d))
            else k.definition = d
          }
          return Effect.void
        }),
      enqueue: (r) =>
        Effect.gen(function* () {
          const k = yield* kindOf(r.kind)
          if (r.key.length === 0 || r.key.length > 256)
            return yield* rejected("a job key is 1–256 characters")
          const now = yield* Clock.currentTimeMillis
          const id = jobIdOf(r.key)
          const nonce = randomUUID()
          const data: JobData = { key: r.key, payload: r.payload, nonce }
          return yield* attempt(async () => {
            await k.queue.add(r.kind, data, {
              ...jobOptions(k.definition),
              jobId: id,
              delay: Math.max(0, (r.runAt ?? now) - now),
            })
            const stored = await k.queue.getJob(id)
            return { id, created: (stored?.data as JobData | undefined)?.nonce === nonce }
          })
        }),
      enqueueAll: (requests) =>
        Effect.gen(function* () {
          const byKind = new Map<string, Array<{ index: number; id: string; nonce: string }>>()
          const now = yield* Clock.currentTimeMillis
          for (const [index, r] of requests.entries()) {
            yield* kindOf(r.kind)
            if (r.key.length === 0 || r.key.length > 256)
              return yield* rejected("a job key is 1–256 characters")
            const list = byKind.get(r.kind) ?? []
            list.push({ index, id: jobIdOf(r.key), nonce: randomUUID() })
            byKind.set(r.kind, list)
          }
          const out = new Array<{ id: string; created: boolean }>(requests.length)
          for (const [kind, list] of byKind) {
            const k = kinds.get(kind)!
            yield* attempt(async () => {
              await k.queue.addBulk(
                list.map(({ index, id, nonce }) => {
                  const r = requests[index]!
                  const data: JobData = { key: r.key, payload: r.payload, nonce }
                  return {
                    name: kind,
                    data,
                    opts: {
                      ...jobOptions(k.definition),
                      jobId: id,
                      delay: Math.max(0, (r.runAt ?? now) - now),
                    },
                  }
                }),
              )
              const pipe = redis.pipeline()
              for (const { id } of list) pipe.hget(`${prefix}:${kind}:${id}`, "data")
              const stored = (await pipe.exec()) ?? []
              const seen = new Set<string>()
              list.forEach(({ index, id, nonce }, i) => {
                const raw = stored[i]?.[1]
                const mine = typeof raw === "string" && raw.includes(`"nonce":"${nonce}"`)
                out[index] = { id, created: mine && !seen.has(id) }
                seen.add(id)
              })
            })
          }
          return out
        }),
      claim: ({ kinds: wanted, limit }) =>
        Effect.gen(function* () {
          const names = (wanted ?? [...kinds.keys()]).filter((n) => kinds.has(n))
          const out: Array<ClaimedJob> = []
          const now = yield* Clock.currentTimeMillis
          for (const name of names) {
            const k = kinds.get(name)!
            k.claimLimit = Math.max(k.claimLimit, limit)
            const taken: Array<Prefetched> = []
            // Jobs BullMQ already moved to active for this process first; one whose lock is half gone goes
            // back to wait instead (its holder could not finish it in time).
            while (out.length + taken.length < limit && k.prefetched.length > 0) {
              const p = k.prefetched.shift()!
              if (now - p.at < k.definition.leaseMs / 2) taken.push(p)
              else void p.job.moveToWait(p.token).catch(() => {})
            }
            // Then up to 64 moves in flight at once (each one atomic script, pipelined on the connection).
            let drained = false
            while (out.length + taken.length < limit && !drained) {
              const want = Math.min(limit - out.length - taken.length, 64)
              const tokens = Array.from({ length: want }, () => randomUUID())
              const jobs = yield* attempt(() =>
                Promise.all(tokens.map((token) => k.worker.getNextJob(token, { block: false }))),
              ).pipe(
                // A failed claim hands nothing out: what it already holds stays for the next claim.
                Effect.tapError(() => Effect.sync(() => void k.prefetched.unshift(...taken))),
              )
              for (const [i, job] of jobs.entries())
                if (job !== undefined && job !== null) taken.push({ job, token: tokens[i]!, at: now })
              drained = jobs.some((j) => j === undefined || j === null)
            }
            k.backlog = !drained && taken.length > 0
            for (const { job, token, at } of taken) {
              const data = job.data as JobData
              held.set(job.id!, { job, token })
              out.push({
                id: job.id!,
                kind: name,
                key: data.key ?? job.id!,
                payload: data.payload ?? {},
                attempt: job.attemptsMade + 1,
                maxAttempts: job.opts.attempts ?? k.definition.maxAttempts,
                lease: token,
                leaseUntil: at + k.definition.leaseMs,
                schedule:
                  job.repeatJobKey === undefined || job.repeatJobKey === null
                    ? null
                    : yield* attempt(() => scheduledRun(k, job, now)),
              })
            }
          }
          return out
        }),
      complete: (job) =>
        Effect.gen(function* () {
          const j = yield* heldJob(job)
          const k = kinds.get(job.kind)
          // While a backlog lasts, the completion also moves the kind's next job to active under the same
          // lock (BullMQ's `fetchNext`: one script instead of a completion plus a claim), kept for the next
          // claim. Never more than one claim's worth, never while closing.
          const fetchNext =
            k !== undefined && !closing && k.backlog && k.prefetched.length + k.fetching < k.claimLimit
          if (fetchNext) k.fetching += 1
          const next = yield* attempt(() => j.moveToCompleted(null, job.lease, fetchNext), job.id).pipe(
            Effect.ensuring(
              Effect.sync(() => {
                if (fetchNext) k.fetching -= 1
              }),
            ),
          )
          held.delete(job.id)
          if (fetchNext && Array.isArray(next) && next[0] !== undefined && next[0] !== null) {
            const at = yield* Clock.currentTimeMillis
            // The hand-over (BullMQ's, as in its own processing loop: it also continues a Job Scheduler).
            const handOver = (
              k.worker as unknown as { nextJobFromJobData: NextJobFromData }
            ).nextJobFromJobData.bind(k.worker)
            const fetched = yield* Effect.promise(() =>
              handOver(next[0], String(next[1]), job.lease).catch(() => undefined),
            )
            if (fetched !== undefined && fetched !== null) {
              if (closing) void fetched.moveToWait(job.lease).catch(() => {})
              else k.prefetched.push({ job: fetched, token: job.lease, at })
            }
          } else if (fetchNext) k.backlog = false
        }),
      fail: (job, error) =>
        Effect.gen(function* () {
          const k = yield* kindOf(job.kind)
          const j = yield* heldJob(job)
          const now = yield* Clock.currentTimeMillis
          yield* attempt(() => j.moveToFailed(new Error(error.slice(0, 2000)), job.lease, false), job.id)
          held.delete(job.id)
          return job.attempt >= job.maxAttempts
            ? ({ _tag: "Dead" } as const)
            : ({ _tag: "Retry", at: now + backoffMs(k.definition, job.attempt) } as const)
        }),
      release: (job) =>
        Effect.gen(function* () {
          const j = yield* heldJob(job)
          yield* attempt(() => j.moveToWait(job.lease), job.id)
          held.delete(job.id)
        }),
      schedule: (s) =>
        Effect.gen(function* () {
          const k = yield* kindOf(s.kind)
          const problem = recurrenceProblem(s.every)
          if (problem !== null) return yield* rejected(`schedule ${s.id}: ${problem}`)
          recurrences.set(s.id, s.every)
          schedules.set(s.id, s)
          yield* attempt(() => upsert(k, s))
        }),
      cursor: (name) =>
        attempt(async () => {
          const [position, epoch] = (await redis.eval(READ_CURSOR_SCRIPT, 2, cursorsKey, epochKey, name)) as [
            string,
            string,
          ]
          readUnder.set(name, epoch)
          return Number(position)
        }),
      advanceCursor: (name, position) =>
        attempt(async () => {
          const ok = await redis.eval(
            CURSOR_SCRIPT,
            2,
            cursorsKey,
            epochKey,
            name,
            String(position),
            readUnder.get(name) ?? seenEpoch,
          )
          if (ok !== 1)
            throw new Abort({
              _tag: "Unavailable",
              detail: "Redis lost the queue's data since the cursor was read; the relay re-reads the outbox",
            })
        }),
      counts: Effect.gen(function* () {
        const out: Array<KindCounts> = []
        for (const [name, k] of [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
          out.push(
            yield* attempt(async () => {
              const c = await k.queue.getJobCounts(
                "waiting",
                "prioritized",
                "delayed",
                "active",
                "completed",
                "failed",
              )
              const delayed = await k.queue.getDelayed(0, 999)
              const waiting = await k.queue.getWaiting(0, 0)
              const retrying = delayed.filter((j) => j.attemptsMade > 0).length
              const times = [
                ...delayed.map((j) => j.timestamp + (j.delay ?? 0)),
                ...waiting.map((j) => j.timestamp + (j.delay ?? 0)),
              ]
              for (const s of await k.queue.getJobSchedulers())
                if (s.next !== undefined && s.next !== null) times.push(Number(s.next))
              return {
                kind: name,
                pending: (c["waiting"] ?? 0) + (c["prioritized"] ?? 0) + (c["delayed"] ?? 0) - retrying,
                running: c["active"] ?? 0,
                done: c["completed"] ?? 0,
                failed: retrying,
                dead: c["failed"] ?? 0,
                nextRunAt: times.length === 0 ? null : Math.min(...times),
              }
            }),
          )
        }
        return out
      }),
    })
  })

/** The BullMQ JobQueue at `config.url`. */
export const layer = (config: BullmqConfig): Layer.Layer<JobQueue, JobQueueError> =>
  Layer.effect(JobQueue, make(config))

/** Deletes every key under `prefix` (tests and benchmarks use private prefixes). */
export const dropPrefix = async (url: string, prefix: string): Promise<void> => {
  const r = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    let cursor = "0"
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
      cursor = next
      if (keys.length > 0) await r.del(...keys)
    } while (cursor !== "0")
  } finally {
    await r.quit().catch(() => r.disconnect())
  }
}

/** A private prefix (`anju-test-<random>`), its keys deleted when the scope ends. */
export const layerTest = (config: Omit<BullmqConfig, "prefix">): Layer.Layer<JobQueue, JobQueueError> =>
  Layer.effect(
    JobQueue,
    Effect.gen(function* () {
      const prefix = `anju-test-${randomUUID().slice(0, 8)}`
      yield* Effect.addFinalizer(() => Effect.promise(() => dropPrefix(config.url, prefix).catch(() => {})))
      return yield* make({ ...config, prefix })
    }),
  )
