/**
 * The README's "Using Anju as a library" example, run as written but on in-memory PGlite: an embedder's
 * composition root, the stock use-cases and the public record of a unit.
 */
import { Exit, Layer, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import * as NodeSecureRandom from "../adapters/node/NodeSecureRandom.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgStockStore from "../adapters/postgres/PgStockStore.js"
import { lookupUnitByCode } from "../application/stock/QueryStock.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import { registerBuilding, registerProject, registerUnits } from "../application/stock/RegisterStock.js"
import * as Domain from "../domain/index.js"

describe("README: using Anju as a library", () => {
  it("validates values without exceptions", () => {
    expect(Domain.ResidentIdNumber.parse("11010519491231002X")._tag).toBe("Success")
    expect(Domain.ResidentIdNumber.parse("110105194912310021")._tag).toBe("Failure")
    expect(Domain.Money.format(123456 as Domain.Money.Money)).toBe("¥1,234.56")
  })

  it("composes adapters once and runs use-cases on them", async () => {
    const services = Layer.mergeAll(
      PgStockStore.layer.pipe(Layer.provide(PgliteDatabase.layer())),
      NodeSecureRandom.layer,
    )
    const runtime = ManagedRuntime.make(services)
    try {
      await runtime.runPromise(
        registerProject(LOCAL_AUTHORITY, {
          id: "P1",
          name: "馨越公寓",
          kind: "gongzu",
          district: "310115",
          address: "世博村路300号",
          operatorUscc: "91310000MA1FL0TB3Y",
          operatorName: "运营公司",
          servicePhone: "021-12345678",
        }),
      )
      await runtime.runPromise(
        registerBuilding(LOCAL_AUTHORITY, {
          id: "B1",
          projectId: "P1",
          name: "1号楼",
          totalFloors: 18,
          unitsPerFloor: 6,
          hasLift: true,
          completionDate: "2023-06-30",
        }),
      )
      const { units } = await runtime.runPromise(
        registerUnits(LOCAL_AUTHORITY, [
          {
            id: "U1",
            buildingId: "B1",
            floor: 3,
            roomNo: 2,
            bedrooms: 2,
            halls: 1,
            area: "65.40",
            rent: "1500",
            marketRent: "3200",
          },
        ]),
      )
      const page = await runtime.runPromise(lookupUnitByCode(units[0]!.code))
      expect(page).toMatchObject({
        projectName: "馨越公寓",
        room: "302",
        area: 6540,
        rent: 150000,
      })
      // A rule violation is a typed failure naming field and rule, not an exception.
      const bad = await runtime.runPromiseExit(
        registerUnits(LOCAL_AUTHORITY, [
          {
            id: "U2",
            buildingId: "B1",
            floor: 3,
            roomNo: 3,
            bedrooms: 6,
            halls: 1,
            area: "65.40",
            rent: "1500",
            marketRent: "3200",
          },
        ]),
      )
      expect(Exit.isFailure(bad) && JSON.stringify(bad.cause)).toContain("R132.bedrooms-range")
    } finally {
      await runtime.dispose()
    }
  })
})
