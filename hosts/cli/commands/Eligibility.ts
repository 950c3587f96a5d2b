/**
 * `anju eligibility evaluate --kind <kind> --household <file.json> --on <date> [--district <code>]
 * [--policy <dir>]`: the eligibility decision (准入) with its trace and the parameters used, as JSON.
 * A missing or malformed input file is a usage error (exit 2); 1 when the policy cannot answer.
 */
import { evaluateEligibility } from "../../../application/policy/EvaluateEligibility.js"
import { ELIGIBILITY_KINDS } from "../../../domain/eligibility/KindRules.js"
import { choice, optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { readJson, runPolicy } from "../PolicyRun.js"

export const eligibilityEvaluate = defineCommand({
  words: ["eligibility", "evaluate"],
  description: "decide eligibility (准入) for a household, with the trace of every rule",
  examples: [
    {
      command:
        "anju eligibility evaluate --kind lianzu --household contracts-tests/cases/samples/household-lianzu.json --on 2026-06-01",
      description: "廉租 eligibility on a date, with the shipped policy",
    },
  ],
  config: {
    kind: choice("kind", ELIGIBILITY_KINDS, "the housing kind"),
    household: text("household", "file.json", "the household (members, incomes, assets, housing)"),
    on: text("on", "YYYY-MM-DD", "the date of the decision"),
    district: optionalText("district", "code", "district code (default: the household's)"),
    policy: optionalText("policy", "dir", "policy folder (default: the shipped policy/)"),
  },
  run: async (input, io) => {
    const household = await readJson(io, input.household, "household")
    const request = {
      kind: input.kind,
      on: input.on,
      household,
      ...(input.district === undefined ? {} : { district: input.district }),
    }
    return runPolicy(io, "eligibility evaluate", evaluateEligibility(request), input.policy, (d) => ({
      kind: d.kind,
      on: d.on,
      ...(d.district === undefined ? {} : { district: d.district }),
      decision: d.decision,
      trace: d.trace,
      parameters: d.parameters,
    }))
  },
})
