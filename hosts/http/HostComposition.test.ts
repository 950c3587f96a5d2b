/**
 * The real HTTP composition — hostLayer on in-memory PGlite with demo tokens and keys, makeApp with the
 * case routes — drives a 公租 case from offline intake to admission over HTTP (the clock is shifted to
 * pass the notice periods), shows that another district's officer gets 403 with nothing written, that
 * the demo case is in the work list, that /openapi.json documents the case routes, and that a host
 * without configured keys refuses to start.
 */
import { Clock, Duration, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { DEMO_CASE_ID, seedDemoCases } from "../demo/DemoCases.js"
import { caseServicesLayer, hostLayer, planCaseSecurity } from "../StoreSelection.js"
import { makeApp } from "./App.js"

/** The system clock shifted by `offset` ms (the notice periods of R69 last days). */
let offset = 0
const now = () => Date.now() + offset
const shiftedClock: Clock.Clock = {
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
  monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
  sleep: (d) =>
    Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, Duration.toMillis(d)))),
}

const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    hostLayer({ kind: "pglite", dataDir: null }, { demo: true }),
    Layer.succeed(Clock.Clock, shiftedClock),
  ),
)
afterAll(() => runtime.dispose())

const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: "http://anju.test",
  ready: async () => true,
  cases: { run: (effect) => runtime.runPromiseExit(effect) },
})

const call = async (
  method: string,
  path: string,
  token: string | undefined,
  options: { body?: unknown; key?: string; apiKey?: boolean } = {},
) => {
  const res = await app.request(path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === undefined
        ? {}
        : options.apiKey === true
          ? { "x-api-key": token }
          : { authorization: `Bearer ${token}` }),
      ...(options.key === undefined ? {} : { "idempotency-key": options.key }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers }
}
let n = 0
const command = (id: string, cmd: string, token: string, body: unknown = {}) =>
  call("POST", `/api/v1/cases/${id}/commands/${cmd}`, token, { body, key: `k-${++n}` })

const storeCounts = (caseId: string) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* CaseStore
      return {
        history: (yield* store.history(caseId as never)).length,
        outbox: (yield* store.outbox(0, 100_000)).length,
        xuhuiCommands: (yield* Effect.forEach(["x-open", "x-verify", `k-${n - 1}`, `k-${n}`], (k) =>
          store.findCommand("demo-xuhui", k),
        )).filter((o) => o._tag === "Some").length,
      }
    }),
  )

const DAY = 86_400_000

describe("host composition (PGlite in memory, demo tokens, SM4 demo keys)", () => {
  it("drives a 公租 case from offline intake to admission over HTTP", async () => {
    const pudong = "demo-pudong-officer"
    const opened = await call("POST", "/api/v1/cases", pudong, {
      key: "open-HC-1",
      body: {
        id: "HC-1",
        kind: "gongzu",
        channel: "offline",
        district: "310115",
        projectId: "DEMO-PD-001",
        members: [{ role: "applicant", name: "李四", idNumber: "11010519491231002X", phone: "13900139000" }],
        requiredMaterials: ["id_card"],
        receivedMaterials: ["id_card"],
      },
    })
    expect(opened).toMatchObject({ status: 201, body: { caseId: "HC-1", state: "draft", version: 1 } })
    expect(opened.headers.get("cache-control")).toBe("no-store")

    const steps: Array<[string, string, unknown, string]> = [
      ["submitDraft", pudong, {}, "awaiting_acceptance"],
      ["accept", pudong, {}, "verifying"],
    ]
    for (const [cmd, token, body, state] of steps)
      expect(await command("HC-1", cmd, token, body)).toMatchObject({ status: 200, body: { state } })
    const verified = await call("POST", "/api/v1/cases/HC-1/verify", "demo-banjianku-api-key", {
      apiKey: true,
      key: "verify-HC-1",
      body: {},
    })
    expect(verified).toMatchObject({ status: 200, body: { state: "verifying" } })
    for (const [cmd, token, body, state] of [
      ["completeVerification", pudong, {}, "first_review"],
      ["approveFirstReview", pudong, { location: "浦东新区花木街道公示栏" }, "first_review_notice"],
    ] as const)
      expect(await command("HC-1", cmd, token, body)).toMatchObject({ status: 200, body: { state } })
    offset += 8 * DAY
    expect(await command("HC-1", "concludeFirstNotice", pudong, { objection: false })).toMatchObject({
      body: { state: "second_review" },
    })
    expect(
      await command("HC-1", "approveSecondReview", "demo-city-officer", { location: "上海市住房保障网" }),
    ).toMatchObject({ body: { state: "online_notice" } })
    offset += 8 * DAY
    expect(
      await command("HC-1", "concludeOnlineNotice", "demo-city-officer", { objection: false }),
    ).toMatchObject({ body: { state: "awaiting_admission" } })
    expect(await command("HC-1", "admit", pudong, { certificateNumber: "GZ-HC-000001" })).toMatchObject({
      status: 200,
      body: { state: "admitted", version: 10 },
    })

    const detail = await call("GET", "/api/v1/cases/HC-1", pudong)
    expect(detail.status).toBe(200)
    expect(detail.body).toMatchObject({
      case: { state: "admitted", certificate: { number: "GZ-HC-000001" } },
      inReview: false,
    })
    expect(JSON.stringify(detail.body)).not.toContain("11010519491231002X")
    expect(JSON.stringify(detail.body)).not.toContain("13900139000")
    expect((detail.body["history"] as Array<unknown>).length).toBe(10)
    const evidence = (detail.body["case"] as { evidence: Array<{ result: string }> }).evidence
    expect(evidence.length).toBeGreaterThan(0)
    expect(evidence.every((e) => e.result === "pass")).toBe(true)

    // The applicant, by their own demo token, sees nothing of someone else's case.
    expect((await call("GET", "/api/v1/cases/HC-1", "demo-applicant-wang")).status).toBe(403)
  })

  it("refuses another district's officer with 403 and writes nothing", async () => {
    const xuhui = "demo-xuhui-officer"
    const before = await storeCounts("HC-1")
    const version = (
      (await call("GET", "/api/v1/cases/HC-1", "demo-city-officer")).body["case"] as {
        version: number
      }
    ).version
    const refused = [
      await command("HC-1", "cancel", xuhui, { reason: "跨区尝试注销他区案件，应被拒绝" }),
      await command("HC-1", "abandon", xuhui),
      await call("POST", "/api/v1/cases/HC-1/verify", xuhui, { key: "x-verify", body: {} }),
      await call("GET", "/api/v1/cases/HC-1", xuhui),
      await call("POST", "/api/v1/cases", xuhui, {
        key: "x-open",
        body: {
          id: "HC-X",
          kind: "gongzu",
          channel: "offline",
          district: "310115",
          members: [{ role: "applicant", name: "赵六", idNumber: "310115198503120012" }],
        },
      }),
    ]
    for (const r of refused) expect(r).toMatchObject({ status: 403, body: { error: "CaseAccessDenied" } })
    expect(await storeCounts("HC-1")).toEqual(before)
    expect(
      ((await call("GET", "/api/v1/cases/HC-1", "demo-city-officer")).body["case"] as { version: number })
        .version,
    ).toBe(version)
    expect((await call("GET", "/api/v1/cases/HC-X", "demo-city-officer")).status).toBe(404)
    expect((await call("GET", "/api/v1/cases?box=todo", xuhui)).body).toMatchObject({ items: [] })
    expect((await call("GET", "/api/v1/cases", undefined)).status).toBe(401)
    expect((await call("GET", "/api/v1/cases", "demo-banjianku-api-key")).status).toBe(401)
  })

  it("seeds the demo case idempotently into the Pudong officer's work list", async () => {
    await runtime.runPromise(seedDemoCases)
    await runtime.runPromise(seedDemoCases)
    const list = await call("GET", "/api/v1/cases?box=todo", "demo-pudong-officer")
    expect(list.status).toBe(200)
    const items = list.body["items"] as Array<{ id: string; state: string }>
    expect(items.filter((i) => i.id === DEMO_CASE_ID)).toEqual([
      expect.objectContaining({ id: DEMO_CASE_ID, state: "awaiting_acceptance" }),
    ])
    // The stock routes still answer on the same app.
    expect((await app.request("/health")).status).toBe(200)
    expect((await app.request("/api/v1/units?limit=1")).status).toBe(200)
  })

  it("documents the case routes and their security schemes in /openapi.json", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
    }
    for (const p of [
      "/api/v1/cases",
      "/api/v1/cases/lookup",
      "/api/v1/cases/{id}",
      "/api/v1/cases/{id}/verify",
      "/api/v1/cases/{id}/commands/{command}",
    ])
      expect(Object.keys(doc.paths)).toContain(p)
    expect(doc.paths["/api/v1/cases"]!["post"]!.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }])
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
    })
    for (const s of [
      "OpenCaseInput",
      "CaseCommandInput",
      "CaseOutcome",
      "CaseList",
      "CaseDetail",
      "CaseProblem",
    ])
      expect(Object.keys(doc.components.schemas)).toContain(s)
    expect(doc.paths["/api/v1/units"]).toBeDefined()
  })

  it("does not start without configured field keys outside --demo/--memory", async () => {
    const plan = planCaseSecurity({ kind: "pglite", dataDir: "/tmp/anju-never-created" }, { env: {} })
    expect(plan.fieldKeys).toBe("configured")
    expect(plan.tokens).toBe("none")
    const exit = await Effect.runPromiseExit(Layer.build(caseServicesLayer(plan, {})).pipe(Effect.scoped))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(
      String(
        Exit.isFailure(exit) ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : "")) : "",
      ),
    ).toMatch(/ANJU_FIELD_KEY is not set/u)
    const memory = planCaseSecurity({ kind: "pglite", dataDir: null }, { env: {} })
    expect(memory.fieldKeys).toBe("demo")
    expect(memory.warnings.join("\n")).toMatch(/PUBLIC DEMO SM4 keys/u)
  })
})
