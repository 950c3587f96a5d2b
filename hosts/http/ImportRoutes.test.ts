/**
 * The import job routes over the in-memory store: 202 with a Location, polled to the per-row report;
 * all-or-nothing (a failing row → failed job, nothing written) unless partial; 413 before and while
 * reading the body; 415; 400 for a bad query; streamed CSV (quotes, CRLF, GB18030) and XLSX; a job is
 * visible only to its submitter.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { Hono } from "hono"
import { afterAll, describe, expect, it } from "vitest"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { writeXlsx } from "../../adapters/xlsx/XlsxTable.js"
import { StockStore } from "../../application/ports/StockStore.js"
import type { Actor } from "../../domain/access/Access.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import { registerImportRoutes, XLSX } from "./ImportRoutes.js"

const runtime = ManagedRuntime.make(Layer.mergeAll(MemoryStockStore.layer, SeededSecureRandom.layer(3)))
afterAll(() => runtime.dispose())

const ACTORS: Record<string, Actor> = {
  city: { role: "city", id: "city-1" },
  other: { role: "city", id: "city-2" },
}
const makeTestApp = (options: { readonly maxBytes?: number; readonly xlsx?: boolean } = {}) => {
  const api = new Hono()
  const jobs = registerImportRoutes(api, {
    run: (effect) => runtime.runPromiseExit(effect),
    actorOf: (c) => ACTORS[c.req.header("x-actor") ?? "city"]!,
    ...options,
  })
  const app = new Hono()
  app.route("/api/v1", api)
  return { app, jobs }
}
const { app, jobs } = makeTestApp()

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected structurally
type Json = any

const header =
  "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent"
const row = (b: string, unit: string, room: number, bedrooms: number) =>
  `P-imp,"馨越公寓, 一期",公租,310115,上海市浦东新区世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678,${b},1号楼,18,6,是,2023-06-30,${unit},3,${room},${bedrooms},1,72.30,南,简装,1800.00,3600.00`

const upload = (
  a: Hono,
  body: string | Uint8Array | ReadableStream<Uint8Array>,
  options: { query?: string; type?: string; actor?: string } = {},
) =>
  a.request(`/api/v1/imports${options.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": options.type ?? "text/csv", "x-actor": options.actor ?? "city" },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit)

/** Polls the Location until the job is finished. */
const finished = async (accepted: Response, actor = "city"): Promise<Json> => {
  expect(accepted.status).toBe(202)
  const location = accepted.headers.get("location")!
  expect(location).toMatch(/^\/api\/v1\/imports\/[0-9a-f-]{36}$/u)
  const queued: Json = await accepted.json()
  expect(queued).toMatchObject({ state: "queued", location, progress: { rowsRead: 0 } })
  await jobs.idle()
  const res = await app.request(location, { headers: { "x-actor": actor } })
  expect(res.status).toBe(200)
  const job: Json = await res.json()
  expect(["succeeded", "failed"]).toContain(job.state)
  return job
}

const storedUnits = (ids: ReadonlyArray<string>) =>
  runtime.runPromise(Effect.flatMap(StockStore, (s) => s.getUnits(ids as ReadonlyArray<UnitId>)))

describe("import jobs", () => {
  it("answers 202 with a Location; the polled job carries progress and the report", async () => {
    const csv = [header, row("B-i1", "U-i1-1", 1, 2), row("B-i1", "U-i1-2", 2, 1)].join("\r\n")
    const job = await finished(await upload(app, csv))
    expect(job).toMatchObject({
      state: "succeeded",
      partial: false,
      progress: { rowsRead: 2, rowsChecked: 2, rowsWritten: 2 },
      report: { rows: 2, committed: true, written: { projects: 1, buildings: 1, units: 2 }, issues: [] },
    })
    expect((await storedUnits(["U-i1-1", "U-i1-2"])).map((u) => u.id)).toEqual(["U-i1-1", "U-i1-2"])
    // Another identity does not see the job (answered as a missing one).
    expect((await app.request(`/api/v1/imports/${job.id}`, { headers: { "x-actor": "other" } })).status).toBe(
      404,
    )
    expect((await app.request("/api/v1/imports/no-such-job")).status).toBe(404)
    // Re-importing the same file is idempotent.
    const again = await finished(await upload(app, csv))
    expect(again.report).toMatchObject({ committed: true, written: { units: 0 }, unchanged: 2 })
  })

  it("a failing row fails the job with the per-row report and writes nothing; partial=true writes the rest", async () => {
    const csv = [
      header,
      row("B-i2", "U-i2-1", 1, 2),
      row("B-i2", "U-i2-2", 2, 6),
      row("B-i2", "U-i2-3", 3, 1),
    ]
      .join("\n")
      .concat("\n\n")
    const job = await finished(await upload(app, csv))
    expect(job.state).toBe("failed")
    expect(job.report).toMatchObject({
      error: "invalid_input",
      rows: 3,
      committed: false,
      written: { units: 0 },
    })
    expect(job.report.issues).toEqual([
      expect.objectContaining({ row: 3, field: "bedrooms", rule: "R132.bedrooms-range", value: "6" }),
    ])
    expect(job.progress.rowsWritten).toBe(0)
    expect(await storedUnits(["U-i2-1", "U-i2-2", "U-i2-3"])).toEqual([])

    const partial = await finished(await upload(app, csv, { query: "?partial=true" }))
    expect(partial).toMatchObject({ state: "succeeded", partial: true, report: { committed: true } })
    expect(partial.report.written.units).toBe(2)
    expect(partial.report.issues).toHaveLength(1)
    expect((await storedUnits(["U-i2-1", "U-i2-2", "U-i2-3"])).map((u) => u.id)).toEqual(["U-i2-1", "U-i2-3"])
  })

  it("refuses a file over the limit with 413, declared or streamed, and queues nothing", async () => {
    const small = makeTestApp({ maxBytes: 1000 })
    const big = `${header}\n${row("B-i3", "U-i3-1", 1, 2).repeat(10)}`
    const declared = await upload(small.app, big)
    expect(declared.status).toBe(413)
    expect((await declared.json()) as Json).toMatchObject({
      error: "payload_too_large",
      message: expect.stringContaining("import limit of 1000 bytes"),
    })
    // No Content-Length: counted while reading.
    const bytes = new TextEncoder().encode(big)
    const streamed = await upload(
      small.app,
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.subarray(i, i + 100))
          controller.close()
        },
      }),
    )
    expect(streamed.status).toBe(413)
    expect(await storedUnits(["U-i3-1"])).toEqual([])
  })

  it("answers 415 for other types (and XLSX when not enabled) and 400 for a bad query", async () => {
    expect((await upload(app, "x", { type: "application/pdf" })).status).toBe(415)
    const noXlsx = makeTestApp({ xlsx: false })
    const res = await upload(noXlsx.app, "x", { type: XLSX })
    expect(res.status).toBe(415)
    expect(((await res.json()) as Json).message).toBe("expected text/csv")
    const bad = await upload(app, header, { query: "?partial=maybe" })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as Json).issues[0]).toMatchObject({ field: "query.partial" })
  })

  it("reports malformed CSV, an empty file and a header without required columns in the job", async () => {
    const unterminated = await finished(await upload(app, `${header}\n"P-q`))
    expect(unterminated.state).toBe("failed")
    expect(unterminated.report.issues[0]).toMatchObject({ field: "file", rule: "csv.unterminated-quote" })
    const empty = await finished(await upload(app, ""))
    expect(empty.report.issues[0]).toMatchObject({ rule: "import.header" })
    const noIds = await finished(await upload(app, "project_name\nx\n"))
    expect(noIds.report).toMatchObject({ rows: 1, committed: false })
    expect(noIds.report.issues.map((i: Json) => i.field)).toEqual(["project_id", "building_id", "unit_id"])
  })

  it("reads GB18030 text and XLSX workbooks (streamed); an unreadable workbook fails the job", async () => {
    const ascii = (s: string) => [...new TextEncoder().encode(s)]
    const gbRow = "P-gb,Estate,gongzu,310115,Road 1,91310000MA1FL0TB3Y,Operator,021-12345678,B-gb,"
    // "1号楼" in GB18030 is 31 BA C5 C2 A5.
    const gbBytes = Uint8Array.from([
      ...ascii(`${header}\n${gbRow}1`),
      0xba,
      0xc5,
      0xc2,
      0xa5,
      ...ascii(",18,6,yes,2023-06-30,U-gb-1,5,1,2,1,60,,,1000,2000"),
    ])
    const gb = await finished(await upload(app, gbBytes))
    expect(gb.state).toBe("succeeded")
    const [building] = await runtime.runPromise(
      Effect.flatMap(StockStore, (s) => s.getBuildings(["B-gb"] as never)),
    )
    expect(building?.name).toBe("1号楼")

    const sheet = [header, row("B-xl", "U-xl-1", 4, 2)].map((line) =>
      line.match(/("[^"]*"|[^,]+)/gu)!.map((c) => c.replace(/^"|"$/gu, "")),
    )
    const workbook = await finished(await upload(app, await writeXlsx("units", sheet), { type: XLSX }))
    expect(workbook).toMatchObject({ state: "succeeded", report: { written: { units: 1 } } })
    expect((await storedUnits(["U-xl-1"]))[0]?.area).toBe(7230)

    const broken = await finished(await upload(app, new TextEncoder().encode("broken"), { type: XLSX }))
    expect(broken.state).toBe("failed")
    expect(broken.report.issues[0]).toMatchObject({ field: "file", rule: "xlsx.unreadable" })
  })
})
