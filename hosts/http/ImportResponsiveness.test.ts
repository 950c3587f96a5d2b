/**
 * The host stays responsive during a large import (issue 10): a large CSV (generated here) is
 * uploaded to a real HTTP server in this process over embedded PGlite (in its worker thread, the hosts'
 * default), while a worker thread (its own event loop, so its clock is not stalled with ours) probes
 * /health every 50 ms. Every probe must be answered within the bound, and the job must end with all rows
 * written in its one transaction. The log line also says where this thread stalled: garbage-collection
 * pauses, and each timer gap over 40 ms with this thread's CPU time in it (little CPU means the thread was
 * waiting for a core, not working) and the job's progress at that moment.
 * The suite runs 50,000 rows with a 1 s bound: it fails on a stalled host (before the import jobs, one
 * import blocked /health for over a minute) and stays deterministic on a loaded 2-core CI machine, where
 * other test files share the cores. The issue's figure is measured on a quiet machine with
 * `ANJU_IMPORT_ROWS=450000 ANJU_PROBE_BOUND_MS=100 npx vitest run hosts/http/ImportResponsiveness.test.ts`.
 */
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { Worker } from "node:worker_threads"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Hono } from "hono"
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import * as NodeSecureRandom from "../../adapters/node/NodeSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import { PgDatabase } from "../../adapters/postgres/PgDatabase.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { registerImportRoutes } from "./ImportRoutes.js"
import { startServer } from "./Server.js"

const ROWS = Number(process.env["ANJU_IMPORT_ROWS"] ?? 50_000)
const PROBE_BOUND_MS = Number(process.env["ANJU_PROBE_BOUND_MS"] ?? 1_000)

const database = PgliteDatabase.layer()
const runtime = ManagedRuntime.make(
  Layer.mergeAll(PgStockStore.layer.pipe(Layer.provideMerge(database)), NodeSecureRandom.layer),
)
afterAll(() => runtime.dispose())

const HEADER =
  "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent\n"

/** `rows` units in buildings of 50 floors × 20 units (R132 limits), 10 buildings per project. */
const csvChunks = (rows: number): Array<Uint8Array> => {
  const encoder = new TextEncoder()
  const chunks = [encoder.encode(HEADER)]
  let lines: Array<string> = []
  for (let i = 0; i < rows; i++) {
    const b = Math.floor(i / 1000)
    const p = Math.floor(b / 10)
    const k = i % 1000
    lines.push(
      `P-R${p},保障房项目${p},公租,310115,上海市浦东新区测试路${p + 1}号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678,` +
        `B-R${b},${(b % 10) + 1}号楼,50,20,是,2023-06-30,U-R${String(i).padStart(7, "0")},${1 + Math.floor(k / 20)},${1 + (k % 20)},` +
        `${1 + (i % 3)},1,${45 + (i % 40)}.${String(i % 100).padStart(2, "0")},南,简装,${1500 + (i % 7) * 100}.00,${3000 + (i % 7) * 100}.00\n`,
    )
    if (lines.length === 10_000) {
      chunks.push(encoder.encode(lines.join("")))
      lines = []
    }
  }
  if (lines.length > 0) chunks.push(encoder.encode(lines.join("")))
  return chunks
}

/**
 * Probes `${url}/health` from its own thread until told to stop; answers the latencies in ms. One untimed
 * request first (answered as "ready"): it loads the thread's fetch client and opens the connection, which
 * measures the probe, not the host.
 */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads")
let stop = false
parentPort.on("message", () => { stop = true })
const latencies = []
;(async () => {
  await (await fetch(workerData.url + "/health")).text()
  parentPort.postMessage("ready")
  while (!stop) {
    const t = performance.now()
    const res = await fetch(workerData.url + "/health")
    await res.text()
    latencies.push(performance.now() - t)
    await new Promise((r) => setTimeout(r, 50))
  }
  parentPort.postMessage(latencies)
})()
`

describe("import responsiveness", () => {
  it(
    `answers /health within ${PROBE_BOUND_MS} ms throughout a ${ROWS.toLocaleString("en")}-row CSV import on PGlite`,
    async () => {
      await runtime.runPromise(Effect.void) // PGlite started and migrated before timing
      const api = new Hono()
      const jobs = registerImportRoutes(api, {
        run: (effect) => runtime.runPromiseExit(effect),
        actorOf: () => ({ role: "city", id: "local" }),
        xlsx: false,
      })
      const app = new Hono()
      app.get("/health", (c) => c.json({ status: "ok" }))
      app.route("/api/v1", api)
      // The table is generated before probing starts: building it is the client's work, on this thread.
      const body = new Blob(csvChunks(ROWS) as Array<Uint8Array<ArrayBuffer>>)
      const server = await startServer({ app, port: 0, hostname: "127.0.0.1" })
      const loopDelay = monitorEventLoopDelay({ resolution: 10 })
      // Garbage-collection pauses of this (the host's) thread, to tell them from other stalls.
      const gcPauses: Array<number> = []
      const gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) gcPauses.push(e.duration)
      })
      gcObserver.observe({ entryTypes: ["gc"] })
      const probe = new Worker(PROBE, { eval: true, workerData: { url: server.url } })
      const ready = new Promise<void>((resolve) => probe.once("message", () => resolve()))
      const latencies = ready.then(
        () => new Promise<Array<number>>((resolve) => probe.once("message", resolve)),
      )
      try {
        await ready
        loopDelay.enable()
        const t0 = performance.now()
        const accepted = await fetch(`${server.url}/api/v1/imports`, {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body,
        })
        expect(accepted.status).toBe(202)
        const location = accepted.headers.get("location")!
        const jobId = location.slice(location.lastIndexOf("/") + 1)
        // Where the main thread stalls: each timer gap over 40 ms with the job's progress at that moment.
        const gaps: Array<{ readonly wall: number; readonly cpu: number; readonly at: string }> = []
        // The thread's own CPU time in a gap tells work on this thread from waiting for a core.
        const threadCpu = () => {
          const u = process.threadCpuUsage()
          return (u.user + u.system) / 1000
        }
        let last = performance.now()
        let lastCpu = threadCpu()
        const gapTimer = setInterval(() => {
          const now = performance.now()
          const cpu = threadCpu()
          if (now - last > 40)
            gaps.push({ wall: now - last, cpu: cpu - lastCpu, at: JSON.stringify(jobs.get(jobId)?.progress) })
          last = now
          lastCpu = cpu
        }, 5)
        await jobs.idle()
        clearInterval(gapTimer)
        gcObserver.disconnect()
        const seconds = (performance.now() - t0) / 1000
        const job: unknown = await (await fetch(`${server.url}${location}`)).json()
        loopDelay.disable()
        probe.postMessage("stop")
        const ms = await latencies
        const max = Math.max(...ms)
        console.log(
          `import of ${ROWS} rows (${(body.size / 1e6).toFixed(1)} MB): ${seconds.toFixed(1)} s; ` +
            `${ms.length} /health probes, max ${max.toFixed(1)} ms, ` +
            `p99 ${[...ms].sort((a, b) => a - b)[Math.floor(ms.length * 0.99)]?.toFixed(1)} ms, slowest ` +
            `${ms
              .map((d, i) => [d, i] as const)
              .sort((a, b) => b[0] - a[0])
              .slice(0, 3)
              .map(([d, i]) => `#${i} ${d.toFixed(0)} ms`)
              .join(", ")}; ` +
            `event-loop delay max ${(loopDelay.max / 1e6).toFixed(1)} ms; GC pauses: ${gcPauses.length}, ` +
            `max ${Math.max(0, ...gcPauses).toFixed(1)} ms, ${gcPauses.filter((d) => d > 40).length} over 40 ms, ` +
            `total ${gcPauses.reduce((a, b) => a + b, 0).toFixed(0)} ms; main-thread gaps > 40 ms: ` +
            `${gaps.length}, ${gaps.filter((g) => g.cpu > 40).length} of them with over 40 ms of this thread's CPU; ` +
            // The gaps this thread spent working (most CPU first): the long synchronous steps, if any remain.
            `by CPU: ${[...gaps]
              .sort((a, b) => b.cpu - a.cpu)
              .slice(0, 12)
              .map((g) => `${g.wall.toFixed(0)} ms (cpu ${g.cpu.toFixed(0)} ms) at ${g.at}`)
              .join("; ")}`,
        )
        expect(job).toMatchObject({
          state: "succeeded",
          progress: { rowsRead: ROWS, rowsChecked: ROWS, rowsWritten: ROWS },
          report: { rows: ROWS, committed: true, written: { units: ROWS }, issues: [] },
        })
        expect(ms.length).toBeGreaterThan(5)
        expect(max).toBeLessThan(PROBE_BOUND_MS)
        const stored = await runtime.runPromise(
          Effect.flatMap(PgDatabase, ({ db, schema }) =>
            Effect.promise(() =>
              sql<{ n: number }>`select count(*)::int as n from ${sql.id(schema, "units")}`.execute(db),
            ),
          ),
        )
        expect(stored.rows[0]?.n).toBe(ROWS)
      } finally {
        probe.postMessage("stop")
        await latencies.catch(() => [])
        await probe.terminate()
        await server.close()
      }
    },
    20 * 60_000,
  )
})
