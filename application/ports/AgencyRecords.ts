/**
 * AgencyRecords: verification (核查) against other agencies' data (R68–R88) — social insurance, marriage,
 * household registration, public housing, real-estate registration, resettlement housing, economic
 * check (R83/R169), 低保 (R82), death, criminal records (R86), bank cards, person–ID consistency (R64).
 * One capability, addressed by `source`; timeouts and retries are the adapter's concern. The answer is
 * stored by the use-case as evidence (source, time, request digest, result).
 */
import { Context, Data, type Effect } from "effect"
import type { CheckSource } from "../../domain/cases/Case.js"
import type { CaseKind } from "../../domain/cases/Case.js"

export interface AgencySubject {
  readonly role: "applicant" | "co_applicant" | "co_resident"
  readonly name: string
  /** Plain ID number: sent to the agency, never logged. */
  readonly idNumber: string
}

export interface AgencyRequest {
  readonly source: CheckSource
  readonly caseId: string
  readonly kind: CaseKind
  readonly subjects: ReadonlyArray<AgencySubject>
  /** SHA-256 over the source, case and the subjects' blind indexes (no plain personal data). */
  readonly requestDigest: string
}

export interface AgencyAnswer {
  /** `pending`: asynchronous channel (e.g. 隔日 offline housing check, R79), ask again later. */
  readonly result: "pass" | "fail" | "pending"
  /** Human text for the officer; must not repeat personal data. */
  readonly detail: string
}

export type AgencyRecordsErrorReason =
  | { readonly _tag: "Timeout"; readonly source: CheckSource }
  | { readonly _tag: "Rejected"; readonly source: CheckSource; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly source: CheckSource; readonly detail: string }
  /**
   * An answer arrived but cannot be trusted (missing or bad signature, not bound to this request, malformed):
   * never evidence, and not retried — an operator must look at the channel or the configured key.
   */
  | { readonly _tag: "Untrusted"; readonly source: CheckSource; readonly detail: string }

export class AgencyRecordsError extends Data.TaggedError("AgencyRecordsError")<{
  readonly reason: AgencyRecordsErrorReason
}> {
  override get message(): string {
    const r = this.reason
    return r._tag === "Timeout"
      ? `${r.source}: the agency did not answer in time`
      : `${r.source}: ${r.detail}`
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Timeout" || this.reason._tag === "Unavailable"
  }
}

export class AgencyRecords extends Context.Service<
  AgencyRecords,
  { readonly query: (request: AgencyRequest) => Effect.Effect<AgencyAnswer, AgencyRecordsError> }
>()("anju/AgencyRecords") {}
