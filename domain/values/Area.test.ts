import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import * as Area from "./Area.js"

describe("Area (0.01 m²)", () => {
  it("parses square metres with at most two decimals", () => {
    expect(Result.getOrThrow(Area.parseSquareMetres("85.5"))).toBe(8550)
    expect(Result.getOrThrow(Area.parseSquareMetres("85"))).toBe(8500)
    expect(Area.format(8550 as Area.Area)).toBe("85.50 m²")
    const r = Area.parseSquareMetres("85.555", "unit.area")
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      field: "unit.area",
      rule: "area.max-two-decimals",
    })
    expect(Result.isFailure(Area.parseSquareMetres("-3"))).toBe(true)
  })
  it("property: parse ∘ toDecimalString = id", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e10 }), (n) => {
        expect(Result.getOrThrow(Area.parseSquareMetres(Area.toDecimalString(n as Area.Area)))).toBe(n)
      }),
    )
  })
})
