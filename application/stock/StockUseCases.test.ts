import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Result } from "effect"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { parseCsv } from "../../domain/stock/Tabular.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import type { Actor } from "../../domain/access/Access.js"
import { changeUnits } from "./ChangeUnits.js"
import { importStock } from "./ImportStock.js"
import { getUnit, listUnits, lookupUnitByCode } from "./QueryStock.js"
import { UnitNotFound } from "./StockErrors.js"
import { registerBuilding, registerProject, registerUnits } from "./RegisterStock.js"

const city: Actor = { role: "city", id: "city" }
const pudong: Actor = { role: "district", id: "pudong", district: "310115" }
const xuhui: Actor = { role: "district", id: "xuhui", district: "310104" }
const operator: Actor = { role: "operator", id: "op", projectIds: ["P1"] }
const otherOperator: Actor = { role: "operator", id: "op2", projectIds: ["P9"] }
const reader: Actor = { role: "district", id: "reader", district: "310115", permissions: ["stock.read"] }
const services = Layer.mergeAll(MemoryStockStore.layer, SeededSecureRandom.layer(7))
const project = {
  id: "P1",
  name: "馨越公寓",
  kind: "gongzu",
  district: "310115",
  address: "世博村路300号",
  operatorUscc: "91310000MA1FL0TB3Y",
  operatorName: "运营公司",
  servicePhone: "021-12345678",
}
const building = {
  id: "B1",
  projectId: "P1",
  name: "1号楼",
  totalFloors: 6,
  unitsPerFloor: 2,
  hasLift: true,
  completionDate: "2022-09-30",
}
const unit = (id: string, floor: number, room: number, extra: Record<string, unknown> = {}) => ({
  id,
  buildingId: "B1",
  floor,
  roomNo: room,
  bedrooms: 1,
  halls: 1,
  area: "45.10",
  rent: "1200.00",
  marketRent: "2600",
  ...extra,
})
const setup = Effect.gen(function* () {
  yield* registerProject(city, project)
  yield* registerBuilding(city, building)
})
const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

describe("stock use-cases", () => {
  it.effect("registration is idempotent and keeps the first public code", () =>
    Effect.gen(function* () {
      yield* setup
      const first = yield* registerUnits(city, [unit("U1", 1, 1), unit("U2", 1, 2)])
      expect(first.created).toBe(2)
      const again = yield* registerUnits(city, [unit("U1", 1, 1)])
      expect(again).toMatchObject({ created: 0, unchanged: 1 })
      expect(again.units[0]!.code).toBe(first.units[0]!.code)
      expect((yield* registerProject(city, project)).created).toBe(false)
    }).pipe(Effect.provide(services)),
  )

  it.effect(
    "every issue of a call is reported at once, naming the caller's index, and nothing is written",
    () =>
      Effect.gen(function* () {
        yield* setup
        const exit = yield* Effect.exit(
          registerUnits(city, [
            unit("U1", 1, 1),
            unit("U2", 7, 1),
            unit("U3", 1, 3, { bedrooms: 6 }),
            unit("U4", 2, 3),
          ]),
        )
        const e = failureOf(exit) as { _tag: string; issues: ReadonlyArray<{ field: string; rule: string }> }
        expect(e._tag).toBe("StockInputRejected")
        expect(e.issues.map((i) => `${i.field}:${i.rule}`)).toEqual([
          "units[2].bedrooms:R132.bedrooms-range",
          "units[1].floor:R132.total-floors-below-highest-floor",
          "units[3].roomNo:R132.units-per-floor-below-max-room",
        ])
        const ok = yield* registerUnits(city, [unit("U1", 1, 1)])
        expect(ok.created).toBe(1)
      }).pipe(Effect.provide(services)),
  )

  it.effect("life-cycle changes are optimistic; the public record follows the unit", () =>
    Effect.gen(function* () {
      yield* setup
      const { units } = yield* registerUnits(city, [unit("U1", 1, 1)])
      const id = "U1" as UnitId
      const [published] = yield* changeUnits(city, [{ unitId: id, expectedVersion: 1 }], {
        command: "publish",
      })
      expect(published).toMatchObject({ status: "available", version: 2 })
      const stale = yield* Effect.exit(
        changeUnits(city, [{ unitId: id, expectedVersion: 1 }], { command: "lock" }),
      )
      expect(failureOf(stale)).toMatchObject({ _tag: "StockStoreError", reason: { _tag: "StaleVersion" } })
      yield* changeUnits(city, [{ unitId: id }], { command: "let" })
      const refused = yield* Effect.exit(
        changeUnits(city, [{ unitId: id }], { command: "convertKind", kind: "baozu" }),
      )
      expect(failureOf(refused)).toMatchObject({ _tag: "UnitTransitionRefused", rule: "R40.unsupplied-only" })
      const record = yield* lookupUnitByCode(units[0]!.code)
      expect(record).toMatchObject({
        projectName: "馨越公寓",
        districtName: "浦东新区",
        room: "101",
        status: "let",
        rent: 120000,
      })
    }).pipe(Effect.provide(services)),
  )

  it.effect("an import with issues writes nothing unless partial", () =>
    Effect.gen(function* () {
      const header =
        "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,rent,market_rent"
      const p =
        "P1,馨越公寓,gongzu,310115,世博村路300号,91310000MA1FL0TB3Y,运营公司,021-12345678,B1,1号楼,6,2,是,2022-09-30"
      const table = Result.getOrThrow(
        parseCsv([header, `${p},U1,1,1,1,1,45.1,1200,2600`, `${p},U2,1,2,9,1,45.1,1200,2600`].join("\n")),
      )
      const strict = yield* importStock(city, table, { partial: false })
      expect(strict).toMatchObject({
        committed: false,
        written: { units: 0 },
        issues: [{ row: 3, field: "bedrooms" }],
      })
      const partial = yield* importStock(city, table, { partial: true })
      expect(partial).toMatchObject({ committed: true, written: { projects: 1, buildings: 1, units: 1 } })
      const replay = yield* importStock(city, table, { partial: true })
      expect(replay).toMatchObject({ written: { units: 0 }, unchanged: 1 })
    }).pipe(Effect.provide(services)),
  )

  it.effect("data scope: district and operator act only within their scope; others see missing objects", () =>
    Effect.gen(function* () {
      yield* setup
      yield* registerUnits(pudong, [unit("U1", 1, 1)])
      const id = "U1" as UnitId
      // A district officer of another district, and an operator of another project: exactly as missing.
      for (const outsider of [xuhui, otherOperator]) {
        expect(failureOf(yield* Effect.exit(getUnit(outsider, id)))).toMatchObject({ _tag: "UnitNotFound" })
        expect(failureOf(yield* Effect.exit(getUnit(outsider, "NOPE" as UnitId)))).toEqual(
          new UnitNotFound({ key: "NOPE" }),
        )
        expect(
          failureOf(yield* Effect.exit(changeUnits(outsider, [{ unitId: id }], { command: "publish" }))),
        ).toEqual(new UnitNotFound({ key: "U1" }))
        expect((yield* listUnits(outsider, { limit: 10 })).items).toEqual([])
        const b = failureOf(yield* Effect.exit(registerBuilding(outsider, { ...building, id: "B2" })))
        const missing = failureOf(
          yield* Effect.exit(registerBuilding(city, { ...building, id: "B3", projectId: "P404" })),
        ) as { issues: ReadonlyArray<{ field: string; rule: string }> }
        expect((b as typeof missing).issues.map((i) => `${i.field}:${i.rule}`)).toEqual(
          missing.issues.map((i) => `${i.field}:${i.rule}`),
        )
        const u = failureOf(yield* Effect.exit(registerUnits(outsider, [unit("U9", 1, 2)]))) as typeof missing
        expect(u.issues.map((i) => `${i.field}:${i.rule}`)).toEqual([
          "units[0].buildingId:stock.building-registered",
        ])
      }
      expect(failureOf(yield* Effect.exit(registerProject(xuhui, { ...project, id: "P2" })))).toMatchObject({
        _tag: "StockInputRejected",
        issues: [{ rule: "access.data-scope" }],
      })
      expect((yield* listUnits(operator, { limit: 10 })).items.map((u) => u.id)).toEqual(["U1"])
      expect((yield* listUnits(pudong, { limit: 10 })).total).toBe(1)
      const [published] = yield* changeUnits(operator, [{ unitId: id }], { command: "publish" })
      expect(published!.status).toBe("available")
      // A permission the actor lacks is AccessDenied, whatever the scope.
      expect(failureOf(yield* Effect.exit(registerProject(reader, { ...project, id: "P3" })))).toMatchObject({
        _tag: "AccessDenied",
        permission: "stock.write",
      })
      expect(failureOf(yield* Effect.exit(importStock(reader, [], { partial: false })))).toMatchObject({
        _tag: "AccessDenied",
        permission: "stock.import",
      })
    }).pipe(Effect.provide(services)),
  )

  it.effect("money and area beyond the sanity limits are rejected naming the field", () =>
    Effect.gen(function* () {
      yield* setup
      const e = failureOf(
        yield* Effect.exit(
          registerUnits(city, [unit("U1", 1, 1, { rent: "90000000000000.00", area: "20000.00" })]),
        ),
      ) as { issues: ReadonlyArray<{ field: string; rule: string }> }
      expect(e.issues.map((i) => `${i.field}:${i.rule}`)).toEqual([
        "units[0].area:stock.area-limit",
        "units[0].rent:stock.rent-limit",
      ])
    }).pipe(Effect.provide(services)),
  )
})
