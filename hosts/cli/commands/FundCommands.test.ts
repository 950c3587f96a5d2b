// The fund commands run in-process with captured io: apportionment output and its exit-2 cases
// (negative or malformed amount, zero total weight, duplicate unit, a third decimal, unknown flag),
// the vote's JSON (exit 0 passed or not), and ledger verify / fund report on an in-memory PGlite.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { nodeIo } from "../Io.js"
import type { Command } from "../Io.js"
import { fundApportion } from "./FundApportion.js"
import { fundReportCommand } from "./FundReport.js"
import { fundVote } from "./FundVote.js"
import { ledgerVerify } from "./LedgerVerify.js"

const COMMANDS: ReadonlyArray<Command> = [fundApportion, fundVote, ledgerVerify, fundReportCommand]

const run = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w))
  if (command === undefined) throw new Error(`no command ${argv.join(" ")}`)
  const code = await command.run(argv.slice(command.words.length), {
    ...nodeIo,
    out: (t) => {
      out += `${t}\n`
    },
    err: (t) => {
      err += `${t}\n`
    },
    env: {},
  })
  return { code, out, err }
}

let dir = ""
const file = async (name: string, text: string) => {
  const p = join(dir, name)
  await writeFile(p, text)
  return p
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-fund-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("anju fund apportion", () => {
  it("splits by area exactly, one row per unit in input order", async () => {
    const units = await file("u.csv", "unit_id,area\nB,100\nA,100\nC,100.5\n")
    const r = await run(["fund", "apportion", "--amount", "100.00", "--units", units, "--by", "area"])
    expect(r.code).toBe(0)
    expect(r.out).toBe("unit_id,share\nB,33.28\nA,33.28\nC,33.44\n")
  })
  it("by household, ties to the smallest ids, independent of row order", async () => {
    const a = await file("h1.csv", "unit_id,area\nU3,50\nU1,60\nU2,70\n")
    const b = await file("h2.csv", "unit_id,area\nU1,60\nU2,70\nU3,50\n")
    const ra = await run(["fund", "apportion", "--amount=0.05", "--units", a, "--by", "household"])
    const rb = await run(["fund", "apportion", "--amount=0.05", "--units", b, "--by", "household"])
    expect(ra.out).toBe("unit_id,share\nU3,0.01\nU1,0.02\nU2,0.02\n")
    const sorted = (s: string) => s.trim().split("\n").slice(1).sort()
    expect(sorted(ra.out)).toEqual(sorted(rb.out))
  })
  it("by custom weight", async () => {
    const u = await file("w.csv", "unit_id,area,weight\nX,10,1\nY,10,3\n")
    const r = await run(["fund", "apportion", "--amount", "10", "--units", u, "--by", "weight"])
    expect(r).toMatchObject({ code: 0, out: "unit_id,share\nX,2.50\nY,7.50\n" })
  })
  it.each([
    ["a negative amount", ["--amount=-5"], /negative/u],
    ["a malformed amount", ["--amount", "12.345"], /money\.max-two-decimals/u],
    ["a non-numeric amount", ["--amount", "ten"], /money\.decimal-format/u],
    ["an unknown flag", ["--amount", "5", "--bogus", "1"], /unknown option --bogus/u],
  ])("%s exits 2 with the reason on stderr", async (_, flags, reason) => {
    const units = await file("ok.csv", "unit_id,area\nA,10\n")
    const r = await run(["fund", "apportion", ...flags, "--units", units, "--by", "area"])
    expect(r.code).toBe(2)
    expect(r.out).toBe("")
    expect(r.err).toMatch(reason)
  })
  it("zero total weight, a duplicate unit and a third decimal of area exit 2", async () => {
    const zero = await file("z.csv", "unit_id,area\nA,0\nB,0.00\n")
    const r1 = await run(["fund", "apportion", "--amount", "5", "--units", zero, "--by", "area"])
    expect(r1).toMatchObject({ code: 2, out: "" })
    expect(r1.err).toMatch(/M175\.positive-total-weight/u)
    const zw = await file("zw.csv", "unit_id,area,weight\nA,10,0\nB,10,0\n")
    expect((await run(["fund", "apportion", "--amount", "5", "--units", zw, "--by", "weight"])).err).toMatch(
      /zero/u,
    )
    const dup = await file("d.csv", "unit_id,area\nA,10\nA,20\n")
    const r2 = await run(["fund", "apportion", "--amount", "5", "--units", dup, "--by", "area"])
    expect(r2.code).toBe(2)
    expect(r2.err).toMatch(/M175\.unique-unit/u)
    const dec = await file("dec.csv", "unit_id,area\nA,10.123\n")
    const r3 = await run(["fund", "apportion", "--amount", "5", "--units", dec, "--by", "area"])
    expect(r3.code).toBe(2)
    expect(r3.err).toMatch(/area\.max-two-decimals/u)
    const noBy = await run(["fund", "apportion", "--amount", "5", "--units", dec])
    expect(noBy.code).toBe(2)
    const badBy = await run(["fund", "apportion", "--amount", "5", "--units", dup, "--by", "floor"])
    expect(badBy.code).toBe(2)
  })
})

describe("anju fund vote", () => {
  const UNITS =
    "unit_id,area,owner_id\n101,100,O1\n102,100,O2\n103,100,O3\n104,100,O4\n105,100,O5\n106,100,O5\n"
  it("prints the figures and passed: true, exit 0", async () => {
    const u = await file("vu.csv", UNITS)
    const b = await file("vb.csv", "unit_id,vote\n101,yes\n102,yes\n103,no\n105,yes\n106,yes\n")
    const r = await run(["fund", "vote", "--units", u, "--ballots", b, "--matter", "use"])
    expect(r.code).toBe(0)
    const o = JSON.parse(r.out)
    expect(o).toMatchObject({
      rules: "civil-code",
      participatingArea: "500.00",
      participatingHeads: 4,
      approvingArea: "400.00",
      approvingHeads: 3,
      passed: true,
    })
    expect(o.thresholds.map((t: { rule: string }) => t.rule)).toEqual(["V2", "V2", "V3", "V3"])
  })
  it("a failed vote still exits 0 with passed: false; order165 is selectable", async () => {
    const u = await file("vu2.csv", UNITS)
    const b = await file("vb2.csv", "unit_id,vote\n101,yes\n102,no\n103,no\n104,abstain\n")
    const r = await run([
      "fund",
      "vote",
      "--units",
      u,
      "--ballots",
      b,
      "--matter",
      "raise",
      "--rules",
      "order165",
    ])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ rules: "order165", passed: false })
  })
  it("bad input exits 2", async () => {
    const u = await file("vu3.csv", UNITS)
    const bad = await file("vb3.csv", "unit_id,vote\n101,maybe\n")
    expect((await run(["fund", "vote", "--units", u, "--ballots", bad, "--matter", "use"])).code).toBe(2)
    const unknown = await file("vb4.csv", "unit_id,vote\n999,yes\n")
    expect((await run(["fund", "vote", "--units", u, "--ballots", unknown, "--matter", "use"])).code).toBe(2)
    expect((await run(["fund", "vote", "--units", u, "--ballots", unknown, "--matter", "sell"])).code).toBe(2)
    expect(
      (await run(["fund", "vote", "--units", u, "--ballots", unknown, "--matter", "use", "--x"])).code,
    ).toBe(2)
  })
})

describe("anju ledger verify / fund report", () => {
  it("an empty in-memory ledger verifies and reports balance", async () => {
    const v = await run(["ledger", "verify", "--memory"])
    expect(v.code).toBe(0)
    expect(v.out).toMatch(/journal verified: 0 entries/u)
    const r = await run(["fund", "report", "--memory", "--as-of", "2024-12-31", "--book", "commodity"])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/identities hold: yes/u)
    expect((await run(["fund", "report", "--memory", "--as-of", "2024-13-01"])).code).toBe(2)
    expect((await run(["ledger", "verify", "--memory", "--bogus"])).code).toBe(2)
  })
})
