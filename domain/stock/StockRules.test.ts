import { describe, expect, it } from "vitest"
import { Result } from "effect"
import fc from "fast-check"
import { unit } from "../../contracts-tests/StockFixtures.js"
import type { HousingKind } from "./HousingKind.js"
import type { Unit } from "./Stock.js"
import * as Rules from "./StockRules.js"

const goodUnit = {
  id: "U1",
  buildingId: "B1",
  floor: "3",
  roomNo: "2",
  bedrooms: "2",
  halls: "1",
  area: "65.40",
  rent: "1500",
  marketRent: "3200",
}
const rulesOf = (r: Result.Result<unknown, ReadonlyArray<{ rule: string; field: string }>>) =>
  Result.isFailure(r) ? r.failure.map((i) => `${i.field}:${i.rule}`) : []

describe("R132 stock-data validation", () => {
  it("accepts a complete unit and converts rent and area exactly", () => {
    const u = Result.getOrThrow(Rules.validateUnit(goodUnit))
    expect(u).toMatchObject({ area: 6540, rent: 150000, marketRent: 320000, orientation: null, kind: null })
  })
  it("bedrooms and halls are integers 0..5 (R132)", () => {
    expect(rulesOf(Rules.validateUnit({ ...goodUnit, bedrooms: "6" }))).toEqual([
      "unit.bedrooms:R132.bedrooms-range",
    ])
    expect(rulesOf(Rules.validateUnit({ ...goodUnit, halls: "-1" }))).toEqual(["unit.halls:R132.halls-range"])
    expect(rulesOf(Rules.validateUnit({ ...goodUnit, bedrooms: "1.5" }))).toEqual([
      "unit.bedrooms:R132.numeric",
    ])
    expect(rulesOf(Rules.validateUnit({ ...goodUnit, bedrooms: "0", halls: "5" }))).toEqual([])
  })
  it("reports every missing field and dictionary violation at once", () => {
    expect(rulesOf(Rules.validateUnit({ id: "U1", buildingId: "B1", floor: "", orientation: "上" }))).toEqual(
      [
        "unit.floor:R132.non-null",
        "unit.roomNo:R132.non-null",
        "unit.bedrooms:R132.non-null",
        "unit.halls:R132.non-null",
        "unit.area:R132.non-null",
        "unit.orientation:R132.dictionary",
        "unit.rent:R132.non-null",
        "unit.marketRent:R132.non-null",
      ],
    )
  })
  it("building limits: total floors ≤ 100 and units per floor ≤ 30 (R132)", () => {
    const b = {
      id: "B1",
      projectId: "P1",
      name: "1号楼",
      totalFloors: 100,
      unitsPerFloor: 30,
      hasLift: "是",
      completionDate: "2020-01-01",
    }
    expect(Result.isSuccess(Rules.validateBuilding(b))).toBe(true)
    expect(rulesOf(Rules.validateBuilding({ ...b, totalFloors: 101 }))).toEqual([
      "building.totalFloors:R132.total-floors-max",
    ])
    expect(rulesOf(Rules.validateBuilding({ ...b, unitsPerFloor: 31 }))).toEqual([
      "building.unitsPerFloor:R132.units-per-floor-max",
    ])
    expect(rulesOf(Rules.validateBuilding({ ...b, completionDate: "2020-02-30" }))).toEqual([
      "building.completionDate:date.calendar",
    ])
  })
  it("projects: district dictionary, USCC check character and phone", () => {
    const p = {
      id: "P1",
      name: "n",
      kind: "公租",
      district: "310115",
      address: "a",
      operatorUscc: "91310000MA1FL0TB3Y",
      operatorName: "o",
      servicePhone: "021-12345678",
    }
    expect(Result.getOrThrow(Rules.validateProject(p)).kind).toBe("gongzu")
    expect(
      rulesOf(
        Rules.validateProject({ ...p, district: "310199", operatorUscc: "91310000MA1FL0TB3X", kind: "别墅" }),
      ),
    ).toEqual([
      "project.kind:R132.dictionary",
      "project.district:R132.dictionary",
      "project.operatorUscc:GB32100.check-character",
    ])
  })
  it("units must fit their building: floor ≤ total floors, room ≤ units per floor (R132)", () => {
    const issues = Rules.checkUnitsFitBuilding({ id: "B1" as never, totalFloors: 10, unitsPerFloor: 4 }, [
      { id: "a" as never, floor: 10, roomNo: 4 },
      { id: "b" as never, floor: 11, roomNo: 5 },
    ])
    expect(issues.map((i) => `${i.unitId}:${i.issue.rule}`)).toEqual([
      "b:R132.total-floors-below-highest-floor",
      "b:R132.units-per-floor-below-max-room",
    ])
  })
  it("property: any floor/room combination is accepted exactly when it fits", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        (tf, upf, floor, room) => {
          const issues = Rules.checkUnitsFitBuilding(
            { id: "B" as never, totalFloors: tf, unitsPerFloor: upf },
            [{ id: "u" as never, floor, roomNo: room }],
          )
          expect(issues.length).toBe(Number(floor > tf) + Number(room > upf))
        },
      ),
    )
  })
})

describe("unit life cycle", () => {
  const u0 = unit("rules", 0)
  const ok = (r: Result.Result<Unit, Rules.UnitTransitionRefused>) => Result.getOrThrow(r)
  it("publish → let → markUnusable → release, each bumping the version", () => {
    const a = ok(Rules.publish(u0))
    const b = ok(Rules.letUnit(a))
    const c = ok(Rules.markUnusable(b))
    const d = ok(Rules.release(c))
    expect([a.status, b.status, c.status, d.status]).toEqual(["available", "let", "unusable", "available"])
    expect(d.version).toBe(u0.version + 4)
    expect(d.supplied).toBe(true)
  })
  it("a lock remembers and restores the interrupted status (R37); a locked unit cannot be let", () => {
    const locked = ok(Rules.lock(ok(Rules.publish(u0))))
    expect(locked).toMatchObject({ status: "locked", lockedFrom: "available" })
    expect(Result.isFailure(Rules.letUnit(locked))).toBe(true)
    expect(ok(Rules.unlock(locked))).toMatchObject({ status: "available", lockedFrom: null })
  })
  it("R37 settled: only a draft or available unit is locked; let, unusable and locked units are refused", () => {
    const draftLock = ok(Rules.lock(u0))
    expect(draftLock).toMatchObject({ status: "locked", lockedFrom: "draft" })
    expect(ok(Rules.unlock(draftLock))).toMatchObject({ status: "draft", lockedFrom: null })
    const letU = ok(Rules.letUnit(ok(Rules.publish(u0))))
    const unusable = ok(Rules.markUnusable(letU))
    for (const u of [letU, unusable, draftLock]) {
      const r = Rules.lock(u)
      expect(Result.isFailure(r) && r.failure).toMatchObject({ rule: "R37.lock-draft-or-available" })
    }
    expect(Rules.unitInvariantViolation({ ...letU, status: "locked", lockedFrom: "let" as never })).toMatch(
      /R37/u,
    )
  })
  it("R40: only an unsupplied unit may change kind", () => {
    expect(ok(Rules.convertKind(u0, "baozu")).kind).toBe("baozu")
    const supplied = ok(Rules.release(ok(Rules.letUnit(ok(Rules.publish(u0))))))
    const refused = Rules.convertKind(supplied, "baozu")
    expect(Result.isFailure(refused) && refused.failure).toMatchObject({
      rule: "R40.unsupplied-only",
      command: "convertKind",
    })
  })
  it("property: random command sequences keep the invariants (R37, R40)", () => {
    const kinds: Array<HousingKind> = ["gongzu", "baozu", "gongyou"]
    const cmd = fc.oneof(
      fc
        .constantFrom("publish", "recall", "lock", "unlock", "let", "release", "markUnusable")
        .map((c) => ({ c })),
      fc.constantFrom(...kinds).map((k) => ({ c: "convertKind", k })),
    )
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
        let u = u0
        let everLet = false
        for (const { c, k } of cmds as Array<{ c: string; k?: HousingKind }>) {
          const r =
            c === "convertKind"
              ? Rules.convertKind(u, k!)
              : c === "let"
                ? Rules.letUnit(u)
                : (Rules as unknown as Record<string, (x: Unit) => Result.Result<Unit, unknown>>)[c]!(u)
          if (Result.isFailure(r)) {
            continue
          }
          if (c === "convertKind") expect(everLet).toBe(false) // R40
          if (c === "let") expect(u.status).toBe("available") // R37: never from locked
          u = r.success
          everLet ||= u.status === "let"
          expect(u.supplied).toBe(everLet)
          expect(u.lockedFrom === null).toBe(u.status !== "locked")
        }
      }),
    )
  })
  const anyCommand = fc.oneof(
    fc
      .constantFrom("publish", "recall", "lock", "unlock", "let", "release", "markUnusable")
      .map((c) => ({ c })),
    fc.constantFrom<HousingKind>("gongzu", "baozu", "gongyou").map((k) => ({ c: "convertKind", k })),
  )
  const applyCommand = (u: Unit, { c, k }: { c: string; k?: HousingKind }) =>
    c === "convertKind"
      ? Rules.convertKind(u, k!)
      : c === "let"
        ? Rules.letUnit(u)
        : (Rules as unknown as Record<string, (x: Unit) => Result.Result<Unit, unknown>>)[c]!(u)
  it("property: unlock always returns to the status before the lock (R37)", () => {
    fc.assert(
      fc.property(fc.array(anyCommand, { maxLength: 40 }), (cmds) => {
        let u = u0
        let beforeLock: Unit | undefined
        for (const cmd of cmds) {
          const r = applyCommand(u, cmd)
          if (Result.isFailure(r)) continue
          if (cmd.c === "lock") beforeLock = u
          if (cmd.c === "unlock") {
            // Status, lock marker and supply are what they were before the lock (a kind conversion of an
            // unsupplied unit may happen while it is locked, R40).
            const state = (x: Unit) => ({ status: x.status, lockedFrom: x.lockedFrom, supplied: x.supplied })
            expect(state(r.success)).toEqual(state(beforeLock!))
            expect(r.success.version).toBe(u.version + 1)
          }
          u = r.success
        }
      }),
    )
  })
  it("property: no command sequence reaches a state R35–R40 forbid", () => {
    fc.assert(
      fc.property(fc.array(anyCommand, { maxLength: 60 }), (cmds) => {
        let u = u0
        for (const cmd of cmds) {
          const r = applyCommand(u, cmd)
          if (Result.isFailure(r)) {
            // A refusal names the rule and the status it saw.
            expect(r.failure).toMatchObject({ unitId: u.id, status: u.status })
            continue
          }
          const prev = u
          u = r.success
          expect(Rules.unitInvariantViolation(u)).toBeUndefined()
          // R37: a lock interrupts draft or available only; a locked unit is never let directly.
          if (u.status === "locked") expect(["draft", "available"]).toContain(u.lockedFrom)
          if (u.status === "let") expect(prev.status).toBe("available")
          // R38: unusable only after a let unit's exit; R35: release only from let or unusable.
          if (u.status === "unusable") expect(prev.status).toBe("let")
          if (cmd.c === "release") expect(["let", "unusable"]).toContain(prev.status)
          // R40: once supplied, always supplied, and the kind is frozen.
          if (prev.supplied) expect(u.supplied && u.kind === prev.kind).toBe(true)
        }
      }),
    )
  })
})
