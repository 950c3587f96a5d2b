/**
 * Shared plumbing of the policy commands (eligibility, guard, subsidy, quote): reading a JSON input file
 * with a usage error naming the flag, and running a policy use-case on the shipped or a caller's policy
 * directory with exit code 1 when the policy cannot answer.
 */
import { Cause, Effect, Exit, type Layer } from "effect"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import * as FsPolicySource from "../../adapters/fs/FsPolicySource.js"
import { UsageError } from "./Args.js"
import type { CliIo } from "./Io.js"

export const readJson = async (io: CliIo, path: string, flag: string): Promise<unknown> => {
  let bytes: Uint8Array
  try {
    bytes = await io.readFile(path)
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(e as { code?: string }).code ?? String(e)})`)
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown
  } catch (e) {
    throw new UsageError(
      `--${flag}: ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    )
  }
}

export const policyLayer = (dir: string | undefined): Layer.Layer<PolicySource> =>
  dir === undefined ? FsPolicySource.layer : FsPolicySource.layerDirectory(dir)

interface Tagged {
  readonly _tag?: string
  readonly message?: string
  readonly field?: string
  readonly rule?: string
  readonly reason?: { readonly _tag: string }
}

/** Runs a policy use-case, prints its result as JSON, and maps expected failures to exit codes. */
export const runPolicy = async <A>(
  io: CliIo,
  name: string,
  program: Effect.Effect<A, unknown, PolicySource>,
  policyDir: string | undefined,
  render: (a: A) => unknown = (a) => a,
): Promise<number> => {
  const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(policyLayer(policyDir))))
  if (Exit.isSuccess(exit)) {
    io.out(JSON.stringify(render(exit.value), null, 2))
    return 0
  }
  const failure = Cause.findErrorOption(exit.cause)
  if (failure._tag === "None") throw Cause.squash(exit.cause)
  const e = failure.value as Tagged
  switch (e._tag) {
    case "InvalidValue":
      io.err(`anju ${name}: invalid ${e.field}: ${e.message} [${e.rule}]`)
      return 2
    case "PolicySourceError":
      io.err(`anju ${name}: --policy: ${e.message}`)
      return e.reason?._tag === "NotFound" || e.reason?._tag === "Empty" ? 2 : 1
    default:
      io.err(`anju ${name}: ${e._tag ?? "error"}: ${e.message ?? String(e)}`)
      return 1
  }
}
