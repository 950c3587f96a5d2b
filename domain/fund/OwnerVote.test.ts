// Owner vote (业主表决), catalog §4: worked examples for V2–V6/V10/V11, typed errors, and monotonicity
// (turning a no — or an abstention — into a yes never turns a pass into a failure).
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Area } from "../values/Area.js"
import { type Ballot, type Matter, type RuleSet, type Vote, type VotingUnit, tallyVote } from "./OwnerVote.js"

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}
const u = (unitId: string, m2: number, ownerId: string): VotingUnit => ({
  unitId,
  area: (m2 * 100) as Area,
  ownerId,
})
const b = (unitId: string, vote: Vote): Ballot => ({ unitId, vote })

// Six units of 100 m², five owners: O5 owns two units, DEV (developer) holds one unsold unit.
const estate = [
  u("101", 100, "O1"),
  u("102", 100, "O2"),
  u("103", 100, "O3"),
  u("104", 100, "O4"),
  u("105", 100, "O5"),
  u("106", 100, "O5"),
]

describe("civil-code rules (V2–V4, V11)", () => {
  it("use passes with ≥ 2/3 participation and > 1/2 of participating area and heads", () => {
    const o = ok(
      tallyVote({
        units: estate,
        ballots: [b("101", "yes"), b("102", "yes"), b("103", "no"), b("105", "yes"), b("106", "yes")],
        matter: "use",
        rules: "civil-code",
      }),
    )
    expect(o).toMatchObject({
      totalArea: 60_000,
      totalHeads: 5,
      participatingArea: 50_000,
      participatingHeads: 4,
      approvingArea: 40_000,
      approvingHeads: 3,
      passed: true,
    })
    expect(o.thresholds.map((t) => [t.rule, t.measure, t.met])).toEqual([
      ["V2", "area", true],
      ["V2", "heads", true],
      ["V3", "area", true],
      ["V3", "heads", true],
    ])
    expect(o.thresholds[2]!.threshold).toEqual({ numerator: 1, denominator: 2 })
  })

  it("exactly half of the participants is not 过半数: use fails (V11)", () => {
    const o = ok(
      tallyVote({
        units: estate.slice(0, 4),
        ballots: [b("101", "yes"), b("102", "yes"), b("103", "no"), b("104", "no")],
        matter: "use",
        rules: "civil-code",
      }),
    )
    expect(o.approvingArea * 2).toBe(o.participatingArea)
    expect(o.passed).toBe(false)
  })

  it("exactly 2/3 participation and exactly 3/4 approval are enough (以上 includes the number)", () => {
    // 12 single-unit owners: 8 take part (2/3), 6 of them approve (3/4).
    const units = Array.from({ length: 12 }, (_, i) => u(`U${i}`, 90, `O${i}`))
    const ballots = Array.from({ length: 8 }, (_, i) => b(`U${i}`, i < 6 ? "yes" : "no"))
    const o = ok(tallyVote({ units, ballots, matter: "raise", rules: "civil-code" }))
    expect([o.participatingHeads, o.approvingHeads]).toEqual([8, 6])
    expect(o.passed).toBe(true)
    // One more no instead of a yes: 5/8 < 3/4, fails; the same ballots pass for use (5/8 > 1/2).
    const ballots2 = ballots.map((x, i) => (i === 5 ? b(x.unitId, "no") : x))
    expect(ok(tallyVote({ units, ballots: ballots2, matter: "raise", rules: "civil-code" })).passed).toBe(
      false,
    )
    expect(ok(tallyVote({ units, ballots: ballots2, matter: "use", rules: "civil-code" })).passed).toBe(true)
  })

  it("participation below 2/3 of heads fails even when all voters approve (V2)", () => {
    const o = ok(
      tallyVote({
        units: estate,
        ballots: [b("105", "yes"), b("106", "yes"), b("101", "yes")],
        matter: "use",
        rules: "civil-code",
      }),
    )
    expect(o.participatingArea).toBe(30_000) // 1/2 of area
    expect(o.participatingHeads).toBe(2) // O5 once, O1
    expect(o.thresholds[0]!.met).toBe(false)
    expect(o.passed).toBe(false)
  })
})

describe("head counting (V10) and the multi-unit owner rule", () => {
  it("an unsold developer's units count as one head; a buyer with several units counts once", () => {
    const units = [
      u("1", 100, "DEV"),
      u("2", 100, "DEV"),
      u("3", 100, "DEV"),
      u("4", 100, "A"),
      u("5", 100, "B"),
      u("6", 100, "B"),
    ]
    const o = ok(
      tallyVote({
        units,
        ballots: [b("1", "yes"), b("4", "yes"), b("5", "yes")],
        matter: "use",
        rules: "civil-code",
      }),
    )
    expect(o.totalHeads).toBe(3)
    expect(o.participatingHeads).toBe(3)
    expect(o.approvingHeads).toBe(3)
    expect(o.participatingArea).toBe(30_000) // area counts only the units that voted
  })

  it("an owner whose units vote differently participates but does not approve", () => {
    const o = ok(
      tallyVote({
        units: estate,
        ballots: [b("105", "yes"), b("106", "no")],
        matter: "use",
        rules: "civil-code",
      }),
    )
    expect([o.participatingHeads, o.approvingHeads, o.approvingArea]).toEqual([1, 0, 10_000])
  })

  it("an abstention participates but does not approve", () => {
    const o = ok(
      tallyVote({ units: estate, ballots: [b("101", "abstain")], matter: "use", rules: "civil-code" }),
    )
    expect([o.participatingHeads, o.participatingArea, o.approvingHeads]).toEqual([1, 10_000, 0])
  })
})

describe("order165 rules (V5/V6): approval by ≥ 2/3 of total area and of total owners", () => {
  it("passes at exactly 2/3 of both, for use and raise alike", () => {
    const units = [u("1", 100, "A"), u("2", 100, "B"), u("3", 100, "C")]
    for (const matter of ["use", "raise"] as const) {
      const o = ok(
        tallyVote({
          units,
          ballots: [b("1", "yes"), b("2", "yes"), b("3", "no")],
          matter,
          rules: "order165",
        }),
      )
      expect(o.passed).toBe(true)
      expect(o.thresholds.map((t) => [t.rule, t.base, t.comparison])).toEqual([
        ["V6", "total", ">="],
        ["V6", "total", ">="],
      ])
    }
  })

  it("fails when approvers hold less than 2/3 of the total area although every participant approves", () => {
    const units = [u("1", 100, "A"), u("2", 100, "B"), u("3", 300, "C")]
    const o = ok(
      tallyVote({ units, ballots: [b("1", "yes"), b("2", "yes")], matter: "use", rules: "order165" }),
    )
    expect(o.approvingHeads).toBe(2)
    expect(o.passed).toBe(false)
  })
})

describe("typed errors", () => {
  const base = { units: estate, matter: "use" as const, rules: "civil-code" as const }
  it.each([
    [
      "ballot for an unknown unit",
      { ...base, ballots: [b("999", "yes")] },
      "ballots[0].unitId",
      "V13.known-unit",
    ],
    [
      "two ballots for one unit",
      { ...base, ballots: [b("101", "yes"), b("101", "no")] },
      "ballots[1].unitId",
      "V13.one-ballot-per-unit",
    ],
    [
      "duplicate unit",
      { ...base, units: [...estate, u("101", 50, "X")], ballots: [] },
      "units[6].unitId",
      "V10.unique-unit",
    ],
    ["empty voting base", { ...base, units: [], ballots: [] }, "units", "V13.non-empty-base"],
    ["zero total area", { ...base, units: [u("1", 0, "A")], ballots: [] }, "units", "V9.positive-total-area"],
    [
      "unknown vote",
      { ...base, ballots: [{ unitId: "101", vote: "maybe" as Vote }] },
      "ballots[0].vote",
      "V13.vote-choice",
    ],
  ])("%s", (_, input, field, rule) => {
    const e = err(tallyVote(input))
    expect([e._tag, e.field, e.rule]).toEqual(["InvalidValue", field, rule])
  })
})

const voteArb = fc.constantFrom<Vote | undefined>("yes", "no", "abstain", undefined)
const scenarioArb = fc
  .array(
    fc.record({ m2: fc.integer({ min: 1, max: 300 }), owner: fc.integer({ min: 0, max: 6 }), vote: voteArb }),
    { minLength: 1, maxLength: 25 },
  )
  .map((rows) => ({
    units: rows.map((r, i) => u(`U${i}`, r.m2, `O${r.owner}`)),
    ballots: rows.flatMap((r, i) => (r.vote === undefined ? [] : [b(`U${i}`, r.vote)])),
  }))
const matterArb = fc.constantFrom<Matter>("use", "raise")
const rulesArb = fc.constantFrom<RuleSet>("civil-code", "order165")

describe("laws", () => {
  it("monotonicity: turning a no or an abstention into a yes never turns passed into failed", () => {
    fc.assert(
      fc.property(scenarioArb, matterArb, rulesArb, fc.nat(), (s, matter, rules, k) => {
        const flippable = s.ballots.map((x, i) => [x, i] as const).filter(([x]) => x.vote !== "yes")
        fc.pre(flippable.length > 0)
        const [, idx] = flippable[k % flippable.length]!
        const before = ok(tallyVote({ ...s, matter, rules }))
        const after = ok(
          tallyVote({
            ...s,
            ballots: s.ballots.map((x, i) => (i === idx ? b(x.unitId, "yes") : x)),
            matter,
            rules,
          }),
        )
        if (before.passed) expect(after.passed).toBe(true)
        expect(after.approvingArea).toBeGreaterThanOrEqual(before.approvingArea)
        expect(after.approvingHeads).toBeGreaterThanOrEqual(before.approvingHeads)
      }),
    )
  })

  it("the verdict does not depend on the order of units or ballots, and figures stay within their bases", () => {
    fc.assert(
      fc.property(scenarioArb, matterArb, rulesArb, (s, matter, rules) => {
        const a = ok(tallyVote({ ...s, matter, rules }))
        const r = ok(
          tallyVote({ units: [...s.units].reverse(), ballots: [...s.ballots].reverse(), matter, rules }),
        )
        expect(r).toEqual(a)
        expect(a.approvingArea <= a.participatingArea && a.participatingArea <= a.totalArea).toBe(true)
        expect(a.approvingHeads <= a.participatingHeads && a.participatingHeads <= a.totalHeads).toBe(true)
      }),
    )
  })
})
