/**
 * Use-case: run the fairness guard (公平卫士, R1–R25) for a case history and one event, against the
 * policy from the PolicySource port. Input is untyped JSON `{ district?, history, event }`.
 */
import { Effect } from "effect"
import { checkFairnessUnknown } from "../../domain/guard/FairnessGuard.js"
import { allGuardParameters } from "../../domain/guard/GuardParameters.js"
import type { GuardReport } from "../../domain/guard/GuardWarning.js"
import { loadPolicyTable } from "./LoadPolicyTable.js"

export const checkGuard = Effect.fn("Policy.checkGuard")(function* (input: unknown) {
  const table = yield* loadPolicyTable(allGuardParameters)
  const report: GuardReport = yield* Effect.fromResult(checkFairnessUnknown(table, input))
  return report
})
