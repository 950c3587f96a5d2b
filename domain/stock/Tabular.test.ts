import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import { makeCsvReader, parseCsv, toCsvLine } from "./Tabular.js"

describe("CSV (RFC 4180)", () => {
  it("handles quotes, embedded commas and newlines, CRLF and a BOM", () => {
    const rows = Result.getOrThrow(parseCsv('\uFEFFa,b\r\n"x,1","he said ""hi"""\r\n"multi\nline",2\n\n'))
    expect(rows).toEqual([
      { row: 1, cells: ["a", "b"] },
      { row: 2, cells: ["x,1", 'he said "hi"'] },
      { row: 3, cells: ["multi\nline", "2"] },
    ])
    expect(Result.isFailure(parseCsv('a,"b\n'))).toBe(true)
  })
  it("property: parse ∘ toCsvLine = id for any table of non-empty rows", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "房", ",", '"', "\n", "\r", " ", "1") })
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 10 }),
        (table) => {
          const text = table.map(toCsvLine).join("\r\n")
          expect(Result.getOrThrow(parseCsv(text)).map((r) => r.cells)).toEqual(table)
        },
      ),
    )
  })
  it("property: the incremental reader gives parseCsv's rows (and failure) however the text is cut", () => {
    const piece = fc.string({ unit: fc.constantFrom("a", "房", ",", '"', "\n", "\r", "\uFEFF", "1") })
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const reader = makeCsvReader()
        const rows = pieces.flatMap((p) => reader.push(p))
        const end = reader.end()
        const whole = parseCsv(pieces.join(""))
        if (Result.isFailure(whole)) expect(end).toEqual(whole)
        else expect([...rows, ...Result.getOrThrow(end)]).toEqual(whole.success)
      }),
      { seed: 16, numRuns: 2000 },
    )
  })
})
