/**
 * Laws of the eligibility decision (准入资格): more income or more assets never improve the decision,
 * removing a house never worsens it (ineligible < needs-review < eligible), no parameter is read
 * without being traced (counted through a wrapping table), and moving a parameter's effective date
 * moves the decision on either side of it.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ParameterReader } from "../policy/ParameterReader.js"
import { type PolicyFile, type PolicyTable, loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import type { CivilDate } from "../values/CivilDate.js"
import * as CD from "../values/CivilDate.js"
import { evaluateEligibility, evaluateEligibilityUnknown } from "./Eligibility.js"
import { allEligibilityParameters } from "./EligibilityParameters.js"
import { type Household, decodeHousehold } from "./Household.js"
import { ELIGIBILITY_KINDS, type EligibilityKind } from "./KindRules.js"
import { rank } from "./RuleEvaluation.js"

const policyDir = join(import.meta.dirname, "..", "..", "policy")
const shippedFiles: ReadonlyArray<PolicyFile> = readdirSync(policyDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") }))
const table = Result.getOrThrow(
  loadPolicy(shippedFiles).pipe(Result.flatMap((t) => requireParameters(t, allEligibilityParameters))),
)

const IDS = [
  "310115198001010016",
  "310115198503150027",
  "310115201201010015",
  "310106195505050038",
  "310112199009090052",
]
const ON = "2026-03-01" as CivilDate
const ON_YEAR = "2026-01-01" as CivilDate
const yuan = (fen: number) => `¥${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`
const m2 = (h: number) => `${Math.trunc(h / 100)}.${String(h % 100).padStart(2, "0")}`

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const date = fc
  .integer({ min: 1990, max: 2026 })
  .chain((y) => fc.constantFrom(`${y}-01-01`, `${y}-03-01`, `${y}-12-31`))
const member = (id: string, relation: string) =>
  fc
    .record(
      {
        hukou: optional(fc.record({ place: fc.constantFrom("shanghai", "other"), since: date })),
        residencePermit: optional(
          fc.record({
            validUntil: fc.constantFrom("2025-12-31", "2030-01-01"),
            points: fc.integer({ min: 90, max: 140 }),
          }),
        ),
        marital: optional(
          fc.array(fc.record({ event: fc.constantFrom("married", "divorced"), on: date }), { maxLength: 2 }),
        ),
        annualIncome: optional(fc.integer({ min: 0, max: 30_000_000 }).map(yuan)),
        socialInsuranceMonths: optional(fc.integer({ min: 0, max: 120 })),
        employment: optional(
          fc.record({
            status: fc.constantFrom("employed", "self_employed", "unemployed"),
            inShanghai: fc.boolean(),
            fullTime: fc.boolean(),
            agreement: fc.constantFrom("contract", "letter_of_intent", "none"),
          }),
        ),
        talentClass: optional(fc.constantFrom("A", "B", "C", "youth")),
        criminalRecord: optional(fc.boolean()),
      },
      { requiredKeys: [] },
    )
    .map((m) => ({
      id,
      relation,
      ...Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)),
    }))

const house = fc.record({
  area: fc.integer({ min: 1000, max: 20000 }).map(m2),
  location: fc.constantFrom("shanghai", "elsewhere"),
  disposedOn: optional(fc.constantFrom("2022-01-01", "2024-06-30")),
})

const householdArb: fc.Arbitrary<Household> = fc
  .record({
    size: fc.integer({ min: 1, max: 5 }),
    members: fc.tuple(
      ...IDS.map((id, i) => member(id, ["applicant", "spouse", "child", "parent", "other"][i]!)),
    ),
    assets: fc.array(
      fc.record({ kind: fc.constant("deposit"), value: fc.integer({ min: 0, max: 50_000_000 }).map(yuan) }),
      { maxLength: 2 },
    ),
    owned: fc.array(house, { maxLength: 3 }),
    rented: fc.array(
      fc.record({
        area: fc.integer({ min: 1000, max: 8000 }).map(m2),
        kind: fc.constantFrom("public", "market"),
      }),
      { maxLength: 1 },
    ),
    illnessPoverty: fc.boolean(),
    talent: fc.record({
      apartmentSource: fc.constantFrom("baozu", "gongzu", "market"),
      holdsTalentApartment: fc.boolean(),
    }),
  })
  .map((g) =>
    Result.getOrThrow(
      decodeHousehold({
        members: g.members.slice(0, g.size),
        assets: g.assets,
        housing: {
          owned: g.owned.map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined))),
          rented: g.rented,
        },
        illnessPoverty: g.illnessPoverty,
        talent: g.talent,
      }),
    ),
  )

const kindArb = fc.constantFrom(...ELIGIBILITY_KINDS)
const decide = (t: PolicyTable, kind: EligibilityKind, household: Household, on: CivilDate = ON) =>
  Result.getOrThrow(evaluateEligibility(t, { kind, on, household }))

describe("monotonicity", () => {
  it("more income never improves the decision (never turns ineligible into eligible)", () => {
    fc.assert(
      fc.property(
        kindArb,
        householdArb,
        fc.nat(4),
        fc.integer({ min: 1, max: 10_000_000 }),
        (kind, h, who, extra) => {
          const i = who % h.members.length
          const richer: Household = {
            ...h,
            members: h.members.map((m, j) =>
              j === i ? { ...m, annualIncome: ((m.annualIncome ?? 0) + extra) as never } : m,
            ),
          }
          // A member who had declared no income now declares one: compare with everyone declaring.
          const base: Household = {
            ...h,
            members: h.members.map((m, j) =>
              j === i ? { ...m, annualIncome: (m.annualIncome ?? 0) as never } : m,
            ),
          }
          expect(rank(decide(table, kind, richer).decision)).toBeLessThanOrEqual(
            rank(decide(table, kind, base).decision),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it("more assets never improve the decision", () => {
    fc.assert(
      fc.property(kindArb, householdArb, fc.integer({ min: 1, max: 50_000_000 }), (kind, h, extra) => {
        const richer: Household = {
          ...h,
          assets: [...(h.assets ?? []), { kind: "securities", value: extra as never }],
        }
        expect(rank(decide(table, kind, richer).decision)).toBeLessThanOrEqual(
          rank(decide(table, kind, h).decision),
        )
      }),
      { numRuns: 300 },
    )
  })

  it("removing a house never worsens the decision (never turns eligible into ineligible)", () => {
    fc.assert(
      fc.property(kindArb, householdArb, fc.nat(5), fc.boolean(), (kind, h, which, rented) => {
        const owned = h.housing?.owned ?? []
        const rentedList = h.housing?.rented ?? []
        const list = rented ? rentedList : owned
        fc.pre(list.length > 0)
        const k = which % list.length
        const fewer: Household = {
          ...h,
          housing: rented
            ? { owned, rented: rentedList.filter((_, j) => j !== k) }
            : { owned: owned.filter((_, j) => j !== k), rented: rentedList },
        }
        expect(rank(decide(table, kind, fewer).decision)).toBeGreaterThanOrEqual(
          rank(decide(table, kind, h).decision),
        )
      }),
      { numRuns: 300 },
    )
  })
})

// A table wrapper that records every successful read through any reader it hands out.
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

describe("tracing", () => {
  it("no parameter is read without being traced; the decision's parameters are the union of its rules'", () => {
    fc.assert(
      fc.property(
        kindArb,
        householdArb,
        fc.constantFrom(undefined, "310115", "310101"),
        (kind, h, district) => {
          const spy = counting(table)
          const d = Result.getOrThrow(
            evaluateEligibility(spy.table, { kind, on: ON, household: h, district: district as never }),
          )
          const traced = new Set(d.parameters.map((p) => p.path))
          expect([...spy.read].filter((p) => !traced.has(p))).toEqual([])
          expect(traced).toEqual(spy.read)
          const fromRules = new Set(d.trace.flatMap((r) => r.parameters.map((p) => p.path)))
          expect(fromRules).toEqual(traced)
          for (const p of d.parameters) expect(p.sourceText.length).toBeGreaterThan(0)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe("effective dates", () => {
  // The 廉租 living-area limit drops from 7.00 to 6.00 m² on 2026-07-01 (a synthetic policy change).
  const changed = shippedFiles.map((f) =>
    f.name !== "policy/eligibility.yaml"
      ? f
      : {
          ...f,
          text: f.text.replace(
            '- { value: "7.00 m2", from: 2026-01-01, jurisdiction: 310000, source: example value — replace }',
            '- { value: "7.00 m2", from: 2026-01-01, to: 2026-06-30, jurisdiction: 310000, source: example value — replace }\n          - { value: "6.00 m2", from: 2026-07-01, jurisdiction: 310000, source: { document: 沪房规〔2026〕9号, article: 第五条 } }',
          ),
        },
  )
  const t2 = Result.getOrThrow(loadPolicy(changed))
  // 3 persons in 39.00 m² of building area: 6.50 m² living area per head.
  const household = {
    members: [
      {
        id: IDS[0],
        relation: "applicant",
        hukou: { place: "shanghai", since: "1990-01-01" },
        annualIncome: "¥30,000.00",
      },
      { id: IDS[1], relation: "spouse", annualIncome: "¥30,000.00" },
      { id: IDS[2], relation: "child", annualIncome: "¥0.00" },
    ],
    housing: { owned: [{ area: "39.00", location: "shanghai" }] },
  }
  const at = (t: PolicyTable, on: string) =>
    Result.getOrThrow(evaluateEligibilityUnknown(t, { kind: "lianzu", on, household }))

  it("the change is in the file, and the decision differs on either side of its date", () => {
    expect(changed.find((f) => f.name === "policy/eligibility.yaml")!.text).toContain("6.00 m2")
    expect(at(t2, "2026-06-30").decision).toBe("eligible")
    expect(at(t2, "2026-07-01").decision).toBe("ineligible")
    const rule = at(t2, "2026-07-01").trace.find((r) => r.rule === "lianzu.housing")!
    expect(
      rule.parameters.find((p) => p.path === "eligibility.lianzu.per_capita_living_area_limit"),
    ).toMatchObject({
      display: "6.00 m²",
      sourceText: "沪房规〔2026〕9号 第五条",
      period: { from: "2026-07-01" },
    })
    // The shipped policy has no change: eligible on both dates.
    expect(at(table, "2026-07-01").decision).toBe("eligible")
  })

  it("moving the effective date moves the decision with it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 300 }), fc.integer({ min: -20, max: 20 }), (offset, probe) => {
        const from = CD.addDays(ON_YEAR, offset)
        const before = CD.addDays(from, -1)
        const t = Result.getOrThrow(
          loadPolicy(
            shippedFiles.map((f) =>
              f.name !== "policy/eligibility.yaml"
                ? f
                : {
                    ...f,
                    text: f.text.replace(
                      '- { value: "7.00 m2", from: 2026-01-01, jurisdiction: 310000, source: example value — replace }',
                      `- { value: "7.00 m2", from: 2026-01-01, to: ${before}, jurisdiction: 310000, source: example value — replace }\n          - { value: "6.00 m2", from: ${from}, jurisdiction: 310000, source: example value — replace }`,
                    ),
                  },
            ),
          ),
        )
        const on = CD.addDays(from, probe)
        expect(at(t, on).decision).toBe(on >= from ? "ineligible" : "eligible")
      }),
      { numRuns: 50 },
    )
  })
})
