/**
 * Loads the policy table (政策参数表) from the PolicySource port and checks, at load time, that it
 * defines every parameter the calling rule set reads (so a missing parameter is a load error naming the
 * path, not a failure mid-decision). Expected failures: PolicySourceError, PolicyLoadError.
 */
import { Effect } from "effect"
import type { AnyParameterKey } from "../../domain/policy/PolicyParameter.js"
import { loadPolicy, requireParameters } from "../../domain/policy/PolicyTable.js"
import { PolicySource } from "../ports/PolicySource.js"

export const loadPolicyTable = Effect.fn("Policy.loadTable")(function* (
  required: ReadonlyArray<AnyParameterKey>,
) {
  const source = yield* PolicySource
  const files = yield* source.load()
  const table = yield* Effect.fromResult(loadPolicy(files))
  return yield* Effect.fromResult(requireParameters(table, required))
})
