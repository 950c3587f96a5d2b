// Deposits (M34/M38/M40/M169/M171): due amounts from dated policy parameters (traced), exact rounding
// laws (within half a fen of exact, monotone in area, yuan rounding to whole yuan), reason categories,
// refunds never beyond the balance, and the top-up check exactly at 30 % of the first deposit.
import { readFileSync } from "node:fs"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadPolicy } from "../policy/PolicyTable.js"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import {
  type DepositStandard,
  depositEntry,
  depositStandard,
  dueAmount,
  refundEntry,
  topUpCheck,
} from "./Deposits.js"
import { allFundParameters } from "./FundParameters.js"
import type { HouseholdId } from "./HouseholdId.js"
import { requireParameters } from "../policy/PolicyTable.js"

const D = "2024-01-15" as CivilDate
const policy = Result.getOrThrow(
  loadPolicy([
    {
      name: "policy/fund.yaml",
      text: readFileSync(new URL("../../policy/fund.yaml", import.meta.url), "utf8"),
    },
  ]),
)

describe("deposit standard (M169)", () => {
  it("policy/fund.yaml defines every fund parameter", () => {
    expect(Result.isSuccess(requireParameters(policy, allFundParameters))).toBe(true)
  })
  it("reads the rate by building type and lift, traced", () => {
    const reader = policy.reader({ on: D })
    const hr = Result.getOrThrow(depositStandard(reader, { type: "high-rise", hasLift: true }))
    const ms = Result.getOrThrow(depositStandard(reader, { type: "multi-storey", hasLift: false }))
    expect(hr.perM2).toEqual({ numerator: 9_000, denominator: 1 })
    expect(ms.perM2).toEqual({ numerator: 4_500, denominator: 1 })
    expect(dueAmount(8_950 as Area, hr)).toBe(805_500)
    expect(reader.trace().map((t) => t.path)).toEqual([
      "fund.deposit.basis",
      "fund.deposit.round_to_yuan",
      "fund.deposit.rate_per_m2.high_rise",
      "fund.deposit.rate_per_m2.multi_storey_without_lift",
    ])
    expect(
      Result.isFailure(
        depositStandard(policy.reader({ on: "2000-01-01" as CivilDate }), {
          type: "high-rise",
          hasLift: true,
        }),
      ),
    ).toBe(true)
  })
  it("due = area × rate, rounded once half-up: within half a fen (or yuan), monotone in area", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 500_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.boolean(),
        (a, b, num, den, yuan) => {
          const st: DepositStandard = {
            basis: "cost-percentage",
            perM2: { numerator: num, denominator: den },
            roundTo: yuan ? "yuan" : "fen",
          }
          const unit = yuan ? 100 : 1
          const due = dueAmount(a as Area, st)
          expect(due % unit).toBe(0)
          // |due − a·num/(100·den)| ≤ unit/2, exactly
          expect(Math.abs(due * 100 * den - a * num) * 2).toBeLessThanOrEqual(unit * 100 * den)
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          expect(dueAmount(lo as Area, st)).toBeLessThanOrEqual(dueAmount(hi as Area, st))
        },
      ),
    ))
})

describe("deposit and refund entries (M29/M38/M40)", () => {
  const h = "H1" as HouseholdId
  it("supplementary payments need a preset reason; other kinds take none", () => {
    const base = {
      id: "X",
      book: "commodity" as const,
      date: D,
      households: [{ household: h, amount: 100 as Money }],
    }
    expect(Result.isFailure(depositEntry({ ...base, kind: "supplementary" }))).toBe(true)
    expect(
      Result.getOrThrow(depositEntry({ ...base, kind: "supplementary", reason: "area-change" })).memo,
    ).toContain("area-change")
    expect(Result.isFailure(depositEntry({ ...base, kind: "first", reason: "other" }))).toBe(true)
    for (const kind of ["first", "continued", "retro", "reraise", "transfer-in"] as const)
      expect(Result.getOrThrow(depositEntry({ ...base, kind })).rule).toBe("A1")
  })
  it("refunds never exceed what the sub-account holds; prior-year refunds draw principal first (A3)", () =>
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.nat(100_000),
        fc.integer({ min: 1, max: 250_000 }),
        fc.boolean(),
        (p, i, amount, currentYear) => {
          const r = refundEntry({
            id: "R",
            book: "commodity",
            date: D,
            reason: "over-payment",
            household: h,
            amount: amount as Money,
            currentYear,
            balance: { principal: p as Money, income: i as Money },
          })
          const available = currentYear ? p : p + i
          expect(Result.isSuccess(r)).toBe(amount <= available)
          if (Result.isSuccess(r)) {
            expect(r.success.rule).toBe(currentYear ? "A2" : "A3")
            const drawn = r.success.lines.filter((l) => l.subAccount !== undefined)
            const principal = drawn
              .filter((l) => l.subAccount!.component === "principal")
              .reduce((t, l) => t + l.amount, 0)
            expect(principal).toBe(Math.min(amount, p))
          }
        },
      ),
    ))
  it("an unknown refund reason is refused", () => {
    expect(
      Result.isFailure(
        refundEntry({
          id: "R",
          book: "commodity",
          date: D,
          reason: "whim" as never,
          household: h,
          amount: 1 as Money,
          currentYear: true,
          balance: { principal: 5 as Money, income: 0 as Money },
        }),
      ),
    ).toBe(true)
  })
})

describe("top-up check (M171)", () => {
  it("due exactly when balance < 30 % of the first deposit", () => {
    const r = { numerator: 3, denominator: 10 }
    expect(topUpCheck(2_999 as Money, 10_000 as Money, r)).toMatchObject({ due: true, suggestedTopUp: 7_001 })
    expect(topUpCheck(3_000 as Money, 10_000 as Money, r).due).toBe(false)
    expect(topUpCheck(0 as Money, 0 as Money, r).due).toBe(false)
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (balance, first) => {
        const c = topUpCheck(balance as Money, first as Money, r)
        expect(c.due).toBe(first > 0 && 10 * balance < 3 * first)
        if (c.due) expect(balance + c.suggestedTopUp).toBe(first)
      }),
    )
  })
})
