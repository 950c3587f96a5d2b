/**
 * Replays every shipped case scenario on memory and on PGlite through the `anju replay` command and
 * checks that each passes and that both stores observe identical outcomes (states, errors, events).
 */
import { readdir } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { makeReplayer, parseScenario } from "../../replay/ScenarioRunner.js"
import { nodeIo } from "../Io.js"
import { replay } from "./Replay.js"
import { readFile } from "node:fs/promises"

const dir = fileURLToPath(new URL("../../../contracts-tests/scenarios/cases/", import.meta.url))

describe("anju replay", () => {
  const memory = makeReplayer("memory")
  const pglite = makeReplayer("pglite")
  afterAll(async () => {
    await (await memory).close()
    await (await pglite).close()
  })

  it("ships at least 12 scenarios; each passes on memory and PGlite with identical outcomes", async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort()
    expect(files.length).toBeGreaterThanOrEqual(12)
    for (const f of files) {
      const scenario = parseScenario(await readFile(`${dir}${f}`, "utf8"))
      const m = await (await memory).run(scenario)
      const p = await (await pglite).run(scenario)
      expect(m.failures, `${f} on memory`).toEqual([])
      expect(p.failures, `${f} on pglite`).toEqual([])
      expect(p.observed, f).toEqual(m.observed)
    }
  }, 300_000)

  it("prints a line per scenario and exits non-zero on a failure", async () => {
    const out: Array<string> = []
    const io = { ...nodeIo, out: (t: string) => out.push(t), err: (t: string) => out.push(t) }
    expect(await replay.run([`${dir}01-gongzu-happy-path.yaml`], io)).toBe(0)
    expect(out[0]).toMatch(/^PASS /u)
    const broken = `${dir}01-gongzu-happy-path.yaml`
    const failing = {
      ...io,
      readFile: async (p: string) =>
        new TextEncoder().encode(
          (await readFile(p, "utf8")).replace(
            "expect: { state: verifying } }",
            "expect: { state: admitted } }",
          ),
        ),
    }
    out.length = 0
    expect(await replay.run([broken], failing)).toBe(1)
    expect(out[0]).toMatch(/^FAIL /u)
  })

  it("--record writes the observed outcomes back, and the recorded scenario then passes", async () => {
    const file = `${dir}01-gongzu-happy-path.yaml`
    const written = new Map<string, string>()
    const io = {
      ...nodeIo,
      out: () => {},
      err: () => {},
      readFile: async (p: string) =>
        new TextEncoder().encode(
          written.get(p) ??
            (await readFile(p, "utf8")).replace(
              "expect: { state: verifying } }",
              "expect: { state: admitted } }",
            ),
        ),
      writeFile: async (p: string, data: Uint8Array | string) => {
        written.set(p, typeof data === "string" ? data : new TextDecoder().decode(data))
      },
    }
    await replay.run([file, "--record"], io)
    expect(written.has(file)).toBe(true)
    expect(written.get(file)).not.toContain("expect: { state: admitted } }")
    expect(await replay.run([file], io)).toBe(0)
  })
})
