/**
 * QueueStore: persistence of waiting queues (轮候): one entry per (queue, case), its ranking attributes, its
 * 保租 window state with the persisted deadline (R43/R44) and the stored plan of each queue (R45–R50).
 * `enter` is idempotent by the admission event's key: entering twice with one key yields one entry.
 * `save` is optimistic on `version`. Reads return what was written, value for value.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { QueueEntry } from "../../domain/queue/QueueEntry.js"
import type { QueuePlan } from "../../domain/queue/QueuePlan.js"

export interface QueueEntryQuery {
  /** Omitted: every district. */
  readonly districts?: ReadonlyArray<string>
  readonly projectIds?: ReadonlyArray<string>
  /** Entries of this applicant (blind index of the main applicant's ID number). */
  readonly applicantIndex?: string
  readonly caseId?: string
  /** 1..1000 */
  readonly limit: number
}

/** Why a store call failed. `detail` is a fixed sentence safe to show (never driver text). */
export type QueueStoreErrorReason =
  /** The (queue, case) pair exists with another admission key. */
  | { readonly _tag: "Conflict"; readonly queueId: string; readonly caseId: string }
  | { readonly _tag: "NotFound"; readonly queueId: string; readonly caseId: string }
  /** The entry changed since it was read. */
  | { readonly _tag: "StaleVersion"; readonly expected: number; readonly actual: number | null }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class QueueStoreError extends Data.TaggedError("QueueStoreError")<{
  readonly reason: QueueStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "Conflict":
        return `case ${r.caseId} is already in queue ${r.queueId}`
      case "NotFound":
        return `case ${r.caseId} is not in queue ${r.queueId}`
      case "StaleVersion":
        return `the queue entry changed meanwhile (expected version ${r.expected}, stored ${r.actual ?? "none"})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class QueueStore extends Context.Service<
  QueueStore,
  {
    /**
     * Idempotent by `entry.enteredBy`: the first call stores the entry (version 1, `created: true`); a
     * replay with the same key returns the stored entry (`created: false`). The same (queue, case) under
     * another key also returns the stored entry, `created: false` (one family, one place).
     */
    readonly enter: (
      entry: QueueEntry,
    ) => Effect.Effect<{ readonly created: boolean; readonly entry: QueueEntry }, QueueStoreError>
    readonly get: (
      queueId: string,
      caseId: string,
    ) => Effect.Effect<Option.Option<QueueEntry>, QueueStoreError>
    /** Every entry (active and left) of a queue, in case-id order (code units). */
    readonly entries: (queueId: string) => Effect.Effect<ReadonlyArray<QueueEntry>, QueueStoreError>
    /** Entries matching every given filter, in (queue, case) order. */
    readonly list: (query: QueueEntryQuery) => Effect.Effect<ReadonlyArray<QueueEntry>, QueueStoreError>
    /** Writes `entry` (its version must be the stored one) and returns it at version + 1. */
    readonly save: (entry: QueueEntry) => Effect.Effect<QueueEntry, QueueStoreError>
    /** Active entries whose window deadline lies before `now` (deadline < now), earliest first. */
    readonly due: (now: number, limit: number) => Effect.Effect<ReadonlyArray<QueueEntry>, QueueStoreError>
    readonly plan: (queueId: string) => Effect.Effect<Option.Option<QueuePlan>, QueueStoreError>
    /** Stores the queue's plan; `onlyIfAbsent` keeps a plan already stored. Returns the plan in force. */
    readonly setPlan: (
      queueId: string,
      plan: QueuePlan,
      onlyIfAbsent?: boolean,
    ) => Effect.Effect<QueuePlan, QueueStoreError>
  }
>()("anju/QueueStore") {}
