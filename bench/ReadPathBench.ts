/**
 * Benchmark of the HTTP read path (issue 16 item 2). Seeds N units (default 50,000) through the import
 * use-case into a private PostgreSQL schema, starts the real host (`anju serve`, its own process, static
 * token table, agency simulator) and the floor (ReadPathFloor.ts: minimal Hono + pg handler running the
 * same SQL, its own process), then loads both with autocannon in the same run: `GET /api/v1/codes/{code}`
 * at 50 and 500 clients (ratio host ÷ floor), and the unit listing with a credential. Then the host on
 * PGlite (embedded default), figures only. Codes rotate over the seeded units. Every child is stopped and
 * the schema dropped at the end. Run alone: `npx tsx bench/ReadPathBench.ts [--quick]`; `BENCH_CPU_PROF=DIR`
 * writes CPU profiles of the PostgreSQL host and the floor (node --cpu-prof) into DIR.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import autocannon from "autocannon"
import { Layer, ManagedRuntime, Result } from "effect"
import { importStock } from "../application/stock/ImportStock.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import { parseCsv } from "../domain/stock/Tabular.js"
import { layer as seededRandom } from "../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import { dropSchema } from "../adapters/postgres/Migrations.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgStockStore from "../adapters/postgres/PgStockStore.js"
import { stockCsv } from "./StockImportBench.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const TOKEN = "bench-city-officer-0123456789"
const FLOOR_SCRIPT = fileURLToPath(new URL("./ReadPathFloor.ts", import.meta.url))

export interface LoadFigures {
  readonly target: string
  readonly route: string
  readonly connections: number
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  /** CPU time (user + system) of the serving process per completed request, µs; Linux only. */
  readonly cpuMicrosPerRequest: number | undefined
}

export interface ReadPathFigures {
  readonly units: number
  readonly runs: ReadonlyArray<LoadFigures>
  /** Host ÷ floor req/s of the code look-up on PostgreSQL, by connections. */
  readonly ratios: Readonly<Record<number, number>>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

interface Child {
  readonly url: string
  /** CPU seconds (user + system) the process has used so far; undefined where /proc is missing. */
  readonly cpuSeconds: () => number | undefined
  readonly stop: () => Promise<void>
}

/** utime + stime of a process from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
const cpuSecondsOf = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** Spawns `node --import tsx <args>` and waits until `GET <url>/health` answers 200 (60 s at most). */
const startChild = async (
  name: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  port: number,
  nodeFlags: ReadonlyArray<string> = [],
): Promise<Child> => {
  // The storage is given by flags: no DATABASE_URL or ANJU_* of this shell may choose another one.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== "DATABASE_URL" && !k.startsWith("ANJU_")),
  )
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, "--import", "tsx", ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  })
  let stderr = ""
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${stderr}`)
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`${name} did not answer /health within 60 s: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM")
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000)
      await exited
      clearTimeout(killer)
    },
  }
}

/** `anju serve` on the given storage flags, with a static token table (no demo data, no demo keys). */
const startHost = async (storageArgs: ReadonlyArray<string>, nodeFlags: ReadonlyArray<string> = []) => {
  const port = await freePort()
  return startChild(
    "anju serve",
    ["hosts/cli/bin.ts", "serve", "--port", String(port), "--host", "127.0.0.1", ...storageArgs],
    {
      ANJU_KMS_MASTER_KEY: "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
      ANJU_FIELD_KEY: "0123456789abcdef0123456789abcdef",
      ANJU_INDEX_KEY: "fedcba9876543210fedcba9876543210",
      ANJU_TOKENS: JSON.stringify({ [TOKEN]: { role: "city", id: "bench-city" } }),
      ANJU_AGENCIES: "simulator",
    },
    port,
    nodeFlags,
  )
}

const load = async (o: {
  readonly target: string
  readonly route: string
  readonly url: string
  readonly connections: number
  readonly seconds: number
  readonly paths: ReadonlyArray<string>
  readonly headers?: Record<string, string>
  readonly server?: Child
}): Promise<LoadFigures> => {
  let i = 0
  const cpu0 = o.server?.cpuSeconds()
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    timeout: 10,
    ...(o.headers === undefined ? {} : { headers: o.headers }),
    requests: [
      {
        method: "GET",
        setupRequest: (req) => {
          req.path = o.paths[i++ % o.paths.length]!
          return req
        },
      },
    ],
  })
  return {
    target: o.target,
    route: o.route,
    connections: o.connections,
    requestsPerSecond: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    cpuMicrosPerRequest: cpuPerRequest(cpu0, o.server?.cpuSeconds(), r.requests.total),
  }
}

const cpuPerRequest = (before: number | undefined, after: number | undefined, requests: number) =>
  before === undefined || after === undefined || requests === 0
    ? undefined
    : Math.round(((after - before) * 1e6) / requests)

/** Two equal halves of one measurement: mean rate, mean p50, the worse p99, summed counts. */
const merge = (x: LoadFigures, y: LoadFigures): LoadFigures => ({
  ...x,
  requestsPerSecond: Math.round((x.requestsPerSecond + y.requestsPerSecond) / 2),
  p50: Math.round((x.p50 + y.p50) / 2),
  p99: Math.max(x.p99, y.p99),
  errors: x.errors + y.errors,
  timeouts: x.timeouts + y.timeouts,
  non2xx: x.non2xx + y.non2xx,
  cpuMicrosPerRequest:
    x.cpuMicrosPerRequest === undefined || y.cpuMicrosPerRequest === undefined
      ? undefined
      : Math.round((x.cpuMicrosPerRequest + y.cpuMicrosPerRequest) / 2),
})

const line = (f: LoadFigures) =>
  `  ${f.target.padEnd(16)} ${f.route.padEnd(22)} c=${String(f.connections).padStart(3)}  ` +
  `${String(f.requestsPerSecond).padStart(6)} req/s  p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms  ` +
  `errors ${f.errors} timeouts ${f.timeouts} non-2xx ${f.non2xx}` +
  (f.cpuMicrosPerRequest === undefined ? "" : `  server CPU ${f.cpuMicrosPerRequest} µs/req`)

/** Seeds `units` units through the import use-case on the given database layer. */
const seed = async (database: Layer.Layer<PgDatabase.PgDatabase, Error>, units: number) => {
  const parsed = parseCsv(stockCsv(units))
  if (Result.isFailure(parsed)) throw new Error(`benchmark CSV does not parse: ${parsed.failure.message}`)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(PgStockStore.layer.pipe(Layer.provide(database)), seededRandom(20261204)),
  )
  try {
    const report = await runtime.runPromise(importStock(LOCAL_AUTHORITY, parsed.success, { partial: false }))
    if (!report.committed || report.written.units !== units)
      throw new Error(`seeding did not write ${units} units`)
  } finally {
    await runtime.dispose()
  }
}

/** Unit codes and building ids to rotate over, read through the host's own listing. */
const sample = async (url: string, max: number) => {
  const codes: Array<string> = []
  const buildings = new Set<string>()
  let after: string | null = null
  while (codes.length < max) {
    const q: string = `limit=1000${after === null ? "" : `&after=${encodeURIComponent(after)}`}`
    const r = await fetch(`${url}/api/v1/units?${q}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    if (!r.ok) throw new Error(`listing for the sample answered ${r.status}: ${await r.text()}`)
    const page = (await r.json()) as {
      items: Array<{ code: string; buildingId: string }>
      next: string | null
    }
    for (const u of page.items) {
      codes.push(u.code)
      buildings.add(u.buildingId)
    }
    if (page.next === null) break
    after = page.next
  }
  if (codes.length === 0) throw new Error(`the host at ${url} lists no units: is it on the seeded database?`)
  // Spread the look-ups: every 7th code first, so consecutive requests hit different pages.
  const spread = [...codes.keys()].sort((a, b) => (a % 7) - (b % 7) || a - b).map((k) => codes[k]!)
  return { codes: spread, buildings: [...buildings] }
}

export async function benchReadPath(opts: {
  readonly url: string
  readonly units?: number
  readonly seconds?: number
  readonly quick?: boolean
  readonly pglite?: boolean
  readonly cpuProfileDir?: string
}): Promise<ReadPathFigures> {
  const quick = opts.quick === true
  const units = opts.units ?? (quick ? 2_000 : 50_000)
  const seconds = opts.seconds ?? (quick ? 2 : 10)
  const levels = [50, 500]
  const runs: Array<LoadFigures> = []
  const auth = { authorization: `Bearer ${TOKEN}` }
  const codePaths = (codes: ReadonlyArray<string>) => codes.map((c) => `/api/v1/codes/${c}`)
  const listPaths = (buildings: ReadonlyArray<string>) =>
    buildings.map((b) => `/api/v1/units?buildingId=${encodeURIComponent(b)}&limit=50`)
  const report = (f: LoadFigures) => {
    runs.push(f)
    console.log(line(f))
  }
  console.log(
    `read path: ${units.toLocaleString("en")} units, ${seconds} s per run, autocannon in this process; ` +
      `machine ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)}`,
  )
  if (quick)
    console.log("  --quick: a smoke of the whole path (cold JIT, tiny runs); the rates are not figures")

  // --- PostgreSQL -------------------------------------------------------------------------------
  const schema = PgDatabase.privateSchemaName("anju_bench")
  const ratios: Record<number, number> = {}
  let t = performance.now()
  await seed(PgDatabase.layer({ url: opts.url, schema }), units)
  console.log(`  seeded PostgreSQL schema ${schema} in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const children: Array<Child> = []
  try {
    const profile =
      opts.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfileDir}`]
    const host = await startHost(["--database-url", opts.url, "--db-schema", schema], profile)
    children.push(host)
    // The floor runs the very statement the store runs for this route (compiled for the bench schema).
    const kysely = PgDatabase.makeKysely({ url: opts.url })
    const statement = PgStockStore.placedUnitQuery(kysely.withSchema(schema), "").compile().sql
    await kysely.destroy()
    const floorPort = await freePort()
    const floor = await startChild(
      "floor",
      [FLOOR_SCRIPT],
      { BENCH_FLOOR: "1", DATABASE_URL: opts.url, BENCH_SQL: statement, PORT: String(floorPort) },
      floorPort,
      profile,
    )
    children.push(floor)
    const { codes, buildings } = await sample(host.url, quick ? 1_000 : 5_000)
    const paths = codePaths(codes)
    // Warm-up (JIT, pool connections) of both, not reported.
    for (const url of [floor.url, host.url])
      await load({ target: "", route: "", url, connections: 50, seconds: quick ? 1 : 3, paths })
    for (const connections of levels) {
      // Floor, host, host, floor (half a run each): other work on the machine drifts over time, and the
      // ABBA order cancels a linear drift between the two measurements.
      const half = { route: "GET /api/v1/codes/{c}", connections, seconds: seconds / 2, paths }
      const floorRun = { ...half, target: "floor (hono+pg)", url: floor.url, server: floor }
      const hostRun = { ...half, target: "anju postgres", url: host.url, server: host }
      const f1 = await load(floorRun)
      const a1 = await load(hostRun)
      const a2 = await load(hostRun)
      const f2 = await load(floorRun)
      const f = merge(f1, f2)
      const a = merge(a1, a2)
      report(f)
      report(a)
      ratios[connections] = a.requestsPerSecond / Math.max(1, f.requestsPerSecond)
      console.log(
        `  ratio anju ÷ floor at ${connections} clients: ${ratios[connections]!.toFixed(2)}× (goal ≥ 0.70× at 50)`,
      )
    }
    for (const connections of levels)
      report(
        await load({
          target: "anju postgres",
          route: "GET /api/v1/units (auth)",
          url: host.url,
          server: host,
          connections,
          seconds,
          paths: listPaths(buildings),
          headers: auth,
        }),
      )
  } finally {
    for (const c of children.reverse()) await c.stop()
    const db = PgDatabase.makeKysely({ url: opts.url })
    await dropSchema(db, schema).catch(() => {})
    await db.destroy()
  }

  // --- PGlite (embedded default): figures only ----------------------------------------------------
  if (opts.pglite !== false) {
    const dir = mkdtempSync(join(tmpdir(), "anju-bench-pglite-"))
    try {
      t = performance.now()
      await seed(PgliteDatabase.layer({ dataDir: dir }), units)
      console.log(`  seeded PGlite in ${((performance.now() - t) / 1000).toFixed(1)} s`)
      const host = await startHost(["--data-dir", dir])
      try {
        const { codes, buildings } = await sample(host.url, quick ? 1_000 : 5_000)
        await load({
          target: "",
          route: "",
          url: host.url,
          server: host,
          connections: 50,
          seconds: quick ? 1 : 3,
          paths: codePaths(codes),
        })
        for (const connections of levels) {
          report(
            await load({
              target: "anju pglite",
              route: "GET /api/v1/codes/{c}",
              url: host.url,
              server: host,
              connections,
              seconds,
              paths: codePaths(codes),
            }),
          )
          report(
            await load({
              target: "anju pglite",
              route: "GET /api/v1/units (auth)",
              url: host.url,
              server: host,
              connections,
              seconds,
              paths: listPaths(buildings),
              headers: auth,
            }),
          )
        }
      } finally {
        await host.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return { units, runs, ratios }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes("--quick")
  const units = process.env["BENCH_UNITS"]
  const seconds = process.env["BENCH_SECONDS"]
  await benchReadPath({
    url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    quick,
    pglite: !process.argv.includes("--no-pglite"),
    ...(units === undefined ? {} : { units: Number(units) }),
    ...(seconds === undefined ? {} : { seconds: Number(seconds) }),
    ...(process.env["BENCH_CPU_PROF"] === undefined ? {} : { cpuProfileDir: process.env["BENCH_CPU_PROF"] }),
  })
}
