/**
 * Parameters of the 共有产权 five-year business (满五年业务, R125–R128) as typed keys; values in
 * policy/gongyou.yaml. The rounding mode is a parameter so a quote states the rule it used.
 */
import { type AnyParameterKey, choiceKey, key } from "../policy/PolicyParameter.js"

export const GongyouParameters = {
  fiveYearYears: key("gongyou.five_year.years", "years", ["R125", "R126"]),
  fiveYearBasis: choiceKey("gongyou.five_year.basis", ["contract", "handover", "later_of_both"] as const, [
    "R125",
  ]),
  quoteRounding: choiceKey(
    "gongyou.quote.rounding",
    ["half-up", "half-even", "floor", "ceiling", "down"] as const,
    ["R125"],
  ),
  quoteValidityDays: key("gongyou.quote.validity_days", "days", ["R125"]),
} as const

export const allGongyouParameters: ReadonlyArray<AnyParameterKey> = Object.values(GongyouParameters)
