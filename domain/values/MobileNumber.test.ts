import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import * as Mobile from "./MobileNumber.js"

describe("MobileNumber", () => {
  it("normalises prefixes and separators", () => {
    expect(Result.getOrThrow(Mobile.parse("+86 138-0013-8000"))).toBe("13800138000")
    expect(Result.getOrThrow(Mobile.parse("008613800138000"))).toBe("13800138000")
    const r = Mobile.parse("12800138000", "servicePhone")
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      field: "servicePhone",
      rule: "mobile.mainland-format",
    })
  })
  it("property: exactly the 11-digit numbers starting 13–19 are accepted", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (s) => {
        expect(Result.isSuccess(Mobile.parse(s))).toBe(/^1[3-9]/.test(s))
      }),
    )
  })
})
