/**
 * `anju gongyou quote --unit <file.json> --on <YYYY-MM-DD> [--policy <dir>]`: the 共有产权 price quote
 * for buying the government share (R125) with the five-year test, validity period and every variable.
 */
import { quoteGongyouBuyout } from "../../../application/policy/QuoteGongyouBuyout.js"
import { UsageError, parseArgs, required } from "../Args.js"
import type { Command } from "../Io.js"
import { readJson, runPolicy } from "../PolicyRun.js"

export const gongyouQuote: Command = {
  words: ["gongyou", "quote"],
  usage: "gongyou quote --unit <file.json> --on <YYYY-MM-DD> [--policy <dir>]",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["unit", "on", "policy"] })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const unit = await readJson(io, required(args, "unit"), "unit")
    return runPolicy(
      io,
      "gongyou quote",
      quoteGongyouBuyout({ unit, on: required(args, "on") }),
      args.values.get("policy"),
      (q) => ({
        ...q,
        priceFen: q.price,
      }),
    )
  },
}
