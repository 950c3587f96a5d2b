/**
 * Laws of the rent-subsidy agreement (R118–R123, R120, R23): the monthly lines of any agreement — partial
 * first month, pauses, transition, exit — sum exactly to the existing formula's amount over the whole
 * period (no second formula, no rounding drift); pause/resume refusals name their rule; R23 lights yellow
 * four months before the end and orange after it.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Option, Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { GuardParameters } from "../guard/GuardParameters.js"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import { loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import * as CD from "../values/CivilDate.js"
import type { CivilDate } from "../values/CivilDate.js"
import { prorate } from "./LianzuSubsidy.js"
import {
  addMonthsTo,
  agreementWarnings,
  makeAgreement,
  monthBounds,
  monthLine,
  monthOf,
  pauseAgreement,
  resumeAgreement,
  type SubsidyAgreement,
  toSubsidyCase,
} from "./SubsidyAgreement.js"
import { allSubsidyParameters } from "./SubsidyParameters.js"

const policyDir = join(import.meta.dirname, "..", "..", "policy")
const table = Result.getOrThrow(
  loadPolicy(
    readdirSync(policyDir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") })),
  ).pipe(
    Result.flatMap((t) =>
      requireParameters(t, [...allSubsidyParameters, GuardParameters.r23LianzuSubsidyNoticeMonths]),
    ),
  ),
)
const d = (s: string) => s as CivilDate
const meta = { at: 0, by: "test" }

const agreement = (patch: Partial<SubsidyAgreement> = {}): SubsidyAgreement => ({
  ...makeAgreement({
    caseId: "L-1",
    district: "310115",
    approvedPersons: 3,
    start: d("2026-01-15"),
    termMonths: 12,
    applicantIndex: "idx-1",
    at: 0,
  }),
  livingArea: 1200,
  ...patch,
})

/** Sum of the regular lines from the start month through `lastMonth`. */
const linesTotal = (a: SubsidyAgreement, lastMonth: string) => {
  let sum = 0
  for (let m = monthOf(a.start); m <= lastMonth; m = addMonthsTo(m, 1)) {
    const r = Result.getOrThrow(monthLine(table, a, m, meta))
    if (Option.isSome(r.line)) sum += r.line.value.amount
  }
  return sum
}

describe("SubsidyAgreement", () => {
  it("a term of N months ends the day before start + N months", () => {
    expect(agreement().end).toBe("2027-01-14")
  })

  it("the first month is prorated from the start day; its line is the formula's amount", () => {
    const a = agreement()
    const line = Option.getOrThrow(Result.getOrThrow(monthLine(table, a, "2026-01", meta)).line)
    const whole = Result.getOrThrow(
      prorate(table, Result.getOrThrow(toSubsidyCase(a)), d("2026-01-15"), d("2026-01-31")),
    )
    expect(line).toMatchObject({
      lineId: "L-1:2026-01",
      from: "2026-01-15",
      to: "2026-01-31",
      amount: whole.total,
    })
    expect(line.amount).toBeGreaterThan(0)
    expect(line.trace.statusDays).toEqual({ normal: 17 })
    expect(line.trace.parameters.length).toBeGreaterThan(0)
    expect(Option.isNone(Result.getOrThrow(monthLine(table, a, "2025-12", meta)).line)).toBe(true)
  })

  it("without a recorded living area the month is refused naming the field and rule", () => {
    const r = monthLine(table, agreement({ livingArea: null }), "2026-02", meta)
    expect(
      Result.isFailure(r) && r.failure._tag === "InvalidValue" && [r.failure.field, r.failure.rule],
    ).toEqual(["agreement.livingArea", "R118.living-area-required"])
  })

  it("property: the monthly lines over any period sum exactly to the formula over the whole period", () => {
    const dateIn2026 = fc.integer({ min: 0, max: 364 }).map((n) => CD.addDays(d("2026-01-01"), n))
    fc.assert(
      fc.property(
        fc.record({
          start: dateIn2026,
          persons: fc.integer({ min: 1, max: 6 }),
          area: fc.integer({ min: 0, max: 6000 }),
          term: fc.integer({ min: 1, max: 30 }),
          pause: fc.option(
            fc.record({
              at: fc.integer({ min: 0, max: 400 }),
              len: fc.option(fc.integer({ min: 1, max: 90 })),
            }),
          ),
          exit: fc.option(fc.integer({ min: 0, max: 900 })),
          months: fc.integer({ min: 1, max: 40 }),
        }),
        (g) => {
          const base = agreement({
            ...makeAgreement({
              caseId: "P",
              district: "310115",
              approvedPersons: g.persons,
              start: g.start,
              termMonths: g.term,
              applicantIndex: "i",
              at: 0,
            }),
            livingArea: g.area,
          })
          let a = base
          if (g.pause !== null) {
            const from = CD.addDays(g.start, g.pause.at)
            a = Result.getOrThrow(pauseAgreement(a, { from, reason: "入狱", by: "o" }))
            if (g.pause.len !== null)
              a = Result.getOrThrow(resumeAgreement(a, { on: CD.addDays(from, g.pause.len), reason: "出狱" }))
          }
          if (g.exit !== null) a = { ...a, exitedOn: CD.addDays(g.start, g.exit) }
          const lastMonth = addMonthsTo(monthOf(g.start), g.months - 1)
          const whole = Result.getOrThrow(
            prorate(table, Result.getOrThrow(toSubsidyCase(a)), g.start, monthBounds(lastMonth).last),
          )
          expect(linesTotal(a, lastMonth)).toBe(whole.total)
          // Split at any month: the lines before the cut are the formula over the days before it.
          const cut = addMonthsTo(monthOf(g.start), Math.floor(g.months / 2))
          if (cut > monthOf(g.start)) {
            const head = Result.getOrThrow(
              prorate(
                table,
                Result.getOrThrow(toSubsidyCase(a)),
                g.start,
                monthBounds(addMonthsTo(cut, -1)).last,
              ),
            )
            expect(linesTotal(a, addMonthsTo(cut, -1))).toBe(head.total)
          }
        },
      ),
      { numRuns: 40, seed: 118 },
    )
  })

  it("a paused month pays only its unpaused days (R120), and the pause is kept with its reasons", () => {
    const paused = Result.getOrThrow(
      pauseAgreement(agreement(), { from: d("2026-03-10"), reason: "入狱", by: "o" }),
    )
    expect(paused.status).toBe("paused")
    const resumed = Result.getOrThrow(resumeAgreement(paused, { on: d("2026-03-20"), reason: "出狱" }))
    expect(resumed.pauses).toEqual([
      { from: "2026-03-10", to: "2026-03-19", reason: "入狱", by: "o", resumeReason: "出狱" },
    ])
    const line = Option.getOrThrow(Result.getOrThrow(monthLine(table, resumed, "2026-03", meta)).line)
    expect(line.trace.statusDays).toEqual({ normal: 21, paused: 10 })
    const full = Option.getOrThrow(Result.getOrThrow(monthLine(table, agreement(), "2026-03", meta)).line)
    expect(line.amount).toBeLessThan(full.amount)
  })

  it("pause/resume refusals name their rule", () => {
    const rule = (r: Result.Result<unknown, { rule: string }>) =>
      Result.isFailure(r) ? r.failure.rule : "ok"
    const paused = Result.getOrThrow(
      pauseAgreement(agreement(), { from: d("2026-03-10"), reason: "x", by: "o" }),
    )
    expect(rule(pauseAgreement(paused, { from: d("2026-04-01"), reason: "x", by: "o" }))).toBe(
      "R120.already-paused",
    )
    expect(rule(resumeAgreement(agreement(), { on: d("2026-04-01"), reason: "x" }))).toBe("R120.not-paused")
    expect(rule(resumeAgreement(paused, { on: d("2026-03-10"), reason: "x" }))).toBe("R120.resume-order")
    expect(rule(pauseAgreement(agreement(), { from: d("2026-03-10"), reason: " ", by: "o" }))).toBe(
      "R120.reason-required",
    )
    expect(
      rule(pauseAgreement(agreement({ status: "ended" }), { from: d("2026-03-10"), reason: "x", by: "o" })),
    ).toBe("R120.ended")
  })

  it("after the term and its transition period no line is due and the agreement is finished", () => {
    const a = agreement()
    const r = Result.getOrThrow(monthLine(table, a, "2028-01", meta))
    expect(Option.isNone(r.line)).toBe(true)
    expect(r.finished).toBe(true)
    const transition = Option.getOrThrow(Result.getOrThrow(monthLine(table, a, "2027-03", meta)).line)
    expect(Object.keys(transition.trace.statusDays)).toEqual(["transition"])
  })

  it("R23: yellow from four months before the end (re-review), orange after it, nothing earlier", () => {
    const a = agreement()
    const reader = (on: string) => table.reader({ on: d(on), district: Jurisdiction.SHANGHAI })
    const levels = (on: string) =>
      Result.getOrThrow(agreementWarnings(a, d(on), reader(on))).map((w) => [w.rule, w.level])
    expect(levels("2026-09-13")).toEqual([])
    expect(levels("2026-09-14")).toEqual([["R23", "yellow"]])
    expect(levels("2027-01-14")).toEqual([["R23", "yellow"]])
    expect(levels("2027-01-15")).toEqual([["R23", "orange"]])
    expect(
      Result.getOrThrow(
        agreementWarnings({ ...a, exitedOn: d("2026-05-01") }, d("2027-02-01"), reader("2027-02-01")),
      ),
    ).toEqual([])
  })
})
