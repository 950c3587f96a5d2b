/**
 * Aggregation upward (M184) and theme metrics (M129–M132, M190): the aggregate of aggregates equals the
 * aggregate of everything in any grouping and order (property); figures conserve the detail's totals;
 * theme metrics split by stage add up to the total, with 环比/同比 against the right months.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DEMO_CITY, demoCityDetail } from "../../hosts/demo/DemoFeed.js"
import { aggregateFigures, type Figures, figureFields, figuresOfDetail } from "./Aggregation.js"
import { shiftPeriod, themeReport } from "./ThemeMetrics.js"

const figuresArb: fc.Arbitrary<Figures> = fc
  .record({
    period: fc.constantFrom("2026-10", "2026-11"),
    province: fc.constantFrom("370000", "320000"),
    city: fc.constantFrom("370800", "370100"),
    county: fc.constantFrom("370811", "370812"),
    stage: fc.constantFrom("custody" as const, "self-managed" as const),
    values: fc.array(fc.nat({ max: 1_000_000_000 }), {
      minLength: figureFields.length,
      maxLength: figureFields.length,
    }),
  })
  .map(({ values, ...key }) => ({
    kind: "figures" as const,
    id: `${key.province}/${key.city}/${key.county}/${key.stage}`,
    ...key,
    ...(Object.fromEntries(figureFields.map((f, i) => [f, values[i]!])) as Record<
      (typeof figureFields)[number],
      number
    >),
  }))

describe("aggregation", () => {
  it("aggregate of aggregates = aggregate of all, in any grouping and order (property)", () => {
    fc.assert(
      fc.property(
        fc.array(figuresArb, { maxLength: 40 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 40 }),
        (all, groups) => {
          const buckets: Array<Array<Figures>> = [[], [], [], []]
          all.forEach((f, i) => {
            buckets[(groups[i] ?? 0) % 4]!.push(f)
          })
          const twoLevel = aggregateFigures(buckets.flatMap((b) => aggregateFigures(b)))
          expect(twoLevel).toEqual(aggregateFigures(all))
          expect(aggregateFigures([...all].reverse())).toEqual(aggregateFigures(all))
        },
      ),
      { seed: 184, numRuns: 200 },
    )
  })

  it("figures conserve the detail's totals", () => {
    const period = "2026-11"
    const detail = demoCityDetail({ period, households: 130 })
    const figures = figuresOfDetail(detail, { period, province: DEMO_CITY.province, city: DEMO_CITY.city })
    const total = (kind: string, field: string) =>
      detail.filter((r) => r.kind === kind).reduce((s, r) => s + (r[field] as number), 0)
    const sum = (field: (typeof figureFields)[number]) => figures.reduce((s, f) => s + f[field], 0)
    expect(sum("households")).toBe(130)
    expect(sum("floorArea")).toBe(total("household", "floorArea"))
    expect(sum("balance")).toBe(total("area-account", "balance"))
    expect(sum("depositPaid")).toBe(total("deposit", "paid"))
    expect(sum("useAmount")).toBe(total("use", "amount"))
    expect(new Set(figures.map((f) => f.stage))).toEqual(new Set(["custody", "self-managed"]))
  })
})

describe("theme metrics", () => {
  it("splits by stage, adds up, and compares with the previous month and year", () => {
    const detail = (period: string, seed: number) =>
      figuresOfDetail(demoCityDetail({ period, households: 200, seed }), {
        period,
        province: DEMO_CITY.province,
        city: DEMO_CITY.city,
      })
    const figures = aggregateFigures([
      ...detail("2026-11", 1),
      ...detail("2026-10", 2),
      ...detail("2025-11", 3),
    ])
    const r = themeReport(figures, "2026-11", "province")
    const paid = r.themes.total.deposit.paid
    expect(paid.value).toBe(r.themes.custody.deposit.paid.value + r.themes.selfManaged.deposit.paid.value)
    expect(paid.previousMonth).toBe(
      figures.filter((f) => f.period === "2026-10").reduce((s, f) => s + f.depositPaid, 0),
    )
    expect(paid.sameMonthLastYear).toBe(
      figures.filter((f) => f.period === "2025-11").reduce((s, f) => s + f.depositPaid, 0),
    )
    expect(paid.momBp).toBe(
      Math.sign(paid.value - paid.previousMonth) *
        Math.round((Math.abs(paid.value - paid.previousMonth) * 10_000) / paid.previousMonth),
    )
    expect(r.regions.map((x) => x.region)).toEqual(["370800"])
    expect(themeReport(figures, "2026-11", "city").regions.map((x) => x.region)).toEqual(["370811", "370812"])
    expect(r.themes.total.deposit.rateBp).toBeLessThanOrEqual(10_000)
    expect(shiftPeriod("2026-01", -1)).toBe("2025-12")
    expect(shiftPeriod("2026-11", -12)).toBe("2025-11")
  })
})
