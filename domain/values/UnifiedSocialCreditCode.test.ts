import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import * as Uscc from "./UnifiedSocialCreditCode.js"

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
const codeArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 2, maxLength: 2 }),
    fc.stringMatching(/^\d{6}$/),
    fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 9, maxLength: 9 }),
  )
  .map(([a, region, org]) => {
    const first = a + region + org
    return first + Uscc.checkCharacter(first)
  })

describe("UnifiedSocialCreditCode (GB 32100-2015)", () => {
  it("accepts published examples and rejects a wrong check character", () => {
    expect(Result.isSuccess(Uscc.parse("91350100M000100Y43"))).toBe(true)
    expect(Result.isSuccess(Uscc.parse("91310000MA1FL0TB3Y"))).toBe(true)
    const r = Uscc.parse("91350100M000100Y44")
    expect(Result.isFailure(r) && r.failure.rule).toBe("GB32100.check-character")
    expect(Result.isFailure(Uscc.parse("91350100M000100YI3")) && "charset").toBe("charset")
    expect((Uscc.parse("9135") as Result.Failure<unknown, { rule: string }>).failure.rule).toBe(
      "GB32100.length",
    )
  })
  it("property: valid codes pass; any single-character substitution fails", () => {
    fc.assert(
      fc.property(
        codeArb,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 30 }),
        (code, pos, delta) => {
          expect(Result.isSuccess(Uscc.parse(code))).toBe(true)
          const ch = ALPHABET[(ALPHABET.indexOf(code[pos]!) + delta) % 31]!
          expect(Result.isFailure(Uscc.parse(code.slice(0, pos) + ch + code.slice(pos + 1)))).toBe(true)
        },
      ),
    )
  })
})
