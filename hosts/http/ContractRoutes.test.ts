/**
 * Lease contracts over HTTP on the memory adapters (网签备案): draft from a selection binding (201), typed
 * 422/409 naming field and rule, quick signing, and the scope over HTTP — another district's officer gets
 * 404 as for a missing contract, an identity without the permission 403, an applicant who is not the
 * tenant sees nothing; the routes are in the OpenAPI document.
 */
import { type Effect, type Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryContractStore from "../../adapters/memory/MemoryContractStore.js"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { seedBinding } from "../../contracts-tests/ContractFixtures.js"
import { freshTag } from "../../contracts-tests/StockFixtures.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { makeApp } from "./App.js"
import type { ContractServices } from "./ContractRoutes.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Layer.provideMerge(
      Layer.mergeAll(MemorySelectionStore.layer, MemoryContractStore.layer),
      MemoryStockStore.layer,
    ),
    MemoryCaseStore.layer,
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(17),
    testVerifierLayer,
  ),
)
afterAll(() => runtime.dispose())
const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  contracts: {
    run: <A, E>(e: Effect.Effect<A, E, ContractServices>) =>
      runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
  },
})

let n = 0
const call = (token: TestToken, method: "GET" | "POST", path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { ...bearer(token), "content-type": "application/json", "idempotency-key": `con-${n++}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const today = CivilDate.fromInstant(Date.now())
const term = { start: today, end: CivilDate.addDays(today, 364) }

describe("contract routes", () => {
  it("drafts, refuses with field and rule, registers; scope answers 404/403 like a missing contract", async () => {
    const b = await runtime.runPromise(seedBinding(freshTag("http"), Date.now()))
    const tooEarly = await call("t-pudong", "POST", "/api/v1/contracts", {
      contractId: "H-0",
      sessionId: b.sessionId,
      family: b.family,
      term: { ...term, start: CivilDate.addDays(today, -31) },
    })
    expect(tooEarly.status).toBe(422)
    expect(await tooEarly.json()).toMatchObject({ field: "term.start", rule: "R91.start-within-30-days" })
    const outsider = await call("t-xuhui", "POST", "/api/v1/contracts", {
      contractId: "H-1",
      sessionId: b.sessionId,
      family: b.family,
      term,
    })
    expect(outsider.status).toBe(404)
    const drafted = await call("t-pudong", "POST", "/api/v1/contracts", {
      contractId: "H-1",
      sessionId: b.sessionId,
      family: b.family,
      term,
    })
    expect(drafted.status).toBe(201)
    expect(await drafted.json()).toMatchObject({ id: "H-1", state: "draft", unitId: b.unitId })
    const again = await call("t-pudong", "POST", "/api/v1/contracts", {
      contractId: "H-2",
      sessionId: b.sessionId,
      family: b.family,
      term,
    })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ field: "unitId", rule: "contract.unit-held" })
    const bad = await call("t-pudong", "POST", "/api/v1/contracts/H-1/move-out", { mode: "sideways" })
    expect(bad.status).toBe(400)
    const signed = await call("t-pudong", "POST", "/api/v1/contracts/H-1/quick-sign", {})
    expect(signed.status).toBe(200)
    expect(await signed.json()).toMatchObject({
      state: "registered",
      registrationNumber: expect.stringMatching(/^BA310115/u),
    })
    const twice = await call("t-pudong", "POST", "/api/v1/contracts/H-1/quick-sign", {})
    expect(twice.status).toBe(409)
    expect(await twice.json()).toMatchObject({ field: "state", rule: "R95.quick-sign-from-draft" })
    expect((await call("t-xuhui", "GET", "/api/v1/contracts/H-1")).status).toBe(404)
    expect((await call("t-xuhui", "POST", "/api/v1/contracts/H-1/exit", {})).status).toBe(404)
    expect((await call("t-nothing", "GET", "/api/v1/contracts/H-1")).status).toBe(403)
    expect((await call("t-applicant", "GET", "/api/v1/contracts/H-1")).status).toBe(404)
    const mine = await call("t-applicant", "GET", "/api/v1/contracts")
    expect(mine.status).toBe(200)
    expect(((await mine.json()) as { items: unknown[] }).items).toEqual([])
    const got = await call("t-pudong", "GET", "/api/v1/contracts/H-1")
    expect(
      ((await got.json()) as { history: Array<{ action: string }> }).history.map((h) => h.action),
    ).toEqual(["draft", "quick-sign"])
    const fund = await call("t-pudong", "GET", "/api/v1/contracts/H-1/fund-withdrawal")
    expect(await fund.json()).toEqual({ contractId: "H-1", allowed: true, rule: "R103.in-force" })
    const printed = await call("t-pudong", "POST", "/api/v1/contracts/H-1/print-notice", {})
    expect(await printed.json()).toMatchObject({ noticePrints: 1 })
  })

  it("documents the contract routes in OpenAPI", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/contracts",
        "/api/v1/contracts/{id}",
        "/api/v1/contracts/{id}/renew",
        "/api/v1/contract-clauses/{id}/approve",
      ]),
    )
    expect(doc.paths["/api/v1/contracts/{id}/exchange"]!["post"]).toMatchObject({ tags: ["contracts"] })
  })
})
