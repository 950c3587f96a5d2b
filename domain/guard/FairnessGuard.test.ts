/**
 * Laws of the fairness guard (公平卫士): R18 monotonicity in income and property, R19's month count,
 * red ⟺ block, every parameter read appears in the report (checked by counting reads through a
 * wrapping table), and an effective date that moves the decision (R18, R16/R17 choice).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ParameterReader } from "../policy/ParameterReader.js"
import { type PolicyTable, loadPolicy } from "../policy/PolicyTable.js"
import * as CD from "../values/CivilDate.js"
import type { CivilDate } from "../values/CivilDate.js"
import { checkFairness, checkFairnessUnknown } from "./FairnessGuard.js"
import { type GuardInput, decodeGuardInput } from "./GuardEvent.js"
import type { GuardReport } from "./GuardWarning.js"
import { monthsElapsed } from "./MarriageCheck.js"

const shipped = readFileSync(join(import.meta.dirname, "..", "..", "policy", "guard.yaml"), "utf8")
const table = Result.getOrThrow(loadPolicy([{ name: "policy/guard.yaml", text: shipped }]))
const ZHANG = "310115198001010016"
const ZHAO = "310104199004040048"

const fen = (n: number) => `¥${Math.trunc(n / 100)}.${String(n % 100).padStart(2, "0")}`
const lianzuApp = (
  on: string,
  size: number,
  incomeFen: number,
  propertyFen: number,
  illness = false,
): GuardInput =>
  Result.getOrThrow(
    decodeGuardInput({
      history: { cases: [] },
      event: {
        type: "application",
        kind: "lianzu",
        on,
        members: [{ id: ZHANG, role: "applicant" }],
        economy: {
          householdSize: size,
          annualDisposableIncome: fen(incomeFen),
          property: fen(propertyFen),
          illnessPoverty: illness,
        },
      },
    }),
  )
const run = (t: PolicyTable, input: GuardInput): GuardReport => Result.getOrThrow(checkFairness(t, input))
const r18 = (r: GuardReport, measure: string) =>
  r.warnings.some((w) => w.rule === "R18" && w.evidence.measure === measure)

describe("R18 economic control", () => {
  const money = fc.integer({ min: 0, max: 100_000_000 })
  it("more income or more property never removes an R18 warning", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        money,
        money,
        money,
        money,
        (size, ill, inc, prop, dInc, dProp) => {
          const before = run(table, lianzuApp("2026-05-01", size, inc, prop, ill))
          const after = run(table, lianzuApp("2026-05-01", size, inc + dInc, prop + dProp, ill))
          if (r18(before, "income")) expect(r18(after, "income")).toBe(true)
          if (r18(before, "property")) expect(r18(after, "property")).toBe(true)
        },
      ),
    )
  })
  it("fires exactly when the total exceeds limit × size (no rounding of the per-head value)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.boolean(), money, (size, ill, inc) => {
        const limit = size >= 3 && !ill ? 3_960_000 : 4_356_000
        expect(r18(run(table, lianzuApp("2026-05-01", size, inc, 0, ill)), "income")).toBe(inc > limit * size)
      }),
    )
  })
})

describe("R19 marriage control", () => {
  it("fires for a marriage exactly when fewer than 12 calendar months are counted to the application month", () => {
    const day = fc.integer({ min: 0, max: 3000 }).map((n) => CD.addDays("2026-01-01" as CivilDate, n))
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 800 }), (on, gap) => {
        const married = CD.addDays(on, -gap)
        const input = Result.getOrThrow(
          decodeGuardInput({
            history: { cases: [] },
            event: {
              type: "application",
              kind: "gongyou",
              on,
              members: [{ id: ZHANG, role: "applicant", marital: [{ event: "married", on: married }] }],
            },
          }),
        )
        const fired = run(table, input).warnings.some((w) => w.rule === "R19")
        expect(fired).toBe(monthsElapsed(married, on) < 12)
      }),
    )
  })
})

// A table wrapper that counts the distinct paths read through any reader it hands out.
const counting = (t: PolicyTable) => {
  const read = new Set<string>()
  const wrap = (r: ParameterReader): ParameterReader => ({
    on: r.on,
    district: r.district,
    read: (k) => {
      const out = r.read(k)
      if (Result.isSuccess(out)) read.add(k.path)
      return out
    },
    trace: () => r.trace(),
    child: () => wrap(r.child()),
  })
  return { table: { ...t, reader: (c) => wrap(t.reader(c)) } satisfies PolicyTable, read }
}

const kinds = ["gongzu", "baozu", "lianzu", "gongyou"] as const
const statuses = [
  "under_review",
  "queued",
  "admitted",
  "contracted",
  "rejected",
  "contract_exited",
  "abandoned",
  "cancelled",
] as const
const date = fc.integer({ min: 0, max: 1500 }).map((n) => CD.addDays("2026-01-01" as CivilDate, n))
const person = fc.constantFrom(ZHANG, ZHAO)
const caseArb = fc.record({
  caseId: fc.constantFrom("C1", "C2", "C3", "C4"),
  kind: fc.constantFrom(...kinds),
  status: fc.constantFrom(...statuses),
  members: fc.array(
    fc.record({ id: person, role: fc.constantFrom("applicant", "co_applicant", "co_resident") }),
    { minLength: 1, maxLength: 2 },
  ),
  appliedOn: fc.constant("2025-01-01"),
  abandonedOn: date,
  handoverOn: date,
  term: fc.record({
    type: fc.constantFrom("gongzu_lease", "lianzu_subsidy_agreement", "lianzu_contract"),
    endsOn: date,
  }),
})
const eventArb = fc.oneof(
  fc.record({
    type: fc.constant("application"),
    kind: fc.constantFrom(...kinds),
    on: date,
    members: fc.constant([
      { id: ZHANG, role: "applicant", marital: [{ event: "married", on: "2025-12-01" }] },
    ]),
    economy: fc.record({
      householdSize: fc.integer({ min: 1, max: 5 }),
      annualDisposableIncome: fc.constantFrom("¥0.00", "¥500,000.00"),
      property: fc.constantFrom("¥0.00", "¥900,000.00"),
    }),
  }),
  fc.record({ type: fc.constant("monitor"), on: date, person }),
  fc.record({
    type: fc.constant("gongyou_milestone"),
    milestone: fc.constantFrom("login_qualified", "publicity_submitted", "purchase_signed"),
    on: date,
    person,
  }),
)

describe("guard laws over random histories", () => {
  it("every parameter read is in the report's trace; warnings cite only traced parameters; red ⟺ block", () => {
    fc.assert(
      fc.property(fc.array(caseArb, { maxLength: 5 }), eventArb, (cases, event) => {
        const { table: t, read } = counting(table)
        const result = checkFairnessUnknown(t, { history: { cases }, event })
        if (Result.isFailure(result)) throw new Error(JSON.stringify(result.failure))
        const report = result.success
        const traced = new Set(report.parameters.map((p) => p.path))
        expect(traced).toEqual(read)
        for (const w of report.warnings) {
          expect(w.block).toBe(w.level === "red")
          for (const p of w.parameters) expect(traced.has(p.path)).toBe(true)
        }
        expect(report.blocked).toBe(
          report.warnings.some((w) => w.block) || report.findings.some((f) => f.outcome === "block"),
        )
      }),
    )
  })
})

describe("effective dates move decisions", () => {
  // R18 large-household income limit raised from ¥39,600 to ¥42,000 on a given date.
  const withChange = (changeOn: string) => {
    const before = CD.addDays(changeOn as CivilDate, -1)
    const text = shipped.replace(
      /( {6}income_per_head_limit:\n {8}large_household:\n(?:.*\n)*? {10}values:\n)((?: {12}.*\n)+?)(?= {8}small_household)/u,
      (_m, head: string) =>
        `${head}            - { value: "¥39,600.00", from: 2026-01-01, to: ${before}, jurisdiction: 310000, source: example value — replace }\n` +
        `            - { value: "¥42,000.00", from: ${changeOn}, jurisdiction: 310000, source: example value — replace }\n`,
    )
    expect(text).not.toBe(shipped)
    return Result.getOrThrow(loadPolicy([{ name: "policy/guard.yaml", text }]))
  }
  const household = (on: string) => lianzuApp(on, 3, 3 * 4_000_000, 0) // ¥40,000 per head

  it("the same household is blocked the day before the new limit and passes on its first day", () => {
    const t = withChange("2026-07-01")
    expect(run(t, household("2026-06-30")).blocked).toBe(true)
    expect(run(t, household("2026-07-01")).blocked).toBe(false)
    const used = run(t, household("2026-07-01")).parameters.find(
      (p) => p.path === "guard.r18.income_per_head_limit.large_household",
    )
    expect(used).toMatchObject({ display: "¥42,000.00", period: { from: "2026-07-01" } })
  })
  it("moving the effective date moves the decision for a fixed application date", () => {
    expect(run(withChange("2026-07-01"), household("2026-07-15")).blocked).toBe(false)
    expect(run(withChange("2026-08-01"), household("2026-07-15")).blocked).toBe(true)
  })
  it("a date before any value is a typed failure, not a silent pass", () => {
    const r = checkFairness(table, household("2025-12-31"))
    expect(Result.isFailure(r) && r.failure._tag).toBe("ParameterNotFound")
  })
})

describe("R16/R17 conflict is a parameter", () => {
  it("choosing brown turns the 3-month delivery signal into R17 brown without a block", () => {
    const text = shipped.replace(/value: red\n/u, "value: brown\n")
    const t = Result.getOrThrow(loadPolicy([{ name: "policy/guard.yaml", text }]))
    const input = {
      history: {
        cases: [
          {
            caseId: "GZ",
            kind: "gongzu",
            status: "contracted",
            appliedOn: "2024-01-01",
            members: [{ id: ZHAO, role: "applicant" }],
          },
          {
            caseId: "GY",
            kind: "gongyou",
            status: "contracted",
            handoverOn: "2026-01-31",
            appliedOn: "2025-01-01",
            members: [{ id: ZHAO, role: "applicant" }],
          },
        ],
      },
      event: { type: "monitor", on: "2026-04-30", person: ZHAO },
    }
    const red = Result.getOrThrow(checkFairnessUnknown(table, input))
    const brown = Result.getOrThrow(checkFairnessUnknown(t, input))
    expect(red.warnings.map((w) => [w.rule, w.level, w.block])).toEqual([["R16", "red", true]])
    expect(brown.warnings.map((w) => [w.rule, w.level, w.block])).toEqual([["R17", "brown", false]])
    expect(brown.parameters.find((p) => p.path === "guard.r16_r17.delivery_level")?.value).toBe("brown")
  })
})
