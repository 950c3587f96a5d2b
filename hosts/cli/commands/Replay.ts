/**
 * `anju replay <file.yaml|dir> [--store memory|pglite] [--record]`: replays every scenario found (in the
 * folder and all its subfolders) — case workflows, fund years, … — through the application layer and prints
 * one pass/fail line per scenario and `N/M scenarios passed`; allocation chains too. Exit 1 when any fails or none is found, 2 on
 * usage errors. `--record` writes the observed outcomes back into each case or allocation scenario as its expectations.
 */
import { Argument, Flag } from "effect/cli"
import {
  type AnyScenario,
  findScenarios,
  makeReplayer,
  parseAnyScenario,
  recordScenario,
  type StoreKind,
} from "../../replay/ScenarioRunner.js"
import { choice, switchFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

export const replay = defineCommand({
  words: ["replay"],
  description:
    "replay scenarios (场景回放: cases, fund, allocation) found under a folder and print a pass/fail line each",
  examples: [
    {
      command: "anju replay contracts-tests/scenarios",
      description: "every shipped scenario, subfolders included, on in-memory stores",
    },
    {
      command: "anju replay contracts-tests/scenarios --store pglite",
      description: "the same on embedded PGlite",
    },
  ],
  config: {
    target: Argument.String("target").pipe(
      Argument.withMetavar("file.yaml|dir"),
      Argument.withDescription("a scenario file, or a folder searched recursively (*.yaml, *.yml)"),
    ),
    store: choice("store", ["memory", "pglite"], "the stores to replay on").pipe(
      Flag.withDefault("memory" as const),
    ),
    record: switchFlag(
      "record",
      "write the observed outcomes back into each case scenario as its expectations",
    ),
  },
  run: async (input, io) => {
    const store: StoreKind = input.store
    const files = await findScenarios(input.target)
    if (files === undefined) throw new UsageError(`no such file or directory: ${input.target}`)
    if (files.length === 0) {
      io.err(`no scenarios (*.yaml, *.yml) found under ${input.target}`)
      io.out("0/0 scenarios passed")
      return 1
    }
    const replayer = await makeReplayer(store)
    const progress = io.progress("replay", files.length)
    let failed = 0
    try {
      for (const file of files) {
        progress.tick(0, file)
        const text = new TextDecoder().decode(await io.readFile(file))
        let scenario: AnyScenario
        try {
          scenario = parseAnyScenario(text, file)
        } catch (e) {
          failed++
          progress.tick(1)
          io.out(`FAIL ${file}: ${e instanceof Error ? e.message : String(e)}`)
          continue
        }
        const result = await replayer.runAny(scenario)
        progress.tick(1)
        if (input.record && scenario.kind !== "fund" && result.observed !== null) {
          await io.writeFile(file, recordScenario(scenario.scenario, result.observed as never))
          io.out(`RECORDED ${file} (${scenario.name})`)
          continue
        }
        const label = `${file} (${scenario.name}) [${scenario.kind}, ${store}]`
        if (result.passed) io.out(`PASS ${label}`)
        else {
          failed++
          io.out(`FAIL ${label}\n  ${result.failures.join("\n  ")}`)
        }
      }
    } finally {
      progress.stop()
      await replayer.close()
    }
    io.out(`${files.length - failed}/${files.length} scenarios passed`)
    return failed === 0 ? 0 : 1
  },
})
