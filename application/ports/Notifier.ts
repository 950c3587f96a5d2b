/**
 * Notifier: notices to applicants (通知, SMS or in-app message). A notice carries its own id; sending the
 * same id twice delivers it once (real gateways take a client message id for this), which is what makes
 * the outbox relay's notice handler exactly-once although delivery is at-least-once. Recipients are named
 * by case and role: the adapter resolves the contact, so no phone number travels through jobs.
 */
import { Context, Data, type Effect } from "effect"

export interface Notice {
  /** Idempotency id: `<handler>:<event id>` for relay notices. */
  readonly id: string
  readonly to: { readonly caseId: string; readonly role: "applicant" }
  /** Message template code (`case.admitted`, `case.rejected`, …). */
  readonly template: string
  readonly params: Readonly<Record<string, string>>
}

export type NotifierErrorReason =
  /** The gateway refused the notice (unknown template, bad recipient). Not retryable. */
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class NotifierError extends Data.TaggedError("NotifierError")<{
  readonly reason: NotifierErrorReason
}> {
  override get message(): string {
    return this.reason.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class Notifier extends Context.Service<
  Notifier,
  {
    /** Delivers once per `notice.id`; `duplicate` when that id was delivered before (nothing sent). */
    readonly send: (notice: Notice) => Effect.Effect<{ readonly duplicate: boolean }, NotifierError>
  }
>()("anju/Notifier") {}
