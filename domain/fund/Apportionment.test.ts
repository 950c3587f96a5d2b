// Apportionment (分摊) M175/M176/M177: worked examples and the laws — conservation, within one fen of the
// exact proportion, permutation invariance, typed rejection of bad input, never a negative balance.
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Area } from "../values/Area.js"
import type { Money } from "../values/Money.js"
import {
  type Available,
  type ScopeUnit,
  apportion,
  apportionFromBalances,
  drawFromBalances,
  largestRemainder,
  splitTranche,
} from "./Apportionment.js"

const fen = (n: number) => n as Money
const area = (n: number) => n as Area
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}
const shareMap = (a: { shares: ReadonlyArray<{ unitId: string; share: number }> }) =>
  Object.fromEntries(a.shares.map((s) => [s.unitId, s.share]))

describe("apportion: worked examples (M175/M176)", () => {
  it("splits ¥1,000.00 by area 85.50/120.00/64.50 m² to the fen, extra fen to the largest remainders", () => {
    const units = [
      { unitId: "A", area: area(8550) },
      { unitId: "B", area: area(12000) },
      { unitId: "C", area: area(6450) },
    ]
    const a = ok(apportion(fen(100_000), units, "area"))
    // exact: 31666.67, 44444.44, 23888.89 → floors 31666/44444/23888 (Σ 99998); remainders 18000/12000/24000 of 27000
    expect(shareMap(a)).toEqual({ A: 31667, B: 44444, C: 23889 })
    expect(a.totalWeight).toBe(27000n)
    expect(a.shares.map((s) => s.unitId)).toEqual(["A", "B", "C"])
  })

  it("equal split by household: ties go to the smallest ids in code-unit order ('H10' < 'H2')", () => {
    const a = ok(apportion(fen(200), [{ unitId: "H2" }, { unitId: "H3" }, { unitId: "H10" }], "household"))
    expect(shareMap(a)).toEqual({ H10: 67, H2: 67, H3: 66 })
  })

  it("custom weights, and a zero-weight unit never receives a fen", () => {
    const a = ok(
      apportion(
        fen(1001),
        [
          { unitId: "x", weight: 1 },
          { unitId: "y", weight: 0n },
          { unitId: "z", weight: 1 },
        ],
        "weight",
      ),
    )
    expect(shareMap(a)).toEqual({ x: 501, y: 0, z: 500 })
  })

  it("zero cost gives zero shares", () => {
    expect(shareMap(ok(apportion(fen(0), [{ unitId: "a" }, { unitId: "b" }], "household")))).toEqual({
      a: 0,
      b: 0,
    })
  })
})

describe("apportion: typed errors name the field and the rule (M175)", () => {
  it.each([
    [
      "negative cost",
      () => apportion(fen(-5), [{ unitId: "a" }], "household"),
      "cost",
      "M175.non-negative-amount",
    ],
    [
      "zero total weight",
      () => apportion(fen(5), [{ unitId: "a", area: area(0) }], "area"),
      "units",
      "M175.positive-total-weight",
    ],
    ["empty scope", () => apportion(fen(5), [], "household"), "units", "M175.positive-total-weight"],
    [
      "duplicate unit",
      () => apportion(fen(5), [{ unitId: "a" }, { unitId: "a" }], "household"),
      "units[1].id",
      "M175.unique-unit",
    ],
    [
      "negative weight",
      () => apportion(fen(5), [{ unitId: "a", weight: -1 }], "weight"),
      "units[0].weight",
      "M175.non-negative-weight",
    ],
    [
      "fractional weight",
      () => apportion(fen(5), [{ unitId: "a", weight: 0.5 }], "weight"),
      "units[0].weight",
      "M175.integer-weight",
    ],
    [
      "missing area",
      () => apportion(fen(5), [{ unitId: "a" }], "area"),
      "units[0].area",
      "M175.area-required",
    ],
    [
      "missing weight",
      () => apportion(fen(5), [{ unitId: "a" }], "weight"),
      "units[0].weight",
      "M175.weight-required",
    ],
    [
      "fractional cost",
      () => apportion(fen(0.5), [{ unitId: "a" }], "household"),
      "cost",
      "M175.integer-fen",
    ],
  ] as const)("%s", (_, run, field, rule) => {
    const e = err(run())
    expect(e._tag).toBe("InvalidValue")
    expect(e.field).toBe(field)
    expect(e.rule).toBe(rule)
  })
})

const unitsArb = fc
  .uniqueArray(
    fc.record({
      unitId: fc.string({ minLength: 1, maxLength: 4 }),
      area: fc.integer({ min: 0, max: 50_000 }).map(area),
      weight: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    }),
    { selector: (u) => u.unitId, minLength: 1, maxLength: 40 },
  )
  .filter((us) => us.some((u) => u.area > 0) && us.some((u) => u.weight > 0n))
const basisArb = fc.constantFrom("area" as const, "household" as const, "weight" as const)
const costArb = fc.integer({ min: 0, max: 1_000_000_000_000 }).map(fen)
const weightFor = (u: { area: number; weight: bigint }, basis: string) =>
  basis === "area" ? BigInt(u.area) : basis === "household" ? 1n : u.weight

describe("apportion: laws (M175/M176)", () => {
  it("conserves the cost: Σ shares = cost", () => {
    fc.assert(
      fc.property(costArb, unitsArb, basisArb, (cost, units, basis) => {
        const a = ok(apportion(cost, units, basis))
        expect(a.shares.reduce((t, s) => t + s.share, 0)).toBe(cost)
      }),
    )
  })

  it("each share is within one fen of its exact proportion (|share·W − cost·w| < W)", () => {
    fc.assert(
      fc.property(costArb, unitsArb, basisArb, (cost, units, basis) => {
        const a = ok(apportion(cost, units, basis))
        const W = a.totalWeight
        a.shares.forEach((s, i) => {
          const diff = BigInt(s.share) * W - BigInt(cost) * weightFor(units[i]!, basis)
          expect(diff < W && diff > -W).toBe(true)
        })
      }),
    )
  })

  it("does not depend on the order of the input", () => {
    fc.assert(
      fc.property(
        costArb,
        unitsArb.chain((us) => fc.tuple(fc.constant(us), fc.shuffledSubarray(us, { minLength: us.length }))),
        basisArb,
        (cost, [units, shuffled], basis) => {
          expect(shareMap(ok(apportion(cost, shuffled, basis)))).toEqual(
            shareMap(ok(apportion(cost, units, basis))),
          )
        },
      ),
    )
  })

  it("rejects a duplicated unit wherever it appears", () => {
    fc.assert(
      fc.property(costArb, unitsArb, fc.nat(), (cost, units, k) => {
        const dup = units[k % units.length]!
        const e = err(apportion(cost, [...units, dup], "household"))
        expect(e.rule).toBe("M175.unique-unit")
      }),
    )
  })

  it("rejects any negative cost", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: -1 }), unitsArb, (cost, units) => {
        expect(err(apportion(fen(cost), units, "household")).rule).toBe("M175.non-negative-amount")
      }),
    )
  })

  it("largestRemainder equals a naive bigint reference on both its double and its bigint paths (M176)", () => {
    const reference = (total: bigint, items: ReadonlyArray<{ id: string; weight: bigint }>) => {
      const W = items.reduce((t, x) => t + x.weight, 0n)
      const q = items.map((x) => (total * x.weight) / W)
      const r = items.map((x, i) => total * x.weight - q[i]! * W)
      let k = Number(total - q.reduce((t, x) => t + x, 0n))
      const order = items
        .map((_, i) => i)
        .sort((a, b) => (r[a]! > r[b]! ? -1 : r[a]! < r[b]! ? 1 : items[a]!.id < items[b]!.id ? -1 : 1))
      for (const i of order) if (k-- > 0) q[i]! += 1n
      return q
    }
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 10n ** 20n })),
        fc.oneof(fc.constant(3n), fc.constant(10n ** 15n)).chain((maxWeight) =>
          fc.uniqueArray(
            fc.record({
              id: fc.string({ unit: "binary", minLength: 1, maxLength: 3 }),
              weight: fc.bigInt({ min: 0n, max: maxWeight }),
            }),
            { selector: (x) => x.id, minLength: 1, maxLength: 30 },
          ),
        ),
        (total, items) => {
          fc.pre(items.some((x) => x.weight > 0n))
          expect(ok(largestRemainder(total, items))).toEqual(reference(total, items))
        },
      ),
      { numRuns: 500 },
    )
  })

  it("largestRemainder handles 10,000 units exactly", () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      id: `U${i}`,
      weight: BigInt(5000 + ((i * 7919) % 15000)),
    }))
    const s = ok(largestRemainder(123_456_789n, items))
    expect(s.reduce((t, x) => t + x, 0n)).toBe(123_456_789n)
  })
})

describe("apportionFromBalances: 自筹 and draw order (M175, A5)", () => {
  const units: ScopeUnit[] = [
    { unitId: "H1", area: area(10_000) },
    { unitId: "H2", area: area(10_000) },
  ]
  const balances = new Map<string, Available>([
    ["H1", { principal: fen(3000), income: fen(500) }],
    ["H2", { principal: fen(10_000), income: fen(2000) }],
  ])

  it("principal-first: H1 exhausts both components and self-funds the rest", () => {
    const a = ok(apportionFromBalances(fen(10_000), units, "area", balances, "principal-first"))
    expect(a.draws).toEqual([
      { unitId: "H1", share: 5000, principal: 3000, income: 500, selfFunded: 1500 },
      { unitId: "H2", share: 5000, principal: 5000, income: 0, selfFunded: 0 },
    ])
    expect(a.totals).toEqual({ principal: 8000, income: 500, selfFunded: 1500 })
  })

  it("income-first draws income before principal", () => {
    const a = ok(apportionFromBalances(fen(10_000), units, "area", balances, "income-first"))
    expect(a.draws[1]).toEqual({ unitId: "H2", share: 5000, principal: 3000, income: 2000, selfFunded: 0 })
  })

  it("a household without a balance entry is a typed error", () => {
    const e = err(drawFromBalances([{ unitId: "H9", share: fen(1) }], balances, "principal-first"))
    expect(e.rule).toBe("M175.balance-required")
  })

  it("law: share = principal + income + 自筹, never more than available, 自筹 only when both are exhausted", () => {
    fc.assert(
      fc.property(
        costArb,
        unitsArb,
        fc.constantFrom("principal-first" as const, "income-first" as const),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 ** 10 }), fc.integer({ min: 0, max: 10 ** 10 })), {
          minLength: 40,
          maxLength: 40,
        }),
        (cost, units, order, bal) => {
          const m = new Map(
            units.map((u, i) => [u.unitId, { principal: fen(bal[i]![0]), income: fen(bal[i]![1]) }]),
          )
          const a = ok(apportionFromBalances(cost, units, "area", m, order))
          for (const d of a.draws) {
            const b = m.get(d.unitId)!
            expect(d.principal + d.income + d.selfFunded).toBe(d.share)
            expect(d.principal <= b.principal && d.income <= b.income).toBe(true)
            expect(d.principal >= 0 && d.income >= 0 && d.selfFunded >= 0).toBe(true)
            if (d.selfFunded > 0) expect([d.principal, d.income]).toEqual([b.principal, b.income])
          }
        },
      ),
    )
  })
})

describe("splitTranche: disbursement in several tranches (M51/M177)", () => {
  it("worked example: 40 % then the rest settles every household exactly", () => {
    const remaining = [
      { unitId: "H1", principal: fen(3000), income: fen(500) },
      { unitId: "H2", principal: fen(5000), income: fen(0) },
    ]
    const t1 = ok(splitTranche(remaining, fen(3400)))
    expect(t1.reduce((t, r) => t + r.principal + r.income, 0)).toBe(3400)
    const rest = remaining.map((r, i) => ({
      unitId: r.unitId,
      principal: fen(r.principal - t1[i]!.principal),
      income: fen(r.income - t1[i]!.income),
    }))
    expect(ok(splitTranche(rest, fen(5100)))).toEqual(rest)
    expect(err(splitTranche(rest, fen(5101))).rule).toBe("M177.within-approved")
  })

  it("law: any sequence of tranches pays each component at most its remainder and the last one settles exactly", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            unitId: fc.string({ minLength: 1, maxLength: 3 }),
            principal: fc.nat(100_000),
            income: fc.nat(10_000),
          }),
          {
            selector: (r) => r.unitId,
            minLength: 1,
            maxLength: 20,
          },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        (rs, fractions) => {
          let rem = rs.map((r) => ({ unitId: r.unitId, principal: fen(r.principal), income: fen(r.income) }))
          const total = () => rem.reduce((t, r) => t + r.principal + r.income, 0)
          for (const f of [...fractions, 1]) {
            const amount = fen(Math.floor(total() * f))
            const part = ok(splitTranche(rem, amount))
            expect(part.reduce((t, r) => t + r.principal + r.income, 0)).toBe(amount)
            rem = rem.map((r, i) => ({
              unitId: r.unitId,
              principal: fen(r.principal - part[i]!.principal),
              income: fen(r.income - part[i]!.income),
            }))
            for (const r of rem) expect(r.principal >= 0 && r.income >= 0).toBe(true)
          }
          expect(total()).toBe(0)
        },
      ),
    )
  })
})
