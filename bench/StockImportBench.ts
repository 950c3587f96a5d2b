/**
 * Benchmark: bulk import of N housing units (default 100,000) into PostgreSQL through the real use-case
 * (`importStock`: parse CSV → plan with R132 checks → one atomic StockStore write), into a fresh private
 * schema that is dropped afterwards. Reports rows/s for the whole import and for the write alone.
 * Run alone: `npx tsx bench/StockImportBench.ts [units]` (DATABASE_URL, default the local server).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Effect, Layer, ManagedRuntime, Result } from "effect"
import { sql } from "kysely"
import { StockStore } from "../application/ports/StockStore.js"
import { importStock } from "../application/stock/ImportStock.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import { IMPORT_COLUMNS } from "../domain/stock/StockImport.js"
import { parseCsv, toCsvLine } from "../domain/stock/Tabular.js"
import { layer as seededRandom } from "../adapters/memory/SeededSecureRandom.js"
import { layerTest, PgDatabase, privateSchemaName } from "../adapters/postgres/PgDatabase.js"
import { makeWith } from "../adapters/postgres/PgStockStore.js"

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
  /** Write with the multi-row INSERT path instead of COPY (for comparison in the same run). */
  readonly insertPath?: boolean
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
    Effect.map(
      makeWith(opts.insertPath === true ? { copyFromRecords: Number.POSITIVE_INFINITY } : {}),
      (store) =>
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
        `stock import into PostgreSQL (${opts.insertPath === true ? "multi-row INSERT" : "COPY + staging merge"}): ${units.toLocaleString("en")} units (${report.written.buildings} buildings, ${report.written.projects} projects)`,
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

/** The import table with the Chinese header a user's spreadsheet has (项目编号, 项目名称, …). */
export const stockCsvChinese = (units: number): string => {
  const csv = stockCsv(units)
  const nl = csv.indexOf("\n")
  const header = csv
    .slice(0, nl)
    .split(",")
    .map((h) => IMPORT_COLUMNS.find(([name]) => name === h)?.[2][0] ?? h)
  return `${toCsvLine(header)}${csv.slice(nl)}`
}

export interface StockImportCommandFigures {
  readonly units: number
  /** `anju stock import` as its own process, start-up and migrations included, seconds. */
  readonly commandSeconds: number
  /** `psql \copy` of the same file into one staging table of text columns (mean of the runs), seconds. */
  readonly floorSeconds: number
  readonly ratio: number
  readonly loadAverage: number
}

const timedProcess = (command: string, args: ReadonlyArray<string>): number => {
  const t = performance.now()
  const r = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" })
  const seconds = (performance.now() - t) / 1000
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}${r.stdout.slice(0, 2000)}`,
    )
  return seconds
}

/**
 * The whole command against its floor, in the same run: `anju stock import <file> --database-url URL
 * --db-schema S` (a fresh schema: start-up, migrations, read, check, write, report) between two
 * `psql \copy` runs of the same file into one staging table of text columns (floor–command–floor, so
 * drift from other work on the machine falls on both sides). Needs `psql` on the PATH.
 */
export async function benchStockImportCommand(opts: {
  readonly url: string
  readonly units?: number
}): Promise<StockImportCommandFigures> {
  const units = opts.units ?? 450_000
  const dir = mkdtempSync(join(tmpdir(), "anju-import-bench-"))
  const file = join(dir, `units-${units}.csv`)
  writeFileSync(file, stockCsvChinese(units))
  const schema = privateSchemaName("anju_bench")
  const floorSchema = privateSchemaName("anju_floor")
  const psql = (command: string) =>
    timedProcess("psql", ["-q", "-v", "ON_ERROR_STOP=1", opts.url, "-c", command])
  const columns = HEADER.map((_, i) => `c${i + 1} text`).join(", ")
  const floor = () => {
    psql(`drop table if exists ${floorSchema}.staging; create table ${floorSchema}.staging (${columns})`)
    return psql(`\\copy ${floorSchema}.staging from '${file}' with (format csv, header true)`)
  }
  try {
    psql(`create schema ${floorSchema}`)
    const floor1 = floor()
    const bin = fileURLToPath(new URL("../hosts/cli/bin.ts", import.meta.url))
    const commandSeconds = timedProcess(process.execPath, [
      "--import",
      "tsx",
      bin,
      "stock",
      "import",
      file,
      "--database-url",
      opts.url,
      "--db-schema",
      schema,
    ])
    const floor2 = floor()
    const floorSeconds = (floor1 + floor2) / 2
    const figures: StockImportCommandFigures = {
      units,
      commandSeconds,
      floorSeconds,
      ratio: commandSeconds / floorSeconds,
      loadAverage: loadavg()[0] ?? 0,
    }
    console.log(
      [
        `anju stock import (whole command, start-up included) into PostgreSQL: ${units.toLocaleString("en")} units, Chinese headers`,
        `  command: ${commandSeconds.toFixed(2)} s = ${Math.round(units / commandSeconds).toLocaleString("en")} rows/s`,
        `  floor (psql \\copy into one staging table): ${floor1.toFixed(2)} s before, ${floor2.toFixed(2)} s after`,
        `  ratio: ${figures.ratio.toFixed(1)}× the floor (goal ≤ 8×)`,
        `  machine: ${cpus().length} CPUs, load average ${figures.loadAverage.toFixed(1)} (shared: other work slows both)`,
      ].join("\n"),
    )
    return figures
  } finally {
    spawnSync("psql", [
      "-q",
      opts.url,
      "-c",
      `drop schema if exists ${schema} cascade; drop schema if exists ${floorSchema} cascade`,
    ])
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
  const units = Number(
    process.argv.slice(2).find((a) => !a.startsWith("--")) ?? process.env["BENCH_UNITS"] ?? 100_000,
  )
  if (process.argv.includes("--command")) await benchStockImportCommand({ url, units })
  else await benchStockImport({ url, units, insertPath: process.argv.includes("--insert") })
}
