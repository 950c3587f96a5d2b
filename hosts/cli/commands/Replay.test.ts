/**
 * `anju replay` over the whole shipped scenario tree (cases, fund and allocation, found in subfolders): every scenario
 * passes on memory and on PGlite through the CLI function, both stores observe identical outcomes, a
 * broken expectation of either kind fails, and a folder without scenarios fails.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { findScenarios, makeReplayer, parseAnyScenario } from "../../replay/ScenarioRunner.js"
import { nodeIo } from "../Io.js"
import { replay } from "./Replay.js"

const root = fileURLToPath(new URL("../../../contracts-tests/scenarios/", import.meta.url))
const dir = `${root}cases/`
const fundFile = `${root}fund/lift-repair-300.yaml`

const capture = (over: Partial<typeof nodeIo> = {}) => {
  const out: Array<string> = []
  const io = { ...nodeIo, out: (t: string) => out.push(t), err: (t: string) => out.push(t), ...over }
  return { io, out }
}

describe("anju replay", () => {
  const memory = makeReplayer("memory")
  const pglite = makeReplayer("pglite")
  afterAll(async () => {
    await (await memory).close()
    await (await pglite).close()
  })

  it("the whole shipped tree replays green on memory and PGlite through the CLI, with N/M on the last line", async () => {
    const files = (await findScenarios(root)) ?? []
    expect(files.filter((f) => f.includes("/cases/")).length).toBeGreaterThanOrEqual(12)
    expect(files).toContain(fundFile)
    expect(files.filter((f) => f.includes("/allocation/")).length).toBeGreaterThanOrEqual(4)
    // The figure: at least 18 shipped scenarios replay green on both stores (19 shipped).
    expect(files.length).toBeGreaterThanOrEqual(19)
    for (const store of ["memory", "pglite"]) {
      const { io, out } = capture()
      expect(await replay.run([root, "--store", store], io), out.join("\n")).toBe(0)
      expect(out.filter((l) => l.startsWith("PASS ")).length).toBe(files.length)
      expect(out.some((l) => l.includes("[fund, ") && l.startsWith("PASS "))).toBe(true)
      expect(
        out.filter((l) => l.includes("[allocation, ") && l.startsWith("PASS ")).length,
      ).toBeGreaterThanOrEqual(4)
      expect(out.at(-1)).toBe(`${files.length}/${files.length} scenarios passed`)
    }
  }, 300_000)

  it("memory and PGlite observe identical outcomes for every scenario", async () => {
    for (const f of (await findScenarios(root)) ?? []) {
      const scenario = parseAnyScenario(await readFile(f, "utf8"), f)
      const m = await (await memory).runAny(scenario)
      const p = await (await pglite).runAny(scenario)
      expect(m.failures, `${f} on memory`).toEqual([])
      expect(p.failures, `${f} on pglite`).toEqual([])
      expect(p.observed, f).toEqual(m.observed)
    }
  }, 300_000)

  it("an empty folder, or one without scenario files, fails", async () => {
    const empty = await mkdtemp(join(tmpdir(), "anju-replay-"))
    try {
      await mkdir(join(empty, "sub"))
      await writeFile(join(empty, "sub", "notes.txt"), "not a scenario")
      const { io, out } = capture()
      expect(await replay.run([empty], io)).toBe(1)
      expect(out.join("\n")).toContain("no scenarios")
      expect(out.at(-1)).toBe("0/0 scenarios passed")
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })

  it("dispatches by the kind field, else by folder; an unknown kind is refused", async () => {
    const fund = await readFile(fundFile, "utf8")
    const bare = fund.replace(/^kind: fund\n/mu, "")
    expect(bare).not.toContain("kind: fund")
    expect(parseAnyScenario(bare, fundFile).kind).toBe("fund")
    expect(parseAnyScenario(fund, "/elsewhere/x.yaml").kind).toBe("fund")
    expect(
      parseAnyScenario(await readFile(`${dir}01-gongzu-happy-path.yaml`, "utf8"), "/x/y.yaml").kind,
    ).toBe("cases")
    expect(() => parseAnyScenario("kind: lottery\nname: x\n", "/x/y.yaml")).toThrow(/unknown scenario kind/u)
  })

  it("an allocation scenario whose expected fact does not hold fails naming the step and the fact", async () => {
    const file = `${root}allocation/01-gongzu-chain.yaml`
    const text = await readFile(file, "utf8")
    expect(parseAnyScenario(text.replace(/^kind: allocation\n/mu, ""), file).kind).toBe("allocation")
    const { io, out } = capture({
      readFile: async () =>
        new TextEncoder().encode(
          text.replace("facts: { status: drawn, winners: 2 }", "facts: { status: drawn, winners: 3 }"),
        ),
    })
    expect(await replay.run([file], io)).toBe(1)
    expect(out[0]).toMatch(/^FAIL .*\[allocation, memory\]/u)
    expect(out.join("\n")).toContain("(draw): expected winners = 3, got 2")
  })

  it("a fund scenario whose expectation does not hold fails with the check named", async () => {
    const { io, out } = capture({
      readFile: async (p: string) =>
        new TextEncoder().encode((await readFile(p, "utf8")).replace("households: 300", "households: 301")),
    })
    expect(await replay.run([fundFile], io)).toBe(1)
    expect(out[0]).toMatch(/^FAIL .*\[fund, memory\]/u)
    expect(out[0]).toContain("households: expected 301, got 300")
    expect(out.at(-1)).toBe("0/1 scenarios passed")
  })

  it("prints a line per scenario and exits non-zero on a failure", async () => {
    const { io, out } = capture()
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
