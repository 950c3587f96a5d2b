/**
 * result.csv rendering (R53, R55): the byte writer equals a plain RFC 4180 rendering for any ids and strata
 * (non-ASCII, commas, quotes), numbers follow the start number, and the text reads back as the same rows.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { csvField, forEachRecord } from "./Csv.js"
import { type DrawnStratum, renderResultCsv, resultRows } from "./ResultCsv.js"

const arbText = fc.string({
  unit: fc.constantFrom("a", "Z", "9", ",", '"', "号", "\u{1F3E0}", " ", "-"),
  minLength: 1,
  maxLength: 8,
})
const arbStrata = fc.array(
  fc.record({
    stratum: arbText,
    order: fc.array(arbText, { minLength: 1, maxLength: 12 }),
    winners: fc.nat({ max: 14 }),
  }),
  { maxLength: 4 },
)

describe("renderResultCsv (R53, R55)", () => {
  it("equals a naive rendering and parses back to the same rows", () => {
    fc.assert(
      fc.property(arbStrata, fc.integer({ min: 0, max: 1_000_000_000 }), (raw, start) => {
        const strata: ReadonlyArray<DrawnStratum> = raw.map((s) => ({
          ...s,
          winners: Math.min(s.winners, s.order.length),
        }))
        const rows = [...resultRows(strata, start)]
        const naive = `stratum,rank,number,id,outcome\n${rows
          .map((r) => `${csvField(r.stratum)},${r.rank},${r.number},${csvField(r.id)},${r.outcome}\n`)
          .join("")}`
        const text = new TextDecoder().decode(renderResultCsv(strata, start))
        expect(text).toBe(naive)
        const back: Array<ReadonlyArray<string>> = []
        forEachRecord(
          text,
          (r) => {
            back.push(r.cells())
            return undefined
          },
          () => "bad",
        )
        expect(back.slice(1)).toEqual(
          rows.map((r) => [r.stratum, String(r.rank), String(r.number), r.id, r.outcome]),
        )
      }),
      { numRuns: 200 },
    )
  })
})
