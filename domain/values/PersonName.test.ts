import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as PersonName from "./PersonName.js"

/** A lone (unpaired) surrogate anywhere in the string. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u

describe("PersonName.mask works on grapheme clusters (issue 9)", () => {
  it("keeps a character outside the BMP whole: 𠮷明 → 𠮷*", () => {
    expect(PersonName.mask("𠮷明")).toBe("𠮷*")
    expect(PersonName.mask("𠮷明")).not.toBe("\ud842**")
  })

  it("keeps combining sequences and emoji sequences whole", () => {
    expect(PersonName.mask("王五")).toBe("王*")
    expect(PersonName.mask("欧阳娜娜")).toBe("欧***")
    expect(PersonName.mask("e\u0301mile")).toBe("e\u0301****")
    expect(PersonName.mask("👨‍👩‍👧李")).toBe("👨‍👩‍👧*")
    expect(PersonName.mask("🇨🇳明")).toBe("🇨🇳*")
    expect(PersonName.mask("王")).toBe("*")
    expect(PersonName.mask("")).toBe("")
  })

  it("never produces a lone surrogate, keeps the first grapheme and hides the rest", () => {
    const name = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 })
    fc.assert(
      fc.property(name, (s) => {
        const masked = PersonName.mask(s)
        const g = PersonName.graphemes(s)
        expect(LONE_SURROGATE.test(masked)).toBe(false)
        expect(PersonName.graphemes(masked)).toHaveLength(g.length)
        if (g.length > 1) {
          expect(masked.startsWith(g[0]!)).toBe(true)
          expect(masked.slice(g[0]!.length)).toBe("*".repeat(g.length - 1))
        } else expect(masked).toBe("*")
      }),
      { seed: 39, numRuns: 500 },
    )
  })
})
