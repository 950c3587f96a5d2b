/**
 * `anju guard check --history <file.json> --event <file.json> [--district <code>] [--policy <dir>]`:
 * runs the fairness guard (公平卫士, R1–R25) and prints its warnings, findings, warning-list entries,
 * `blocked` and the parameters used, as JSON. Exit 0 when the guard ran (even if it blocks), 2 on bad input.
 */
import { checkGuard } from "../../../application/policy/CheckGuard.js"
import { UsageError, parseArgs, required } from "../Args.js"
import type { Command } from "../Io.js"
import { readJson, runPolicy } from "../PolicyRun.js"

export const guardCheck: Command = {
  words: ["guard", "check"],
  usage: "guard check --history <file.json> --event <file.json> [--district <code>] [--policy <dir>]",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["history", "event", "district", "policy"] })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const history = await readJson(io, required(args, "history"), "history")
    const event = await readJson(io, required(args, "event"), "event")
    const district = args.values.get("district")
    return runPolicy(
      io,
      "guard check",
      checkGuard({ history, event, ...(district === undefined ? {} : { district }) }),
      args.values.get("policy"),
    )
  },
}
