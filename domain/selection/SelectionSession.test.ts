/**
 * Selection session (R54): strict order per stratum, check-in before choosing, formal selection once,
 * skip and release recorded; over random operation sequences no unit is held twice, every choice was the
 * turn of a checked-in family, and the exported result decodes to the same bindings.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeResult, encodeResult, resultOf } from "./SelectionResult.js"
import * as S from "./SelectionSession.js"

const families: ReadonlyArray<S.Family> = [
  { id: "A1", rank: 1, barcode: "B1", stratum: "P1/2室" },
  { id: "A2", rank: 2, barcode: "B2", stratum: "P1/2室" },
  { id: "A3", rank: 3, barcode: "B3", stratum: "P1/2室" },
  { id: "C1", rank: 1, barcode: "B4", stratum: "P1/1室" },
]
const units: ReadonlyArray<S.SelectionUnit> = [
  { id: "101", stratum: "P1/2室" },
  { id: "102", stratum: "P1/2室" },
  { id: "201", stratum: "P1/1室" },
]
const start = () => {
  const r = S.makeSession("第1批", families, units, 0)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
}
const get = (r: Result.Result<S.SessionState, S.SelectionRefused>) => {
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
}
const reason = (r: Result.Result<S.SessionState, S.SelectionRefused>) =>
  Result.isFailure(r) ? r.failure.reason : "ok"

describe("selection session", () => {
  it("runs in order, once per family; skip and release are recorded", () => {
    let s = start()
    expect(reason(S.choose(s, "A1", "101", 1))).toBe("not-checked-in")
    s = get(S.checkIn(s, "B1", 1))
    s = get(S.checkIn(s, "B2", 1))
    expect(reason(S.checkIn(s, "B2", 2))).toBe("already-checked-in")
    expect(reason(S.choose(s, "A2", "101", 2))).toBe("not-your-turn")
    s = get(S.preselect(s, "A2", "102", 2))
    expect(reason(S.choose(s, "A1", "201", 2))).toBe("stratum-mismatch")
    s = get(S.choose(s, "A1", "101", 3))
    expect(reason(S.choose(s, "A1", "102", 3))).toBe("already-selected")
    expect(reason(S.choose(s, "A2", "101", 4))).toBe("unit-taken")
    s = get(S.release(s, "A1", "现场解除", 5))
    expect(reason(S.choose(s, "A1", "101", 5))).toBe("already-selected") // runs once, even after release
    s = get(S.choose(s, "A2", "101", 6))
    s = get(S.skip(s, "A3", "未到场", 7))
    const p = S.progress(s)
    expect(p).toMatchObject({ chosen: 1, skipped: 1, released: 1, pending: 1, unitsFree: 2 })
    expect(p.turns).toEqual([
      { stratum: "P1/1室", family: "C1" },
      { stratum: "P1/2室", family: undefined },
    ])
    const result = resultOf(s, 100)
    expect(result.bindings).toEqual([{ family: "A2", stratum: "P1/2室", rank: 2, unit: "101", at: 6 }])
    const back = decodeResult(encodeResult(result))
    expect(Result.isSuccess(back) && back.success).toEqual(result)
    const round = S.decodeSession(JSON.parse(JSON.stringify(s)))
    expect(Result.isSuccess(round)).toBe(true)
  })

  it("keeps its invariants over random operations", () => {
    const op = fc.oneof(
      fc.constantFrom("B1", "B2", "B3", "B4", "B9").map((b) => ({ k: "checkIn" as const, b })),
      fc
        .record({ f: fc.constantFrom("A1", "A2", "A3", "C1"), u: fc.constantFrom("101", "102", "201") })
        .chain((x) => fc.constantFrom("choose" as const, "preselect" as const).map((k) => ({ k, ...x }))),
      fc
        .constantFrom("A1", "A2", "A3", "C1")
        .chain((f) => fc.constantFrom("skip" as const, "release" as const).map((k) => ({ k, f }))),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let s = start()
        let t = 0
        for (const o of ops) {
          t++
          const r =
            o.k === "checkIn"
              ? S.checkIn(s, o.b, t)
              : o.k === "choose"
                ? S.choose(s, o.f, o.u, t)
                : o.k === "preselect"
                  ? S.preselect(s, o.f, o.u, t)
                  : o.k === "skip"
                    ? S.skip(s, o.f, "x", t)
                    : S.release(s, o.f, "x", t)
          if (Result.isFailure(r)) continue
          if (o.k === "choose") {
            const f = families.find((x) => x.id === o.f)!
            expect(S.current(s, f.stratum)?.id).toBe(o.f)
            expect(s.checkedIn[o.f]).toBeDefined()
            // everyone ahead in the stratum has been dealt with
            for (const g of families)
              if (g.stratum === f.stratum && g.rank < f.rank) expect(S.statusOf(s, g.id)).not.toBe("pending")
          }
          s = r.success
          const held = Object.values(s.chosen).map((c) => c.unit)
          expect(new Set(held).size).toBe(held.length)
          // a family is in exactly one of chosen / released / skipped / pending
          for (const f of families)
            expect(
              [s.chosen[f.id], s.released[f.id], s.skipped[f.id]].filter((x) => x !== undefined).length,
            ).toBeLessThanOrEqual(1)
        }
        expect(Object.keys(s.chosen).length + Object.keys(s.released).length).toBe(
          s.log.filter((l) => l.action === "choose").length,
        )
        // A server session is stored as its log: folding the log rebuilds exactly this state.
        expect(S.restore(start(), s.log.slice(1))).toEqual(s)
      }),
      { numRuns: 500 },
    )
  })
})
