import { evaluateEligibility } from "../../../application/policy/EvaluateEligibility.js"
import { ELIGIBILITY_KINDS } from "../../../domain/eligibility/KindRules.js"
import { UsageError, parseArgs, required } from "../Args.js"
import { readJson, runPolicy } from "../PolicyRun.js"
import type { Command } from "../Io.js"

/** Reads and parses a JSON input file; a missing or malformed file is a usage error (exit 2). */
export const eligibilityEvaluate: Command = {
  words: ["eligibility", "evaluate"],
  usage:
    "eligibility evaluate --kind <gongzu|baozu|lianzu|gongyou|talent> --household <file.json> --on <YYYY-MM-DD> [--district <code>] [--policy <dir>]",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["kind", "household", "on", "district", "policy"] })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const kind = required(args, "kind")
    if (!(ELIGIBILITY_KINDS as ReadonlyArray<string>).includes(kind))
      throw new UsageError(`--kind must be one of ${ELIGIBILITY_KINDS.join(", ")}`)
    const household = await readJson(io, required(args, "household"), "household")
    const district = args.values.get("district")
    const request = {
      kind,
      on: required(args, "on"),
      household,
      ...(district === undefined ? {} : { district }),
    }
    return runPolicy(
      io,
      "eligibility evaluate",
      evaluateEligibility(request),
      args.values.get("policy"),
      (d) => ({
        kind: d.kind,
        on: d.on,
        ...(d.district === undefined ? {} : { district: d.district }),
        decision: d.decision,
        trace: d.trace,
        parameters: d.parameters,
      }),
    )
  },
}
