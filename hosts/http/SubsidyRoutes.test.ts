/**
 * The subsidy routes through the whole app (guard, OpenAPI, JSON) on one in-memory PGlite database (the
 * PostgreSQL stores, same SQL and migrations): an admitted 廉租 case's agreement created by the monthly run,
 * housing data recorded, the month listed with per-district totals (a district officer: their district),
 * R120 confirmation (own district only, once), pause/resume with typed 422s naming field and rule, an
 * agreement outside the scope answering like a missing one, permissions (operator 403, no token 401), and
 * the R121 ledger template and import.
 */
import { readFile } from "node:fs/promises"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import * as PgSubsidyStore from "../../adapters/postgres/PgSubsidyStore.js"
import { CaseStore, type StoredCase } from "../../application/ports/CaseStore.js"
import { runMonth } from "../../application/subsidy/MonthlySubsidy.js"
import { storedCase } from "../../contracts-tests/CaseStore.contract.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { makeApp } from "./App.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

const policy = await Promise.all(
  ["subsidy.yaml", "guard.yaml"].map(async (name) => ({
    name,
    text: await readFile(new URL(`../../policy/${name}`, import.meta.url), "utf8"),
  })),
)
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Layer.mergeAll(PgStockStore.layer, PgCaseStore.layer, PgSubsidyStore.layer).pipe(
      Layer.provide(PgliteDatabase.layer({})),
    ),
    MemoryPolicySource.layer(policy),
    SeededSecureRandom.layer(1),
    testVerifierLayer,
  ),
)
const app = makeApp({
  run: (e) => runtime.runPromiseExit(e),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  subsidies: { run: (e) => runtime.runPromiseExit(e) },
})

const call = (token: TestToken | null, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { "content-type": "application/json", ...(token === null ? {} : bearer(token)) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
interface Line {
  readonly lineId: string
  readonly caseId: string
  readonly status: string
  readonly amount: number
  readonly amountText: string
}
interface Body {
  readonly items: ReadonlyArray<Line>
  readonly totals: ReadonlyArray<{ readonly district: string; readonly lines: number }>
  readonly total: { readonly amount: number }
  readonly issues: ReadonlyArray<Record<string, unknown>>
  readonly confirmed: number
  readonly correct: number
  readonly errors: ReadonlyArray<{ readonly rule: string }>
  readonly paths: Record<string, Record<string, Record<string, unknown>>>
}
const json = async (r: Response) => (await r.json()) as Body

const lianzu = (id: string, district: string): StoredCase =>
  storedCase(id, {
    kind: "lianzu",
    state: "admitted",
    district,
    certificate: {
      number: `N-${id}`,
      validFrom: "2026-01-15" as CivilDate,
      validUntil: "2029-01-14" as CivilDate,
    },
    economy: {
      householdSize: 3,
      annualDisposableIncome: "30000.00",
      property: "0.00",
      illnessPoverty: false,
    },
  })

beforeAll(async () => {
  await runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* CaseStore
      for (const c of [lianzu("L-PD", "310115"), lianzu("L-XH", "310104")])
        yield* store.commit({
          case: c,
          expectedVersion: 0,
          history: {
            caseId: c.id,
            version: 1,
            at: c.updatedAt,
            actorId: "t",
            actorRole: "city",
            command: "test",
            from: null,
            to: c.state,
            note: "",
          },
          events: [],
          command: {
            actorId: "t",
            key: `k-${c.id}`,
            requestDigest: "d",
            caseId: c.id,
            outcome: { state: c.state, version: 1 },
          },
        })
      yield* runMonth("2025-12")
    }),
  )
}, 120_000)
afterAll(() => runtime.dispose())

describe("subsidy routes (PGlite)", () => {
  it("records housing, lists the month with totals per district, scoped to the officer's district", async () => {
    const noArea = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/housing", {})
    expect(noArea.status).toBe(422)
    expect((await json(noArea)).issues[0]).toMatchObject({ field: "livingArea", rule: "subsidy.one-area" })
    const pd = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/housing", {
      livingArea: "12.00",
    })
    expect(pd.status).toBe(200)
    expect(await pd.json()).toMatchObject({
      livingArea: 1200,
      start: "2026-01-15",
      end: "2029-01-14",
      version: 2,
    })
    const xh = await call("t-xuhui", "POST", "/api/v1/subsidies/agreements/L-XH/housing", {
      buildingArea: "40.00",
    })
    expect(xh.status).toBe(200)
    await runtime.runPromise(runMonth("2026-02"))

    const city = await json(await call("t-city", "GET", "/api/v1/subsidies?month=2026-02"))
    expect(city.items.map((l) => [l.lineId, l.status])).toEqual([
      ["L-PD:2026-02", "computed"],
      ["L-XH:2026-02", "computed"],
    ])
    expect(city.totals.map((t) => [t.district, t.lines])).toEqual([
      ["310104", 1],
      ["310115", 1],
    ])
    expect(city.total.amount).toBe(city.items[0]!.amount + city.items[1]!.amount)
    expect(city.items[0]!.amount).toBeGreaterThan(0)
    expect(city.items[0]!.amountText).toMatch(/^¥/u)

    const mine = await json(await call("t-pudong", "GET", "/api/v1/subsidies?month=2026-02"))
    expect(mine.items.map((l) => l.caseId)).toEqual(["L-PD"])
    const other = await json(await call("t-pudong", "GET", "/api/v1/subsidies?month=2026-02&district=310104"))
    expect(other).toMatchObject({ items: [], totals: [] })
    const bad = await call("t-pudong", "GET", "/api/v1/subsidies?month=2026-2")
    expect(bad.status).toBe(422)
    expect((await json(bad)).issues[0]).toMatchObject({ field: "month", rule: "month.format" })
  })

  it("R121: the ledger template round-trips as all correct; a wrong amount is one error naming its rule", async () => {
    const template = await call("t-pudong", "GET", "/api/v1/subsidies/ledger?month=2026-02&district=310115")
    expect(template.status).toBe(200)
    expect(template.headers.get("content-type")).toMatch(/^text\/csv/u)
    const text = (await template.text()).replace(/^\uFEFF/u, "").trim()
    const [header, row] = text.split("\r\n")
    expect(header).toBe("pay_month,case_id,allocated_yuan,paid_yuan")
    const allocated = row!.split(",")[2]!
    const send = (paid: string) =>
      app.request("/api/v1/subsidies/ledger?month=2026-02&district=310115", {
        method: "POST",
        headers: { "content-type": "text/csv", ...bearer("t-pudong") },
        body: `${header}\n2026-02,L-PD,${allocated},${paid}\n`,
      })
    expect(await (await send(allocated)).json()).toMatchObject({ rows: 1, correct: 1, errorCount: 0 })
    const wrong = await json(await send("1.00"))
    expect([wrong.correct, wrong.errors.map((e) => e.rule)]).toEqual([0, ["R121.amount-mismatch"]])
    const foreign = await call("t-xuhui", "GET", "/api/v1/subsidies/ledger?month=2026-02&district=310115")
    expect(foreign.status).toBe(403)
  })

  it("R120 confirmation: own district only, once", async () => {
    const foreign = await call("t-xuhui", "POST", "/api/v1/subsidies/confirm", {
      district: "310115",
      month: "2026-02",
    })
    expect(foreign.status).toBe(403)
    const ok = await call("t-pudong", "POST", "/api/v1/subsidies/confirm", {
      district: "310115",
      month: "2026-02",
    })
    expect(await ok.json()).toEqual({ district: "310115", month: "2026-02", confirmed: 1 })
    const again = await call("t-pudong", "POST", "/api/v1/subsidies/confirm", {
      district: "310115",
      month: "2026-02",
    })
    expect((await json(again)).confirmed).toBe(0)
    const listed = await json(await call("t-city", "GET", "/api/v1/subsidies?month=2026-02"))
    expect(listed.totals).toEqual([
      expect.objectContaining({ district: "310104", computed: 1, confirmed: 0 }),
      expect.objectContaining({ district: "310115", computed: 0, confirmed: 1 }),
    ])
  })

  it("R120 pause/resume; refusals name the rule; another district's agreement reads as missing", async () => {
    const pause = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/pause", {
      from: "2026-03-10",
      reason: "服刑期间暂停",
    })
    expect(await pause.json()).toMatchObject({ status: "paused", pauses: [{ from: "2026-03-10", to: null }] })
    const twice = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/pause", {
      from: "2026-04-01",
      reason: "x",
    })
    expect(twice.status).toBe(422)
    expect((await json(twice)).issues[0]).toMatchObject({ rule: "R120.already-paused" })
    const resume = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/resume", {
      on: "2026-03-20",
      reason: "刑满恢复",
    })
    expect(await resume.json()).toMatchObject({ status: "active", pauses: [{ to: "2026-03-19" }] })
    const hidden = await call("t-xuhui", "GET", "/api/v1/subsidies/agreements/L-PD")
    expect(hidden.status).toBe(404)
    const strict = await call("t-pudong", "POST", "/api/v1/subsidies/agreements/L-PD/pause", {
      from: "2026-05-01",
      reason: "x",
      extra: 1,
    })
    expect(strict.status).toBe(400)
  })

  it("permissions: an operator is refused (403), no token is 401; the routes are in the OpenAPI document", async () => {
    expect((await call("t-operator", "GET", "/api/v1/subsidies?month=2026-02")).status).toBe(403)
    expect((await call(null, "GET", "/api/v1/subsidies?month=2026-02")).status).toBe(401)
    const doc = await json(await call(null, "GET", "/openapi.json"))
    expect(doc.paths["/api/v1/subsidies"]?.["get"]?.["x-permission"]).toBe("subsidy.read")
    expect(doc.paths["/api/v1/subsidies/confirm"]?.["post"]?.["x-permission"]).toBe("subsidy.manage")
    expect(doc.paths["/api/v1/subsidies/ledger"]?.["post"]?.["x-permission"]).toBe("subsidy.manage")
  })
})
