/**
 * Pure re-check rules (R82, R85–R88, R110): the period a civil date falls in (every date of a period maps to
 * one label, labels follow the calendar), which households the 低保 re-check applies to (the LATEST 低保
 * answer decides; other sources and pending answers change nothing; only 廉租), and the warning a 低保
 * finding lights. Property tests with fixed seeds.
 */
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { CASE_KINDS, CHECK_SOURCES, type CaseKind, type CheckSource } from "../cases/Case.js"
import * as CivilDate from "../values/CivilDate.js"
import {
  CADENCES,
  dibaoRecheckApplies,
  findingWarning,
  periodOf,
  RECHECK_DEFINITIONS,
  RECHECKS,
} from "./Recheck.js"

const day = fc
  .integer({ min: 0, max: 3 * 366 })
  .map((n) => CivilDate.addDays("2025-01-01" as CivilDate.CivilDate, n))

const evidence = fc.record({
  source: fc.constantFrom<CheckSource>(...CHECK_SOURCES),
  result: fc.constantFrom<"pass" | "fail" | "pending">("pass", "fail", "pending"),
})
const kind = fc.constantFrom<CaseKind>(...CASE_KINDS)

describe("periodOf", () => {
  it("two dates share a label exactly when they fall in the same period; labels follow the calendar", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CADENCES), day, day, (cadence, a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a]
        const px = periodOf(cadence, x)
        const py = periodOf(cadence, y)
        // Monotone: a later date never has an earlier label.
        expect(px <= py).toBe(true)
        const same =
          cadence === "daily"
            ? x === y
            : cadence === "monthly"
              ? x.slice(0, 7) === y.slice(0, 7)
              : x.slice(0, 7) === y.slice(0, 7) &&
                Math.min(3, Math.ceil(Number(x.slice(8)) / 10)) ===
                  Math.min(3, Math.ceil(Number(y.slice(8)) / 10))
        expect(px === py).toBe(same)
        // Every label starts with the month it belongs to.
        expect(px.startsWith(x.slice(0, 7))).toBe(true)
      }),
      { seed: 85, numRuns: 500 },
    )
  })
})

describe("dibaoRecheckApplies (R82)", () => {
  it("never for a kind other than 廉租, and never without a 低保 answer", () => {
    fc.assert(
      fc.property(kind, fc.array(evidence, { maxLength: 12 }), (k, es) => {
        if (k !== "lianzu") expect(dibaoRecheckApplies(k, es)).toBe(false)
        if (!es.some((e) => e.source === "dibao" && e.result !== "pending"))
          expect(dibaoRecheckApplies(k, es)).toBe(false)
      }),
      { seed: 82, numRuns: 300 },
    )
  })

  it("the latest 低保 answer decides: a pass after anything applies, a fail after anything does not", () => {
    fc.assert(
      fc.property(fc.array(evidence, { maxLength: 12 }), (es) => {
        expect(dibaoRecheckApplies("lianzu", [...es, { source: "dibao", result: "pass" }])).toBe(true)
        expect(dibaoRecheckApplies("lianzu", [...es, { source: "dibao", result: "fail" }])).toBe(false)
      }),
      { seed: 83, numRuns: 300 },
    )
  })

  it("other sources and pending 低保 answers appended change nothing", () => {
    fc.assert(
      fc.property(
        kind,
        fc.array(evidence, { maxLength: 12 }),
        fc.array(evidence, { maxLength: 6 }),
        (k, es, more) => {
          const noise = more.filter((e) => e.source !== "dibao" || e.result === "pending")
          expect(dibaoRecheckApplies(k, [...es, ...noise])).toBe(dibaoRecheckApplies(k, es))
        },
      ),
      { seed: 84, numRuns: 300 },
    )
  })
})

describe("the 低保 finding", () => {
  it("is an orange R82 warning that blocks nothing, keeps the agency detail and prompts the economic check", () => {
    expect(RECHECKS).toContain("dibao")
    expect(RECHECK_DEFINITIONS.dibao.kinds).toEqual(["lianzu"])
    const w = findingWarning(
      "dibao",
      { detail: "dibao: 未查到在保低保记录" },
      { caseId: "C-1", period: "2026-03", cadence: "monthly" },
    )
    expect(w).toMatchObject({ rule: "R82", level: "orange", block: false, related: ["R87", "R110", "R18"] })
    expect(w.evidence).toMatchObject({
      check: "dibao",
      case: "C-1",
      period: "2026-03",
      cadence: "monthly",
      detail: "dibao: 未查到在保低保记录",
    })
    expect(w.evidence["prompt"]).toContain("经济状况核对")
    // Every other check's warning carries no 低保 prompt.
    for (const c of RECHECKS.filter((x) => x !== "dibao"))
      expect(
        findingWarning(c, { detail: "" }, { caseId: "C-1", period: "p", cadence: "daily" }).evidence[
          "prompt"
        ] ?? "",
      ).not.toContain("经济状况核对")
  })
})
