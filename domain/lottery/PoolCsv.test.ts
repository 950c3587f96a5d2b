/**
 * pool.csv / units.csv parsing (R53, R55): header with id and optional stratum, other columns ignored,
 * duplicate and empty ids fail naming the line, ID numbers refused, quoting per RFC 4180.
 */
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { findFirstDuplicate, makePool } from "./Pool.js"
import { parsePoolCsv, parseUnitsCsv } from "./PoolCsv.js"

const fail = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected a failure")
  return r.failure
}
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success: ${JSON.stringify(r.failure)}`)
  return r.success
}

describe("parsePoolCsv (R53)", () => {
  it("reads id and stratum, ignores other columns, BOM, CRLF, quotes and blank lines", () => {
    const text =
      '\uFEFFname,ID,Stratum,phone\r\n"Zhang, San",A001,P1-2R,138\r\n\r\nLi,"A002",P1-2R,"13""9"\r\n王五,A003,P2-1R,\r\n'
    const pool = ok(parsePoolCsv(text))
    expect(pool.entrants).toEqual([
      { id: "A001", stratum: "P1-2R" },
      { id: "A002", stratum: "P1-2R" },
      { id: "A003", stratum: "P2-1R" },
    ])
  })
  it('without a stratum column everyone is in stratum ""', () => {
    expect(ok(parsePoolCsv("id\nA1\nA2\n")).entrants).toEqual([
      { id: "A1", stratum: "" },
      { id: "A2", stratum: "" },
    ])
  })
  it("a duplicate id fails naming its line and the first line", () => {
    const e = fail(parsePoolCsv("id,stratum\nA1,x\nA2,x\n\nA1,y\n"))
    expect(e.rule).toBe("R53.id-duplicate")
    expect(e.line).toBe(5)
    expect(e.message).toContain("first on line 2")
  })
  it("reports the earliest problem when a duplicate and another error coexist", () => {
    expect(fail(parsePoolCsv("id\nA1\nA1\n=X\n")).line).toBe(3)
    expect(fail(parsePoolCsv('id\nA1\n""\nA1\n')).rule).toBe("R53.id-empty")
  })
  it("an empty id fails with its line; a missing id column or empty file fails", () => {
    const e = fail(parsePoolCsv("id,stratum\nA1,x\n  ,x\n"))
    expect([e.rule, e.line]).toEqual(["R53.id-empty", 3])
    expect(fail(parsePoolCsv("name,stratum\nA,x\n")).rule).toBe("R53.pool-header")
    expect(fail(parsePoolCsv("")).rule).toBe("R53.pool-header")
    expect(fail(parsePoolCsv("id\n")).rule).toBe("R53.pool-empty")
  })
  it("refuses resident ID numbers as ids (pools carry application numbers only)", () => {
    expect(fail(parsePoolCsv("id\n11010519491231002X\n")).rule).toBe("R53.id-is-resident-id")
    expect(fail(parsePoolCsv("id\n=HYPERLINK(1)\n")).rule).toBe("R53.id-formula")
  })
  it("normalises ids (trim, NFC) so equivalent spellings collide", () => {
    expect(fail(parsePoolCsv("id\n\u00e9-1\ne\u0301-1 \n")).rule).toBe("R53.id-duplicate")
  })
  it("reports unterminated quotes", () => {
    expect(fail(parsePoolCsv('id\n"A1\n')).rule).toBe("R53.csv-syntax")
  })
  it("findFirstDuplicate agrees with a left-to-right set scan", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 60 }), (ids) => {
        const seen = new Map<string, number>()
        let expected: readonly [number, number] | undefined
        for (let i = 0; i < ids.length && expected === undefined; i++) {
          const f = seen.get(ids[i]!)
          if (f !== undefined) expected = [f, i]
          else seen.set(ids[i]!, i)
        }
        expect(findFirstDuplicate(ids)).toEqual(expected)
      }),
    )
  })
  it("makePool applies the same rules", () => {
    expect(fail(makePool([{ id: "A" }, { id: "A" }])).line).toBe(2)
    expect(fail(makePool([])).rule).toBe("R53.pool-empty")
  })
})

describe("parseUnitsCsv (R55)", () => {
  it("reads stratum,units", () => {
    expect([...ok(parseUnitsCsv("stratum,units\nP1-2R,3\nP2-1R,0\n"))]).toEqual([
      ["P1-2R", 3],
      ["P2-1R", 0],
    ])
  })
  it("rejects bad counts, duplicates and headers, naming the line", () => {
    expect(fail(parseUnitsCsv("stratum,units\nP1,-1\n")).line).toBe(2)
    expect(fail(parseUnitsCsv("stratum,units\nP1,1\nP1,2\n")).rule).toBe("R55.units-duplicate")
    expect(fail(parseUnitsCsv("stratum,count\nP1,1\n")).rule).toBe("R55.units-header")
  })
})
