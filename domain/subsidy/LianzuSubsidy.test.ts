/**
 * Laws of the 廉租 rent subsidy (R118–R123): a range split at any date gives parts that sum exactly to
 * the whole (cumulative half-even rounding per month); a full month pays the rounded monthly amount;
 * a standard that changes mid-year applies from its date; the transition ratio, agreements (R122),
 * pauses and recovery (R120); R123's living-area formula.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import type { Area } from "../values/Area.js"
import * as CD from "../values/CivilDate.js"
import type { CivilDate } from "../values/CivilDate.js"
import { monthlyAmount, prorate } from "./LianzuSubsidy.js"
import { decodeSubsidyCase } from "./LianzuSubsidyCase.js"
import { livingArea, perCapitaLivingArea } from "./LivingArea.js"
import { allSubsidyParameters } from "./SubsidyParameters.js"

const policyDir = join(import.meta.dirname, "..", "..", "policy")
const table = Result.getOrThrow(
  loadPolicy(
    readdirSync(policyDir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") })),
  ).pipe(Result.flatMap((t) => requireParameters(t, allSubsidyParameters))),
)
const d = (s: string) => s as CivilDate
const subsidyCase = (extra: Record<string, unknown> = {}) =>
  Result.getOrThrow(
    decodeSubsidyCase({
      district: "310115",
      approvedPersons: 3,
      livingArea: "12.00",
      protection: { from: "2026-01-15", to: "2026-12-31" },
      ...extra,
    }),
  )
const total = (c: ReturnType<typeof subsidyCase>, from: string, to: string) =>
  Result.getOrThrow(prorate(table, c, d(from), d(to))).total

describe("proration", () => {
  const day = fc.integer({ min: 0, max: 540 }).map((n) => CD.addDays(d("2026-01-01"), n))
  const caseArb = fc.record({
    persons: fc.integer({ min: 1, max: 6 }),
    living: fc.integer({ min: 0, max: 4000 }),
    district: fc.constantFrom("310115", "310101", "310104"),
    pause: fc.boolean(),
  })

  it("splitting a range at any date gives parts that sum exactly to the whole", () => {
    fc.assert(
      fc.property(caseArb, day, day, day, (g, a, b, s) => {
        const [from, mid, to] = [a, b, s].sort()
        const c = Result.getOrThrow(
          decodeSubsidyCase({
            district: g.district,
            approvedPersons: g.persons,
            livingArea: `${Math.trunc(g.living / 100)}.${String(g.living % 100).padStart(2, "0")}`,
            protection: { from: "2026-01-15", to: "2027-02-10" },
            ...(g.pause ? { pauses: [{ from: "2026-05-10", to: "2026-06-20" }] } : {}),
          }),
        )
        const whole = Result.getOrThrow(prorate(table, c, from!, to!))
        const left = Result.getOrThrow(prorate(table, c, from!, mid!))
        const right = mid! < to! ? Result.getOrThrow(prorate(table, c, CD.addDays(mid!, 1), to!)).total : 0
        expect(left.total + right).toBe(whole.total)
        expect(whole.months.reduce((t, m) => t + m.amount, 0)).toBe(whole.total)
      }),
      { numRuns: 60 },
    )
  })

  it("a full month pays the monthly amount rounded half-even", () => {
    const c = subsidyCase()
    const m = Result.getOrThrow(monthlyAmount(table, c, d("2026-03-10"))).formula
    // 3 × 10.00 − 12.00 = 18.00 m² × ¥75.00 × 17/20 (band 3) = ¥1,147.50
    expect(m).toMatchObject({
      status: "normal",
      band: 3,
      gapRatio: "17/20",
      amount: 114750,
      exactFen: "114750",
    })
    expect(total(c, "2026-03-01", "2026-03-31")).toBe(114750)
  })

  it("the 310115 standard changes on 2026-07-01 (¥75 → ¥80) and applies from that day", () => {
    const c = subsidyCase()
    expect(total(c, "2026-06-01", "2026-06-30")).toBe(114750)
    expect(total(c, "2026-07-01", "2026-07-31")).toBe(122400) // 18 × ¥80 × 0.85
    const s = Result.getOrThrow(prorate(table, c, d("2026-06-01"), d("2026-07-31")))
    expect(
      s.parameters.filter((p) => p.path === "subsidy.lianzu.standard_per_m2").map((p) => p.display),
    ).toEqual(["¥75.00", "¥80.00"])
  })

  it("the transition ratio applies from lead months before the end to transition_months after it; nothing after", () => {
    const c = subsidyCase({ protection: { from: "2026-01-01", to: "2026-08-31" } })
    // lead 1 month: from 2026-08-01 the transition ratio (1/2) applies, until 2027-02-28 (+6 months).
    expect(total(c, "2026-07-01", "2026-07-31")).toBe(122400)
    expect(total(c, "2026-08-01", "2026-08-31")).toBe(61200)
    expect(total(c, "2027-02-01", "2027-02-28")).toBe(61200)
    expect(total(c, "2027-03-01", "2027-03-31")).toBe(0)
  })

  it("R122: an exited family's agreement amount replaces the formula; edited months are used as given", () => {
    const c = subsidyCase({
      exitedOn: "2026-05-01",
      transitionAgreement: {
        monthlyAmount: "¥500.00",
        from: "2026-05-01",
        months: [{ month: "2026-06", amount: "¥250.00" }],
      },
    })
    expect(total(c, "2026-05-01", "2026-05-31")).toBe(50000)
    expect(total(c, "2026-06-01", "2026-06-30")).toBe(25000)
    expect(
      Result.isFailure(
        decodeSubsidyCase({
          district: "310115",
          approvedPersons: 1,
          livingArea: "1.00",
          protection: { from: "2026-01-01", to: "2026-12-31" },
          transitionAgreement: { monthlyAmount: "¥1.00", from: "2026-05-01" },
        }),
      ),
    ).toBe(true)
  })

  it("R120: a paused range pays nothing; recovery is the negated entitlement", () => {
    const c = subsidyCase({ pauses: [{ from: "2026-04-01", to: "2026-04-30" }] })
    expect(total(c, "2026-04-01", "2026-04-30")).toBe(0)
    const rec = Result.getOrThrow(prorate(table, c, d("2026-03-01"), d("2026-03-31"), "recovery"))
    expect(rec.total).toBe(-114750)
  })

  it("a range that ends before it starts is an input error", () => {
    expect(Result.isFailure(prorate(table, subsidyCase(), d("2026-03-02"), d("2026-03-01")))).toBe(true)
  })
})

describe("R123 living area", () => {
  it("building area ÷ 2 ÷ approved persons, one half-even rounding", () => {
    expect(livingArea(7001 as Area, 2)).toBe(3500) // 35.005 → 35.00 (half-even)
    expect(perCapitaLivingArea(6000 as Area, 2, 3)).toBe(1000)
    expect(perCapitaLivingArea(1000 as Area, 2, 3)).toBe(167) // 1.6667 m² → 1.67
  })
  it("a building area stands in for the living area through the R123 divisor", () => {
    const viaBuilding = Result.getOrThrow(
      decodeSubsidyCase({
        district: "310115",
        approvedPersons: 3,
        buildingArea: "24.00",
        protection: { from: "2026-01-15", to: "2026-12-31" },
      }),
    )
    expect(total(viaBuilding, "2026-03-01", "2026-03-31")).toBe(
      total(subsidyCase(), "2026-03-01", "2026-03-31"),
    )
  })
})
