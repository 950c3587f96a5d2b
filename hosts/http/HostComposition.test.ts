/**
 * The real HTTP composition — hostLayer on in-memory PGlite with demo tokens and keys, makeApp with the
 * case routes — drives a 公租 case from offline intake to admission over HTTP (the clock is shifted to
 * pass the notice periods), shows that another district's officer is answered exactly as for a missing case (404) with nothing written, that
 * the demo case is in the work list, that /openapi.json documents the case routes, and that a host
 * without --demo, keys, identity or an agency adapter refuses to start naming each missing item — through
 * runHttpHost and through the real CLI process (`anju serve --database-url …`, exit 1).
 */
import { spawn } from "node:child_process"
import { join, resolve } from "node:path"
import { Clock, Duration, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { CaseStore } from "../../application/ports/CaseStore.js"
import * as KeyRings from "../../adapters/kms/KeyRing.js"
import * as MemoryAuditLog from "../../adapters/memory/MemoryAuditLog.js"
import * as MemoryIdentityStore from "../../adapters/memory/MemoryIdentityStore.js"
import { DEMO_CASE_ID, seedDemoCases } from "../demo/DemoCases.js"
import { planHost } from "../HostConfig.js"
import { caseServicesLayer, hostLayer } from "../StoreSelection.js"
import { makeApp } from "./App.js"
import { runHttpHost } from "./main.js"

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

    // The applicant, by their own demo token, sees nothing of someone else's case: not even that it exists.
    expect((await call("GET", "/api/v1/cases/HC-1", "demo-applicant-wang")).status).toBe(404)
  })

  it("answers another district's officer as if the case did not exist, and writes nothing", async () => {
    const xuhui = "demo-xuhui-officer"
    const before = await storeCounts("HC-1")
    const version = (
      (await call("GET", "/api/v1/cases/HC-1", "demo-city-officer")).body["case"] as {
        version: number
      }
    ).version
    const missing = await call("GET", "/api/v1/cases/NO-SUCH-CASE", xuhui)
    expect(missing).toMatchObject({ status: 404, body: { error: "CaseNotFound" } })
    const hidden = [
      await command("HC-1", "cancel", xuhui, { reason: "跨区尝试注销他区案件，应被拒绝" }),
      await command("HC-1", "abandon", xuhui),
      await call("POST", "/api/v1/cases/HC-1/verify", xuhui, { key: "x-verify", body: {} }),
      await call("GET", "/api/v1/cases/HC-1", xuhui),
    ]
    for (const r of hidden) expect(r).toMatchObject({ status: 404, body: { error: "CaseNotFound" } })
    const refused = [
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
    expect((await app.request("/api/v1/units?limit=1")).status).toBe(401)
    const units = await app.request("/api/v1/units?limit=1", {
      headers: { authorization: "Bearer demo-city-officer" },
    })
    expect(units.status).toBe(200)
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
      "/api/v1/cases/{id}/commands/reject",
      "/api/v1/cases/{id}/commands/submitDraft",
    ])
      expect(Object.keys(doc.paths)).toContain(p)
    expect(doc.paths["/api/v1/cases"]!["post"]!.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }])
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
    })
    for (const s of [
      "OpenCaseInput",
      "rejectCommandInput",
      "admitCommandInput",
      "CaseOutcome",
      "CaseList",
      "CaseDetail",
      "CaseProblem",
    ])
      expect(Object.keys(doc.components.schemas)).toContain(s)
    expect(doc.paths["/api/v1/units"]).toBeDefined()
  })

  it("does not start without configured field keys outside --demo/--memory", async () => {
    const plan = planHost({ storage: { kind: "pglite", dataDir: "/tmp/anju-never-created" }, env: {} })
    expect(plan.problems.join("\n")).toMatch(/ANJU_KMS_MASTER_KEY is not set/u)
    // Even a layer built from such a plan cannot start: the configured-key cipher has no keys.
    const exit = await Effect.runPromiseExit(
      Layer.build(
        caseServicesLayer({
          ...plan.config,
          fieldKeys: { kind: "configured", keys: {} as never, masterKey: {} as never },
        }).pipe(
          Layer.provide(
            Layer.mergeAll(MemoryIdentityStore.layer, MemoryAuditLog.layer, KeyRings.layerMemory),
          ),
        ),
      ).pipe(Effect.scoped),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    // The older hostLayer(storage, options) form plans itself and fails with every problem.
    const old = await Effect.runPromiseExit(
      Layer.build(hostLayer({ kind: "pglite", dataDir: "/tmp/anju-never-created" }, { env: {} })).pipe(
        Effect.scoped,
      ),
    )
    expect(
      Exit.isFailure(old)
        ? String(old.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : "")))
        : "",
    ).toMatch(
      /ANJU_KMS_MASTER_KEY is not set.*ANJU_INDEX_KEY is not set.*identity: no way.*ANJU_AGENCIES is not set/su,
    )
    const memory = planHost({ storage: { kind: "pglite", dataDir: null }, env: {} })
    expect(memory.config.fieldKeys.kind).toBe("demo")
    expect(memory.warnings.join("\n")).toMatch(/PUBLIC DEMO SM4 keys/u)
  })
})

const DATABASE_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const MISSING = [
  /ANJU_KMS_MASTER_KEY is not set/u,
  /ANJU_INDEX_KEY is not set/u,
  /identity: no way to authenticate anyone/u,
  /ANJU_AGENCIES is not set/u,
]

describe("serve against PostgreSQL without --demo and without keys or an agency adapter", () => {
  it("runHttpHost refuses with exit 1, naming each missing item, before touching the database", async () => {
    const out: Array<string> = []
    const err: Array<string> = []
    const code = await runHttpHost({
      storage: { kind: "postgres", url: "postgres://nobody:pw@127.0.0.1:1/never", schema: "anju" },
      port: 0,
      hostname: "127.0.0.1",
      publicBaseUrl: "http://localhost",
      demo: false,
      env: {},
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    })
    expect(code).toBe(1)
    const refusal = err.join("\n")
    expect(refusal).toMatch(/^anju serve: refusing to start: 4 setting\(s\) missing or wrong/mu)
    for (const m of MISSING) expect(refusal).toMatch(m)
    // The resolved configuration was printed first, the password masked.
    expect(out.join("\n")).toMatch(/storage\s+PostgreSQL \(postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/never/u)
    expect(out.join("\n")).not.toContain(":pw@")
  })

  it("the CLI process `anju serve --database-url …` exits 1 and names each missing item", async () => {
    const root = resolve(import.meta.dirname, "..", "..")
    const child = spawn(
      join(root, "node_modules", ".bin", "tsx"),
      [join(root, "hosts", "cli", "bin.ts"), "serve", "--database-url", DATABASE_URL, "--port", "0"],
      { cwd: root, env: { PATH: process.env["PATH"] }, stdio: ["ignore", "pipe", "pipe"] },
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)))
    expect({ code, stderr }).toMatchObject({ code: 1 })
    for (const m of MISSING) expect(stderr).toMatch(m)
    expect(stdout).not.toMatch(/Anju is serving/u)
  }, 60_000)
})
