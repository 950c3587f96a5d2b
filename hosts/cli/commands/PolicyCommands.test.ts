/**
 * The policy commands run in-process with a captured io: eligibility evaluate, guard check, subsidy
 * lianzu and gongyou quote on the sample inputs in contracts-tests/cases/samples/, and their exit codes
 * (0 answered, 2 bad input naming the field, 1 policy cannot answer).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Command } from "../Io.js"
import { nodeIo } from "../Io.js"
import { UsageError } from "../Args.js"
import { eligibilityEvaluate } from "./Eligibility.js"
import { gongyouQuote } from "./GongyouQuote.js"
import { guardCheck } from "./GuardCheck.js"
import { subsidyLianzu } from "./SubsidyLianzu.js"

const samples = join(import.meta.dirname, "..", "..", "..", "contracts-tests", "cases", "samples")
const sample = (f: string) => join(samples, f)

const run = async (command: Command, argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const io = {
    ...nodeIo,
    out: (t: string) => {
      out += `${t}\n`
    },
    err: (t: string) => {
      err += `${t}\n`
    },
    env: {},
  }
  try {
    const code = await command.run(argv, io)
    return { code, out, err }
  } catch (e) {
    // As hosts/cli/Main.ts does: a UsageError is exit 2.
    if (e instanceof UsageError) return { code: 2, out, err: `${err}${e.message}\n` }
    throw e
  }
}

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-policy-cli-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("anju eligibility evaluate", () => {
  it("prints the decision and a trace with every rule and its parameters' sources", async () => {
    const r = await run(eligibilityEvaluate, [
      "--kind",
      "lianzu",
      "--household",
      sample("household-lianzu.json"),
      "--on",
      "2026-03-01",
    ])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out.decision).toBe("eligible")
    expect(out.trace.map((t: { rule: string }) => t.rule)).toEqual([
      "lianzu.hukou",
      "lianzu.income",
      "lianzu.property",
      "lianzu.housing",
      "lianzu.marriage",
    ])
    const paths = out.parameters.map((p: { path: string }) => p.path)
    expect(paths).toContain("guard.r18.income_per_head_limit.large_household")
    for (const p of out.parameters) expect(p.sourceText.length).toBeGreaterThan(0)
  })

  it("talent with a 保租 apartment also runs the 保租 admission rules (R136)", async () => {
    const r = await run(eligibilityEvaluate, [
      "--kind",
      "talent",
      "--household",
      sample("household-talent.json"),
      "--on",
      "2026-03-01",
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out.decision).toBe("eligible")
    expect(out.trace.some((t: { rule: string }) => t.rule === "baozu.housing")).toBe(true)
    expect(out.trace.find((t: { rule: string }) => t.rule === "talent.class").values.appliesUnder).toBe("A")
  })

  it("a --district selects district values; the decision still exits 0 when ineligible", async () => {
    const f = join(dir, "rich.json")
    await writeFile(
      f,
      JSON.stringify({
        members: [
          {
            id: "310115198001010016",
            relation: "applicant",
            hukou: { place: "shanghai", since: "1980-01-01" },
            annualIncome: "¥43,560.01",
          },
        ],
      }),
    )
    const r = await run(eligibilityEvaluate, [
      "--kind",
      "lianzu",
      "--household",
      f,
      "--on",
      "2026-03-01",
      "--district",
      "310115",
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out).toMatchObject({ decision: "ineligible", district: "310115" })
  })

  it("bad input exits 2 and names the field and the reason", async () => {
    const f = join(dir, "bad.json")
    await writeFile(f, JSON.stringify({ members: [{ id: "310115198001010017", relation: "applicant" }] }))
    const r = await run(eligibilityEvaluate, ["--kind", "lianzu", "--household", f, "--on", "2026-03-01"])
    expect(r.code).toBe(2)
    expect(r.err).toContain("invalid household")
    expect(r.err).toContain("check digit")
    const date = await run(eligibilityEvaluate, [
      "--kind",
      "lianzu",
      "--household",
      sample("household-lianzu.json"),
      "--on",
      "2026-02-30",
    ])
    expect(date.code).toBe(2)
    expect(date.err).toContain("invalid on")
    expect(
      (await run(eligibilityEvaluate, ["--kind", "villa", "--household", f, "--on", "2026-03-01"])).code,
    ).toBe(2)
    expect((await run(eligibilityEvaluate, ["--kind", "lianzu", "--on", "2026-03-01"])).code).toBe(2)
    expect(
      (
        await run(eligibilityEvaluate, [
          "--kind",
          "lianzu",
          "--household",
          join(dir, "missing.json"),
          "--on",
          "2026-03-01",
        ])
      ).code,
    ).toBe(2)
    const policy = await run(eligibilityEvaluate, [
      "--kind",
      "lianzu",
      "--household",
      sample("household-lianzu.json"),
      "--on",
      "2026-03-01",
      "--policy",
      join(dir, "nope"),
    ])
    expect(policy.code).toBe(2)
    expect(policy.err).toContain("--policy")
  })

  it("a date before any parameter value exits 1 and names the parameter", async () => {
    const r = await run(eligibilityEvaluate, [
      "--kind",
      "lianzu",
      "--household",
      sample("household-lianzu.json"),
      "--on",
      "2025-12-31",
    ])
    expect(r.code).toBe(1)
    expect(r.err).toContain("ParameterNotFound")
  })
})

describe("anju guard check", () => {
  it("prints the warnings as JSON", async () => {
    const r = await run(guardCheck, [
      "--history",
      sample("guard-history.json"),
      "--event",
      sample("guard-event.json"),
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out.blocked).toBe(true)
    expect(out.warnings.map((w: { rule: string; level: string }) => [w.rule, w.level])).toEqual([
      ["R18", "red"],
    ])
  })
})

describe("anju subsidy lianzu", () => {
  it("prints per-month amounts and the total in fen; a partial first month is prorated by days", async () => {
    const r = await run(subsidyLianzu, [
      "--household",
      sample("subsidy-lianzu.json"),
      "--from",
      "2026-01-01",
      "--to",
      "2026-03-31",
    ])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    // 3 persons × 10 m² − 12 m² = 18 m² × ¥75.00 (310115) × 85% = ¥1,147.50 a month.
    // January: the protection period starts on the 15th, so 17 of 31 days: 114750 × 17 / 31 = 62927.42 → 62927.
    expect(out.months.map((m: { month: string; amountFen: number }) => [m.month, m.amountFen])).toEqual([
      ["2026-01", 62927],
      ["2026-02", 114750],
      ["2026-03", 114750],
    ])
    expect(out.totalFen).toBe(out.months.reduce((t: number, m: { amountFen: number }) => t + m.amountFen, 0))
  })

  it("bad dates exit 2", async () => {
    const r = await run(subsidyLianzu, [
      "--household",
      sample("subsidy-lianzu.json"),
      "--from",
      "2026-13-01",
      "--to",
      "2026-03-31",
    ])
    expect(r.code).toBe(2)
    expect(r.err).toContain("invalid from")
  })
})

describe("anju gongyou quote", () => {
  it("prints the quote with its variables and the five-year test", async () => {
    const r = await run(gongyouQuote, ["--unit", sample("gongyou-unit.json"), "--on", "2026-04-01"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    const q = JSON.parse(r.out)
    // ¥45,678.90 × 85.50 m² × 2/5 = 4567890 × 8550 / 100 × 2/5 fen = 156221838 fen exactly.
    expect(q.priceFen).toBe(156221838)
    expect(q.variables).toMatchObject({ governmentShare: "2/5", rounding: "half-up", area: 8550 })
    expect(q.fiveYear).toMatchObject({
      basis: "later_of_both",
      basisDate: "2021-03-15",
      reachedOn: "2026-03-15",
      reached: true,
    })
    expect(q.validUntil).toBe("2026-06-29")
  })
})
