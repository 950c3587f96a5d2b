// Warnings (M77/M183): the periodic evaluation is the union of the instant ones; low balance fires
// exactly below the configured share of the first deposit; a higher threshold never removes a warning;
// disabled indicators never fire; overdue only after the grace days; a disbursement warns without a
// passed vote unless it is an emergency. Rules come from policy/fund.yaml.
import { readFileSync } from "node:fs"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadPolicy } from "../policy/PolicyTable.js"
import { addDays, type CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { type FundFact, type WarningRules, evaluateFact, evaluatePeriodic, warningRules } from "./Warnings.js"

const ON = "2024-12-31" as CivilDate
const policy = Result.getOrThrow(
  loadPolicy([
    {
      name: "policy/fund.yaml",
      text: readFileSync(new URL("../../policy/fund.yaml", import.meta.url), "utf8"),
    },
  ]),
)
const rules = Result.getOrThrow(warningRules(policy.reader({ on: ON })))

const factArb: fc.Arbitrary<FundFact> = fc.oneof(
  fc.record({
    _tag: fc.constant("HouseholdBalance" as const),
    household: fc.stringMatching(/^H[0-9]{1,3}$/u),
    balance: fc.nat(100_000).map((x) => x as Money),
    firstDeposit: fc.nat(100_000).map((x) => x as Money),
  }),
  fc.record({
    _tag: fc.constant("DepositDue" as const),
    household: fc.stringMatching(/^H[0-9]{1,3}$/u),
    dueDate: fc.integer({ min: -90, max: 30 }).map((d) => addDays(ON, d)),
    due: fc.nat(10_000).map((x) => x as Money),
    paid: fc.nat(10_000).map((x) => x as Money),
  }),
  fc.record({
    _tag: fc.constant("Disbursement" as const),
    project: fc.stringMatching(/^P[0-9]$/u),
    amount: fc.nat(10_000).map((x) => x as Money),
    votePassed: fc.boolean(),
    emergency: fc.boolean(),
  }),
)

describe("warnings", () => {
  it("reads thresholds from the policy", () => {
    expect(rules.lowBalance.threshold).toEqual({ numerator: 3, denominator: 10 })
    expect(rules.depositOverdue.threshold).toBe(30)
    expect(rules.disbursementWithoutVote.enabled).toBe(true)
  })
  it("periodic = union of instant evaluations, in a stable order", () =>
    fc.assert(
      fc.property(fc.array(factArb, { maxLength: 30 }), (facts) => {
        const periodic = evaluatePeriodic(rules, facts, ON)
        const instant = facts.flatMap((f) => evaluateFact(rules, f, ON))
        expect(periodic).toHaveLength(instant.length)
        expect(new Set(periodic.map((w) => JSON.stringify(w)))).toEqual(
          new Set(instant.map((w) => JSON.stringify(w))),
        )
        expect(
          evaluatePeriodic(rules, [...facts].reverse(), ON).map((w) => `${w.kind}|${w.subject}`),
        ).toEqual(periodic.map((w) => `${w.kind}|${w.subject}`))
      }),
    ))
  it("low balance fires exactly below the share; raising the share never removes a warning; disabled never fires", () =>
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (balance, first, p, q) => {
          const at = (pct: number, enabled = true): WarningRules => ({
            ...rules,
            lowBalance: { enabled, level: "warning", threshold: { numerator: pct, denominator: 100 } },
          })
          const fact: FundFact = {
            _tag: "HouseholdBalance",
            household: "H",
            balance: balance as Money,
            firstDeposit: first as Money,
          }
          const fires = (r: WarningRules) => evaluateFact(r, fact, ON).length === 1
          expect(fires(at(p))).toBe(100 * balance < p * first)
          if (fires(at(Math.min(p, q)))) expect(fires(at(Math.max(p, q)))).toBe(true)
          expect(fires(at(p, false))).toBe(false)
        },
      ),
    ))
  it("overdue only after the grace days; disbursements need a passed vote unless an emergency", () => {
    const due = (d: number, paid: number): FundFact => ({
      _tag: "DepositDue",
      household: "H",
      dueDate: addDays(ON, -d),
      due: 100 as Money,
      paid: paid as Money,
    })
    expect(evaluateFact(rules, due(30, 0), ON)).toHaveLength(0)
    expect(evaluateFact(rules, due(31, 0), ON)).toHaveLength(1)
    expect(evaluateFact(rules, due(31, 100), ON)).toHaveLength(0)
    const d = (votePassed: boolean, emergency: boolean): FundFact => ({
      _tag: "Disbursement",
      project: "P",
      amount: 1 as Money,
      votePassed,
      emergency,
    })
    expect(evaluateFact(rules, d(false, false), ON)).toMatchObject([
      { kind: "disbursement-without-vote", level: "critical" },
    ])
    expect(evaluateFact(rules, d(true, false), ON)).toHaveLength(0)
    expect(evaluateFact(rules, d(false, true), ON)).toHaveLength(0)
  })
})
