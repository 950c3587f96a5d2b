/**
 * WarningStore: the persisted R24 warning list (警示名单) and the results of periodic re-checks (R85–R88).
 * `raise` is idempotent by the record's key (person, rule, level, subject, period) — a second raise returns
 * the stored record unchanged, resolved or not; `resolve` closes an open record once (actor and reason in
 * its trail); `recordCheck` is idempotent by (case, check, period). Personal data only as blind indexes.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { WarningLevel } from "../../domain/guard/GuardWarning.js"
import type { WarningRecord, WarningStatus } from "../../domain/guard/WarningRecord.js"
import type { Recheck, RecheckResult } from "../../domain/supervision/Recheck.js"

export interface WarningQuery {
  /** Omitted: every district; empty: none. */
  readonly districts?: ReadonlyArray<string>
  readonly levels?: ReadonlyArray<WarningLevel>
  readonly rules?: ReadonlyArray<string>
  readonly caseId?: string
  readonly status?: WarningStatus
  /** Cursor returned as `next` by the previous page. */
  readonly after?: string
  /** 1..500 */
  readonly limit: number
}

/** Order of `list`: open before resolved, newest raise first, then id (a stable keyset). */
export interface WarningPage {
  readonly items: ReadonlyArray<WarningRecord>
  readonly next: string | null
}

/** The keyset position of a record in list order (the `next` cursor of `list`; opaque to callers). */
export const cursorOf = (w: Pick<WarningRecord, "status" | "raisedAt" | "id">): string =>
  `${w.status}|${w.raisedAt}|${w.id}`

export const parseCursor = (
  cursor: string,
): { readonly status: string; readonly raisedAt: number; readonly id: string } | undefined => {
  const [status, at, ...rest] = cursor.split("|")
  const raisedAt = Number(at)
  if (status === undefined || rest.length === 0 || !Number.isSafeInteger(raisedAt)) return undefined
  return { status, raisedAt, id: rest.join("|") }
}

export type WarningStoreErrorReason =
  | { readonly _tag: "NotFound"; readonly id: string }
  /** The record is already resolved, or changed since it was read. */
  | { readonly _tag: "Conflict"; readonly id: string; readonly detail: string }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class WarningStoreError extends Data.TaggedError("WarningStoreError")<{
  readonly reason: WarningStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    if (r._tag === "NotFound") return `no warning ${r.id}`
    if (r._tag === "Conflict") return `warning ${r.id}: ${r.detail}`
    return r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class WarningStore extends Context.Service<
  WarningStore,
  {
    /** Idempotent by key (the id is a function of it): `created: false` returns the stored record. */
    readonly raise: (
      record: WarningRecord,
    ) => Effect.Effect<{ readonly created: boolean; readonly warning: WarningRecord }, WarningStoreError>
    readonly get: (id: string) => Effect.Effect<Option.Option<WarningRecord>, WarningStoreError>
    readonly list: (query: WarningQuery) => Effect.Effect<WarningPage, WarningStoreError>
    /** Open → resolved, once; a resolved record fails with Conflict. Returns the stored record. */
    readonly resolve: (input: {
      readonly id: string
      readonly by: string
      readonly at: number
      readonly reason: string
    }) => Effect.Effect<WarningRecord, WarningStoreError>
    /** Idempotent by (case, check, period): `created: false` returns the stored result unchanged. */
    readonly recordCheck: (
      result: RecheckResult,
    ) => Effect.Effect<{ readonly created: boolean; readonly result: RecheckResult }, WarningStoreError>
    readonly findCheck: (
      caseId: string,
      check: Recheck,
      period: string,
    ) => Effect.Effect<Option.Option<RecheckResult>, WarningStoreError>
    /** Every stored result of a case, by period then check. */
    readonly checksOf: (caseId: string) => Effect.Effect<ReadonlyArray<RecheckResult>, WarningStoreError>
  }
>()("anju/WarningStore") {}
