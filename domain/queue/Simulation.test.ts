/**
 * Simulation (#207): conservation (arrivals = allocated + exits + removed + still waiting), vacant units
 * never negative, and two plans giving different waiting days to the hardship group on the same history.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as CivilDate from "../values/CivilDate.js"
import { parseHistoryCsv } from "./HistoryFile.js"
import { BAOZU, type QueuePlan } from "./QueuePlan.js"
import { type HistoryEvent, simulate } from "./Simulation.js"

const HISTORY = `date,event,id,project,unit_type,hardship,units
2025-01-02,arrival,A1,P1,1室,,
2025-01-03,arrival,A2,P1,1室,低保,
2025-01-04,arrival,A3,P1,1室,,
2025-02-10,supply,,P1,1室,,1
2025-03-01,exit,A3,,,,
2025-03-05,supply,,P1,1室,,2
2025-04-01,arrival,A4,P1,1室,特困,
`
const HARDSHIP_FIRST: QueuePlan = {
  id: "hardship-first",
  pool: "unit-type",
  priorityGroups: [{ id: "hardship", all: [{ attribute: "hardship", in: ["tekun", "dibao"] }] }],
  order: [{ by: "priorityCount" }, { by: "entryTime" }, { by: "id" }],
}

describe("simulate", () => {
  const events = parseHistoryCsv(HISTORY)
  if (Result.isFailure(events)) throw new Error(events.failure.message)
  it("conserves households and reports every month", () => {
    for (const plan of [BAOZU, HARDSHIP_FIRST]) {
      const r = simulate(plan, events.success)
      const t = r.totals
      expect(t.arrivals).toBe(t.allocated + t.exits + t.removed + t.finalQueue)
      expect(r.periods.map((p) => p.period)).toEqual(["2025-01", "2025-02", "2025-03", "2025-04"])
      expect(t.vacantUnits).toBe(0)
      expect(r.periods[1]).toMatchObject({
        supplied: 1,
        allocated: 1,
        queueLength: 2,
        supplyDemandRatio: 1 / 3,
      })
    }
  })
  it("a hardship-first plan shortens the hardship group's wait", () => {
    const fifo = simulate(BAOZU, events.success)
    const prio = simulate(HARDSHIP_FIRST, events.success)
    // FIFO serves A1 first in February; hardship-first serves A2 (低保) first.
    // A4 (特困) arrives in April and takes the unit left vacant in March under both plans.
    expect(prio.groups.find((g) => g.group === "hardship")).toMatchObject({
      allocated: 2,
      meanWaitDays: 19,
      maxWaitDays: 38,
    })
    expect(fifo.groups).toMatchObject([{ group: "(none)", allocated: 3 }]) // BAOZU has no groups
    expect(
      simulate({ ...HARDSHIP_FIRST, order: [{ by: "entryTime" }, { by: "id" }] }, events.success).groups[0],
    ).toMatchObject({
      group: "hardship",
      meanWaitDays: 30.5,
    })
  })

  it("conserves households and never allocates more than is supplied, over random histories", () => {
    const start = CivilDate.toDayNumber("2024-01-01" as CivilDate.CivilDate)
    const eventArb = fc.oneof(
      fc.record({
        _tag: fc.constant("Arrival" as const),
        d: fc.nat(120),
        id: fc.integer({ min: 1, max: 30 }),
        unitType: fc.constantFrom("1室", "2室"),
        hardship: fc.constantFrom("tekun" as const, "dibao" as const, "none" as const),
        income: fc.integer({ min: 10_000, max: 100_000 }),
      }),
      fc.record({
        _tag: fc.constant("Supply" as const),
        d: fc.nat(120),
        unitType: fc.constantFrom("1室", "2室"),
        units: fc.nat(3),
      }),
      fc.record({ _tag: fc.constant("Exit" as const), d: fc.nat(120), id: fc.integer({ min: 1, max: 30 }) }),
    )
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        fc.constantFrom(BAOZU, HARDSHIP_FIRST),
        (raw, plan) => {
          const day = (d: number) => CivilDate.fromDayNumber(start + d)
          const history: Array<HistoryEvent> = raw.map((e) =>
            e._tag === "Arrival"
              ? {
                  _tag: "Arrival",
                  day: day(e.d),
                  applicant: {
                    id: `H${e.id}`,
                    project: "P",
                    unitType: e.unitType,
                    entryAt: CivilDate.startOfDayInstant(day(e.d)),
                    qualifiedOn: start + e.d,
                    hardship: e.hardship,
                    intention: "none",
                    income: e.income,
                  },
                }
              : e._tag === "Supply"
                ? { _tag: "Supply", day: day(e.d), project: "P", unitType: e.unitType, units: e.units }
                : { _tag: "Exit", day: day(e.d), id: `H${e.id}` },
          )
          const r = simulate({ ...plan, removal: { incomeAbove: 90_000 } }, history)
          const t = r.totals
          expect(t.arrivals).toBe(t.allocated + t.exits + t.removed + t.finalQueue)
          const supplied = r.periods.reduce((n, p) => n + p.supplied, 0)
          expect(t.allocated + t.vacantUnits).toBe(supplied)
          for (const p of r.periods) expect(p.queueLength).toBeGreaterThanOrEqual(0)
          expect(r.groups.reduce((n, g) => n + g.allocated, 0)).toBe(t.allocated)
          for (const g of r.groups)
            if (g.maxWaitDays !== null) expect(g.maxWaitDays).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 200 },
    )
  })
})
