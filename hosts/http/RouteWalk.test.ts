/**
 * The route walk (issue 9): every operation of /openapi.json that is not marked public answers 401
 * without a credential (and with a malformed or unknown one), 403 to an identity without the route's
 * permission, and — for operations on a named object — the same 404 to another district's officer as
 * for an object that does not exist. The table, the document and Hono's registered routes agree, so no
 * route can be added without appearing in this walk. Also the strict-input regressions of issue 9.
 */
import { readFile } from "node:fs/promises"
import { type Effect, type Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { makeApp } from "./App.js"
import type { CaseServices } from "./CaseRoutes.js"
import { appRoutes, isPublic, routeMatcher } from "./Routes.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

const files = await Promise.all(
  ["cases.yaml", "guard.yaml"].map(async (f) => ({
    name: f,
    text: await readFile(new URL(`../../policy/${f}`, import.meta.url), "utf8"),
  })),
)
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    MemoryStockStore.layer,
    SeededSecureRandom.layer(3),
    MemoryCaseStore.layer,
    MemoryFieldCipher.layer(),
    MemoryPolicySource.layer(files),
    MemoryAgencyRecords.layer(),
    testVerifierLayer,
  ),
)
afterAll(() => runtime.dispose())
const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  cases: {
    run: <A, E>(e: Effect.Effect<A, E, CaseServices>) =>
      runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
  },
})

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked structurally
type Json = any
const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  app.request(path, {
    method: method.toUpperCase(),
    headers: { "content-type": "application/json", "idempotency-key": "walk-1", ...headers },
    ...(method === "get" || body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const doc: Json = await (await app.request("/openapi.json")).json()
const operations: Array<{ method: string; path: string; op: Json }> = Object.entries(doc.paths).flatMap(
  ([path, ops]) => Object.entries(ops as Json).map(([method, op]) => ({ method, path, op })),
)
const guarded = operations.filter((o) => o.op.security.length > 0)

/** Objects that exist in 310115 (浦东), named by the walk's path parameters. */
const PARAMS = { id: "U-walk", code: "0000000000000000" }
const CASE_ID = "C-walk"
const concrete = (path: string, id: string) => path.replace("{id}", id).replace("{code}", PARAMS.code)
const idFor = (path: string, exists: boolean) =>
  path.includes("/cases/") ? (exists ? CASE_ID : "C-missing") : exists ? PARAMS.id : "U-missing"

beforeAll(async () => {
  const city = bearer("t-city")
  const project = {
    id: "P-walk",
    name: "馨越公寓",
    kind: "gongzu",
    district: "310115",
    address: "世博村路300号",
    operatorUscc: "91310000MA1FL0TB3Y",
    operatorName: "运营公司",
    servicePhone: "021-12345678",
  }
  expect((await call("post", "/api/v1/projects", city, project)).status).toBe(201)
  const building = {
    id: "B-walk",
    projectId: "P-walk",
    name: "1号楼",
    totalFloors: 6,
    unitsPerFloor: 2,
    hasLift: true,
    completionDate: "2022-09-30",
  }
  expect((await call("post", "/api/v1/buildings", city, building)).status).toBe(201)
  const unit = { id: "U-walk", buildingId: "B-walk", floor: 1, roomNo: 1, bedrooms: 1, halls: 1 }
  const units = [{ ...unit, area: 4510, rent: 120000, marketRent: 260000 }]
  expect((await call("post", "/api/v1/units", city, units)).status).toBe(201)
  const open = {
    id: CASE_ID,
    kind: "gongzu",
    channel: "offline",
    district: "310115",
    members: [{ role: "applicant", name: "王五", idNumber: "310115198503120012" }],
  }
  expect((await call("post", "/api/v1/cases", bearer("t-pudong"), open)).status).toBe(201)
})

describe("route table, document and router agree", () => {
  it("documents exactly the table's operations, public ones with security: []", () => {
    const table = appRoutes({ casesPrefix: "/api/v1" })
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      table.map((r) => `${r.method} ${r.path}`).sort(),
    )
    for (const r of table) {
      const op = doc.paths[r.path][r.method]
      expect(op.security).toEqual(isPublic(r) ? [] : [{ bearerAuth: [] }, { apiKey: [] }])
    }
    expect(guarded.length).toBeGreaterThan(30)
  })

  it("every handler Hono registered belongs to a table entry (default deny covers the rest)", () => {
    const match = routeMatcher(appRoutes({ casesPrefix: "/api/v1" }))
    const handlers = app.routes.filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    expect(handlers.length).toBeGreaterThan(20)
    for (const r of handlers) {
      const sample = r.path.replace(/:\w+\{([^|}]*)[^}]*\}/gu, "$1").replace(/:\w+/gu, "x")
      expect(match(r.method, sample), `${r.method} ${r.path}`).toBeDefined()
    }
  })
})

describe("the walk over every guarded operation", () => {
  it("401 without, with a malformed and with an unknown credential", async () => {
    for (const { method, path } of guarded) {
      const p = concrete(path, idFor(path, true))
      for (const headers of [
        {},
        { authorization: "Bearer" },
        { authorization: "Bearer nobody" },
        { "x-api-key": "" },
      ]) {
        const res = await call(method, p, headers, {})
        expect(res.status, `${method} ${p} ${JSON.stringify(headers)}`).toBe(401)
        expect(res.headers.get("www-authenticate")).toContain("Bearer")
      }
    }
  })

  it("403 to an identity without the route's permission", async () => {
    for (const { method, path, op } of guarded) {
      const res = await call(method, concrete(path, idFor(path, true)), bearer("t-nothing"), {})
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await res.json()).toMatchObject({ error: "forbidden", permission: op["x-permission"] })
    }
  })

  it("a named object outside the scope answers exactly like a missing one", async () => {
    const named = guarded.filter((o) => o.path.includes("{id}"))
    expect(named.length).toBeGreaterThan(20)
    const wrongScope: ReadonlyArray<TestToken> = ["t-xuhui", "t-operator"]
    /** A body of the right shape, so that only scope can refuse. */
    const bodyFor = (path: string) =>
      path.endsWith("/convert-kind")
        ? { kind: "baozu" }
        : path.endsWith("/admit")
          ? { certificateNumber: "Z-1" }
          : path.endsWith("/delete")
            ? { approvedBy: "city-1" }
            : /\/(reject|cancel|failReview|failPreReview)$/u.test(path)
              ? { reason: "材料不齐全，且经多次告知仍未补正，故作此处理" }
              : /\/(approveFirstReview|approveSecondReview)$/u.test(path)
                ? { location: "社区公告栏" }
                : /\/(requestSupplement|submitSupplement)$/u.test(path)
                  ? { materials: ["户口簿"] }
                  : /Notice$/u.test(path)
                    ? { objection: false }
                    : {}
    for (const token of wrongScope)
      for (const { method, path } of named) {
        const body = bodyFor(path)
        const outside = await call(method, concrete(path, idFor(path, true)), bearer(token), body)
        const missing = await call(method, concrete(path, idFor(path, false)), bearer(token), body)
        const label = `${token} ${method} ${path}`
        expect([403, 404], label).toContain(outside.status)
        expect(outside.status, label).toBe(missing.status)
        const [a, b]: Array<Json> = [await outside.json(), await missing.json()]
        expect(a.error, label).toBe(b.error)
      }
  })
})

describe("strict input at the edge (issue 9 regressions)", () => {
  const pudong = bearer("t-pudong")
  it("a command's required members are required and unknown ones refused (400, not 500)", async () => {
    const empty = await call("post", `/api/v1/cases/${CASE_ID}/commands/reject`, pudong, {})
    expect(empty.status).toBe(400)
    const extra = await call("post", `/api/v1/cases/${CASE_ID}/commands/accept`, pudong, { sneaky: 1 })
    expect(extra.status).toBe(400)
    const project = await call("post", "/api/v1/projects", bearer("t-city"), { id: "P-x", extra: true })
    expect(project.status).toBe(400)
  })

  it("ids outside the database's pattern and NUL in paths or queries never reach the store", async () => {
    for (const id of ["a%20b", encodeURIComponent("王五案"), "a%00b"]) {
      const res = await call("get", `/api/v1/cases/${id}`, pudong)
      expect(res.status, id).toBe(404)
      expect(await res.text()).not.toMatch(/\b[0-9A-Z]{5}:|violates|constraint/u)
    }
    const open = {
      id: "a b",
      kind: "gongzu",
      channel: "offline",
      district: "310115",
      members: [{ role: "applicant", name: "王五", idNumber: "310115198503120012" }],
    }
    expect((await call("post", "/api/v1/cases", pudong, open)).status).toBe(400)
    expect((await call("get", "/api/v1/units?after=a%00b", bearer("t-city"))).status).toBe(400)
    expect((await call("get", "/api/v1/units?unknown=1", bearer("t-city"))).status).toBe(400)
  })

  it("money beyond the named limit is refused naming the field", async () => {
    const units = [
      { id: "U-big", buildingId: "B-walk", floor: 2, roomNo: 1, bedrooms: 1, halls: 1, area: 4510 },
    ].map((u) => ({ ...u, rent: 9_000_000_000_000_000, marketRent: 260000 }))
    const res = await call("post", "/api/v1/units", bearer("t-city"), units)
    expect(res.status).toBe(400)
    expect(((await res.json()) as Json).issues).toContainEqual(
      expect.objectContaining({ field: "units[0].rent" }),
    )
  })

  it("one content type per route, and a non-empty bounded Idempotency-Key", async () => {
    const form = await app.request(`/api/v1/cases/${CASE_ID}/commands/accept`, {
      method: "POST",
      headers: { ...pudong, "idempotency-key": "k-ct", "content-type": "text/plain" },
      body: "{}",
    })
    expect(form.status).toBe(415)
    for (const key of ["", "x".repeat(129), "a b"]) {
      const res = await call("post", `/api/v1/cases/${CASE_ID}/commands/accept`, {
        ...pudong,
        "idempotency-key": key,
      })
      expect(res.status, JSON.stringify(key)).toBe(400)
    }
  })
})
