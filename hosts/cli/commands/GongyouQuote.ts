/**
 * `anju gongyou quote --unit <file.json> --on <YYYY-MM-DD> [--policy <dir>]`: the 共有产权 price quote
 * for buying the government share (R125) with the five-year test, validity period and every variable.
 */
import { quoteGongyouBuyout } from "../../../application/policy/QuoteGongyouBuyout.js"
import { optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { readJson, runPolicy } from "../PolicyRun.js"

export const gongyouQuote = defineCommand({
  words: ["gongyou", "quote"],
  description: "quote the price of the government's share of a 共有产权 unit (R125)",
  examples: [
    {
      command: "anju gongyou quote --unit contracts-tests/cases/samples/gongyou-unit.json --on 2026-06-01",
      description: "price, five-year test, validity and variables, as JSON",
    },
  ],
  config: {
    unit: text("unit", "file.json", "the unit and its purchase"),
    on: text("on", "YYYY-MM-DD", "the date of the quote"),
    policy: optionalText("policy", "dir", "policy folder (default: the shipped policy/)"),
  },
  run: async (input, io) => {
    const unit = await readJson(io, input.unit, "unit")
    return runPolicy(io, "gongyou quote", quoteGongyouBuyout({ unit, on: input.on }), input.policy, (q) => ({
      ...q,
      priceFen: q.price,
    }))
  },
})
