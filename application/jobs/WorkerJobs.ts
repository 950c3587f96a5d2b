/**
 * The worker's job kinds and their handlers (后台任务): each handler calls use-cases only and is safe to run
 * twice — the relay's jobs are keyed by (handler, event id) and its handlers idempotent by event id; a case
 * tick is a state-based no-op when nothing is due and is keyed per run; an audit checkpoint signs nothing
 * when the head is already sealed. A handler fails (the job is retried with backoff) or returns an outcome
 * for the log; `JobPermanentFailure` dead-letters at once (a handler this build does not know).
 */
import { Clock, Data, Effect, Option } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import type { CaseId, CaseState } from "../../domain/cases/Case.js"
import { auditContextFor, withAuditContext } from "../audit/AuditContext.js"
import { checkpointAudit } from "../audit/CheckpointAudit.js"
import { runCaseCommand } from "../cases/CaseWorkflow.js"
import { expireQueueWindows } from "../queue/Queues.js"
import { catchUpMonths } from "../subsidy/MonthlySubsidy.js"
import { runRechecks } from "../supervision/Rechecks.js"
import { CaseStore, type OutboxEvent } from "../ports/CaseStore.js"
import type { ClaimedJob, JobKindDefinition, JobQueue } from "../ports/JobQueue.js"
import { Signer } from "../ports/Signer.js"
import { makeRelay, type OutboxHandler, RELAY_KIND, RELAY_KINDS } from "./OutboxRelay.js"

/** What a finished job reports in its log line. */
export interface JobOutcome {
  readonly status: "done" | "skipped"
  readonly detail: string
  readonly counts?: Readonly<Record<string, number>>
}

/** A job that can never succeed in this build: dead-lettered without retries. */
export class JobPermanentFailure extends Data.TaggedError("JobPermanentFailure")<{
  readonly message: string
}> {}

export interface JobHandler<R> {
  readonly definition: JobKindDefinition
  readonly run: (job: ClaimedJob) => Effect.Effect<JobOutcome, unknown, R>
}

/** The identity the worker acts as: a system actor over every district, default system permissions. */
export const WORKER_ACTOR: Actor = { role: "system", id: "worker", districts: "all" }

const minutes = (n: number) => n * 60_000

export const PUMP_KIND: JobKindDefinition = {
  kind: "relay.pump",
  maxAttempts: 3,
  backoff: { baseMs: 1_000, maxMs: 30_000 },
  leaseMs: minutes(2),
}
export const CASE_TICK_KIND: JobKindDefinition = {
  kind: "cases.tick",
  maxAttempts: 5,
  backoff: { baseMs: 30_000, maxMs: minutes(30) },
  leaseMs: minutes(30),
}
export const AUDIT_CHECKPOINT_KIND: JobKindDefinition = {
  kind: "audit.checkpoint",
  maxAttempts: 5,
  backoff: { baseMs: 10_000, maxMs: minutes(10) },
  leaseMs: minutes(5),
}

export const QUEUE_WINDOWS_KIND: JobKindDefinition = {
  kind: "queue.windows",
  maxAttempts: 5,
  backoff: { baseMs: 5_000, maxMs: minutes(5) },
  leaseMs: minutes(5),
}

export const SUBSIDY_MONTHLY_KIND: JobKindDefinition = {
  kind: "subsidy.monthly",
  maxAttempts: 5,
  backoff: { baseMs: 60_000, maxMs: minutes(60) },
  leaseMs: minutes(60),
}

/**
 * R118–R123 (and R23): the monthly 廉租 rent subsidy — every month from the one after the last recorded run
 * up to the month just ended, each once (lines are idempotent by case × month, so a retry stores nothing twice).
 */
export const subsidyMonthlyJob = Effect.fn("Worker.subsidyMonthly")(function* () {
  const r = yield* catchUpMonths()
  const sum = (k: "computed" | "existing" | "incomplete" | "ended") => r.months.reduce((n, m) => n + m[k], 0)
  const warnings = r.months.at(-1)?.warnings.length ?? 0
  return {
    status: r.months.length === 0 ? "skipped" : "done",
    detail:
      r.months.length === 0
        ? `month ${r.target} already computed`
        : `computed ${r.months.map((m) => m.month).join(", ")}: ${sum("computed")} line(s), ${sum("incomplete")} incomplete agreement(s), ${warnings} R23 warning(s)`,
    counts: {
      months: r.months.length,
      computed: sum("computed"),
      existing: sum("existing"),
      incomplete: sum("incomplete"),
      ended: sum("ended"),
      r23Warnings: warnings,
      r23Raised: r.months.reduce((n, m) => n + (m.warningsRaised ?? 0), 0),
    },
  } satisfies JobOutcome
})

export const SUPERVISION_RECHECKS_KIND: JobKindDefinition = {
  kind: "supervision.rechecks",
  maxAttempts: 5,
  backoff: { baseMs: 60_000, maxMs: minutes(60) },
  leaseMs: minutes(60),
}

/**
 * R85–R88, R110: the periodic agency re-checks of every household in force — each (case, check, period) once,
 * the period from the check's dated cadence (policy/supervision.yaml); a rerun in the period asks nothing and
 * says so. Agency failures fail the job after every household was tried (the retry asks only those).
 */
export const supervisionRechecksJob = Effect.fn("Worker.supervisionRechecks")(function* () {
  const r = yield* runRechecks(WORKER_ACTOR)
  const sum = (k: "households" | "checked" | "already" | "findings" | "raised" | "pending" | "noSubject") =>
    r.tallies.reduce((n, t) => n + t[k], 0)
  const periods = r.tallies.map((t) => `${t.check} ${t.period}`).join(", ")
  return {
    status: sum("checked") === 0 ? "skipped" : "done",
    detail:
      sum("checked") === 0
        ? `nothing due on ${r.on} (${periods}): ${sum("already")} result(s) already stored for these periods`
        : `re-checked on ${r.on} (${periods}): ${sum("checked")} result(s) stored, ${sum("already")} already stored, ${sum("findings")} finding(s), ${sum("raised")} new warning(s)`,
    counts: Object.fromEntries(
      (["households", "checked", "already", "findings", "raised", "pending", "noSubject"] as const).map(
        (k) => [k, sum(k)],
      ),
    ),
  } satisfies JobOutcome
})

/** R43/R44: times out every 保租 offer or sign-up window whose deadline has passed and offers the next family (idempotent). */
export const expireWindowsJob = Effect.fn("Worker.queueWindows")(function* () {
  const now = yield* Clock.currentTimeMillis
  const r = yield* expireQueueWindows(now)
  return {
    status: "done",
    detail: `${r.expired.length} window(s) timed out, ${r.offered.length} next famil(ies) offered`,
    counts: { expired: r.expired.length, offered: r.offered.length },
  } satisfies JobOutcome
})

/** States in which `tick` can change a case (R58 on 保租 pre-review; R72/R77 on a certificate). */
const TICKABLE: ReadonlyArray<CaseState> = ["awaiting_pre_review", "admitted", "expiring_soon"]

/**
 * Runs the case machine's `tick` on every case it can change, as WORKER_ACTOR. The command key is
 * `<run key>:<case id>`, so a rerun of the same job replays instead of acting twice; a later run ticks again
 * (a tick with nothing due writes nothing). Fails after trying every case if any tick failed (retried).
 */
export const tickCases = Effect.fn("Worker.tickCases")(function* (runKey: string) {
  const store = yield* CaseStore
  // Decryptions during a tick are recorded as the worker's (role `worker`), under this run's key.
  const audit = auditContextFor(
    { id: WORKER_ACTOR.id, role: "worker" },
    { requestId: `tick:${runKey}`.replace(/[\s\p{Cc}]/gu, "_").slice(0, 200) },
  )
  let after: CaseId | undefined
  let seen = 0
  let changed = 0
  const failures: Array<string> = []
  for (;;) {
    const page = yield* store.list({
      states: TICKABLE,
      limit: 500,
      ...(after === undefined ? {} : { after }),
    })
    for (const c of page.items) {
      if (c.state === "awaiting_pre_review" && c.kind !== "baozu") continue
      seen += 1
      const r = yield* Effect.result(
        runCaseCommand(WORKER_ACTOR, c.id, { type: "tick" }, `tick:${runKey}:${c.id}`).pipe(
          withAuditContext(audit),
        ),
      )
      if (r._tag === "Failure")
        failures.push(`${c.id}: ${r.failure instanceof Error ? r.failure.message : String(r.failure)}`)
      else if (r.success.version !== c.version && !r.success.replayed) changed += 1
    }
    if (page.next === null) break
    after = page.next
  }
  if (failures.length > 0)
    return yield* Effect.fail(
      new Error(`${failures.length} case tick(s) failed: ${failures.slice(0, 3).join("; ")}`),
    )
  return {
    status: "done",
    detail: `ticked ${seen} case(s), ${changed} changed`,
    counts: { seen, changed },
  } satisfies JobOutcome
})

/**
 * The audit checkpoint with the Signer when one is configured; without one the job completes as `skipped`,
 * naming the missing setting (the log stays unsealed until a key is configured).
 */
export const auditCheckpointJob = Effect.fn("Worker.auditCheckpoint")(function* () {
  const signer = yield* Effect.serviceOption(Signer)
  if (Option.isNone(signer))
    return {
      status: "skipped",
      detail: "no SM2 signing key is configured (ANJU_SM2_PRIVATE_KEY): the audit log was not sealed",
    } satisfies JobOutcome
  const c = yield* checkpointAudit().pipe(Effect.provideService(Signer, signer.value))
  return Option.isSome(c)
    ? ({
        status: "done",
        detail: `signed records ${c.value.firstSeq}–${c.value.lastSeq}`,
        counts: { firstSeq: c.value.firstSeq, lastSeq: c.value.lastSeq },
      } satisfies JobOutcome)
    : ({
        status: "done",
        detail: "nothing to sign (the head is already sealed or the log is empty)",
      } satisfies JobOutcome)
})

/** Every handler of the worker over the given outbox handlers (the relay's consumers). */
export const workerHandlers = <R>(outboxHandlers: ReadonlyArray<OutboxHandler<R>>) => {
  const relay = makeRelay(outboxHandlers)
  const byName = new Map(outboxHandlers.map((h) => [h.name, h]))
  const pump: JobHandler<CaseStore | JobQueue> = {
    definition: PUMP_KIND,
    run: () =>
      Effect.gen(function* () {
        let read = 0
        let enqueued = 0
        let cursor = 0
        for (;;) {
          const p = yield* relay.pump()
          read += p.read
          enqueued += p.enqueued
          cursor = p.cursor
          if (p.read < 500) break
        }
        return {
          status: "done",
          detail: `read ${read} outbox event(s), enqueued ${enqueued} delivery job(s), cursor at ${cursor}`,
          counts: { read, enqueued },
        } satisfies JobOutcome
      }),
  }
  const deliver: JobHandler<R> = {
    definition: RELAY_KINDS.find((k) => k.kind === RELAY_KIND)!,
    run: (job) =>
      Effect.gen(function* () {
        const name = String(job.payload["handler"])
        const handler = byName.get(name)
        const event = job.payload["event"] as OutboxEvent
        if (handler === undefined)
          return yield* new JobPermanentFailure({ message: `no outbox handler "${name}" in this build` })
        yield* handler.handle(event, `${handler.name}:${event.id}`)
        return { status: "done", detail: `${handler.name} ← ${event.type} ${event.id}` } satisfies JobOutcome
      }),
  }
  const tick: JobHandler<Effect.Services<ReturnType<typeof tickCases>>> = {
    definition: CASE_TICK_KIND,
    run: (job) => tickCases(job.key),
  }
  const audit: JobHandler<Effect.Services<ReturnType<typeof auditCheckpointJob>>> = {
    definition: AUDIT_CHECKPOINT_KIND,
    run: () => auditCheckpointJob(),
  }
  const windows: JobHandler<Effect.Services<ReturnType<typeof expireWindowsJob>>> = {
    definition: QUEUE_WINDOWS_KIND,
    run: () => expireWindowsJob(),
  }
  const subsidy: JobHandler<Effect.Services<ReturnType<typeof subsidyMonthlyJob>>> = {
    definition: SUBSIDY_MONTHLY_KIND,
    run: () => subsidyMonthlyJob(),
  }
  const rechecks: JobHandler<Effect.Services<ReturnType<typeof supervisionRechecksJob>>> = {
    definition: SUPERVISION_RECHECKS_KIND,
    run: () => supervisionRechecksJob(),
  }
  return [
    attributed(pump),
    attributed(deliver),
    attributed(tick),
    attributed(audit),
    attributed(windows),
    attributed(subsidy),
    attributed(rechecks),
  ] as const
}

/**
 * Every job runs as the worker in the audit log (审计上下文): personal data a use-case opens is attributed
 * to `worker`, the job and its kind as the purpose (a use-case may narrow it).
 */
const attributed = <R>(h: JobHandler<R>): JobHandler<R> => ({
  definition: h.definition,
  run: (job) =>
    h
      .run(job)
      .pipe(
        withAuditContext(
          auditContextFor(
            { id: WORKER_ACTOR.id, role: "worker" },
            { requestId: `job-${job.id}`, purpose: `background job ${job.kind}`, object: null },
          ),
        ),
      ) as Effect.Effect<JobOutcome, unknown, R>,
})
