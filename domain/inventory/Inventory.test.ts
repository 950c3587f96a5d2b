/**
 * Inventory laws (R26–R42) over the stock model: after any sequence of unit transitions the derived counts
 * equal a brute-force recount of the units, sum to the number of units, and the remaining counts are
 * bounded by the available units; the R26/R28 admission follows the remaining applicable count.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { unit } from "../../contracts-tests/StockFixtures.js"
import type { ProjectId, Unit } from "../stock/Stock.js"
import * as Rules from "../stock/StockRules.js"
import { UNIT_STATUSES } from "../stock/UnitStatus.js"
import * as Inventory from "./Inventory.js"

const P1 = "INV-P1" as ProjectId
const P2 = "INV-P2" as ProjectId
const units: ReadonlyArray<Unit> = Array.from({ length: 8 }, (_, i) => ({
  ...unit("inv", i),
  projectId: i % 3 === 0 ? P2 : P1,
  bedrooms: 1 + (i % 2),
  halls: 1,
}))

const COMMANDS = ["publish", "recall", "lock", "unlock", "let", "release", "markUnusable"] as const
const TRANSITIONS: Record<(typeof COMMANDS)[number], (u: Unit) => Result.Result<Unit, unknown>> = {
  publish: Rules.publish,
  recall: Rules.recall,
  lock: Rules.lock,
  unlock: Rules.unlock,
  let: Rules.letUnit,
  release: Rules.release,
  markUnusable: Rules.markUnusable,
}
const step = (u: Unit, c: (typeof COMMANDS)[number]) => TRANSITIONS[c](u)

const stepsArb = fc.array(
  fc.record({ i: fc.nat({ max: units.length - 1 }), c: fc.constantFrom(...COMMANDS) }),
  { maxLength: 60 },
)

const run = (steps: ReadonlyArray<{ i: number; c: (typeof COMMANDS)[number] }>) => {
  const cur = [...units]
  for (const { i, c } of steps) {
    const r = step(cur[i]!, c)
    if (Result.isSuccess(r)) cur[i] = r.success
  }
  return cur
}

describe("inventory counts derived from stock units (R26–R42)", () => {
  it("counts per project × unit type × status, in canonical order", () => {
    const published = units.map((u, i) => (i < 3 ? Result.getOrThrow(Rules.publish(u)) : u))
    const rows = Inventory.countUnits(published)
    expect(rows.reduce((n, r) => n + r.units, 0)).toBe(units.length)
    expect([...rows].sort(Inventory.compareStatusCounts)).toEqual(rows)
    const s = Inventory.stratumOf(rows, P1, { bedrooms: 2, halls: 1 })
    // units 1, 5, 7 are P1 with 2 bedrooms; unit 1 is published
    expect(s).toMatchObject({ available: 1, draft: 2, locked: 0, let: 0, unusable: 0 })
    expect(Inventory.stratumOf(rows, P2, { bedrooms: 5, halls: 5 }).available).toBe(0)
    expect(Inventory.unitTypeLabel(s)).toBe("2室1厅")
  })

  it("property: after any transition sequence the counts equal a recount of the units", () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const cur = run(steps)
        const rows = Inventory.countUnits(cur)
        expect(rows.every((r) => r.units > 0)).toBe(true)
        expect(rows.reduce((n, r) => n + r.units, 0)).toBe(cur.length)
        for (const s of Inventory.strata(rows))
          for (const status of UNIT_STATUSES)
            expect(s[status]).toBe(
              cur.filter(
                (u) =>
                  u.projectId === s.projectId &&
                  u.bedrooms === s.bedrooms &&
                  u.halls === s.halls &&
                  u.status === status,
              ).length,
            )
      }),
    )
  })

  it("property: remaining counts are never negative and never above the available units", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 20 }),
        fc.nat({ max: 20 }),
        fc.nat({ max: 20 }),
        (available, metered, unmetered) => {
          const c = { available }
          const h = { metered, unmetered }
          const rentable = Inventory.remainingRentable(c, h)
          const applicable = Inventory.remainingApplicable(c, h)
          expect(0 <= applicable && applicable <= rentable && rentable <= available).toBe(true)
          // Every hold is either matched by an available unit or counted as oversubscribed.
          expect(applicable + metered + unmetered - Inventory.oversubscribed(c, h)).toBe(available)
          // R26/R28: the normal period admits exactly while a slot remains; the centralised period always.
          expect(Inventory.admitsApplication(c, h, "normal")).toBe(applicable > 0)
          expect(Inventory.admitsApplication(c, h, "centralised")).toBe(true)
        },
      ),
    )
  })
})
