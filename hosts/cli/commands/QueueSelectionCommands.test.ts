/**
 * In-process CLI tests of `anju queue …` and `anju selection …` on the samples in
 * contracts-tests/cases/queue/: ranking under built-in and YAML plans, plan errors naming the field, the
 * simulation of two plans, and a whole selection session through export and verified import.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sm2 } from "sm-crypto-v2"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Command } from "../Io.js"
import { nodeIo } from "../Io.js"
import { queueRank, queueSimulate } from "./QueueCommands.js"
import { SELECTION_COMMANDS } from "./SelectionCommands.js"

const COMMANDS: ReadonlyArray<Command> = [queueRank, queueSimulate, ...SELECTION_COMMANDS]
const CASES = "contracts-tests/cases/queue"

const run = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const c = COMMANDS.find((x) => x.words.every((w, i) => argv[i] === w))!
  const code = await c
    .run(argv.slice(c.words.length), {
      ...nodeIo,
      out: (t) => {
        out += `${t}\n`
      },
      err: (t) => {
        err += `${t}\n`
      },
      env: {},
    })
    .catch((e: Error) => (e.name === "UsageError" ? 2 : Promise.reject(e)))
  return { code, out, err }
}

describe("anju queue rank", () => {
  it("ranks under 公租 by admission date, valid certificates only (R45)", async () => {
    const r = await run([
      "queue",
      "rank",
      "--plan",
      "builtin:gongzu",
      "--applicants",
      `${CASES}/applicants.csv`,
      "--on",
      "2025-06-30",
    ])
    expect(r.code).toBe(0)
    const lines = r.out.trim().split("\n")
    expect(lines[0]).toBe(
      "pool,position,id,priority_groups,priority_count,qualification_date,entry_time,waiting_days,due",
    )
    // GZ-0006's certificate expired 2025-05-19; GZ-0007 owns a home
    expect(lines.slice(1).map((l) => l.split(",")[2])).toEqual(
      ["GZ-0002", "GZ-0003", "GZ-0007", "GZ-0001", "GZ-0004", "GZ-0005"].filter((x) => x !== "GZ-0007"),
    )
    expect(lines[1]).toBe("馨越公寓/一室户,1,GZ-0002,hardship,1,2024-01-10,2024-01-15 10:30:00,532,no")
    expect(r.err).toContain("certificate-invalid: GZ-0006")
    expect(r.err).toContain("owns-home: GZ-0007")
  })
  it("共有产权 takes marked households only (R46); a YAML plan orders by priority conditions met", async () => {
    const g = await run([
      "queue",
      "rank",
      "--plan",
      "builtin:gongyou",
      "--applicants",
      `${CASES}/applicants.csv`,
      "--on",
      "2025-06-30",
    ])
    expect(g.err).toContain("not-marked: GZ-0003")
    const p = await run([
      "queue",
      "rank",
      "--plan",
      `${CASES}/plan-priority.yaml`,
      "--applicants",
      `${CASES}/applicants.csv`,
      "--on",
      "2025-06-30",
    ])
    expect(p.code).toBe(0)
    const first = p.out.trim().split("\n")[1]!
    expect(first).toContain("GZ-0002,hardship;low-income;crowded,3")
    expect(first.endsWith(",yes")).toBe(true)
    const u = await run([
      "queue",
      "rank",
      "--plan",
      `${CASES}/plan-per-unit.yaml`,
      "--applicants",
      `${CASES}/applicants.csv`,
      "--on",
      "2025-06-30",
    ])
    expect(u.out).toContain("馨越公寓/1-101,1,GZ-0003")
  })
  it("names the field of a bad plan and exits 1; usage errors exit 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "anju-queue-"))
    const bad = join(dir, "bad.yaml")
    await nodeIo.writeFile(bad, "id: x\npool: unit-type\norder: [entryTime, shoeSize, id]\n")
    const r = await run([
      "queue",
      "rank",
      "--plan",
      bad,
      "--applicants",
      `${CASES}/applicants.csv`,
      "--on",
      "2025-06-30",
    ])
    expect(r.code).toBe(1)
    expect(r.err).toContain('["order"][1]')
    await rm(dir, { recursive: true })
    expect(
      (await run(["queue", "rank", "--plan", "builtin:nope", "--applicants", "x", "--on", "2025-06-30"]))
        .code,
    ).toBe(2)
    expect(
      (await run(["queue", "rank", "--plan", "builtin:gongzu", "--applicants", "x", "--on", "2025-13-01"]))
        .code,
    ).toBe(2)
  })
})

describe("anju queue simulate", () => {
  it("reports both plans: queue length, ratio, waiting days per group (#207)", async () => {
    const r = await run([
      "queue",
      "simulate",
      "--plan",
      `${CASES}/plan-fifo.yaml`,
      "--plan",
      `${CASES}/plan-priority-sim.yaml`,
      "--history",
      `${CASES}/history.csv`,
    ])
    expect(r.code).toBe(0)
    expect(r.out).toContain("## example:fifo")
    expect(r.out).toContain("## example:hardship-first")
    expect(r.out).toContain("2024-02,1,1,1,0,0,2,0.333")
    const hardship = (plan: string) =>
      r.out
        .split("## ")
        .find((s) => s.startsWith(plan))!
        .split("\n")
        .find((l) => l.startsWith("hardship,"))!
    expect(hardship("example:fifo")).not.toBe(hardship("example:hardship-first"))
  })
})

describe("anju selection", () => {
  let dir = ""
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "anju-selection-"))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true })
  })
  it("runs a session end to end and imports the sealed result", async () => {
    const state = join(dir, "session.json")
    const at = (t: string) => ["--at", `2025-07-01T${t}+08:00`]
    const ok = async (...argv: ReadonlyArray<string>) => {
      const r = await run(argv)
      expect(r.err).toBe("")
      expect(r.code).toBe(0)
      return r.out
    }
    await ok(
      "selection",
      "init",
      "--families",
      `${CASES}/selection-families.csv`,
      "--units",
      `${CASES}/selection-units.csv`,
      "--state",
      state,
      "--title",
      "第1批选房",
      ...at("09:00:00"),
    )
    expect(
      (
        await run([
          "selection",
          "init",
          "--families",
          `${CASES}/selection-families.csv`,
          "--units",
          `${CASES}/selection-units.csv`,
          "--state",
          state,
        ])
      ).code,
    ).toBe(1)
    await ok("selection", "check-in", "--state", state, "--barcode", "6901234500071", ...at("09:01:00"))
    await ok("selection", "check-in", "--state", state, "--barcode", "6901234500033", ...at("09:02:00"))
    const early = await run([
      "selection",
      "choose",
      "--state",
      state,
      "--family",
      "GY-2025-0003",
      "--unit",
      "1-102",
    ])
    expect(early.code).toBe(1)
    expect(early.err).toContain("not-your-turn")
    await ok(
      "selection",
      "preselect",
      "--state",
      state,
      "--family",
      "GY-2025-0007",
      "--unit",
      "1-102",
      ...at("09:03:00"),
    )
    await ok(
      "selection",
      "choose",
      "--state",
      state,
      "--family",
      "GY-2025-0007",
      "--unit",
      "1-101",
      ...at("09:04:00"),
    )
    expect(
      (await run(["selection", "choose", "--state", state, "--family", "GY-2025-0007", "--unit", "1-102"]))
        .err,
    ).toContain("already-selected")
    await ok(
      "selection",
      "choose",
      "--state",
      state,
      "--family",
      "GY-2025-0003",
      "--unit",
      "1-102",
      ...at("09:05:00"),
    )
    await ok("selection", "release", "--state", state, "--family", "GY-2025-0003", ...at("09:06:00"))
    await ok("selection", "skip", "--state", state, "--family", "GY-2025-0011", ...at("09:07:00"))
    await ok("selection", "skip", "--state", state, "--family", "GY-2025-0005", ...at("09:08:00"))
    const status = await ok("selection", "status", "--state", state)
    // --watch returns at once when no family is left waiting
    expect(await ok("selection", "status", "--state", state, "--watch", "1")).toContain("\x1b[2J")
    expect(status).toContain("selected 1, skipped 2, released 1, waiting 0; units free 2/3")
    expect(status).toMatch(/GY-2025-0007\s+yes\s+chosen\s+1-101/u)

    const keys = sm2.generateKeyPairHex()
    const sm4Key = "00112233445566778899aabbccddeeff"
    const bin = join(dir, "result.bin")
    await ok(
      "selection",
      "export",
      "--state",
      state,
      "--out",
      bin,
      "--sm4-key",
      sm4Key,
      "--sm2-private-key",
      keys.privateKey,
      ...at("10:00:00"),
    )
    expect((await readFile(bin)).includes(Buffer.from("GY-2025-0007"))).toBe(false)
    // The import writes into a round's server selection records (R54): a store without the round refuses it.
    // (The whole import on a stored round: application/selection/ImportSelectionResult.test.ts and
    // hosts/demo/DemoSeeding.test.ts.)
    const bare = await run([
      "selection",
      "import",
      "--in",
      bin,
      "--round",
      "LR-none",
      "--sm4-key",
      sm4Key,
      "--sm2-public-key",
      keys.publicKey,
      "--memory",
    ])
    expect(bare.code).toBe(1)
    expect(bare.err).toContain("no lottery round LR-none")
    const other = sm2.generateKeyPairHex()
    const forged = await run([
      "selection",
      "import",
      "--in",
      bin,
      "--round",
      "LR-none",
      "--sm4-key",
      sm4Key,
      "--sm2-public-key",
      other.publicKey,
    ])
    expect(forged.code).toBe(1)
    expect(forged.err).toContain("bad-signature")
    // the state file is valid JSON after every write (temp + rename)
    expect(JSON.parse(await readFile(state, "utf8")).format).toBe("anju-selection-session/1")
  })
})
