/**
 * The worker loop over a host runtime: defines the kinds, upserts the schedules, then claims due jobs (at
 * most `concurrency` at a time), runs each handler as a fiber, completes or fails it, and writes one JSON
 * log line per job (id, kind, attempt, duration, coalesced runs). `drain` runs until nothing is due (the
 * `--once` mode); `start`/`stop` run until stopped. `stop` lets running jobs finish for `graceMs`, then
 * interrupts them and releases their jobs (the attempt is not counted), so nothing stays leased.
 */
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { JobProgress } from "../../application/jobs/JobProgress.js"
import { type JobHandler, type JobOutcome, JobPermanentFailure } from "../../application/jobs/WorkerJobs.js"
import { type ClaimedJob, JobQueue, JobQueueError } from "../../application/ports/JobQueue.js"
import type { ScheduleEntry } from "../../application/jobs/ScheduleTable.js"
import { toScheduleDefinition } from "../../application/jobs/ScheduleTable.js"
import type { Metrics } from "../Metrics.js"

/** One structured log line (JSON on stderr). */
export type LogLine = Readonly<Record<string, unknown>>

export interface WorkerDeps<R> {
  /** Runs an effect on the host runtime (the same database as the host). */
  readonly runFork: <A, E>(effect: Effect.Effect<A, E, R | JobQueue>) => Fiber.Fiber<A, E | Error>
  readonly handlers: ReadonlyArray<JobHandler<R>>
  readonly schedules: ReadonlyArray<ScheduleEntry>
  readonly concurrency: number
  /** Idle wait between claims when nothing is due (ms; default 1,000). */
  readonly pollMs?: number
  /** How long `stop` lets running jobs finish before releasing them (ms; default 10,000). */
  readonly graceMs?: number
  readonly log: (line: LogLine) => void
  readonly metrics?: Metrics
  /** Kinds enqueued once at setup, due at once (the relay pump: outbox events waiting are due work). */
  readonly atStart?: ReadonlyArray<string>
  /** Epoch ms, for log timestamps and durations. */
  readonly now?: () => number
  /** A `job.progress` line every this many ms while a job runs (default 10,000; 0 = none). */
  readonly progressEveryMs?: number
}

export interface WorkerSummary {
  readonly done: number
  readonly skipped: number
  readonly retried: number
  readonly dead: number
  readonly released: number
  /** Missed scheduled runs folded into the runs made. */
  readonly coalesced: number
}

const messageOf = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.findErrorOption(cause)
  if (Option.isSome(failure)) {
    const e = failure.value
    return e instanceof Error
      ? e.message
      : typeof e === "object" && e !== null
        ? JSON.stringify(e)
        : String(e)
  }
  return Cause.pretty(cause).split("\n")[0] ?? "defect"
}

export const makeWorker = <R>(deps: WorkerDeps<R>) => {
  const now = deps.now ?? Date.now
  const byKind = new Map(deps.handlers.map((h) => [h.definition.kind, h]))
  const kinds = [...byKind.keys()]
  const inflight = new Map<
    string,
    { readonly job: ClaimedJob; readonly fiber: Fiber.Fiber<JobOutcome, unknown> }
  >()
  const totals = { done: 0, skipped: 0, retried: 0, dead: 0, released: 0, coalesced: 0 }
  let stopping = false
  let wake: (() => void) | undefined
  let loop: Promise<void> | undefined

  const run = <A, E>(effect: Effect.Effect<A, E, R | JobQueue>): Promise<Exit.Exit<A, E | Error>> =>
    new Promise((resolve) => deps.runFork(effect).addObserver(resolve))

  const must = async <A, E>(effect: Effect.Effect<A, E, R | JobQueue>): Promise<A> => {
    const exit = await run(effect)
    if (Exit.isSuccess(exit)) return exit.value
    throw new Error(messageOf(exit.cause))
  }

  const queue = <A, E>(f: (q: JobQueue["Service"]) => Effect.Effect<A, E>) =>
    must(Effect.flatMap(Effect.service(JobQueue), f))

  /**
   * Completes / fails / releases a job, retrying while the queue is unreachable (a database or Redis
   * restart) with capped exponential backoff (0.2 s … 5 s), for as long as the job's lease lasts: after
   * that the job belongs to the next claim anyway. One `worker.queue-unavailable` line per retry.
   */
  const settle = async <A>(
    job: ClaimedJob,
    f: (q: JobQueue["Service"]) => Effect.Effect<A, JobQueueError>,
  ): Promise<Exit.Exit<A, JobQueueError | Error>> => {
    for (let attempt = 0; ; attempt++) {
      const exit = await run(Effect.flatMap(Effect.service(JobQueue), f))
      if (Exit.isSuccess(exit)) return exit
      const e = Cause.findErrorOption(exit.cause)
      const retryable = Option.isSome(e) && e.value instanceof JobQueueError && e.value.isRetryable
      const wait = Math.min(200 * 2 ** attempt, 5_000)
      if (!retryable || stopping || now() + wait >= job.leaseUntil) return exit
      deps.log({
        at: new Date(now()).toISOString(),
        level: "warn",
        msg: "worker.queue-unavailable",
        jobId: job.id,
        kind: job.kind,
        retryInMs: wait,
        error: messageOf(exit.cause),
      })
      await new Promise((r) => setTimeout(r, wait))
    }
  }

  /** Defines every kind and upserts every schedule (an unchanged schedule keeps its pending due time). */
  const setup = async () => {
    await queue((q) => q.define(deps.handlers.map((h) => h.definition)))
    for (const s of deps.schedules) {
      if (!byKind.has(s.kind)) throw new Error(`schedule ${s.id}: no handler for job kind ${s.kind}`)
      await queue((q) => q.schedule(toScheduleDefinition(s)))
    }
    const t = now()
    for (const kind of deps.atStart ?? [])
      await queue((q) => q.enqueue({ kind, key: `start@${t}`, payload: { reason: "worker start" } }))
  }

  const finish = async (job: ClaimedJob, exit: Exit.Exit<JobOutcome, unknown>, started: number) => {
    const durationMs = now() - started
    const base = {
      at: new Date(now()).toISOString(),
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      durationMs,
      ...(job.schedule === null
        ? {}
        : {
            scheduleId: job.schedule.scheduleId,
            dueAt: new Date(job.schedule.dueAt).toISOString(),
            coalesced: job.schedule.coalesced,
          }),
    }
    if (job.schedule !== null) totals.coalesced += job.schedule.coalesced
    if (Exit.isSuccess(exit)) {
      const completed = await settle(job, (q) => q.complete(job))
      if (Exit.isFailure(completed)) {
        deps.log({ ...base, level: "warn", msg: "job.lease-lost", error: messageOf(completed.cause) })
        return
      }
      totals[exit.value.status] += 1
      deps.metrics?.observeJob(job.kind, exit.value.status, durationMs)
      deps.log({
        ...base,
        // An idle tick (a relay pump that read nothing) is debug: the log is not a heartbeat.
        level:
          exit.value.counts !== undefined && Object.values(exit.value.counts).every((n) => n === 0)
            ? "debug"
            : "info",
        msg: `job.${exit.value.status}`,
        detail: exit.value.detail,
        ...(exit.value.counts === undefined ? {} : { counts: exit.value.counts }),
        ...(job.schedule !== null && job.schedule.coalesced > 0
          ? { note: `one run stands for ${job.schedule.coalesced + 1} missed due times` }
          : {}),
      })
      return
    }
    if (Exit.hasInterrupts(exit) && Option.isNone(Cause.findErrorOption(exit.cause))) return // released by stop()
    const error = messageOf(exit.cause).slice(0, 500)
    const failure = Cause.findErrorOption(exit.cause)
    const permanent = Option.isSome(failure) && failure.value instanceof JobPermanentFailure
    const failed = await settle(job, (q) =>
      q.fail(permanent ? { ...job, attempt: job.maxAttempts } : job, error),
    )
    if (Exit.isFailure(failed)) {
      deps.log({ ...base, level: "warn", msg: "job.lease-lost", error: messageOf(failed.cause) })
      return
    }
    const outcome = failed.value._tag === "Dead" ? "dead" : "retry"
    totals[outcome === "dead" ? "dead" : "retried"] += 1
    deps.metrics?.observeJob(job.kind, outcome, durationMs)
    deps.log({
      ...base,
      level: outcome === "dead" ? "error" : "warn",
      msg: `job.${outcome}`,
      error,
      ...(failed.value._tag === "Retry" ? { retryAt: new Date(failed.value.at).toISOString() } : {}),
    })
  }

  const runJob = (job: ClaimedJob): Promise<void> => {
    const handler = byKind.get(job.kind)
    const started = now()
    const effect: Effect.Effect<JobOutcome, unknown, R | JobQueue> =
      handler === undefined
        ? Effect.fail(new JobPermanentFailure({ message: `no handler for job kind ${job.kind}` }))
        : handler.run(job)
    deps.log({
      at: new Date(started).toISOString(),
      level: "debug",
      msg: "job.started",
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempt,
    })
    // Long jobs: the latest figures the handler reported (JobProgress), logged every progressEveryMs.
    const figures: { done: number | null; total: number | null } = { done: null, total: null }
    const reporter = {
      report: (done: number, total: number | null) => {
        figures.done = done
        figures.total = total
      },
    }
    const every = deps.progressEveryMs ?? 10_000
    const ticker =
      every > 0
        ? setInterval(
            () =>
              deps.log({
                at: new Date(now()).toISOString(),
                level: "info",
                msg: "job.progress",
                jobId: job.id,
                kind: job.kind,
                attempt: job.attempt,
                elapsedMs: now() - started,
                ...(figures.done === null ? {} : { done: figures.done, total: figures.total }),
              }),
            every,
          )
        : undefined
    ticker?.unref()
    const fiber = deps.runFork(Effect.provideService(effect, JobProgress, reporter))
    inflight.set(job.id, { job, fiber })
    return new Promise<void>((resolve) =>
      fiber.addObserver((exit) => {
        if (ticker !== undefined) clearInterval(ticker)
        void finish(job, exit, started).finally(() => {
          inflight.delete(job.id)
          resolve()
        })
      }),
    )
  }

  /** One claim of up to `concurrency` due jobs, run to the end; the number claimed. */
  const step = async (): Promise<number> => {
    const jobs = await queue((q) => q.claim({ kinds, limit: deps.concurrency }))
    if (stopping) {
      // Claimed after stop was asked: hand back at once.
      await Promise.all(jobs.map((j) => release(j)))
      return jobs.length
    }
    await Promise.all(jobs.map(runJob))
    return jobs.length
  }

  const release = async (job: ClaimedJob) => {
    const r = await run(Effect.flatMap(Effect.service(JobQueue), (q) => q.release(job)))
    totals.released += 1
    deps.metrics?.observeJob(job.kind, "released", 0)
    deps.log({
      at: new Date(now()).toISOString(),
      level: "warn",
      msg: Exit.isSuccess(r) ? "job.released" : "job.release-failed",
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempt,
      ...(Exit.isFailure(r) ? { error: messageOf(r.cause) } : {}),
    })
  }

  /** Runs every job due now (and those they enqueue, e.g. deliveries after a pump) until none is due. */
  const drain = async (): Promise<WorkerSummary> => {
    while (!stopping && (await step()) > 0) {}
    return { ...totals }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(t)
        resolve()
      }
    })

  const start = () => {
    loop ??= (async () => {
      // A claim that fails (the database or Redis restarting) is retried with capped exponential backoff
      // (1 s … 15 s); the process stays up and reconnects (the pool / ioredis open new connections).
      let failures = 0
      while (!stopping) {
        try {
          const claimed = await step()
          if (failures > 0)
            deps.log({
              at: new Date(now()).toISOString(),
              level: "info",
              msg: "worker.claim-recovered",
              failures,
            })
          failures = 0
          if (claimed === 0) await sleep(deps.pollMs ?? 1_000)
        } catch (e) {
          failures += 1
          const wait = Math.min(1_000 * 2 ** (failures - 1), 15_000)
          deps.log({
            at: new Date(now()).toISOString(),
            level: "error",
            msg: "worker.claim-failed",
            error: e instanceof Error ? e.message : String(e),
            failures,
            retryInMs: wait,
          })
          await sleep(wait)
        }
      }
    })()
  }

  /** Stops claiming; running jobs get `graceMs` to finish, then are interrupted and released. */
  const stop = async (): Promise<WorkerSummary> => {
    stopping = true
    wake?.()
    const deadline = now() + (deps.graceMs ?? 10_000)
    while (inflight.size > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const left = [...inflight.values()]
    await Promise.all(
      left.map(async ({ job, fiber }) => {
        await run(Fiber.interrupt(fiber))
        await release(job)
      }),
    )
    await loop?.catch(() => {})
    return { ...totals }
  }

  return { setup, drain, start, stop, totals: () => ({ ...totals }), inflight: () => inflight.size }
}
