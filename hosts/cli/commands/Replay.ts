/**
 * `anju replay <file.yaml|dir> [--store memory|pglite] [--record]`: replays case-workflow scenarios
 * (contracts-tests/scenarios/cases) through the application layer with a test clock and prints one
 * pass/fail line per scenario; exit 1 when any fails, 2 on usage errors. `--record` writes the
 * observed outcomes back into each file as its expectations, for review.
 */
import { readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { makeReplayer, parseScenario, recordScenario, type StoreKind } from "../../replay/ScenarioRunner.js"
import { parseArgs, UsageError } from "../Args.js"
import type { Command } from "../Io.js"

const scenarioFiles = async (target: string): Promise<ReadonlyArray<string>> => {
  const s = await stat(target).catch(() => undefined)
  if (s === undefined) throw new UsageError(`no such file or directory: ${target}`)
  if (!s.isDirectory()) return [target]
  return (await readdir(target))
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => join(target, f))
}

export const replay: Command = {
  words: ["replay"],
  usage: "replay <file.yaml|dir> [--store memory|pglite] [--record]   replay case scenarios",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["store"], switches: ["record"] })
    if (args.positionals.length !== 1) throw new UsageError("expected one scenario file or directory")
    const store = args.values.get("store") ?? "memory"
    if (store !== "memory" && store !== "pglite") throw new UsageError("--store is memory or pglite")
    const files = await scenarioFiles(args.positionals[0]!)
    const replayer = await makeReplayer(store as StoreKind)
    let failed = 0
    try {
      for (const file of files) {
        const text = new TextDecoder().decode(await io.readFile(file))
        let scenario: ReturnType<typeof parseScenario>
        try {
          scenario = parseScenario(text)
        } catch (e) {
          failed++
          io.out(`FAIL ${file}: ${e instanceof Error ? e.message : String(e)}`)
          continue
        }
        const result = await replayer.run(scenario)
        if (args.switches.has("record")) {
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
      await replayer.close()
    }
    io.out(`${files.length - failed}/${files.length} scenarios passed`)
    return failed === 0 ? 0 : 1
  },
}
