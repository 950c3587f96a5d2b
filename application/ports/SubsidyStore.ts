/**
 * SubsidyStore: persistence of 廉租 rent-subsidy agreements (one per case) and their monthly payout lines
 * (R118–R123), plus the record of each completed monthly run (catch-up). `ensureAgreement` is idempotent by
 * case; `putLine` is idempotent by `lineId` (a regular line is `<case>:<month>`: computing a month twice
 * stores one line and returns the first); `confirm` turns a district-month's computed lines into confirmed
 * ones atomically (R120). Reads return what was written, value for value.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { AgreementStatus, PayoutLine, SubsidyAgreement } from "../../domain/subsidy/SubsidyAgreement.js"

export interface AgreementQuery {
  /** Omitted: every district. */
  readonly districts?: ReadonlyArray<string>
  readonly statuses?: ReadonlyArray<AgreementStatus>
  /** Keyset paging in case-id order (code units). */
  readonly after?: string
  /** 1..1000 */
  readonly limit: number
}

export interface LineQuery {
  readonly month: string
  readonly districts?: ReadonlyArray<string>
  readonly caseId?: string
  /** Keyset paging in line-id order (code units). */
  readonly after?: string
  /** 1..1000 */
  readonly limit: number
}

/** Per district of one month (R120: counted per district). Amounts in fen. */
export interface DistrictTotal {
  readonly district: string
  readonly lines: number
  readonly amount: number
  readonly computed: number
  readonly confirmed: number
}

export interface SubsidyRun {
  readonly month: string
  readonly at: number
  readonly counts: Readonly<Record<string, number>>
}

export type SubsidyStoreErrorReason =
  | { readonly _tag: "NotFound"; readonly caseId: string }
  /** The agreement changed since it was read. */
  | { readonly _tag: "StaleVersion"; readonly expected: number; readonly actual: number | null }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class SubsidyStoreError extends Data.TaggedError("SubsidyStoreError")<{
  readonly reason: SubsidyStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "NotFound":
        return `no subsidy agreement for case ${r.caseId}`
      case "StaleVersion":
        return `the subsidy agreement changed meanwhile (expected version ${r.expected}, stored ${r.actual ?? "none"})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class SubsidyStore extends Context.Service<
  SubsidyStore,
  {
    /** Stores the agreement at version 1 unless its case has one; returns the one in force. */
    readonly ensureAgreement: (
      agreement: SubsidyAgreement,
    ) => Effect.Effect<{ readonly created: boolean; readonly agreement: SubsidyAgreement }, SubsidyStoreError>
    readonly getAgreement: (
      caseId: string,
    ) => Effect.Effect<Option.Option<SubsidyAgreement>, SubsidyStoreError>
    /** Writes `agreement` (its version must be the stored one) and returns it at version + 1. */
    readonly saveAgreement: (
      agreement: SubsidyAgreement,
    ) => Effect.Effect<SubsidyAgreement, SubsidyStoreError>
    readonly listAgreements: (
      query: AgreementQuery,
    ) => Effect.Effect<ReadonlyArray<SubsidyAgreement>, SubsidyStoreError>
    /** Idempotent by `line.lineId`: `created: false` returns the stored line unchanged. */
    readonly putLine: (
      line: PayoutLine,
    ) => Effect.Effect<{ readonly created: boolean; readonly line: PayoutLine }, SubsidyStoreError>
    readonly listLines: (query: LineQuery) => Effect.Effect<ReadonlyArray<PayoutLine>, SubsidyStoreError>
    /** Per-district counts and sums of one month, in district order. */
    readonly totals: (
      month: string,
      districts?: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<DistrictTotal>, SubsidyStoreError>
    /** Atomic: every computed line of district × month becomes confirmed; returns how many changed. */
    readonly confirm: (
      district: string,
      month: string,
      by: string,
      at: number,
    ) => Effect.Effect<number, SubsidyStoreError>
    /** Records a completed monthly run (the latest record per month wins). */
    readonly recordRun: (run: SubsidyRun) => Effect.Effect<void, SubsidyStoreError>
    /** The latest month with a completed run. */
    readonly lastRun: () => Effect.Effect<Option.Option<SubsidyRun>, SubsidyStoreError>
  }
>()("anju/SubsidyStore") {}
