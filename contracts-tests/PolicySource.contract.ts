/**
 * Contract suite for the PolicySource port (政策参数来源). Every adapter (file system, memory) runs this
 * file through `suite(name, layer, { broken })`: files are `.yaml`, sorted, unique and non-empty; they
 * load into a policy table without problems; loading is repeatable; a missing or empty source fails
 * with a non-retryable `PolicySourceError`. `samplePolicyFiles` is a minimal valid policy for adapters
 * that are not backed by the shipped folder.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, type Layer, Result } from "effect"
import { PolicySource, PolicySourceError } from "../application/ports/PolicySource.js"
import { type PolicyFile, loadPolicy } from "../domain/policy/PolicyTable.js"

export const samplePolicyFiles: ReadonlyArray<PolicyFile> = [
  {
    name: "sample/b.yaml",
    text: "parameters:\n  sample:\n    limit:\n      unit: count\n      description: a sample\n      rules: [R0]\n      values:\n        - { value: 3, from: 2026-01-01, jurisdiction: 310000, source: example value — replace }\n",
  },
  {
    name: "sample/a.yaml",
    text: 'parameters:\n  sample.ratio:\n    unit: ratio\n    description: a sample ratio\n    rules: [R0]\n    values:\n      - { value: "17/20", from: 2026-01-01, jurisdiction: 310000, source: { document: 沪房规〔2026〕1号, article: 第三条 } }\n',
  },
]

export const suite = (
  name: string,
  sourceLayer: Layer.Layer<PolicySource, unknown>,
  /** The same adapter pointed at a missing or empty source: every adapter must show how it fails. */
  options: { readonly broken: Layer.Layer<PolicySource, unknown> },
) =>
  describe(`PolicySource contract: ${name}`, () => {
    const load = Effect.gen(function* () {
      const source = yield* PolicySource
      return yield* source.load()
    })

    it.effect("returns .yaml files, sorted by name, unique, non-empty", () =>
      Effect.gen(function* () {
        const files = yield* load
        expect(files.length).toBeGreaterThan(0)
        const names = files.map((f) => f.name)
        expect(names.every((n) => n.endsWith(".yaml"))).toBe(true)
        expect([...names].sort()).toEqual(names)
        expect(new Set(names).size).toBe(names.length)
        for (const f of files) expect(f.text.trim().length).toBeGreaterThan(0)
      }).pipe(Effect.provide(sourceLayer)),
    )

    it.effect("the files load into a policy table without problems", () =>
      Effect.gen(function* () {
        const files = yield* load
        const table = loadPolicy(files)
        expect(Result.isSuccess(table) ? [] : table.failure.problems).toEqual([])
      }).pipe(Effect.provide(sourceLayer)),
    )

    it.effect("loading is repeatable", () =>
      Effect.gen(function* () {
        expect(yield* load).toEqual(yield* load)
      }).pipe(Effect.provide(sourceLayer)),
    )

    it.effect("a missing or empty source fails with a non-retryable PolicySourceError", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(load)
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit)
          ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
          : undefined
        expect(error).toBeInstanceOf(PolicySourceError)
        const e = error as PolicySourceError
        expect(["NotFound", "Empty"]).toContain(e.reason._tag)
        expect(e.isRetryable).toBe(false)
        expect(e.message.length).toBeGreaterThan(0)
      }).pipe(Effect.provide(options.broken)),
    )
  })
