/**
 * Outbox relay (事件转发): turns every case outbox event into one `relay.deliver` job per registered handler
 * (job key `<handler>:<event id>`, so re-reading the outbox enqueues nothing twice), then runs the handlers.
 * Delivery is at least once (a job is retried until its handler succeeds, then dead-lettered); each handler
 * is idempotent by event id — it passes `<handler>:<event id>` as the idempotency key of what it calls (a
 * notice id, a use-case's command key, a processed-pair row written in the same transaction) — so the
 * effect happens exactly once. The relay's cursor only moves past a gap in the outbox's sequence numbers
 * (a transaction still committing) once the gap is older than `gapGraceMs`.
 */
import { Clock, Effect } from "effect"
import { CaseStore, type CaseStoreError, type OutboxEvent } from "../ports/CaseStore.js"
import { type ClaimedJob, type JobKindDefinition, JobQueue, type JobQueueError } from "../ports/JobQueue.js"
import { Notifier } from "../ports/Notifier.js"
import type { QueueStore } from "../ports/QueueStore.js"
import { enterQueue, leaveQueue } from "../queue/Queues.js"

/** A consumer of outbox events. `handle` must be idempotent by `event.id` (see the module header). */
export interface OutboxHandler<R = never> {
  /** Stable name; part of every job key and notice id, so never rename a released handler. */
  readonly name: string
  /** Event types it consumes (`CaseAdmitted`, `CaseClosed`, …). */
  readonly types: ReadonlyArray<string>
  /** `effectKey` = `<handler>:<event id>`: the idempotency key to pass on. Fails → the job is retried. */
  readonly handle: (event: OutboxEvent, effectKey: string) => Effect.Effect<void, unknown, R>
}

export const RELAY_KIND = "relay.deliver"
export const RELAY_CURSOR = "relay.case-outbox"

export const RELAY_KINDS: ReadonlyArray<JobKindDefinition> = [
  { kind: RELAY_KIND, maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 10 * 60_000 }, leaseMs: 60_000 },
]

export interface RelayOptions {
  /** Outbox rows read per pump (default 500). */
  readonly batch?: number
  /** How long a hole in the sequence numbers holds the cursor back (default 60 s). */
  readonly gapGraceMs?: number
  /**
   * Handlers run at once per `deliverDue` (default 32). Their completions reach the queue together, which
   * the embedded queue turns into one statement.
   */
  readonly deliveryConcurrency?: number
}

/** The applicant's notice on admission (R-case 准入) and rejection (不予受理/审核不通过 closures). */
export const applicantNotice: OutboxHandler<Notifier> = {
  name: "notice.applicant",
  types: ["CaseAdmitted", "CaseClosed"],
  handle: (event, effectKey) =>
    Effect.gen(function* () {
      const p = event.payload
      const str = (v: unknown) => (typeof v === "string" ? v : "")
      if (event.type === "CaseClosed" && p["closure"] !== "rejected") return
      const notifier = yield* Notifier
      yield* notifier.send({
        id: effectKey,
        to: { caseId: event.caseId, role: "applicant" },
        template: event.type === "CaseAdmitted" ? "case.admitted" : "case.rejected",
        params:
          event.type === "CaseAdmitted"
            ? {
                caseId: event.caseId,
                certificateNumber: str(p["certificateNumber"]),
                validUntil: str(p["validUntil"]),
              }
            : { caseId: event.caseId, reason: str(p["reason"]) },
      })
    }),
}

/**
 * 轮候 entry on admission (CaseAdmitted → the project's or kind's queue; idempotent: the effect key is the
 * entry's admission key) and leaving on any closure (CaseClosed: the held slot is restored, R12, R33/R34).
 */
export const queueEntryHandler: OutboxHandler<QueueStore | CaseStore> = {
  name: "queue.entry",
  types: ["CaseAdmitted", "CaseClosed"],
  handle: (event, effectKey) =>
    event.type === "CaseAdmitted"
      ? Effect.asVoid(enterQueue({ caseId: event.caseId, eventKey: effectKey, at: event.at }))
      : Effect.asVoid(
          leaveQueue({
            caseId: event.caseId,
            reason: event.payload["closure"] === "cancelled" ? "cancelled" : "closed",
            at: event.at,
            note: `case closed: ${String(event.payload["closure"] ?? "closed")}`,
          }),
        ),
}

/** Registration point for the allocation chain (issue 11): handlers of case events for queues, lottery, selection. */
export const allocationHandlers: ReadonlyArray<OutboxHandler<QueueStore | CaseStore>> = [queueEntryHandler]

export interface PumpResult {
  readonly read: number
  readonly enqueued: number
  readonly cursor: number
}

export interface DeliveryResult {
  readonly claimed: number
  readonly done: number
  readonly retried: number
  readonly dead: number
}

/** The relay over the given handlers: `pump` (outbox → jobs), `deliverDue` (jobs → handlers), `runOnce`. */
export const makeRelay = <R>(handlers: ReadonlyArray<OutboxHandler<R>>, options: RelayOptions = {}) => {
  const batch = options.batch ?? 500
  const grace = options.gapGraceMs ?? 60_000
  const deliveryConcurrency = options.deliveryConcurrency ?? 32
  const byName = new Map(handlers.map((h) => [h.name, h]))
  /** Sequence numbers missing from the outbox, with the time they were first seen missing. */
  const gaps = new Map<number, number>()

  const pump = Effect.fn("OutboxRelay.pump")(function* () {
    const queue = yield* JobQueue
    const store = yield* CaseStore
    yield* queue.define(RELAY_KINDS)
    const cursor = yield* queue.cursor(RELAY_CURSOR)
    const now = yield* Clock.currentTimeMillis
    const rows = yield* store.outbox(cursor, batch)
    const requests = rows.flatMap(({ seq: _seq, ...event }) =>
      handlers
        .filter((h) => h.types.includes(event.type))
        .map((h) => ({
          kind: RELAY_KIND,
          key: `${h.name}:${event.id}`,
          payload: { handler: h.name, event },
        })),
    )
    const enqueued = (yield* queue.enqueueAll(requests)).filter((r) => r.created).length
    // Advance over consecutive sequence numbers; a hole younger than the grace period stops the cursor.
    let safe = cursor
    for (const row of rows) {
      let blocked = false
      for (let missing = safe + 1; missing < row.seq; missing++) {
        const seen = gaps.get(missing) ?? now
        gaps.set(missing, seen)
        if (now - seen < grace) blocked = true
      }
      if (blocked) break
      safe = row.seq
    }
    for (const s of gaps.keys()) if (s <= safe) gaps.delete(s)
    if (safe > cursor) yield* queue.advanceCursor(RELAY_CURSOR, safe)
    return { read: rows.length, enqueued, cursor: safe } satisfies PumpResult
  })

  const deliver = (job: ClaimedJob) =>
    Effect.gen(function* () {
      const queue = yield* JobQueue
      const handler = byName.get(String(job.payload["handler"]))
      const event = job.payload["event"] as OutboxEvent
      if (handler === undefined) {
        // A handler removed from this build: nothing will ever handle it; dead-letter at once.
        const r = yield* queue.fail({ ...job, attempt: job.maxAttempts }, "no such handler in this build")
        return r._tag
      }
      const outcome = yield* Effect.exit(handler.handle(event, `${handler.name}:${event.id}`))
      if (outcome._tag === "Success") {
        yield* queue.complete(job)
        return "Done" as const
      }
      const r = yield* queue.fail(job, String(outcome.cause).slice(0, 500))
      return r._tag
    })

  const deliverDue = Effect.fn("OutboxRelay.deliverDue")(function* (limit = 100) {
    const queue = yield* JobQueue
    yield* queue.define(RELAY_KINDS)
    const jobs = yield* queue.claim({ kinds: [RELAY_KIND], limit })
    const results = yield* Effect.forEach(jobs, deliver, { concurrency: deliveryConcurrency })
    return {
      claimed: jobs.length,
      done: results.filter((r) => r === "Done").length,
      retried: results.filter((r) => r === "Retry").length,
      dead: results.filter((r) => r === "Dead").length,
    } satisfies DeliveryResult
  })

  /** Pumps until the outbox is read up to the cursor, then delivers until no job is due. */
  const runOnce = Effect.fn("OutboxRelay.runOnce")(function* () {
    let enqueued = 0
    for (;;) {
      const p = yield* pump()
      enqueued += p.enqueued
      if (p.read < batch) break
    }
    let delivered = 0
    for (;;) {
      const d = yield* deliverDue()
      delivered += d.done
      if (d.claimed === 0) break
    }
    return { enqueued, delivered }
  })

  return { pump, deliverDue, runOnce, deliver }
}

export type RelayError = JobQueueError | CaseStoreError
