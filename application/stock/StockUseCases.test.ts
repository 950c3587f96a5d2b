import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Result } from "effect"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { parseCsv } from "../../domain/stock/Tabular.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import { changeUnits } from "./ChangeUnits.js"
import { importStock } from "./ImportStock.js"
import { lookupUnitByCode } from "./QueryStock.js"
import { registerBuilding, registerProject, registerUnits } from "./RegisterStock.js"

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
  yield* registerProject(project)
  yield* registerBuilding(building)
})
const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

describe("stock use-cases", () => {
  it.effect("registration is idempotent and keeps the first public code", () =>
    Effect.gen(function* () {
      yield* setup
      const first = yield* registerUnits([unit("U1", 1, 1), unit("U2", 1, 2)])
      expect(first.created).toBe(2)
      const again = yield* registerUnits([unit("U1", 1, 1)])
      expect(again).toMatchObject({ created: 0, unchanged: 1 })
      expect(again.units[0]!.code).toBe(first.units[0]!.code)
      expect((yield* registerProject(project)).created).toBe(false)
    }).pipe(Effect.provide(services)),
  )

  it.effect(
    "every issue of a call is reported at once, naming the caller's index, and nothing is written",
    () =>
      Effect.gen(function* () {
        yield* setup
        const exit = yield* Effect.exit(
          registerUnits([
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
        const ok = yield* registerUnits([unit("U1", 1, 1)])
        expect(ok.created).toBe(1)
      }).pipe(Effect.provide(services)),
  )

  it.effect("life-cycle changes are optimistic; the public record follows the unit", () =>
    Effect.gen(function* () {
      yield* setup
      const { units } = yield* registerUnits([unit("U1", 1, 1)])
      const id = "U1" as UnitId
      const [published] = yield* changeUnits([{ unitId: id, expectedVersion: 1 }], { command: "publish" })
      expect(published).toMatchObject({ status: "available", version: 2 })
      const stale = yield* Effect.exit(changeUnits([{ unitId: id, expectedVersion: 1 }], { command: "lock" }))
      expect(failureOf(stale)).toMatchObject({ _tag: "StockStoreError", reason: { _tag: "StaleVersion" } })
      yield* changeUnits([{ unitId: id }], { command: "let" })
      const refused = yield* Effect.exit(
        changeUnits([{ unitId: id }], { command: "convertKind", kind: "baozu" }),
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
      const strict = yield* importStock(table, { partial: false })
      expect(strict).toMatchObject({
        committed: false,
        written: { units: 0 },
        issues: [{ row: 3, field: "bedrooms" }],
      })
      const partial = yield* importStock(table, { partial: true })
      expect(partial).toMatchObject({ committed: true, written: { projects: 1, buildings: 1, units: 1 } })
      const replay = yield* importStock(table, { partial: true })
      expect(replay).toMatchObject({ written: { units: 0 }, unchanged: 1 })
    }).pipe(Effect.provide(services)),
  )
})
