/**
 * Expected failures of the case use-cases (besides the domain's CaseTransitionRefused and the ports'
 * errors). None carries personal data: ID numbers appear masked, if at all.
 */
import { Data } from "effect"
import type { InvalidValue } from "../../domain/values/InvalidValue.js"

export class CaseNotFound extends Data.TaggedError("CaseNotFound")<{ readonly caseId: string }> {}

/** The actor's role or data scope does not cover the case or the command (nothing was written). */
export class CaseAccessDenied extends Data.TaggedError("CaseAccessDenied")<{
  readonly actorId: string
  readonly role: string
  readonly action: string
  readonly caseId: string | null
}> {}

/** The idempotency key was used before for another request. */
export class IdempotencyKeyReused extends Data.TaggedError("IdempotencyKeyReused")<{
  readonly key: string
}> {}

export class CaseInputRejected extends Data.TaggedError("CaseInputRejected")<{
  readonly issues: ReadonlyArray<InvalidValue>
}> {}

/** The fairness guard raised a hard block (红色预警 + 强拦截, R13/R15/…). */
export class CaseBlockedByGuard extends Data.TaggedError("CaseBlockedByGuard")<{
  readonly rules: ReadonlyArray<string>
  readonly message: string
}> {}

/** A 复核 case names a predecessor that is missing, of another kind or applicant, or not admitted (R78). */
export class PredecessorInvalid extends Data.TaggedError("PredecessorInvalid")<{
  readonly predecessorId: string
  readonly message: string
}> {}
