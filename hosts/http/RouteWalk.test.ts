/**
 * The route walk (issue 9): every operation of /openapi.json that is not marked public answers 401
 * without a credential (and with a malformed or unknown one), 403 to an identity without the route's
 * permission, and — for operations on a named object — the same 404 to another district's officer as
 * for an object that does not exist. The table, the document and Hono's registered routes agree, so no
 * route can be added without appearing in this walk. Also the strict-input regressions of issue 9.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Hono } from "hono"
import { accessRoutes } from "./AccessRoutes.js"
import { lotteryRoutes } from "./LotteryRoutes.js"
import { queueRoutes } from "./QueueRoutes.js"
import { subsidyRoutes } from "./SubsidyRoutes.js"
import { selectionRoutes } from "./SelectionRoutes.js"
import { appRoutes, isPublic, routeMatcher } from "./Routes.js"
import { bearer, type TestToken } from "./TestActors.js"
import { callOf, makeTestHost, SEEDED, seed, type StoreKind, type TestHost } from "./TestHost.js"

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked structurally
type Json = any

/** Objects that exist in 310115 (浦东), named by the walk's path parameters. */
const PARAMS = { id: SEEDED.unitId, code: "0000000000000000" }
const CASE_ID = SEEDED.caseId
const concrete = (path: string, id: string) => path.replace("{id}", id).replace("{code}", PARAMS.code)
const idFor = (path: string, exists: boolean) =>
  path.includes("/cases/") ? (exists ? CASE_ID : "C-missing") : exists ? PARAMS.id : "U-missing"

describe.each(["memory", "pglite"] as const satisfies ReadonlyArray<StoreKind>)("on %s stores", (kind) => {
  let host: TestHost
  let app: Hono
  let call: ReturnType<typeof callOf>
  let doc: Json
  let operations: Array<{ method: string; path: string; op: Json }>
  let guarded: typeof operations

  beforeAll(async () => {
    host = await makeTestHost(kind)
    app = host.app
    call = callOf(app)
    await seed(app)
    doc = await (await app.request("/openapi.json")).json()
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Json).map(([method, op]) => ({ method, path, op })),
    )
    guarded = operations.filter((o) => o.op.security.length > 0)
  })
  afterAll(() => host?.dispose())

  describe("route table, document and router agree", () => {
    it("documents exactly the table's operations, public ones with security: []", () => {
      const table = appRoutes({
        casesPrefix: "/api/v1",
        extra: [
          ...accessRoutes("/api/v1"),
          ...lotteryRoutes("/api/v1"),
          ...queueRoutes("/api/v1"),
          ...subsidyRoutes("/api/v1"),
          ...selectionRoutes("/api/v1"),
        ],
      })
      expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
        table.map((r) => `${r.method} ${r.path}`).sort(),
      )
      for (const r of table) {
        const op = doc.paths[r.path][r.method]
        expect(op.security).toEqual(isPublic(r) ? [] : [{ bearerAuth: [] }, { apiKey: [] }])
      }
      expect(guarded.length).toBeGreaterThan(30)
    })

    it("every documented path parameter is non-empty, as the router requires (found by OpenApiFuzz)", () => {
      const params = operations.flatMap((o) =>
        ((o.op.parameters ?? []) as Array<Json>).filter((p) => p.in === "path"),
      )
      expect(params.length).toBeGreaterThan(20)
      for (const p of params) {
        const pattern = p.schema.pattern === undefined ? undefined : new RegExp(p.schema.pattern, "u")
        expect(p.schema.minLength === 1 || pattern?.test("") === false, JSON.stringify(p)).toBe(true)
      }
    })

    it("every handler Hono registered belongs to a table entry (default deny covers the rest)", () => {
      const match = routeMatcher(
        appRoutes({
          casesPrefix: "/api/v1",
          extra: [
            ...accessRoutes("/api/v1"),
            ...lotteryRoutes("/api/v1"),
            ...queueRoutes("/api/v1"),
            ...subsidyRoutes("/api/v1"),
            ...selectionRoutes("/api/v1"),
          ],
        }),
      )
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
      // Operations open to any verified identity (logout, me) have no permission to lack.
      for (const { method, path, op } of guarded.filter((o) => o.op["x-permission"] !== undefined)) {
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
                      : path.endsWith("/lotteries/{id}/draw")
                        ? { seed: "digits:20250601" }
                        : path.endsWith("/lotteries/{id}/annul")
                          ? { reason: "公证员未到场，依规作废" }
                          : path.endsWith("/queues/{id}/offers")
                            ? { pool: "P-walk/any" }
                            : path.endsWith("/selections/{id}/check-in")
                              ? { barcode: "SB-1" }
                              : /\/selections\/\{id\}\/(preselect|choose)$/u.test(path)
                                ? { family: "A-1", unit: "U-1" }
                                : /\/selections\/\{id\}\/(skip|release)$/u.test(path)
                                  ? { family: "A-1", reason: "未到场" }
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
    it("names are masked on grapheme clusters: 𠮷明 → 𠮷*, never a lone surrogate", async () => {
      const open = {
        id: "C-mask",
        kind: "gongzu",
        channel: "offline",
        district: "310115",
        members: [
          { role: "applicant", name: "𠮷明", idNumber: "310115199001010010" },
          { role: "co_resident", name: "👨‍👩‍👧李", idNumber: "310104198808080024" },
        ],
      }
      const opened = await call("post", "/api/v1/cases", { ...pudong, "idempotency-key": "mask-1" }, open)
      expect(opened.status, await opened.clone().text()).toBe(201)
      const res = await call("get", "/api/v1/cases/C-mask", pudong)
      expect(res.status).toBe(200)
      const text = await res.text()
      expect(text).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/iu)
      const names = (JSON.parse(text) as Json).case.members.map((m: Json) => m.name)
      expect(names).toEqual(["𠮷*", "👨‍👩‍👧*"])
    })

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

    it("an API operation refuses query parameters its document does not declare", async () => {
      const city = bearer("t-city")
      const project = await call("post", "/api/v1/projects?sneaky=1", city, { id: "P-q" })
      expect(project.status).toBe(400)
      expect(await project.json()).toMatchObject({
        error: "invalid_request",
        issues: [{ field: "query.sneaky", message: "unknown query parameter" }],
      })
      const unit = await call("get", `/api/v1/units/${PARAMS.id}?x%00y=1`, city)
      expect(unit.status).toBe(400)
      expect((await call("get", "/api/v1/units?limit=1", city)).status).toBe(200)
      // The public pages take what messengers append when a link is shared.
      expect((await call("get", `/u/${PARAMS.code}?from=singlemessage`)).status).not.toBe(400)
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
})
