import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import fc from "fast-check"
import * as D from "./CivilDate.js"

const day = fc.integer({
  min: D.toDayNumber("1800-01-01" as D.CivilDate),
  max: D.toDayNumber("2200-12-31" as D.CivilDate),
})

describe("CivilDate", () => {
  it("property: day numbers round-trip and agree with the JavaScript UTC calendar", () => {
    fc.assert(
      fc.property(day, (n) => {
        const d = D.fromDayNumber(n)
        expect(D.toDayNumber(d)).toBe(n)
        expect(new Date(n * 86_400_000).toISOString().slice(0, 10)).toBe(d)
        expect(Schema.is(D.CivilDate)(d)).toBe(true)
      }),
    )
  })
  it("validates calendar dates, leap years included", () => {
    expect(Result.isSuccess(D.parse("2024-02-29"))).toBe(true)
    expect(Result.isFailure(D.parse("2023-02-29"))).toBe(true)
    expect(Result.isFailure(D.parse("1900-02-29"))).toBe(true)
    expect(Result.isSuccess(D.parse("2000-02-29"))).toBe(true)
    expect(Result.getOrThrow(D.parse("2024/3/5"))).toBe("2024-03-05")
    expect(Result.getOrThrow(D.parse("20240305"))).toBe("2024-03-05")
    const r = D.parse("2024-13-01", "building.completionDate")
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      field: "building.completionDate",
      rule: "date.calendar",
    })
  })
  it("adds months with end-of-month clamping and counts full months", () => {
    expect(D.addMonths("2024-01-31" as D.CivilDate, 1)).toBe("2024-02-29")
    expect(D.addMonths("2024-03-31" as D.CivilDate, -1)).toBe("2024-02-29")
    expect(D.addYears("2024-02-29" as D.CivilDate, 1)).toBe("2025-02-28")
    expect(D.fullMonthsBetween("2024-01-15" as D.CivilDate, "2024-02-14" as D.CivilDate)).toBe(0)
    expect(D.fullMonthsBetween("2024-01-15" as D.CivilDate, "2024-02-15" as D.CivilDate)).toBe(1)
    expect(D.fullMonthsBetween("2023-06-01" as D.CivilDate, "2024-05-31" as D.CivilDate)).toBe(11)
  })
  it("property: fullMonthsBetween(a, addMonths(a, k)) ≥ k − (clamping) and never overshoots", () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 600 }), (n, k) => {
        const a = D.fromDayNumber(n)
        const b = D.addMonths(a, k)
        const m = D.fullMonthsBetween(a, b)
        expect(m <= k).toBe(true)
        expect(D.addMonths(a, m) <= b).toBe(true)
        expect(D.addMonths(a, m + 1) > b).toBe(true)
      }),
    )
  })
  it("maps instants to Asia/Shanghai civil dates and back", () => {
    // 2026-11-22T16:30:00Z is 00:30 on 23 Nov in Shanghai.
    expect(D.fromInstant(Date.UTC(2026, 10, 22, 16, 30))).toBe("2026-11-23")
    expect(D.fromInstant(Date.UTC(2026, 10, 22, 15, 59))).toBe("2026-11-22")
    expect(D.startOfDayInstant("2026-11-23" as D.CivilDate)).toBe(Date.UTC(2026, 10, 22, 16, 0))
    // Summer time 1986–1991: 1988-07-01 started at 23:00 UTC the previous day (UTC+9).
    expect(D.startOfDayInstant("1988-07-01" as D.CivilDate)).toBe(Date.UTC(1988, 5, 30, 15, 0))
    fc.assert(
      fc.property(day, (n) => {
        const d = D.fromDayNumber(n)
        expect(D.fromInstant(D.startOfDayInstant(d))).toBe(d)
        expect(D.fromInstant(D.startOfDayInstant(d) - 1)).toBe(D.addDays(d, -1))
      }),
      { numRuns: 300 },
    )
  })
})
