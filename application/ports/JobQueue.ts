/**
 * JobQueue: durable background jobs for the worker host (后台任务). Enqueue is idempotent by key (the same
 * key twice is one job); a claim is a lease that expires, so a crashed worker's job comes back; a failed
 * attempt is retried with exponential backoff up to its kind's `maxAttempts`, then dead-lettered.
 * Schedules (cron in Asia/Shanghai, or a fixed interval) enqueue their kind when due; a schedule missed for
 * a while runs ONCE and its job's `schedule.coalesced` says how many earlier runs it stands for.
 */
import { Context, Data, type Effect } from "effect"

/** What the queue must know about a kind of job; `define` it before enqueueing. */
export interface JobKindDefinition {
  /** `relay.deliver`, `cases.tick`, … */
  readonly kind: string
  /** Attempts before the job is dead-lettered (≥ 1). */
  readonly maxAttempts: number
  /** Backoff before attempt n+1 is `min(baseMs · 2^(n-1), maxMs)` (ms). */
  readonly backoff: { readonly baseMs: number; readonly maxMs: number }
  /** How long a claim holds the job (ms); after that the job is handed to another worker. */
  readonly leaseMs: number
}

export type JobPayload = Readonly<Record<string, unknown>>

export interface EnqueueRequest {
  readonly kind: string
  /** Idempotency key, unique per kind: a second enqueue with the same key is a no-op. */
  readonly key: string
  /** JSON-serialisable. */
  readonly payload: JobPayload
  /** Not before this instant (epoch ms); default now. */
  readonly runAt?: number
}

export interface Enqueued {
  readonly id: string
  /** False when a job with this key already existed (nothing changed). */
  readonly created: boolean
}

/** Set on jobs a schedule produced. */
export interface ScheduledRun {
  readonly scheduleId: string
  /** The due time this run answers (the latest one missed, when several were). */
  readonly dueAt: number
  /** Earlier due times that were missed and are covered by this one run (0 when on time). */
  readonly coalesced: number
}

/** A job held by one worker until `leaseUntil`; `lease` must accompany complete / fail / release. */
export interface ClaimedJob {
  readonly id: string
  readonly kind: string
  readonly key: string
  readonly payload: JobPayload
  /** 1 for the first attempt. */
  readonly attempt: number
  readonly maxAttempts: number
  readonly lease: string
  readonly leaseUntil: number
  readonly schedule: ScheduledRun | null
}

export type Recurrence =
  /** Five- or six-field cron, evaluated in Asia/Shanghai. */
  | { readonly _tag: "Cron"; readonly expression: string }
  /** Every `ms` milliseconds from the schedule's start. */
  | { readonly _tag: "Interval"; readonly ms: number }

export interface ScheduleDefinition {
  /** Stable id; upserting the same id replaces the recurrence and payload. */
  readonly id: string
  readonly kind: string
  readonly every: Recurrence
  readonly payload: JobPayload
}

export interface KindCounts {
  readonly kind: string
  /** Waiting to run (including those whose run-at lies ahead). */
  readonly pending: number
  readonly running: number
  readonly done: number
  /** Failed at least once and waiting for a retry. */
  readonly failed: number
  /** Dead-lettered: every attempt failed. */
  readonly dead: number
  /** The earliest run-at of a pending job or due time of a schedule of this kind; null if none. */
  readonly nextRunAt: number | null
}

export type FailOutcome = { readonly _tag: "Retry"; readonly at: number } | { readonly _tag: "Dead" }

export type JobQueueErrorReason =
  /** The kind was never defined, or a request is malformed. Not retryable. */
  | { readonly _tag: "Rejected"; readonly detail: string }
  /** The lease expired and the job went to another worker (or is already finished). */
  | { readonly _tag: "LeaseLost"; readonly jobId: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class JobQueueError extends Data.TaggedError("JobQueueError")<{
  readonly reason: JobQueueErrorReason
}> {
  override get message(): string {
    const r = this.reason
    if (r._tag === "LeaseLost") return `job ${r.jobId} is no longer held by this worker`
    return r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class JobQueue extends Context.Service<
  JobQueue,
  {
    /** Registers kinds (idempotent; a later definition of the same kind replaces the earlier one). */
    readonly define: (kinds: ReadonlyArray<JobKindDefinition>) => Effect.Effect<void, JobQueueError>
    /** Idempotent by (kind, key). */
    readonly enqueue: (request: EnqueueRequest) => Effect.Effect<Enqueued, JobQueueError>
    /** `enqueue` for many requests in one round trip (one transaction / one pipeline); results in order. */
    readonly enqueueAll: (
      requests: ReadonlyArray<EnqueueRequest>,
    ) => Effect.Effect<ReadonlyArray<Enqueued>, JobQueueError>
    /**
     * Up to `limit` due jobs of the given kinds (all defined kinds when omitted), each leased for its
     * kind's `leaseMs`. Due schedules are turned into jobs first.
     */
    readonly claim: (options: {
      readonly kinds?: ReadonlyArray<string>
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<ClaimedJob>, JobQueueError>
    /** Marks the job done. LeaseLost when the lease is no longer this worker's. */
    readonly complete: (job: ClaimedJob) => Effect.Effect<void, JobQueueError>
    /** Records a failed attempt: retried after backoff, or dead-lettered after the last attempt. */
    readonly fail: (job: ClaimedJob, error: string) => Effect.Effect<FailOutcome, JobQueueError>
    /** Hands the job back unfinished (graceful shutdown); the attempt is not counted where the adapter can. */
    readonly release: (job: ClaimedJob) => Effect.Effect<void, JobQueueError>
    /** Creates or replaces a schedule. */
    readonly schedule: (definition: ScheduleDefinition) => Effect.Effect<void, JobQueueError>
    /**
     * A named durable position kept beside the jobs (the outbox relay's last relayed sequence number);
     * 0 when never set.
     */
    readonly cursor: (name: string) => Effect.Effect<number, JobQueueError>
    /** Moves a cursor forward; a position at or below the stored one changes nothing. */
    readonly advanceCursor: (name: string, position: number) => Effect.Effect<void, JobQueueError>
    /** Per defined kind, for `anju worker status`. */
    readonly counts: Effect.Effect<ReadonlyArray<KindCounts>, JobQueueError>
  }
>()("anju/JobQueue") {}
