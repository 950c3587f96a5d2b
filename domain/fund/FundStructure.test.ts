// Fund structure (M13–M16, A18): split and merge conserve principal and income per component and keep
// Σ sub-accounts = net assets when posted; split parts are within one fen of the area ratio and do not
// depend on the order of the parts; ownership transfer moves no money; loss refunds the whole balance.
import { Option, Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import * as FS from "./FundStructure.js"
import type { HouseholdId } from "./HouseholdId.js"
import { empty, householdBalance, post, subLedgerCheck } from "./Ledger.js"
import { deposit, interest } from "./PostingRules.js"

const D = "2024-06-01" as CivilDate
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(JSON.stringify(r.failure))
  return r.success
}
const base = (() => {
  let s = ok(FS.addArea(FS.emptyStructure, { id: "A", name: "苑", stage: "custody" }))
  s = ok(FS.addBuilding(s, { id: "B", areaId: "A", name: "1号楼", type: "high-rise", hasLift: true }))
  s = ok(FS.addEntrance(s, { id: "E", buildingId: "B", name: "1单元" }))
  return ok(
    FS.addHousehold(s, {
      id: "H" as HouseholdId,
      entranceId: "E",
      area: 12_000 as Area,
      owners: ["O1"],
      book: "commodity",
    }),
  )
})()

describe("structure (M13/M14)", () => {
  it("refuses unknown parents, duplicate ids, empty owners and lift-less high-rises", () => {
    expect(Result.isFailure(FS.addEntrance(base, { id: "E2", buildingId: "nope", name: "" }))).toBe(true)
    expect(
      Result.isFailure(
        FS.addHousehold(base, {
          id: "H" as HouseholdId,
          entranceId: "E",
          area: 1 as Area,
          owners: ["x"],
          book: "commodity",
        }),
      ),
    ).toBe(true)
    expect(
      Result.isFailure(
        FS.addHousehold(base, {
          id: "H2" as HouseholdId,
          entranceId: "E",
          area: 1 as Area,
          owners: [],
          book: "commodity",
        }),
      ),
    ).toBe(true)
    expect(
      Result.isFailure(
        FS.addBuilding(base, { id: "B2", areaId: "A", name: "", type: "high-rise", hasLift: false }),
      ),
    ).toBe(true)
    expect(Option.getOrThrow(FS.locate(base, "H")).building.id).toBe("B")
  })
  it("ownership transfer (过户) changes owners only", () => {
    const { structure, transfer } = ok(FS.transferOwnership(base, "H", ["O9", "O10"], D))
    expect(structure.households.get("H")).toMatchObject({
      owners: ["O9", "O10"],
      area: 12_000,
      status: "active",
    })
    expect(transfer).toEqual({ household: "H", date: D, from: ["O1"], to: ["O9", "O10"] })
  })
  it("stage conversion flips 代管/自管 once", () => {
    const s = ok(FS.convertStage(base, "A", "self-managed"))
    expect(s.areas.get("A")?.stage).toBe("self-managed")
    expect(Result.isFailure(FS.convertStage(s, "A", "self-managed"))).toBe(true)
  })
})

const money = fc.integer({ min: 0, max: 10_000_000 })
const partsArb = fc.uniqueArray(
  fc.record({ id: fc.stringMatching(/^N[0-9]{1,3}$/u), area: fc.integer({ min: 1, max: 30_000 }) }),
  {
    minLength: 2,
    maxLength: 6,
    selector: (p) => p.id,
  },
)

describe("split and merge (M15, A18)", () => {
  it("split conserves each component, is within one fen of the area ratio, and ignores part order", () =>
    fc.assert(
      fc.property(money, money, partsArb, (principal, income, parts) => {
        const balance = { principal: principal as Money, income: income as Money }
        const into = parts.map((p) => ({ id: p.id as HouseholdId, area: p.area as Area }))
        const r = ok(FS.splitHousehold(base, { entryId: "S", date: D, household: "H", balance, into }))
        const W = parts.reduce((t, p) => t + p.area, 0)
        expect(r.parts.reduce((t, p) => t + p.principal, 0)).toBe(principal)
        expect(r.parts.reduce((t, p) => t + p.income, 0)).toBe(income)
        r.parts.forEach((p, i) => {
          expect(Math.abs(p.principal * W - principal * parts[i]!.area)).toBeLessThan(W)
          expect(Math.abs(p.income * W - income * parts[i]!.area)).toBeLessThan(W)
        })
        const reversed = ok(
          FS.splitHousehold(base, {
            entryId: "S",
            date: D,
            household: "H",
            balance,
            into: [...into].reverse(),
          }),
        )
        expect([...reversed.parts].reverse()).toEqual(r.parts)
        expect(r.structure.households.get("H")?.status).toBe("retired")
      }),
    ))

  it("posting a split or merge leaves Σ sub-accounts = net assets and moves nothing else", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        partsArb,
        (p, i, parts) => {
          let st = ok(
            post(
              empty,
              ok(
                deposit({
                  id: "D",
                  book: "commodity",
                  date: D,
                  kind: "first",
                  households: [{ household: "H" as HouseholdId, amount: p as Money }],
                }),
              ),
            ),
          )
          if (i > 0)
            st = ok(
              post(
                st,
                ok(
                  interest({
                    id: "I",
                    book: "commodity",
                    date: D,
                    amount: i as Money,
                    allocation: [{ household: "H" as HouseholdId, amount: i as Money }],
                  }),
                ),
              ),
            )
          const balance = householdBalance(st, "commodity", "H" as HouseholdId)
          const into = parts.map((x) => ({ id: x.id as HouseholdId, area: x.area as Area }))
          const split = ok(FS.splitHousehold(base, { entryId: "S", date: D, household: "H", balance, into }))
          const st2 = ok(post(st, Option.getOrThrow(split.entry)))
          expect(householdBalance(st2, "commodity", "H" as HouseholdId)).toMatchObject({
            principal: 0,
            income: 0,
          })
          expect(subLedgerCheck(st2, "commodity")).toMatchObject({
            holds: true,
            netAssets: p + i,
            households: p + i,
          })
          const merge = ok(
            FS.mergeHouseholds(split.structure, {
              entryId: "M",
              date: D,
              households: split.parts.map((x) => ({
                id: x.household,
                balance: { principal: x.principal, income: x.income },
              })),
              into: { id: "HM" as HouseholdId },
            }),
          )
          const st3 = ok(post(st2, Option.getOrThrow(merge.entry)))
          expect(householdBalance(st3, "commodity", "HM" as HouseholdId)).toMatchObject({
            principal: p,
            income: i,
          })
          expect(merge.structure.households.get("HM")?.area).toBe(parts.reduce((t, x) => t + x.area, 0))
          expect(subLedgerCheck(st3, "commodity").holds).toBe(true)
        },
      ),
      { numRuns: 50 },
    ))

  it("loss (灭失, M16) retires the household and approves a refund of its whole balance (A4)", () => {
    const st = ok(
      post(
        empty,
        ok(
          deposit({
            id: "D",
            book: "commodity",
            date: D,
            kind: "first",
            households: [{ household: "H" as HouseholdId, amount: 5_000 as Money }],
          }),
        ),
      ),
    )
    const r = ok(
      FS.loseHousehold(base, {
        entryId: "L",
        date: D,
        household: "H",
        balance: householdBalance(st, "commodity", "H" as HouseholdId),
      }),
    )
    expect(r.structure.households.get("H")?.status).toBe("lost")
    const st2 = ok(post(st, Option.getOrThrow(r.entry)))
    expect(householdBalance(st2, "commodity", "H" as HouseholdId)).toMatchObject({ principal: 0, income: 0 })
    const b = ok(
      FS.loseBuilding(base, {
        entryId: "LB",
        date: D,
        buildingId: "B",
        balances: new Map([["H", { principal: 5_000 as Money, income: 0 as Money }]]),
      }),
    )
    expect(b.entries).toHaveLength(1)
    expect(b.structure.buildings.get("B")?.status).toBe("lost")
  })
})
