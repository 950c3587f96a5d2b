/**
 * How the `anju lottery …` commands report failures (R53): one readable line per typed failure — the first
 * mismatch of a verification with its expected and actual values, run-once refusals with the standing
 * draw — and the runner that provides the chosen layers to a use-case and turns its exit into text.
 */
import { Cause, Effect, Exit, type Layer } from "effect"

const field = (e: unknown, key: string): unknown =>
  typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined

/** One line (plus expected/actual where known) describing a failure of the lottery domain or its ports. */
export const describeFailure = (e: unknown): string => {
  const tag = String(field(e, "_tag") ?? "Error")
  const str = (k: string) => String(field(e, k) ?? "")
  switch (tag) {
    case "PoolRootMismatch":
      return `PoolRootMismatch: the pool does not hash to the transcript's root (an entrant was added, dropped or changed)\n  expected: ${str("expected")}\n  actual:   ${str("actual")}`
    case "ResultDigestMismatch":
      return `ResultDigestMismatch: the recomputed result.csv has another digest\n  expected: ${str("expected")}\n  actual:   ${str("actual")}`
    case "ResultMismatch":
    case "StrataMismatch":
    case "SeedMismatch":
      return `${tag}: ${str("message")}\n  expected: ${str("expected")}\n  actual:   ${str("actual")}`
    case "PoolAlreadyDrawn":
      return `PoolAlreadyDrawn: pool ${str("poolRoot")} has a standing draw ${str("drawId")}; annul it with a reason first (anju lottery annul)`
    case "EntrantNotInPool":
      return `EntrantNotInPool: no entrant with id ${str("id")}`
    default: {
      const message = e instanceof Error ? e.message : str("message")
      return message === "" ? tag : `${tag}: ${message}`
    }
  }
}

/** Runs `effect` with `layer`; on failure reports every typed failure or defect on stderr and returns undefined. */
export const runWith = async <A, E, R, LE>(
  io: { readonly err: (t: string) => void },
  effect: Effect.Effect<A, E, R>,
  layer: Layer.Layer<R, LE>,
): Promise<A | undefined> => {
  const exit = await Effect.runPromiseExit(Effect.provide(effect, layer))
  if (Exit.isSuccess(exit)) return exit.value
  const failures = exit.cause.reasons.map((r) =>
    r._tag === "Fail"
      ? describeFailure(r.error)
      : r._tag === "Die"
        ? `defect: ${describeFailure(r.defect)}`
        : "interrupted",
  )
  io.err(failures.length > 0 ? failures.join("\n") : Cause.pretty(exit.cause))
  return undefined
}
