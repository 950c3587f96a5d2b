/**
 * Basic data (M15/M17/M20): split and merge conserve the active area and the sub-account money (area-
 * conserving splits as the use-case requires, M15.area-conserved), the catalogue refuses cycles and
 * unknown parents, organisations are checked by kind and USCC.
 */
import { Option, Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { checkCategory, checkOrganisation, totalArea } from "./BasicData.js"
import * as S from "./FundStructure.js"
import type { HouseholdId } from "./HouseholdId.js"

const D = "2026-03-02" as CivilDate
const base = (areas: ReadonlyArray<number>) => {
  let s = Result.getOrThrow(
    S.addArea(S.emptyStructure, { id: "A", name: "a", stage: "custody", district: "310115" }),
  )
  s = Result.getOrThrow(
    S.addBuilding(s, { id: "B", areaId: "A", name: "b", type: "multi-storey", hasLift: false }),
  )
  s = Result.getOrThrow(S.addEntrance(s, { id: "E", buildingId: "B", name: "e" }))
  areas.forEach((a, i) => {
    s = Result.getOrThrow(
      S.addHousehold(s, {
        id: `H${i}` as HouseholdId,
        entranceId: "E",
        area: a as Area,
        owners: [`O${i}`],
        book: "commodity",
      }),
    )
  })
  return s
}
const activeArea = (s: S.FundStructure) => totalArea(S.activeHouseholds(s))

describe("split and merge (M15)", () => {
  it("law: any sequence of area-conserving splits and merges keeps the active area and the money", () => {
    const op = fc.record({
      split: fc.boolean(),
      pick: fc.nat(),
      cut: fc.integer({ min: 1, max: 99 }),
      pick2: fc.nat(),
    })
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 2, max: 50_000 }), { minLength: 2, maxLength: 5 }),
        fc.array(op, { maxLength: 12 }),
        (areas, ops) => {
          let s = base(areas)
          const money = new Map(
            S.activeHouseholds(s).map((h, i) => [
              h.id as string,
              { principal: (1000 * (i + 1)) as Money, income: (7 * i) as Money },
            ]),
          )
          const total = () => [...money.values()].reduce((t, b) => t + b.principal + b.income, 0)
          const area0 = activeArea(s)
          const money0 = total()
          let n = 0
          for (const o of ops) {
            const hs = S.activeHouseholds(s)
            const h = hs[o.pick % hs.length]!
            if (o.split) {
              if (h.area < 2) continue
              const a1 = Math.max(1, Math.floor((h.area * o.cut) / 100))
              const into = [
                { id: `N${n++}` as HouseholdId, area: a1 as Area },
                { id: `N${n++}` as HouseholdId, area: (h.area - a1) as Area },
              ]
              if (into[1]!.area <= 0) continue
              const r = Result.getOrThrow(
                S.splitHousehold(s, {
                  entryId: `e${n}`,
                  date: D,
                  household: h.id,
                  balance: money.get(h.id)!,
                  into,
                }),
              )
              s = r.structure
              money.delete(h.id)
              for (const p of r.parts) money.set(p.household, { principal: p.principal, income: p.income })
            } else {
              const other = hs[o.pick2 % hs.length]!
              if (other.id === h.id) continue
              const id = `N${n++}` as HouseholdId
              const r = Result.getOrThrow(
                S.mergeHouseholds(s, {
                  entryId: `e${n}`,
                  date: D,
                  households: [h, other].map((x) => ({ id: x.id, balance: money.get(x.id)! })),
                  into: { id },
                }),
              )
              s = r.structure
              money.delete(h.id)
              money.delete(other.id)
              money.set(id, { principal: r.parts[0]!.principal, income: r.parts[0]!.income })
              expect(Option.isSome(r.entry)).toBe(true)
            }
            expect(activeArea(s)).toBe(area0)
            expect(total()).toBe(money0)
          }
        },
      ),
      { numRuns: 200, seed: 15 },
    )
  })
})

describe("catalogue and organisations (M17/M20)", () => {
  it("refuses a cycle and an unknown parent; checks kind and USCC", () => {
    const cats = new Map([
      ["K1", { id: "K1", name: "电梯", kind: "facility" as const, parentId: "K2" }],
      ["K2", { id: "K2", name: "设备", kind: "facility" as const }],
    ])
    const rule = (r: Result.Result<unknown, { rule: string }>) =>
      Result.isFailure(r) ? r.failure.rule : "ok"
    expect(rule(checkCategory(cats, { id: "K2", name: "x", kind: "facility", parentId: "K1" }))).toBe(
      "M17.no-cycle",
    )
    expect(rule(checkCategory(cats, { id: "K3", name: "x", kind: "facility", parentId: "K9" }))).toBe(
      "M17.known-parent",
    )
    expect(rule(checkCategory(cats, { id: "K3", name: "x", kind: "part", parentId: "K1" }))).toBe("ok")
    const org = {
      id: "ORG1",
      kind: "custodian-bank" as const,
      name: "银行",
      areaIds: [],
      status: "active" as const,
    }
    expect(rule(checkOrganisation(org))).toBe("ok")
    expect(rule(checkOrganisation({ ...org, uscc: "123" }))).toBe("M20.uscc")
    expect(rule(checkOrganisation({ ...org, kind: "bogus" as never }))).toBe("M20.kind")
  })
})
