/**
 * `anju subsidy lianzu --household <file.json> --from <date> --to <date> [--kind entitlement|back_pay|recovery]
 * [--policy <dir>]`: the 廉租 rent subsidy (R118–R123) per month and in total, in fen, with the
 * formulas and parameters used. Recovery (追回) amounts are negative.
 */
import { Flag } from "effect/cli"
import { computeLianzuSubsidy } from "../../../application/policy/ComputeLianzuSubsidy.js"
import { choice, optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { readJson, runPolicy } from "../PolicyRun.js"

const KINDS = ["entitlement", "back_pay", "recovery"] as const

export const subsidyLianzu = defineCommand({
  words: ["subsidy", "lianzu"],
  description: "compute the 廉租 rent subsidy (R118–R123) per month, in fen",
  examples: [
    {
      command:
        "anju subsidy lianzu --household contracts-tests/cases/samples/subsidy-lianzu.json --from 2026-03-15 --to 2026-05-31",
      description: "monthly entitlement with formulas and parameters",
    },
  ],
  config: {
    household: text("household", "file.json", "the household"),
    from: text("from", "YYYY-MM-DD", "first day"),
    to: text("to", "YYYY-MM-DD", "last day"),
    kind: choice("kind", KINDS, "entitlement, back pay (补发) or recovery (追回, negative)").pipe(
      Flag.withDefault("entitlement" as const),
    ),
    policy: optionalText("policy", "dir", "policy folder (default: the shipped policy/)"),
  },
  run: async (input, io) => {
    const household = await readJson(io, input.household, "household")
    return runPolicy(
      io,
      "subsidy lianzu",
      computeLianzuSubsidy({ household, from: input.from, to: input.to, kind: input.kind }),
      input.policy,
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
})
