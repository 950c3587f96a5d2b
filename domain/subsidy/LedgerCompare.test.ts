/**
 * R121 ledger compare: a template filled with the allocated amounts compares all correct; each kind of
 * discrepancy is named by its rule (amount mismatch, not allocated, missing, duplicate, other month, bad
 * amount); a file without the template header is refused. Property: every case of file ∪ allocation is
 * counted once (correct + errors).
 */
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compareLedger, ledgerTemplate } from "./LedgerCompare.js"

const allocation = new Map([
  ["L1", 243_000],
  ["L2", -5_000],
  ["L3", 12_345],
])
/** The template with `paid_yuan` = allocated (or the override). */
const filled = (alloc: ReadonlyMap<string, number>, override: Record<string, string> = {}) =>
  ledgerTemplate("2026-03", alloc)
    .split("\r\n")
    .map((line, i) => {
      if (i === 0) return line
      const [m, c, a] = line.split(",")
      return `${m},${c},${a},${override[c!] ?? a}`
    })
    .join("\n")

describe("R121 ledger compare", () => {
  it("the template filled with the allocation is all correct", () => {
    expect(ledgerTemplate("2026-03", allocation).split("\r\n")).toEqual([
      "pay_month,case_id,allocated_yuan,paid_yuan",
      "2026-03,L1,2430.00,",
      "2026-03,L2,-50.00,",
      "2026-03,L3,123.45,",
    ])
    const r = Result.getOrThrow(compareLedger(filled(allocation), "2026-03", "310115", allocation))
    expect(r).toMatchObject({ rows: 3, correct: 3, errorCount: 0, errors: [] })
  })

  it("names every discrepancy by its rule", () => {
    const csv = [
      filled(allocation, { L1: "2430.01", L3: "abc" }),
      "2026-03,L9,0.00,10.00",
      "2026-03,L1,2430.00,2430.00",
      "2026-02,L8,1.00,1.00",
    ]
      .join("\n")
      .replace("2026-03,L2,-50.00,-50.00\n", "")
    const r = Result.getOrThrow(compareLedger(csv, "2026-03", "310115", allocation))
    expect(r.correct).toBe(0)
    expect(r.errors.map((e) => [e.row, e.caseId, e.rule])).toEqual([
      [2, "L1", "R121.amount-mismatch"],
      [3, "L3", "R121.amount-format"],
      [4, "L9", "R121.not-allocated"],
      [5, "L1", "R121.duplicate"],
      [6, "L8", "R121.month"],
      [null, "L2", "R121.missing"],
    ])
    expect(r.errors[0]).toMatchObject({ allocated: 243_000, paid: 243_001 })
  })

  it("refuses a file without the template header", () => {
    const r = compareLedger("case,amount\nL1,1.00", "2026-03", "310115", allocation)
    expect(Result.isFailure(r) && [r.failure.field, r.failure.rule]).toEqual(["file", "R121.template"])
  })

  it("property: correct + errors counts every case of the file and the allocation once", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^L[0-9]{1,3}$/u), fc.integer({ min: -100_000, max: 1_000_000 })),
        fc.dictionary(fc.stringMatching(/^L[0-9]{1,3}$/u), fc.integer({ min: -100_000, max: 1_000_000 })),
        (allocated, paid) => {
          const alloc = new Map(Object.entries(allocated))
          const rows = Object.entries(paid).map(([c, fen]) => `2026-03,${c},0.00,${(fen / 100).toFixed(2)}`)
          const r = Result.getOrThrow(
            compareLedger(
              ["pay_month,case_id,allocated_yuan,paid_yuan", ...rows].join("\n"),
              "2026-03",
              "x",
              alloc,
            ),
          )
          const cases = new Set([...Object.keys(allocated), ...Object.keys(paid)])
          expect(r.correct + r.errorCount).toBe(cases.size)
          expect(r.correct).toBe(Object.entries(paid).filter(([c, fen]) => allocated[c] === fen).length)
        },
      ),
      { numRuns: 200, seed: 121 },
    )
  })
})
