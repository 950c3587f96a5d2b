/**
 * Benchmark: bulk import of N housing units (default 100,000) into PostgreSQL through the real use-case
 * (`importStock`: parse CSV → plan with R132 checks → one atomic StockStore write), into a fresh private
 * schema that is dropped afterwards. Reports rows/s for the whole import and for the write alone.
 * Run alone: `npx tsx bench/StockImportBench.ts [units]` (DATABASE_URL, default the local server).
 */
import { cpus, loadavg } from "node:os"
import { pathToFileURL } from "node:url"
import { Effect, Layer, ManagedRuntime, Result } from "effect"
import { sql } from "kysely"
import { StockStore } from "../application/ports/StockStore.js"
import { importStock } from "../application/stock/ImportStock.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import { parseCsv, toCsvLine } from "../domain/stock/Tabular.js"
import { layer as seededRandom } from "../adapters/memory/SeededSecureRandom.js"
import { layerTest, PgDatabase } from "../adapters/postgres/PgDatabase.js"
import { make as makePgStockStore } from "../adapters/postgres/PgStockStore.js"

const HEADER = [
  "project_id",
  "project_name",
  "kind",
  "district",
  "address",
  "operator_uscc",
  "operator_name",
  "service_phone",
  "building_id",
  "building_name",
  "total_floors",
  "units_per_floor",
  "has_lift",
  "completion_date",
  "unit_id",
  "floor",
  "room_no",
  "bedrooms",
  "halls",
  "area",
  "orientation",
  "decoration",
  "rent",
  "market_rent",
  "unit_kind",
]
/** R132: at most 100 floors and 30 units per floor; these buildings hold 50 × 20 = 1,000 units each. */
const FLOORS = 50
const PER_FLOOR = 20
const BUILDINGS_PER_PROJECT = 10
const ORIENTATIONS = ["南", "南北", "东南", "西南"]
const DECORATIONS = ["毛坯", "简装", "精装"]

/** An import table of `units` rows across ⌈units / 10,000⌉ projects of 10 buildings each. */
export const stockCsv = (units: number): string => {
  const lines = [toCsvLine(HEADER)]
  const perBuilding = FLOORS * PER_FLOOR
  for (let i = 0; i < units; i++) {
    const b = Math.floor(i / perBuilding)
    const p = Math.floor(b / BUILDINGS_PER_PROJECT)
    const k = i % perBuilding
    lines.push(
      toCsvLine([
        `P-BENCH-${p}`,
        `保障房项目${p}`,
        "公租",
        "310115",
        `上海市浦东新区测试路${p + 1}号`,
        "91310000MA1FL0TB3Y",
        "上海地产住房保障有限公司",
        "021-12345678",
        `B-BENCH-${b}`,
        `${(b % BUILDINGS_PER_PROJECT) + 1}号楼`,
        FLOORS,
        PER_FLOOR,
        "是",
        "2023-06-30",
        `U-BENCH-${String(i).padStart(7, "0")}`,
        1 + Math.floor(k / PER_FLOOR),
        1 + (k % PER_FLOOR),
        1 + (i % 3),
        1,
        `${45 + (i % 40)}.${String(i % 100).padStart(2, "0")}`,
        ORIENTATIONS[i % ORIENTATIONS.length]!,
        DECORATIONS[i % DECORATIONS.length]!,
        `${1500 + (i % 7) * 100}.00`,
        `${3000 + (i % 7) * 100}.00`,
        "",
      ]),
    )
  }
  return `${lines.join("\n")}\n`
}

export interface StockImportFigures {
  readonly units: number
  /** Parse + plan + write, seconds. */
  readonly totalSeconds: number
  readonly totalRowsPerSecond: number
  /** The StockStore write alone, seconds. */
  readonly writeSeconds: number
  readonly writeRowsPerSecond: number
  readonly parseSeconds: number
}

export async function benchStockImport(opts: {
  readonly url: string
  readonly units?: number
  readonly seed?: number
}): Promise<StockImportFigures> {
  const units = opts.units ?? 100_000
  const csv = stockCsv(units)
  let writeMs = 0
  let lookupMs = 0
  // The real PgStockStore, with its calls timed from the outside (the use-case's lookups run concurrently,
  // so their time is measured from the first start to the last end).
  const timed = <A, E>(effect: Effect.Effect<A, E>, add: (ms: number) => void) =>
    Effect.suspend(() => {
      const t = performance.now()
      return effect.pipe(Effect.ensuring(Effect.sync(() => add(performance.now() - t))))
    })
  const timedStore = Layer.effect(
    StockStore,
    Effect.map(makePgStockStore, (store) =>
      StockStore.of({
        ...store,
        write: (batch) => timed(store.write(batch), (ms) => (writeMs += ms)),
        getUnits: (ids) => timed(store.getUnits(ids), (ms) => (lookupMs = Math.max(lookupMs, ms))),
      }),
    ),
  )
  const database = layerTest({ url: opts.url })
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(timedStore.pipe(Layer.provideMerge(database)), seededRandom(opts.seed ?? 20240601)),
  )
  try {
    const t0 = performance.now()
    const parsed = parseCsv(csv)
    if (Result.isFailure(parsed)) throw new Error(`benchmark CSV does not parse: ${parsed.failure.message}`)
    const tParsed = performance.now()
    const report = await runtime.runPromise(importStock(LOCAL_AUTHORITY, parsed.success, { partial: false }))
    const t1 = performance.now()
    if (!report.committed || report.written.units !== units)
      throw new Error(
        `import did not write ${units} units: ${JSON.stringify({ ...report, issues: report.issues.slice(0, 5) })}`,
      )
    const stored = await runtime.runPromise(
      PgDatabase.use(({ db, schema }) =>
        Effect.promise(() =>
          sql<{ n: string }>`select count(*) as n from ${sql.id(schema, "units")}`.execute(db),
        ),
      ),
    )
    if (Number(stored.rows[0]?.n) !== units)
      throw new Error(`expected ${units} stored units, found ${stored.rows[0]?.n}`)
    const totalSeconds = (t1 - t0) / 1000
    const writeSeconds = writeMs / 1000
    const figures: StockImportFigures = {
      units,
      totalSeconds,
      totalRowsPerSecond: Math.round(units / totalSeconds),
      writeSeconds,
      writeRowsPerSecond: Math.round(units / writeSeconds),
      parseSeconds: (tParsed - t0) / 1000,
    }
    console.log(
      [
        `stock import into PostgreSQL: ${units.toLocaleString("en")} units (${report.written.buildings} buildings, ${report.written.projects} projects)`,
        `  whole import (parse + plan + write): ${totalSeconds.toFixed(2)} s = ${figures.totalRowsPerSecond.toLocaleString("en")} rows/s`,
        `  write alone (one transaction):       ${writeSeconds.toFixed(2)} s = ${figures.writeRowsPerSecond.toLocaleString("en")} rows/s`,
        `  of which CSV parse ${figures.parseSeconds.toFixed(2)} s, existing-record lookups ${(lookupMs / 1000).toFixed(2)} s,` +
          ` plan ${(totalSeconds - writeSeconds - figures.parseSeconds - lookupMs / 1000).toFixed(2)} s`,
        `  machine: ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} (other work on the host slows both figures)`,
      ].join("\n"),
    )
    return figures
  } finally {
    await runtime.dispose()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const units = Number(process.argv[2] ?? process.env["BENCH_UNITS"] ?? 100_000)
  await benchStockImport({
    url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    units,
  })
}
