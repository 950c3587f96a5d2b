/**
 * `anju guard check --history <file.json> --event <file.json> [--district <code>] [--policy <dir>]`:
 * runs the fairness guard (公平卫士, R1–R25) and prints its warnings, findings, warning-list entries,
 * `blocked` and the parameters used, as JSON. Exit 0 when the guard ran (even if it blocks), 2 on bad input.
 */
import { checkGuard } from "../../../application/policy/CheckGuard.js"
import { optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { readJson, runPolicy } from "../PolicyRun.js"

export const guardCheck = defineCommand({
  words: ["guard", "check"],
  description: "run the fairness guard (公平卫士, R1–R25) on an event against a history",
  examples: [
    {
      command:
        "anju guard check --history contracts-tests/cases/samples/guard-history.json --event contracts-tests/cases/samples/guard-event.json",
      description: "warnings, findings and whether the event is blocked, as JSON",
    },
  ],
  config: {
    history: text("history", "file.json", "the household's history"),
    event: text("event", "file.json", "the event to check"),
    district: optionalText("district", "code", "district code"),
    policy: optionalText("policy", "dir", "policy folder (default: the shipped policy/)"),
  },
  run: async (input, io) => {
    const history = await readJson(io, input.history, "history")
    const event = await readJson(io, input.event, "event")
    return runPolicy(
      io,
      "guard check",
      checkGuard({ history, event, ...(input.district === undefined ? {} : { district: input.district }) }),
      input.policy,
    )
  },
})
