// Income allocation (增值收益分配) M180/M182: balance × days and period-end bases, worked examples, the
// same laws as apportionment (conservation, within one fen, order independence) and a brute-force check
// of the balance-days sweep.
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type CivilDate, addDays } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { type BalanceHistory, type Period, allocateIncome, weightOf } from "./IncomeAllocation.js"

const fen = (n: number) => n as Money
const d = (s: string) => s as CivilDate
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}

const jan: Period = { from: d("2024-01-01"), to: d("2024-01-10") }

describe("worked examples (M180)", () => {
  const households: BalanceHistory[] = [
    { householdId: "H1", opening: fen(100_000), changes: [] },
    { householdId: "H2", changes: [{ date: d("2024-01-06"), amount: fen(100_000) }] },
  ]

  it("balance × days: a deposit on day 6 earns for 5 of 10 days (end-of-day balances)", () => {
    const a = ok(allocateIncome(fen(300), households, jan, "balance-days"))
    expect(a.days).toBe(10)
    expect(a.shares.map((s) => [s.householdId, s.weight, s.amount])).toEqual([
      ["H1", 1_000_000n, 200],
      ["H2", 500_000n, 100],
    ])
  })

  it("period-end balance ignores when the money arrived", () => {
    const a = ok(allocateIncome(fen(301), households, jan, "period-end"))
    expect(a.shares.map((s) => s.amount)).toEqual([151, 150]) // tie → smaller id H1
  })

  it("changes before the period fold into the opening balance; after it, they are ignored", () => {
    const h: BalanceHistory = {
      householdId: "H",
      changes: [
        { date: d("2023-12-01"), amount: fen(50) },
        { date: d("2024-01-03"), amount: fen(-20) },
        { date: d("2024-02-01"), amount: fen(-30) },
      ],
    }
    expect(ok(weightOf(h, jan, "balance-days"))).toBe(50n * 2n + 30n * 8n)
    expect(ok(weightOf(h, jan, "period-end"))).toBe(30n)
  })
})

describe("typed errors", () => {
  it("a negative balance inside the period", () => {
    const e = err(
      allocateIncome(
        fen(10),
        [{ householdId: "H", changes: [{ date: d("2024-01-02"), amount: fen(-1) }] }],
        jan,
        "balance-days",
      ),
    )
    expect([e.field, e.rule]).toEqual(["households.H", "M180.non-negative-balance"])
  })
  it("nobody held a balance", () => {
    expect(err(allocateIncome(fen(10), [{ householdId: "H", changes: [] }], jan, "balance-days")).rule).toBe(
      "M180.positive-total-weight",
    )
  })
  it("duplicate household", () => {
    const h = { householdId: "H", opening: fen(1), changes: [] }
    expect(err(allocateIncome(fen(10), [h, h], jan, "period-end")).rule).toBe("M180.unique-unit")
  })
  it("negative income and reversed period", () => {
    const h = { householdId: "H", opening: fen(1), changes: [] }
    expect(err(allocateIncome(fen(-1), [h], jan, "period-end")).rule).toBe("M180.non-negative-amount")
    expect(err(allocateIncome(fen(1), [h], { from: jan.to, to: jan.from }, "period-end")).rule).toBe(
      "M180.period-order",
    )
  })
})

const dayArb = fc.integer({ min: -20, max: 60 }).map((n) => addDays(d("2024-01-01"), n))
const historyArb = fc.uniqueArray(
  fc.record({
    householdId: fc.string({ minLength: 1, maxLength: 3 }),
    opening: fc.integer({ min: 1, max: 10_000_000 }).map(fen),
    changes: fc.array(fc.record({ date: dayArb, amount: fc.integer({ min: 0, max: 1_000_000 }).map(fen) }), {
      maxLength: 6,
    }),
  }),
  { selector: (h) => h.householdId, minLength: 1, maxLength: 20 },
)
const periodArb: fc.Arbitrary<Period> = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }))
  .map(([a, n]) => ({ from: addDays(d("2024-01-01"), a), to: addDays(d("2024-01-01"), a + n) }))
const basisArb = fc.constantFrom("balance-days" as const, "period-end" as const)
const incomeArb = fc.integer({ min: 0, max: 10_000_000_000 }).map(fen)

describe("laws", () => {
  it("conserves the income and keeps each share within one fen of weight/W × income", () => {
    fc.assert(
      fc.property(incomeArb, historyArb, periodArb, basisArb, (income, hs, period, basis) => {
        const a = ok(allocateIncome(income, hs, period, basis))
        expect(a.shares.reduce((t, s) => t + s.amount, 0)).toBe(income)
        for (const s of a.shares) {
          const diff = BigInt(s.amount) * a.totalWeight - BigInt(income) * s.weight
          expect(diff < a.totalWeight && diff > -a.totalWeight).toBe(true)
        }
      }),
    )
  })

  it("does not depend on the order of households or of their changes", () => {
    fc.assert(
      fc.property(incomeArb, historyArb, periodArb, basisArb, (income, hs, period, basis) => {
        const rev = [...hs].reverse().map((h) => ({ ...h, changes: [...h.changes].reverse() }))
        const m = (xs: ReadonlyArray<{ householdId: string; amount: number }>) =>
          Object.fromEntries(xs.map((s) => [s.householdId, s.amount]))
        expect(m(ok(allocateIncome(income, rev, period, basis)).shares)).toEqual(
          m(ok(allocateIncome(income, hs, period, basis)).shares),
        )
      }),
    )
  })

  it("the balance-days sweep equals a day-by-day sum of end-of-day balances", () => {
    fc.assert(
      fc.property(historyArb, periodArb, (hs, period) => {
        for (const h of hs) {
          let brute = 0n
          for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
            let bal = BigInt(h.opening)
            for (const c of h.changes) if (c.date <= day) bal += BigInt(c.amount)
            brute += bal
          }
          expect(ok(weightOf(h, period, "balance-days"))).toBe(brute)
        }
      }),
    )
  })
})
