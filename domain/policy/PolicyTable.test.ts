/**
 * Policy table (政策参数表): loading shipped and synthetic YAML, period and jurisdiction semantics, load
 * errors naming file and path, and the tracing law — every value read is in the reader's trace.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { CivilDate } from "../values/CivilDate.js"
import * as CD from "../values/CivilDate.js"
import type { Jurisdiction } from "./Jurisdiction.js"
import { key } from "./PolicyParameter.js"
import { type PolicyLoadError, type PolicyTable, loadPolicy } from "./PolicyTable.js"

const d = (s: string) => s as CivilDate
const j = (s: string) => s as Jurisdiction
const SRC = "source: { document: 沪房规〔2026〕1号, article: 第三条 }"

const param = (path: string, unit: string, values: ReadonlyArray<string>) =>
  `  ${path}:\n    unit: ${unit}\n    description: test\n    rules: [R0]\n    values:\n${values.map((v) => `      - ${v}`).join("\n")}\n`
const load = (text: string, name = "policy/test.yaml") => loadPolicy([{ name, text: `parameters:\n${text}` }])
const ok = (text: string): PolicyTable => Result.getOrThrow(load(text))
const problems = (r: Result.Result<PolicyTable, PolicyLoadError>) =>
  Result.isFailure(r) ? r.failure.problems : []

const limit = key("t.limit", "fen", ["R0"])

describe("loading", () => {
  it("loads every shipped policy file without problems", () => {
    const dir = join(import.meta.dirname, "..", "..", "policy")
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(dir, f), "utf8") }))
    const r = loadPolicy(files)
    expect(Result.isSuccess(r) ? [] : r.failure.problems).toEqual([])
  })

  it("reports a gap between periods of one jurisdiction, naming file and path", () => {
    const r = load(
      param("t.limit", "fen", [
        `{ value: "¥1.00", from: 2026-01-01, to: 2026-03-31, jurisdiction: 310000, ${SRC} }`,
        `{ value: "¥2.00", from: 2026-04-02, jurisdiction: 310000, ${SRC} }`,
      ]),
    )
    expect(problems(r)).toEqual([
      {
        file: "policy/test.yaml",
        path: "t.limit",
        problem: "period-gap",
        message: "jurisdiction 310000: no value from 2026-04-01 to 2026-04-01",
      },
    ])
  })

  it("reports overlaps, including an open-ended period followed by another", () => {
    const overlap = load(
      param("t.limit", "fen", [
        `{ value: 1, from: 2026-01-01, to: 2026-04-01, jurisdiction: 310000, ${SRC} }`,
        `{ value: 2, from: 2026-04-01, jurisdiction: 310000, ${SRC} }`,
      ]),
    )
    expect(problems(overlap).map((p) => [p.file, p.path, p.problem])).toEqual([
      ["policy/test.yaml", "t.limit", "period-overlap"],
    ])
    const open = load(
      param("t.limit", "fen", [
        `{ value: 1, from: 2026-01-01, jurisdiction: 310000, ${SRC} }`,
        `{ value: 2, from: 2027-01-01, jurisdiction: 310000, ${SRC} }`,
      ]),
    )
    expect(problems(open).map((p) => p.problem)).toEqual(["period-overlap"])
  })

  it("checks periods per jurisdiction: a district timeline may start later than the city's", () => {
    const t = ok(
      param("t.limit", "fen", [
        `{ value: 1, from: 2026-01-01, jurisdiction: 310000, ${SRC} }`,
        `{ value: 2, from: 2026-06-01, jurisdiction: 310115, ${SRC} }`,
      ]),
    )
    expect(t.paths).toEqual(["t.limit"])
  })

  it("requires a source and rejects unknown keys, bad notation and a path defined twice", () => {
    expect(
      problems(load(param("t.limit", "fen", ["{ value: 1, from: 2026-01-01, jurisdiction: 310000 }"])))[0]
        ?.problem,
    ).toBe("schema")
    expect(
      problems(
        load(
          param("t.limit", "fen", [
            `{ value: 1, from: 2026-01-01, jurisdiction: 310000, ${SRC}, until: 2027-01-01 }`,
          ]),
        ),
      )[0]?.problem,
    ).toBe("schema")
    expect(
      problems(
        load(param("t.limit", "fen", [`{ value: "39600", from: 2026-01-01, jurisdiction: 310000, ${SRC} }`])),
      )[0]?.problem,
    ).toBe("bad-value")
    expect(
      problems(
        load(
          param("t.limit", "fen", [`{ value: "¥1.001", from: 2026-01-01, jurisdiction: 310000, ${SRC} }`]),
        ),
      )[0]?.problem,
    ).toBe("bad-value")
    expect(
      problems(
        load(param("t.n", "months", [`{ value: 1.5, from: 2026-01-01, jurisdiction: 310000, ${SRC} }`])),
      )[0]?.problem,
    ).toBe("bad-value")
    expect(
      problems(
        load(param("t.c", "choice", [`{ value: red, from: 2026-01-01, jurisdiction: 310000, ${SRC} }`])),
      )[0]?.problem,
    ).toBe("schema")
    const text = `parameters:\n${param("t.limit", "fen", [`{ value: 1, from: 2026-01-01, jurisdiction: 310000, source: example value — replace }`])}`
    const twice = loadPolicy([
      { name: "a.yaml", text },
      { name: "b.yaml", text },
    ])
    expect(problems(twice)).toEqual([
      { file: "b.yaml", path: "t.limit", problem: "duplicate-path", message: "already defined in a.yaml" },
    ])
    expect(problems(loadPolicy([{ name: "x.yaml", text: "parameters: [" }]))[0]).toMatchObject({
      file: "x.yaml",
      path: "(file)",
      problem: "yaml-syntax",
    })
  })

  it("accepts nested mappings as dotted paths", () => {
    const t = Result.getOrThrow(
      loadPolicy([
        {
          name: "n.yaml",
          text: `parameters:\n  t:\n    nested:\n      unit: count\n      description: x\n      rules: []\n      values: [{ value: 2, from: 2026-01-01, jurisdiction: "310000", source: example value — replace }]\n`,
        },
      ]),
    )
    expect(t.paths).toEqual(["t.nested"])
  })
})

describe("lookup", () => {
  const t = ok(
    param("t.limit", "fen", [
      `{ value: "¥100.00", from: 2026-01-01, to: 2026-06-30, jurisdiction: 310000, ${SRC} }`,
      `{ value: "¥200.00", from: 2026-07-01, jurisdiction: 310000, ${SRC} }`,
      `{ value: "¥150.00", from: 2026-03-01, to: 2026-03-31, jurisdiction: 310115, source: example value — replace }`,
    ]),
  )
  const read = (on: string, district?: string) => {
    const r = t.reader({ on: d(on), district: district === undefined ? undefined : j(district) })
    return [Result.getOrUndefined(r.read(limit)), r.trace()[0]?.jurisdiction] as const
  }
  it("both period ends are inclusive", () => {
    expect(read("2026-06-30")).toEqual([10000, "310000"])
    expect(read("2026-07-01")).toEqual([20000, "310000"])
  })
  it("the most specific jurisdiction covering the date wins; otherwise the city value applies", () => {
    expect(read("2026-03-15", "310115")).toEqual([15000, "310115"])
    expect(read("2026-04-01", "310115")).toEqual([10000, "310000"])
    expect(read("2026-03-15", "310104")).toEqual([10000, "310000"])
    expect(read("2026-03-15")).toEqual([10000, "310000"])
  })
  it("fails with a typed error before the first period and for an unknown path", () => {
    const r = t.reader({ on: d("2025-12-31") })
    const miss = r.read(limit)
    expect(Result.isFailure(miss) && miss.failure.reason).toBe("no-value-on-date")
    const unknown = r.read(key("t.nothing", "fen", []))
    expect(Result.isFailure(unknown) && unknown.failure.reason).toBe("unknown-path")
    const wrongUnit = r.read(key("t.limit", "months", []))
    expect(Result.isFailure(wrongUnit) && wrongUnit.failure._tag).toBe("ParameterNotFound")
    expect(r.trace()).toEqual([])
  })
})

describe("tracing law: no parameter is read without being traced", () => {
  const paths = ["p.a", "p.b", "p.c", "p.d"]
  const months = ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]
  // Each path has four quarterly values plus a district override for one quarter; values are unique sentinels.
  const text = paths
    .map((p, i) =>
      param(p, "count", [
        ...months.map(
          (m, q) =>
            `{ value: ${4242000 + 10 * i + q}, from: ${m}, ${q < 3 ? `to: ${CD.addDays(d(months[q + 1]!), -1)}, ` : ""}jurisdiction: 310000, ${SRC} }`,
        ),
        `{ value: ${4243000 + i}, from: 2026-04-01, to: 2026-06-30, jurisdiction: 310115, source: example value — replace }`,
      ]),
    )
    .join("")
  const t = ok(text)

  it("every successful read appears in the trace with the value returned; failed reads add nothing", () => {
    const date = fc.integer({ min: 0, max: 500 }).map((n) => CD.addDays(d("2025-11-01"), n))
    const readOp = fc.record({ path: fc.constantFrom(...paths, "p.unknown"), child: fc.boolean() })
    fc.assert(
      fc.property(
        date,
        fc.constantFrom(undefined, "310115", "310104"),
        fc.array(readOp, { maxLength: 20 }),
        (on, district, ops) => {
          const reader = t.reader({ on, district: district === undefined ? undefined : j(district) })
          const got = new Map<string, number>()
          for (const op of ops) {
            const r = (op.child ? reader.child() : reader).read(key(op.path, "count", []))
            if (Result.isSuccess(r)) got.set(op.path, r.success)
          }
          const trace = reader.trace()
          expect(new Map(trace.map((e) => [e.path, e.value]))).toEqual(got)
          expect(trace.length).toBe(got.size)
          for (const e of trace) {
            expect(e.on).toBe(on)
            expect(e.sourceText.length).toBeGreaterThan(0)
            expect(e.period.from <= on && (e.period.to === undefined || on <= e.period.to)).toBe(true)
          }
        },
      ),
    )
  })

  it("the table itself exposes no value: serialising it or describing a parameter reveals no sentinel", () => {
    const shown = JSON.stringify({ t, described: paths.map((p) => t.describe(p)) })
    for (let i = 0; i < paths.length; i++)
      for (let q = 0; q < 4; q++) expect(shown).not.toContain(String(4242000 + 10 * i + q))
    expect(shown).not.toContain("4243000")
  })
})

describe("docs/policy.md", () => {
  it("lists every shipped parameter path", () => {
    const root = join(import.meta.dirname, "..", "..")
    const doc = readFileSync(join(root, "docs", "policy.md"), "utf8")
    const dir = join(root, "policy")
    const t = Result.getOrThrow(
      loadPolicy(
        readdirSync(dir)
          .filter((f) => f.endsWith(".yaml"))
          .map((f) => ({ name: f, text: readFileSync(join(dir, f), "utf8") })),
      ),
    )
    expect(t.paths.filter((p) => !doc.includes(`\`${p}\``))).toEqual([])
  })
})
