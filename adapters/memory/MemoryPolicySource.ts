/**
 * In-memory PolicySource: serves the files it was given (tests, embedding, a policy edited in a UI).
 * Keeps only `.yaml` names, sorted; an empty set fails with `Empty`, like a directory without files.
 */
import { Effect, Layer } from "effect"
import { PolicySource, PolicySourceError } from "../../application/ports/PolicySource.js"
import type { PolicyFile } from "../../domain/policy/PolicyTable.js"

export const make = (files: ReadonlyArray<PolicyFile>, location = "memory"): PolicySource["Service"] => {
  const kept = files
    .filter((f) => f.name.endsWith(".yaml"))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {
    load: () =>
      kept.length === 0
        ? Effect.fail(new PolicySourceError({ reason: { _tag: "Empty", location } }))
        : Effect.succeed(kept.map((f) => ({ name: f.name, text: f.text }))),
  }
}

export const layer = (files: ReadonlyArray<PolicyFile>): Layer.Layer<PolicySource> =>
  Layer.succeed(PolicySource, make(files))
