/**
 * `anju subsidy lianzu --household <file.json> --from <date> --to <date> [--kind entitlement|back_pay|recovery]
 * [--policy <dir>]`: the 廉租 rent subsidy (R118–R123) per month and in total, in fen, with the
 * formulas and parameters used. Recovery (追回) amounts are negative.
 */
import { computeLianzuSubsidy } from "../../../application/policy/ComputeLianzuSubsidy.js"
import { UsageError, parseArgs, required } from "../Args.js"
import type { Command } from "../Io.js"
import { readJson, runPolicy } from "../PolicyRun.js"

const KINDS = ["entitlement", "back_pay", "recovery"] as const

export const subsidyLianzu: Command = {
  words: ["subsidy", "lianzu"],
  usage:
    "subsidy lianzu --household <file.json> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--kind entitlement|back_pay|recovery] [--policy <dir>]",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["household", "from", "to", "kind", "policy"] })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const kind = args.values.get("kind") ?? "entitlement"
    if (!(KINDS as ReadonlyArray<string>).includes(kind))
      throw new UsageError(`--kind must be one of ${KINDS.join(", ")}`)
    const household = await readJson(io, required(args, "household"), "household")
    return runPolicy(
      io,
      "subsidy lianzu",
      computeLianzuSubsidy({
        household,
        from: required(args, "from"),
        to: required(args, "to"),
        kind: kind as (typeof KINDS)[number],
      }),
      args.values.get("policy"),
      (s) => ({
        kind: s.kind,
        from: s.from,
        to: s.to,
        district: s.district,
        months: s.months.map((m) => ({ ...m, amountFen: m.amount })),
        totalFen: s.total,
        rounding: s.rounding,
        formulas: s.formulas,
        parameters: s.parameters,
      }),
    )
  },
}
