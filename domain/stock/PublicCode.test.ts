import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import fc from "fast-check"
import * as PublicCode from "./PublicCode.js"

describe("PublicCode (一房一码)", () => {
  it("property: 80 random bits give a valid 16-character code, injectively", () => {
    const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 })
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const ca = PublicCode.fromRandomBytes(a)
        expect(Schema.is(PublicCode.PublicCode)(ca)).toBe(true)
        expect(ca === PublicCode.fromRandomBytes(b)).toBe(a.every((x, i) => x === b[i]))
      }),
    )
  })
  it("normalises what people type: case, separators, I/L/O look-alikes", () => {
    const code = PublicCode.fromRandomBytes(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    expect(Result.getOrThrow(PublicCode.parse(` ${code.toLowerCase().slice(0, 8)}-${code.slice(8)} `))).toBe(
      code,
    )
    expect(Result.getOrThrow(PublicCode.parse("o0il" + code.slice(4)))).toBe(`0011${code.slice(4)}`)
    expect(Result.isFailure(PublicCode.parse("short"))).toBe(true)
  })
})
