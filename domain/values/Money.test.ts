import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import * as Money from "./Money.js"

const fen = fc.integer({ min: -1e12, max: 1e12 }).map((n) => n as Money.Money)
const ok = <A>(r: Result.Result<A, unknown>): A => Result.getOrThrow(r)

describe("Money (integer fen)", () => {
  it("formats with the yuan sign, grouping and two decimals", () => {
    expect(Money.format(123456 as Money.Money)).toBe("¥1,234.56")
    expect(Money.format(5 as Money.Money)).toBe("¥0.05")
    expect(Money.format(-123456789 as Money.Money)).toBe("-¥1,234,567.89")
    expect(Money.format(0 as Money.Money)).toBe("¥0.00")
  })

  it("parses decimal yuan and rejects a third decimal instead of rounding", () => {
    expect(ok(Money.parseYuan("1234.56"))).toBe(123456)
    expect(ok(Money.parseYuan("1234.5"))).toBe(123450)
    expect(ok(Money.parseYuan("1,234"))).toBe(123400)
    expect(ok(Money.parseYuan("-0.05"))).toBe(-5)
    const r = Money.parseYuan("1234.567", "rent")
    expect(Result.isFailure(r) && r.failure).toMatchObject({ field: "rent", rule: "money.max-two-decimals" })
    expect(Result.isFailure(Money.parseYuan("12a"))).toBe(true)
    expect(Result.isFailure(Money.parseYuan(""))).toBe(true)
  })

  it("property: parse ∘ toYuanString = id, and format agrees with toYuanString", () => {
    fc.assert(
      fc.property(fen, (m) => {
        expect(ok(Money.parseYuan(Money.toYuanString(m)))).toBe(m)
        expect(ok(Money.parseYuan(Money.format(m).replace("¥", "")))).toBe(m)
      }),
    )
  })

  it("property: addition is exact and refuses to leave the safe range", () => {
    fc.assert(
      fc.property(fen, fen, (a, b) => {
        expect(ok(Money.add(a, b))).toBe(a + b)
      }),
    )
    const big = Number.MAX_SAFE_INTEGER as Money.Money
    expect(Result.isFailure(Money.add(big, 1 as Money.Money))).toBe(true)
    expect(Result.isFailure(Money.fromFen(0.5))).toBe(true)
  })

  it("property: multiplyRatio rounds once and lies within one fen of the exact value", () => {
    const modes: Array<Money.Rounding> = ["half-up", "half-even", "floor", "ceiling", "down"]
    fc.assert(
      fc.property(
        fen,
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(...modes),
        (a, d, k, mode) => {
          const n = k % (d + 1) // ratios in [0, 1], so results stay in range
          const r = ok(Money.multiplyRatio(a, n, d, mode))
          const exact = BigInt(a) * BigInt(n) * 2n // compare 2·d·r with 2·a·n, avoiding fractions
          const diff = BigInt(r) * BigInt(d) * 2n - exact
          expect(diff < 2n * BigInt(d) && diff > -2n * BigInt(d)).toBe(true)
          if (mode === "floor") expect(diff <= 0n).toBe(true)
          if (mode === "ceiling") expect(diff >= 0n).toBe(true)
          if (mode === "half-up" || mode === "half-even")
            expect(diff <= BigInt(d) && diff >= -BigInt(d)).toBe(true)
        },
      ),
    )
  })

  it("rounds halves as named", () => {
    const half = (n: bigint, m: Money.Rounding) => Money.divideRounded(n, 2n, m)
    expect([
      half(5n, "half-up"),
      half(5n, "half-even"),
      half(7n, "half-even"),
      half(-5n, "half-up"),
      half(-5n, "half-even"),
    ]).toEqual([3n, 2n, 4n, -3n, -2n])
    expect([half(5n, "floor"), half(5n, "ceiling"), half(-5n, "floor"), half(-5n, "down")]).toEqual([
      2n,
      3n,
      -3n,
      -2n,
    ])
  })
})
