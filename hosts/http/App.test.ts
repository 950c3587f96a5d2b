/**
 * The HTTP host end to end over the in-memory store: registration, validation errors (400/422 naming
 * field and rule), life-cycle conflicts (409), the public page and its QR (decoded back to the URL),
 * CSV import (all-or-nothing unless partial), OpenAPI, health and readiness. Each test uses its own ids.
 */
import { Exit, Layer, ManagedRuntime } from "effect"
import jsQRModule from "jsqr"
import { PNG } from "pngjs"
import { afterAll, describe, expect, it } from "vitest"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { writeXlsx } from "../../adapters/xlsx/XlsxTable.js"
import { StockStoreError } from "../../application/ports/StockStore.js"
import { makeApp } from "./App.js"
import { bearer, testVerifierLayer } from "./TestActors.js"

// jsqr is a CommonJS bundle with a `default` export; depending on the loader's interop the default
// import is the function itself or the exports object.
type JsQR = typeof jsQRModule.default
const jsQRLoaded = jsQRModule as unknown as JsQR | { readonly default: JsQR }
const jsQR: JsQR = typeof jsQRLoaded === "function" ? jsQRLoaded : jsQRLoaded.default

const BASE = "https://fang.example.gov.cn"
const runtime = ManagedRuntime.make(
  Layer.mergeAll(MemoryStockStore.layer, SeededSecureRandom.layer(1), testVerifierLayer),
)
let isReady = true
const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: `${BASE}/`,
  ready: async () => isReady,
  parseXlsx: async (bytes) => {
    const text = new TextDecoder().decode(bytes)
    if (text === "broken") throw new Error("not a workbook")
    return text.split("\n").map((line, i) => ({ row: i + 1, cells: line.split(",") }))
  },
})
afterAll(() => runtime.dispose())

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected structurally
type Json = any

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer("t-city"), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
const get = (path: string) => app.request(path, { headers: bearer("t-city") })
const json = async (res: Response): Promise<Json> => res.json()

const projectBody = (p: string) => ({
  id: p,
  name: "馨越公寓",
  kind: "gongzu",
  district: "310115",
  address: "上海市浦东新区世博村路300号",
  operatorUscc: "91310000MA1FL0TB3Y",
  operatorName: "上海地产住房保障有限公司",
  servicePhone: "021-12345678",
})
const buildingBody = (b: string, p: string, over: Record<string, unknown> = {}) => ({
  id: b,
  projectId: p,
  name: "1号楼",
  totalFloors: 18,
  unitsPerFloor: 6,
  hasLift: true,
  completionDate: "2023-06-30",
  ...over,
})
const unitBody = (u: string, b: string, over: Record<string, unknown> = {}) => ({
  id: u,
  buildingId: b,
  floor: 12,
  roomNo: 3,
  bedrooms: 2,
  halls: 1,
  area: 8550,
  orientation: "南",
  decoration: "简装",
  rent: 150000,
  marketRent: 320000,
  ...over,
})

/** Registers a project and building and the given units; returns the registered units' JSON. */
const estate = async (tag: string, units: ReadonlyArray<Record<string, unknown>>) => {
  expect((await post("/api/v1/projects", projectBody(`P-${tag}`))).status).toBe(201)
  expect((await post("/api/v1/buildings", buildingBody(`B-${tag}`, `P-${tag}`))).status).toBe(201)
  const res = await post("/api/v1/units", units)
  expect(res.status).toBe(201)
  return (await json(res)).units as Array<Json>
}

describe("registration", () => {
  it("registers a project, a building and units, idempotently, and serves them", async () => {
    const [u] = await estate("reg", [unitBody("U-reg-1", "B-reg")])
    expect(u).toMatchObject({
      id: "U-reg-1",
      status: "draft",
      kind: "gongzu",
      version: 1,
      area: 8550,
      areaText: "85.50 m²",
      rent: 150000,
      rentText: "¥1,500.00",
      room: "1203",
    })
    expect(u.code).toMatch(/^[0-9A-Z]{16}$/u)
    expect(u.publicUrl).toBe(`${BASE}/u/${u.code}`)

    const again = await post("/api/v1/projects", projectBody("P-reg"))
    expect(again.status).toBe(200)
    expect((await json(again)).created).toBe(false)

    const one = await get("/api/v1/units/U-reg-1")
    expect(one.status).toBe(200)
    expect((await json(one)).code).toBe(u.code)

    const list = await json(await get("/api/v1/units?buildingId=B-reg&limit=10"))
    expect(list.total).toBe(1)
    expect(list.items.map((x: Json) => x.id)).toEqual(["U-reg-1"])
    expect(list.next).toBeNull()

    const pub = await get(`/api/v1/codes/${u.code}`)
    expect(pub.status).toBe(200)
    expect(await json(pub)).toMatchObject({
      code: u.code,
      address: "上海市浦东新区世博村路300号",
      layout: "2室1厅",
      rentText: "¥1,500.00",
    })
  })

  it("answers 422 naming field and rule for a 6-bedroom unit", async () => {
    await estate("bed", [unitBody("U-bed-1", "B-bed")])
    const res = await post("/api/v1/units", [unitBody("U-bed-2", "B-bed", { bedrooms: 6, roomNo: 4 })])
    expect(res.status).toBe(422)
    const body = await json(res)
    expect(body.error).toBe("invalid_input")
    expect(body.issues).toContainEqual(
      expect.objectContaining({ field: "units[0].bedrooms", rule: "R132.bedrooms-range", value: "6" }),
    )
    expect((await get("/api/v1/units/U-bed-2")).status).toBe(404)
  })

  it("answers 422 naming field and rule for a building with 101 floors", async () => {
    await post("/api/v1/projects", projectBody("P-tall"))
    const res = await post("/api/v1/buildings", buildingBody("B-tall", "P-tall", { totalFloors: 101 }))
    expect(res.status).toBe(422)
    expect((await json(res)).issues).toContainEqual(
      expect.objectContaining({ field: "building.totalFloors", rule: "R132.total-floors-max", value: "101" }),
    )
  })

  it("answers 422 for a building of an unregistered project", async () => {
    const res = await post("/api/v1/buildings", buildingBody("B-orphan", "P-nowhere"))
    expect(res.status).toBe(422)
    expect((await json(res)).issues).toContainEqual(
      expect.objectContaining({ field: "building.projectId", rule: "stock.reference-registered" }),
    )
  })

  it("answers 400 for malformed JSON, wrong shapes (with field paths) and 415 for other media types", async () => {
    const malformed = await post("/api/v1/projects", '{"id": "P-x",')
    expect(malformed.status).toBe(400)
    expect((await json(malformed)).error).toBe("malformed_json")

    const shape = await post("/api/v1/units", [unitBody("U-x", "B-x", { bedrooms: "two" })])
    expect(shape.status).toBe(400)
    const body = await json(shape)
    expect(body.error).toBe("invalid_request")
    expect(body.issues).toContainEqual(
      expect.objectContaining({ field: "units[0].bedrooms", path: [0, "bedrooms"] }),
    )

    const notArray = await post("/api/v1/units", { id: "U-x" })
    expect(notArray.status).toBe(400)

    const text = await app.request("/api/v1/projects", {
      method: "POST",
      body: "id=P-x",
      headers: { "content-type": "text/plain", ...bearer("t-city") },
    })
    expect(text.status).toBe(415)
  })
})

describe("life cycle", () => {
  it("publishes with a version, refuses a stale lock (409 stale_version) and a repeated publish (409 with rule and state)", async () => {
    await estate("cyc", [unitBody("U-cyc-1", "B-cyc"), unitBody("U-cyc-2", "B-cyc", { roomNo: 4 })])
    const published = await post("/api/v1/units/U-cyc-1/publish", { version: 1 })
    expect(published.status).toBe(200)
    expect(await json(published)).toMatchObject({ status: "available", version: 2 })

    const stale = await post("/api/v1/units/U-cyc-1/lock", { version: 1 })
    expect(stale.status).toBe(409)
    expect(await json(stale)).toMatchObject({
      error: "stale_version",
      unitId: "U-cyc-1",
      expected: 1,
      actual: 2,
    })

    const again = await post("/api/v1/units/U-cyc-1/publish", {})
    expect(again.status).toBe(409)
    expect(await json(again)).toMatchObject({
      error: "transition_refused",
      rule: "unit.publish-from-draft",
      status: "available",
    })

    const locked = await post("/api/v1/units/U-cyc-1/lock", { version: 2 })
    expect(await json(locked)).toMatchObject({ status: "locked", lockedFrom: "available", version: 3 })
    expect(await json(await post("/api/v1/units/U-cyc-1/unlock", {}))).toMatchObject({
      status: "available",
      version: 4,
    })
    expect(await json(await post("/api/v1/units/U-cyc-1/recall", {}))).toMatchObject({ status: "draft" })

    const converted = await post("/api/v1/units/U-cyc-2/convert-kind", { kind: "baozu" })
    expect(await json(converted)).toMatchObject({ kind: "baozu", kindLabel: "保障性租赁住房" })
    expect((await post("/api/v1/units/U-cyc-2/convert-kind", { kind: "nonsense" })).status).toBe(400)

    const bulk = await post("/api/v1/units/publish", { units: ["U-cyc-1", { id: "U-cyc-2", version: 2 }] })
    expect(bulk.status).toBe(200)
    expect((await json(bulk)).units.map((x: Json) => x.status)).toEqual(["available", "available"])

    const bare = await app.request("/api/v1/units/U-cyc-1/lock", {
      method: "POST",
      headers: bearer("t-city"),
    })
    expect(await json(bare)).toMatchObject({ status: "locked" })

    expect((await post("/api/v1/units/U-nope/lock", {})).status).toBe(404)
    expect((await get("/api/v1/units/U-nope")).status).toBe(404)
  })

  it("maps store contention and unavailability to 503 with Retry-After", async () => {
    for (const reason of [
      { _tag: "Contention", detail: "serialization failure" },
      { _tag: "Unavailable", detail: "connection refused to 10.0.0.5" },
    ] as const) {
      const failing = makeApp({
        run: async () => Exit.fail(new StockStoreError({ reason })),
        publicBaseUrl: BASE,
        ready: async () => false,
      })
      const res = await failing.request("/api/v1/units/U-1", { headers: bearer("t-city") })
      expect(res.status).toBe(503)
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/u)
      expect(JSON.stringify(await json(res))).not.toContain("10.0.0.5")
      const page = await failing.request("/u/0000000000000000")
      expect(page.status).toBe(503)
      expect(await page.text()).toContain("服务暂不可用")
    }
  })

  it("answers 503 when the runtime cannot provide the services and 500 for a defect", async () => {
    const noServices = makeApp({
      run: async () => Exit.fail(new Error("cannot open PGlite")),
      publicBaseUrl: BASE,
      ready: async () => false,
    })
    const unavailable = await noServices.request("/api/v1/units/U-1", { headers: bearer("t-city") })
    expect(unavailable.status).toBe(503)
    expect(unavailable.headers.get("retry-after")).toBe("5")
    const defective = makeApp({
      run: async () => Exit.die(new Error("bug")),
      publicBaseUrl: BASE,
      ready: async () => true,
    })
    const error = console.error
    console.error = () => {}
    try {
      const res = await defective.request("/api/v1/units/U-1", { headers: bearer("t-city") })
      expect(res.status).toBe(500)
      expect(await json(res)).toEqual({ error: "internal", message: "internal error" })
    } finally {
      console.error = error
    }
  })
})

describe("public page and QR", () => {
  it("shows the unit page with address, area and formatted rent, and a QR that leads back to it", async () => {
    const [u] = await estate("qr", [unitBody("U-qr-1", "B-qr", { rent: 123456 })])
    const page = await get(`/u/${u.code}`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(page.headers.get("cache-control")).toContain("max-age")
    const html = await page.text()
    expect(html).toContain('lang="zh-CN"')
    expect(html).toContain('name="viewport"')
    expect(html).toContain("上海市浦东新区世博村路300号")
    expect(html).toContain("浦东新区")
    expect(html).toContain("85.50 m²")
    expect(html).toContain("¥1,234.56")
    expect(html).toContain("2室1厅")
    expect(html).toContain('href="tel:02112345678"')
    expect(html).toContain("公租房")

    const png = await get(`/u/${u.code}/qr.png`)
    expect(png.status).toBe(200)
    expect(png.headers.get("content-type")).toBe("image/png")
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()))
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)
    expect(decoded?.data).toBe(`${BASE}/u/${u.code}`)

    const followed = await get(new URL(decoded!.data).pathname)
    expect(followed.status).toBe(200)
    expect(await followed.text()).toBe(html)

    const svg = await get(`/u/${u.code}/qr.svg`)
    expect(svg.status).toBe(200)
    expect(svg.headers.get("content-type")).toContain("image/svg+xml")
    expect((await svg.text()).trimStart()).toMatch(/^<svg[\s>]/u)

    const lower = await get(`/u/${u.code.toLowerCase()}`)
    expect(lower.status).toBe(301)
    expect(lower.headers.get("location")).toBe(`./${u.code}`)
  })

  it("escapes what it prints", async () => {
    await post("/api/v1/projects", { ...projectBody("P-xss"), name: "<script>alert(1)</script>" })
    await post("/api/v1/buildings", buildingBody("B-xss", "P-xss"))
    const [u] = (await json(await post("/api/v1/units", [unitBody("U-xss-1", "B-xss")]))).units
    const html = await (await get(`/u/${u.code}`)).text()
    expect(html).not.toContain("<script>")
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
  })

  it("answers 404 for unknown and malformed codes", async () => {
    for (const path of [
      "/u/0000000000000000",
      "/u/not-a-code",
      "/u/0000000000000000/qr.png",
      "/u/0000000000000000/qr.svg",
      "/api/v1/codes/0000000000000000",
      "/api/v1/codes/x",
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
    }
    const page = await get("/u/0000000000000000")
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(await page.text()).toContain("未找到房源")
  })
})

describe("CSV import", () => {
  const header =
    "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent"
  const row = (unit: string, room: number, bedrooms: number) =>
    `P-csv,馨越公寓,公租,310115,上海市浦东新区世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678,B-csv,1号楼,18,6,是,2023-06-30,${unit},3,${room},${bedrooms},1,72.30,南,简装,1800.00,3600.00`
  const csv = [header, row("U-csv-1", 1, 2), row("U-csv-2", 2, 6), row("U-csv-3", 3, 1)].join("\r\n")
  /** Uploads, and for an accepted job polls its Location: the finished report as 200 (written) or 422. */
  const upload = async (query: string, body: string | Uint8Array, type = "text/csv") => {
    const res = await app.request(`/api/v1/imports${query}`, {
      method: "POST",
      headers: { "content-type": type, ...bearer("t-city") },
      body,
    })
    if (res.status !== 202) return res
    for (;;) {
      const job: Json = await json(await get(res.headers.get("location")!))
      if (job.state === "succeeded" || job.state === "failed")
        return new Response(JSON.stringify(job.report ?? job.problem), {
          status: job.report?.committed === true ? 200 : 422,
          headers: { "content-type": "application/json" },
        })
      await new Promise((r) => setTimeout(r, 5))
    }
  }

  it("reports the bad row and writes nothing unless partial=true", async () => {
    const rejected = await upload("", csv)
    expect(rejected.status).toBe(422)
    const report = await json(rejected)
    expect(report).toMatchObject({ error: "invalid_input", rows: 3, committed: false, written: { units: 0 } })
    expect(report.issues).toEqual([
      expect.objectContaining({ row: 3, field: "bedrooms", rule: "R132.bedrooms-range", value: "6" }),
    ])
    expect((await json(await get("/api/v1/units?buildingId=B-csv"))).total).toBe(0)
    expect((await get("/api/v1/units/U-csv-1")).status).toBe(404)

    const partial = await upload("?partial=true", csv)
    expect(partial.status).toBe(200)
    const written = await json(partial)
    expect(written).toMatchObject({ committed: true, written: { projects: 1, buildings: 1, units: 2 } })
    expect(written.issues).toHaveLength(1)
    const units = await json(await get("/api/v1/units?buildingId=B-csv"))
    expect(units.items.map((u: Json) => u.id)).toEqual(["U-csv-1", "U-csv-3"])
  })

  it("reads GB18030 files, rejects a bad query and unsupported types, and delegates XLSX", async () => {
    expect((await upload("?partial=maybe", csv)).status).toBe(400)
    expect((await upload("", csv, "application/pdf")).status).toBe(415)
    const unterminated = await upload("", `${header}\n"P-q`)
    expect(unterminated.status).toBe(422)
    expect((await json(unterminated)).issues[0]).toMatchObject({
      field: "file",
      rule: "csv.unterminated-quote",
    })

    const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    const viaXlsx = await upload(
      "",
      await writeXlsx(
        "units",
        [header, row("U-xl-1", 4, 2).replaceAll("B-csv", "B-xl")].map((line) => line.split(",")),
      ),
      xlsx,
    )
    expect(viaXlsx.status).toBe(200)
    expect((await json(viaXlsx)).written.units).toBe(1)
    const broken = await upload("", new TextEncoder().encode("broken"), xlsx)
    expect(broken.status).toBe(422)
    expect((await json(broken)).issues[0]).toMatchObject({ rule: "xlsx.unreadable" })

    // A zh-CN Excel export: GB18030 bytes, no charset declared. "1号楼" is 31 BA C5 C2 A5.
    const ascii = (s: string) => [...new TextEncoder().encode(s)]
    const gbRow = "P-gb,Estate,gongzu,310115,Road 1,91310000MA1FL0TB3Y,Operator,021-12345678,B-gb,"
    const gbBytes = Uint8Array.from([
      ...ascii(`${header}\n${gbRow}1`),
      0xba,
      0xc5,
      0xc2,
      0xa5,
      ...ascii(",18,6,yes,2023-06-30,U-gb-1,5,1,2,1,60,,,1000,2000"),
    ])
    const gb = await upload("", gbBytes)
    expect(gb.status).toBe(200)
    const [gbUnit] = (await json(await get("/api/v1/units?buildingId=B-gb"))).items
    expect((await json(await get(`/api/v1/codes/${gbUnit.code}`))).buildingName).toBe("1号楼")
  })
})

describe("documents and operations", () => {
  it("serves an OpenAPI 3.1 document whose references resolve", async () => {
    const res = await get("/openapi.json")
    expect(res.status).toBe(200)
    const doc = await json(res)
    expect(doc.openapi).toBe("3.1.0")
    expect(doc.servers).toEqual([{ url: BASE }])
    for (const p of [
      "/api/v1/projects",
      "/api/v1/buildings",
      "/api/v1/units",
      "/api/v1/units/{id}/lock",
      "/api/v1/imports",
      "/api/v1/codes/{code}",
      "/u/{code}",
      "/u/{code}/qr.png",
      "/health",
      "/ready",
    ])
      expect(doc.paths, p).toHaveProperty([p])
    expect(doc.components.schemas.UnitInput.properties.bedrooms.type).toBe("integer")
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/gu) ?? []
    expect(refs.length).toBeGreaterThan(10)
    for (const r of refs) {
      const name = /#\/components\/schemas\/([^"]+)"/u.exec(r)?.[1]
      expect(name, r).toBeDefined()
      expect(doc.components.schemas, r).toHaveProperty([name!])
    }
  })

  it("serves the interactive docs page", async () => {
    const res = await get("/docs")
    expect(res.status).toBe(200)
    expect(await res.text()).toContain("/openapi.json")
  })

  it("answers /health always and /ready from deps.ready", async () => {
    expect((await get("/health")).status).toBe(200)
    isReady = true
    expect((await get("/ready")).status).toBe(200)
    isReady = false
    const notReady = await get("/ready")
    expect(notReady.status).toBe(503)
    expect(await json(notReady)).toEqual({ status: "unavailable" })
    isReady = true
  })

  it("answers unknown API routes with JSON 404", async () => {
    const res = await get("/api/v1/nothing")
    expect(res.status).toBe(404)
    expect((await json(res)).error).toBe("not_found")
  })
})
