/**
 * Runs every expert-readable case in contracts-tests/cases/guard/*.yaml (公平卫士, R1–R25) against the
 * shipped policy/*.yaml. Warnings must match exactly as a multiset of (rule, level[, person]); findings,
 * warning-list entries and `blocked` when given; `parameters` must appear in the decision's trace.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import { checkFairnessUnknown } from "./FairnessGuard.js"
import { allGuardParameters } from "./GuardParameters.js"

const root = join(import.meta.dirname, "..", "..")
const policyDir = join(root, "policy")
const casesDir = join(root, "contracts-tests", "cases", "guard")

const table = Result.getOrThrow(
  loadPolicy(
    readdirSync(policyDir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") })),
  ).pipe(Result.flatMap((t) => requireParameters(t, allGuardParameters))),
)

interface Expected {
  readonly warnings: ReadonlyArray<{ rule: string; level: string; person?: string }>
  readonly findings?: ReadonlyArray<{ rule: string; outcome: string }>
  readonly warningList?: ReadonlyArray<{ category: string; level: string; person?: string }>
  readonly blocked?: boolean
  readonly parameters?: ReadonlyArray<string>
}
interface Case {
  readonly title: string
  readonly rules: ReadonlyArray<string>
  readonly district?: string
  readonly history: unknown
  readonly event: unknown
  readonly expect: Expected
}

const files = readdirSync(casesDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
const sortKeys = <T>(xs: ReadonlyArray<T>): Array<string> => xs.map((x) => JSON.stringify(x)).sort()

const allCases: Array<{ file: string; c: Case }> = files.flatMap((file) =>
  ((parse(readFileSync(join(casesDir, file), "utf8")) as { cases: Array<Case> }).cases ?? []).map((c) => ({
    file,
    c,
  })),
)

describe("fairness-guard YAML cases", () => {
  it("has at least 30 cases, and each of R13–R25 has a firing and a non-firing case", () => {
    expect(allCases.length).toBeGreaterThanOrEqual(30)
    for (let n = 13; n <= 25; n++) {
      const rule = `R${n}`
      const named = allCases.filter(({ c }) => c.rules.includes(rule))
      // R24 (warning list) fires when an entry is expected, and is narrowly quiet when a signal lights but no entry is made.
      const fires = named.some(({ c }) =>
        rule === "R24"
          ? (c.expect.warningList ?? []).length > 0
          : c.expect.warnings.some((w) => w.rule === rule),
      )
      const quiet = named.some(({ c }) =>
        rule === "R24"
          ? c.expect.warningList !== undefined &&
            c.expect.warningList.length === 0 &&
            c.expect.warnings.length > 0
          : !c.expect.warnings.some((w) => w.rule === rule),
      )
      expect({ rule, fires, quiet }).toEqual({ rule, fires: true, quiet: true })
    }
  })

  for (const { file, c } of allCases) {
    it(`${file}: ${c.title} [${c.rules.join(", ")}]`, () => {
      const input = {
        ...(c.district === undefined ? {} : { district: String(c.district) }),
        history: c.history,
        event: c.event,
      }
      const result = checkFairnessUnknown(table, input)
      if (Result.isFailure(result)) throw new Error(`guard failed: ${JSON.stringify(result.failure)}`)
      const report = result.success
      // When a case names persons, every expected warning names one.
      const withPerson = c.expect.warnings.some((w) => w.person !== undefined)
      const shape = (w: { rule: string; level: string; person?: string | undefined }) => ({
        rule: w.rule,
        level: w.level,
        ...(withPerson ? { person: w.person } : {}),
      })
      expect(sortKeys(report.warnings.map(shape))).toEqual(sortKeys(c.expect.warnings.map(shape)))
      for (const w of report.warnings) expect(w.block).toBe(w.level === "red")
      if (c.expect.findings !== undefined)
        expect(sortKeys(report.findings.map((f) => ({ rule: f.rule, outcome: f.outcome })))).toEqual(
          sortKeys(c.expect.findings),
        )
      if (c.expect.warningList !== undefined) {
        const withP = c.expect.warningList.some((e) => e.person !== undefined)
        expect(
          sortKeys(
            report.warningList.map((e) => ({
              category: e.category,
              level: e.level,
              ...(withP ? { person: e.person } : {}),
            })),
          ),
        ).toEqual(
          sortKeys(
            c.expect.warningList.map((e) => ({
              category: e.category,
              level: e.level,
              ...(withP ? { person: e.person } : {}),
            })),
          ),
        )
      }
      if (c.expect.blocked !== undefined) expect(report.blocked).toBe(c.expect.blocked)
      const traced = report.parameters.map((p) => p.path)
      for (const p of c.expect.parameters ?? []) expect(traced).toContain(p)
      // Every parameter a warning cites is in the decision's trace, with a source.
      for (const w of report.warnings) for (const p of w.parameters) expect(traced).toContain(p.path)
      for (const p of report.parameters) expect(p.sourceText.length).toBeGreaterThan(0)
    })
  }
})
