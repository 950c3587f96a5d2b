/**
 * Use-case: eligibility decision (准入资格判定) for a household, kind and date, with its trace (R136 for
 * talent). Input is untyped JSON; decoding errors are `InvalidValue` naming the field and the reason.
 */
import { Effect } from "effect"
import { type EligibilityDecision, evaluateEligibilityUnknown } from "../../domain/eligibility/Eligibility.js"
import { allEligibilityParameters } from "../../domain/eligibility/EligibilityParameters.js"
import { loadPolicyTable } from "./LoadPolicyTable.js"

export const evaluateEligibility = Effect.fn("Policy.evaluateEligibility")(function* (input: unknown) {
  const table = yield* loadPolicyTable(allEligibilityParameters)
  const decision: EligibilityDecision = yield* Effect.fromResult(evaluateEligibilityUnknown(table, input))
  return decision
})
