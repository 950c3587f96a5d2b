/**
 * AuditLog: the append-only audit record (审计日志, GB/T 39786) of every write and every decryption of
 * personal data. `append` is atomic and linear: it assigns the next seq and chains the record to the
 * current head (AuditChain) even under concurrent appenders, so the stored records always form one chain
 * 1..n. Records are never updated or deleted through the port. Signed checkpoints are stored beside them,
 * one per `lastSeq`. Queries page by seq (keyset): ascending, `after` is the last seq already seen.
 */
import { Context, Data, type Effect } from "effect"
import type { AuditRecord, ChainHead } from "../../domain/audit/AuditChain.js"
import type { AuditCheckpoint } from "../../domain/audit/AuditCheckpoint.js"
import type { AuditEntry } from "../../domain/audit/AuditRecord.js"

export type AuditLogErrorReason =
  /** The entry breaks an AuditRecord rule (`AU.*`); nothing was stored. */
  | { readonly _tag: "Rejected"; readonly field: string; readonly rule: string; readonly detail: string }
  /** A checkpoint for the same `lastSeq` is stored with another hash or range. */
  | { readonly _tag: "Conflict"; readonly lastSeq: number }
  /** Serialisation failure or deadlock that outlived the adapter's retries: safe to retry. */
  | { readonly _tag: "Contention"; readonly detail: string }
  /** The store cannot be reached or failed unexpectedly: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class AuditLogError extends Data.TaggedError("AuditLogError")<{
  readonly reason: AuditLogErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "Rejected":
        return `audit entry refused (${r.rule}, ${r.field}): ${r.detail}`
      case "Conflict":
        return `another checkpoint is stored for audit record ${r.lastSeq}`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

/** Filters of `query`; all given filters must hold. Times are audit instants (`at`), `from` ≤ at < `to`. */
export interface AuditQuery {
  readonly actorId?: string
  readonly object?: string
  readonly action?: string
  readonly from?: string
  readonly to?: string
  /** Keyset cursor: only records with seq > after (the previous page's `next`). */
  readonly after?: number
  /** Page size, 1–1000. */
  readonly limit: number
}

export interface AuditPage {
  readonly records: ReadonlyArray<AuditRecord>
  /** Cursor for the next page (`after`), or null when this page is the last. */
  readonly next: number | null
}

export const MAX_AUDIT_PAGE = 1000

export class AuditLog extends Context.Service<
  AuditLog,
  {
    /** Validates, numbers and chains the entry after the current head, atomically; returns the stored record. */
    readonly append: (entry: AuditEntry) => Effect.Effect<AuditRecord, AuditLogError>
    /** Seq and hash of the last record (0 and 64 zeros when empty), as the store keeps it. */
    readonly head: () => Effect.Effect<ChainHead, AuditLogError>
    /** Records with seq ≥ fromSeq in seq order, at most `limit` (1–1000), exactly as stored. */
    readonly read: (
      fromSeq: number,
      limit: number,
    ) => Effect.Effect<ReadonlyArray<AuditRecord>, AuditLogError>
    readonly query: (q: AuditQuery) => Effect.Effect<AuditPage, AuditLogError>
    /**
     * Stores a checkpoint; idempotent per `lastSeq`: when one is already stored for it with the same range
     * and hash, that one is kept and returned (two signers racing); with another range or hash, Conflict.
     */
    readonly putCheckpoint: (c: AuditCheckpoint) => Effect.Effect<AuditCheckpoint, AuditLogError>
    /** Every stored checkpoint by `lastSeq`. */
    readonly checkpoints: () => Effect.Effect<ReadonlyArray<AuditCheckpoint>, AuditLogError>
  }
>()("anju/AuditLog") {}
