/**
 * `anju replay <file.yaml|dir> [--store memory|pglite] [--record]`: replays case-workflow scenarios
 * (contracts-tests/scenarios/cases) through the application layer with a test clock and prints one
 * pass/fail line per scenario; exit 1 when any fails, 2 on usage errors. `--record` writes the
 * observed outcomes back into each file as its expectations, for review.
 */
import { readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { Argument, Flag } from "effect/cli"
import { makeReplayer, parseScenario, recordScenario, type StoreKind } from "../../replay/ScenarioRunner.js"
import { choice, switchFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

const scenarioFiles = async (target: string): Promise<ReadonlyArray<string>> => {
  const s = await stat(target).catch(() => undefined)
  if (s === undefined) throw new UsageError(`no such file or directory: ${target}`)
  if (!s.isDirectory()) return [target]
  return (await readdir(target))
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => join(target, f))
}

export const replay = defineCommand({
  words: ["replay"],
  description: "replay case-workflow scenarios (场景回放) and print a pass/fail line each",
  examples: [
    {
      command: "anju replay contracts-tests/scenarios/cases",
      description: "every scenario on in-memory stores",
    },
    {
      command: "anju replay contracts-tests/scenarios/cases --store pglite",
      description: "the same on embedded PGlite",
    },
  ],
  config: {
    target: Argument.String("target").pipe(
      Argument.withMetavar("file.yaml|dir"),
      Argument.withDescription("a scenario file, or a folder of them (*.yaml, *.yml)"),
    ),
    store: choice("store", ["memory", "pglite"], "the stores to replay on").pipe(
      Flag.withDefault("memory" as const),
    ),
    record: switchFlag("record", "write the observed outcomes back into each file as its expectations"),
  },
  run: async (input, io) => {
    const store: StoreKind = input.store
    const files = await scenarioFiles(input.target)
    const replayer = await makeReplayer(store)
    const progress = io.progress("replay", files.length)
    let failed = 0
    try {
      for (const file of files) {
        progress.tick(0, file)
        const text = new TextDecoder().decode(await io.readFile(file))
        let scenario: ReturnType<typeof parseScenario>
        try {
          scenario = parseScenario(text)
        } catch (e) {
          failed++
          progress.tick(1)
          io.out(`FAIL ${file}: ${e instanceof Error ? e.message : String(e)}`)
          continue
        }
        const result = await replayer.run(scenario)
        progress.tick(1)
        if (input.record) {
          await io.writeFile(file, recordScenario(scenario, result.observed))
          io.out(`RECORDED ${file} (${scenario.name})`)
          continue
        }
        if (result.passed) io.out(`PASS ${file} (${scenario.name}) [${store}]`)
        else {
          failed++
          io.out(`FAIL ${file} (${scenario.name}) [${store}]\n  ${result.failures.join("\n  ")}`)
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
