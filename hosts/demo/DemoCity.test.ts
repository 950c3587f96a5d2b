/**
 * The synthetic city (issue 16) at a small size: the same seed gives the same records (digest), every
 * record keeps the stock rules, and `anju demo city` writes data the store's own reads accept (list,
 * look-up by public code, inventory counts) on PostgreSQL in a private schema.
 */
import { Effect, Layer, ManagedRuntime, Option, Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { StockStore } from "../../application/ports/StockStore.js"
import { layerTest, PgDatabase } from "../../adapters/postgres/PgDatabase.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { Building, Project, Unit } from "../../domain/stock/Stock.js"
import {
  buildingInvariantViolation,
  checkUnitsFitBuilding,
  unitInvariantViolation,
} from "../../domain/stock/StockRules.js"
import { cityDigest } from "../cli/commands/DemoCity.js"
import { nodeIo } from "../cli/Io.js"
import { main } from "../cli/Main.js"
import { generateCityStock, seededCityRandom } from "./DemoCity.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const UNITS = 2000

const runtime = ManagedRuntime.make(PgStockStore.layer.pipe(Layer.provideMerge(layerTest({ url: URL }))))
afterAll(() => runtime.dispose())

describe("synthetic city (issue 16)", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = generateCityStock(seededCityRandom(7), { units: UNITS })
    const b = generateCityStock(seededCityRandom(7), { units: UNITS })
    const c = generateCityStock(seededCityRandom(8), { units: UNITS })
    expect(cityDigest(a)).toBe(cityDigest(b))
    expect(cityDigest(a)).not.toBe(cityDigest(c))
    expect(a.units).toHaveLength(UNITS)
  })

  it("keeps the stock rules: schemas, R132 ranges and fit, R37/R40, unique codes; all kinds and statuses", () => {
    const city = generateCityStock(seededCityRandom(7), { units: UNITS })
    for (const p of city.projects) expect(Schema.is(Project)(p)).toBe(true)
    for (const b of city.buildings) {
      expect(Schema.is(Building)(b)).toBe(true)
      expect(buildingInvariantViolation(b)).toBeUndefined()
      expect(
        checkUnitsFitBuilding(
          b,
          city.units.filter((u) => u.buildingId === b.id),
        ),
      ).toEqual([])
    }
    for (const u of city.units) {
      expect(Schema.is(Unit)(u)).toBe(true)
      expect(unitInvariantViolation(u)).toBeUndefined()
    }
    expect(new Set(city.units.map((u) => u.code)).size).toBe(UNITS)
    expect(new Set(city.units.map((u) => u.kind))).toEqual(new Set(["gongzu", "baozu", "lianzu", "gongyou"]))
    expect(new Set(city.units.map((u) => u.status))).toEqual(
      new Set(["draft", "available", "let", "locked", "unusable"]),
    )
  })

  it("`anju demo city --units 2000` writes what the store reads back (list, code look-up, counts)", async () => {
    const schema = await runtime.runPromise(PgDatabase.use((d) => Effect.succeed(d.schema)))
    let out = ""
    const code = await main(
      ["demo", "city", "--units", String(UNITS), "--seed", "7", "--database-url", URL, "--db-schema", schema],
      {
        ...nodeIo,
        out: (t) => {
          out += `${t}\n`
        },
        err: () => {},
        env: {},
      },
    )
    expect(code).toBe(0)
    const city = generateCityStock(seededCityRandom(7), { units: UNITS })
    expect(out).toContain(`digest: sha256:${cityDigest(city)}`)
    expect(out).toContain(`written: ${UNITS} units`)
    const sample = city.units[1234]!
    const reads = await runtime.runPromise(
      Effect.gen(function* () {
        const store = yield* StockStore
        const page = yield* store.listUnits({ limit: 50 })
        const byCode = yield* store.findUnitByCode(sample.code)
        const placed = yield* store.findPlacedUnitByCode(sample.code)
        const counts = yield* store.countUnits({})
        return { page, byCode, placed, counts }
      }),
    )
    expect(reads.page.total).toBe(UNITS)
    expect(reads.page.items).toHaveLength(50)
    expect(Option.getOrThrow(reads.byCode)).toEqual(sample)
    expect(Option.getOrThrow(reads.placed).project.id).toBe(sample.projectId)
    expect(reads.counts.reduce((n, c) => n + c.units, 0)).toBe(UNITS)
    // Running it again is idempotent: the same records are already stored.
    let again = ""
    await main(
      ["demo", "city", "--units", String(UNITS), "--seed", "7", "--database-url", URL, "--db-schema", schema],
      {
        ...nodeIo,
        out: (t) => {
          again += `${t}\n`
        },
        err: () => {},
        env: {},
      },
    )
    expect(again).toContain(`written: 0 units (${UNITS} already stored)`)
  })
})
