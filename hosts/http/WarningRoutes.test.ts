/**
 * The warning routes through the whole app (guard, OpenAPI, JSON) on one in-memory PGlite database (the
 * PostgreSQL stores, same SQL and migrations): warnings raised by a re-check run (R85–R88), listed open first
 * within the caller's district (R85: what an officer sees at login; district A never sees district B's),
 * paged by cursor, resolved once with the actor and reason in the trail (R24), a warning outside the scope
 * answering like a missing one, typed 422s naming field and rule, permissions (operator 403, no token 401).
 */
import { readFile } from "node:fs/promises"
import { Effect, Layer, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import * as PgWarningStore from "../../adapters/postgres/PgWarningStore.js"
import { sealCase } from "../../application/cases/CaseSealing.js"
import { WORKER_ACTOR } from "../../application/jobs/WorkerJobs.js"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { raiseGuardWarnings } from "../../application/supervision/GuardWarnings.js"
import { runRechecks } from "../../application/supervision/Rechecks.js"
import type { Case, CaseId } from "../../domain/cases/Case.js"
import * as CD from "../../domain/values/CivilDate.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { makeApp } from "./App.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

const policy = [
  {
    name: "supervision.yaml",
    text: await readFile(new URL("../../policy/supervision.yaml", import.meta.url), "utf8"),
  },
]
const ID_A = "310115198001010011"
const ID_B = "310104198001010022"
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Layer.mergeAll(PgStockStore.layer, PgCaseStore.layer, PgWarningStore.layer).pipe(
      Layer.provide(PgliteDatabase.layer({})),
    ),
    SeededSecureRandom.layer(1),
    MemoryPolicySource.layer(policy),
    MemoryFieldCipher.layer(),
    MemoryAgencyRecords.layer([
      { source: "death", result: "fail", detail: "death: 比对命中" },
      { source: "criminal", idNumber: ID_A, result: "fail", detail: "criminal: 比对命中" },
    ]),
    testVerifierLayer,
  ),
)
const app = makeApp({
  run: (e) => runtime.runPromiseExit(e),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  warnings: { run: (e) => runtime.runPromiseExit(e) },
})

const call = (token: TestToken | null, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { "content-type": "application/json", ...(token === null ? {} : bearer(token)) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
interface Warning {
  readonly id: string
  readonly rule: string
  readonly level: string
  readonly status: string
  readonly district: string
  readonly caseId: string
  readonly period: string
  readonly trail: ReadonlyArray<{ readonly by: string; readonly action: string; readonly note: string }>
}
interface Body {
  readonly items: ReadonlyArray<Warning>
  readonly next: string | null
  readonly field?: string
  readonly rule?: string
  readonly status?: string
  readonly trail?: Warning["trail"]
  readonly paths?: Record<string, unknown>
}
const json = async (r: Response) => (await r.json()) as Body

const household = (id: string, district: string, idNumber: string): Case => ({
  id: id as CaseId,
  kind: "lianzu",
  state: "admitted",
  version: 1,
  channel: "offline",
  district,
  projectId: null,
  members: [{ role: "applicant", name: `申请人${id}`, idNumber, phone: null, bankCard: null }],
  materials: { required: [], received: [] },
  predecessorId: null,
  tags: [],
  resumeTo: null,
  evidence: [],
  firstNotice: null,
  onlineNotice: null,
  certificate: {
    number: `N-${id}`,
    validFrom: "2026-01-15" as CivilDate,
    validUntil: "2029-01-14" as CivilDate,
  },
  closure: null,
  economy: null,
  receivedAt: 1_770_000_000_000,
  updatedAt: 1_770_000_000_000,
})

beforeAll(async () => {
  await runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* CaseStore
      for (const c of [household("A1", "310115", ID_A), household("X1", "310104", ID_B)]) {
        const sealed = yield* sealCase(c)
        yield* store.commit({
          case: sealed,
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
      }
      // The re-check run of 2026-03-05 (TestClock): deaths for both households, a criminal record for A1.
      yield* TestClock.setTime(CD.startOfDayInstant("2026-03-05" as CivilDate) + 5_400_000)
      yield* runRechecks(WORKER_ACTOR, { checks: ["death", "criminal"] })
      yield* TestClock.adjust("1 minute")
      yield* runRechecks(WORKER_ACTOR, { checks: ["death", "criminal"] })
    }).pipe(Effect.provide(TestClock.layer())),
  )
}, 120_000)
afterAll(() => runtime.dispose())

describe("warning routes (R24, R85–R88) on PGlite", () => {
  it("a district officer sees their district's warnings only, open first; the city sees all", async () => {
    const a = await call("t-pudong", "GET", "/api/v1/warnings")
    expect(a.status).toBe(200)
    const body = await json(a)
    expect(body.items.map((w) => `${w.caseId}:${w.rule}:${w.level}:${w.period}`).sort()).toEqual([
      "A1:R86:orange:2026-03-D1",
      "A1:R87:orange:2026-03-D1",
    ])
    expect(JSON.stringify(body)).not.toContain(ID_A)
    const b = await json(await call("t-xuhui", "GET", "/api/v1/warnings"))
    expect(b.items.map((w) => `${w.caseId}:${w.rule}`)).toEqual(["X1:R87"])
    expect((await json(await call("t-pudong", "GET", "/api/v1/warnings?district=310104"))).items).toEqual([])
    expect((await json(await call("t-city", "GET", "/api/v1/warnings"))).items).toHaveLength(3)
    const one = await json(await call("t-city", "GET", "/api/v1/warnings?limit=2"))
    expect(one.items).toHaveLength(2)
    const rest = await json(
      await call("t-city", "GET", `/api/v1/warnings?limit=2&after=${encodeURIComponent(one.next!)}`),
    )
    expect([...one.items, ...rest.items].map((w) => w.id).sort()).toEqual(
      (await json(await call("t-city", "GET", "/api/v1/warnings"))).items.map((w) => w.id).sort(),
    )
    expect(rest.next).toBeNull()
  })

  it("resolves once within scope; another district's warning answers 404 and stays open", async () => {
    const xuhui = (await json(await call("t-xuhui", "GET", "/api/v1/warnings"))).items[0]!
    const refused = await call("t-pudong", "POST", `/api/v1/warnings/${xuhui.id}/resolve`, { reason: "越权" })
    expect(refused.status).toBe(404)
    expect((await json(await call("t-xuhui", "GET", "/api/v1/warnings"))).items[0]!.status).toBe("open")

    const own = (await json(await call("t-pudong", "GET", "/api/v1/warnings?rule=R86"))).items[0]!
    const ok = await call("t-pudong", "POST", `/api/v1/warnings/${own.id}/resolve`, {
      reason: "已核实，矫正已结束",
    })
    expect(ok.status).toBe(200)
    const resolved = await json(ok)
    expect(resolved.status).toBe("resolved")
    expect(resolved.trail!.at(-1)).toMatchObject({
      by: "pudong-1",
      action: "resolved",
      note: "已核实，矫正已结束",
    })
    expect(
      (await call("t-pudong", "POST", `/api/v1/warnings/${own.id}/resolve`, { reason: "again" })).status,
    ).toBe(409)
    const listed = (await json(await call("t-pudong", "GET", "/api/v1/warnings"))).items
    expect(listed.map((w) => w.status)).toEqual(["open", "resolved"])
    expect((await json(await call("t-pudong", "GET", "/api/v1/warnings?status=open"))).items).toHaveLength(1)
  })

  it("typed refusals: bad filters and reasons name field and rule; operator 403; no token 401", async () => {
    const bad = await call("t-city", "GET", "/api/v1/warnings?level=purple")
    expect(bad.status).toBe(422)
    expect(await json(bad)).toMatchObject({ field: "level", rule: "R24.level" })
    expect(await json(await call("t-city", "GET", "/api/v1/warnings?limit=0"))).toMatchObject({
      field: "limit",
    })
    expect(await json(await call("t-city", "GET", "/api/v1/warnings?after=zzz"))).toMatchObject({
      field: "after",
    })
    const w = (await json(await call("t-pudong", "GET", "/api/v1/warnings?status=open"))).items[0]!
    const empty = await call("t-pudong", "POST", `/api/v1/warnings/${w.id}/resolve`, { reason: " " })
    expect(empty.status).toBe(422)
    expect(await json(empty)).toMatchObject({ field: "reason", rule: "R24.reason" })
    expect((await call("t-pudong", "POST", `/api/v1/warnings/${w.id}/resolve`, { why: "x" })).status).toBe(
      400,
    )
    expect((await call("t-operator", "GET", "/api/v1/warnings")).status).toBe(403)
    expect((await call(null, "GET", "/api/v1/warnings")).status).toBe(401)
  })

  it("guard warnings (R13–R22) of the case flow are listed by the same route, in the same scopes, once", async () => {
    const listing = {
      stage: "application" as const,
      raisedOn: "2026-03-05",
      district: "310104",
      warnings: [
        {
          personIndex: "idx-guard-1",
          rule: "R16",
          level: "yellow" as const,
          block: false,
          message: "租赁型保障房享受对象申请共有产权: application step",
          evidence: { rentalCases: "G-1" },
          related: [],
        },
      ],
    }
    const at = Date.parse("2026-03-05T10:00:00+08:00")
    expect(await runtime.runPromise(raiseGuardWarnings("Y-9", listing, at))).toBe(1)
    // A redelivered event raises nothing new.
    expect(await runtime.runPromise(raiseGuardWarnings("Y-9", listing, at + 1000))).toBe(0)
    const xuhui = (await json(await call("t-xuhui", "GET", "/api/v1/warnings?rule=R16"))).items
    expect(xuhui).toHaveLength(1)
    expect(xuhui[0]).toMatchObject({
      rule: "R16",
      level: "yellow",
      caseId: "Y-9",
      period: "application",
      district: "310104",
      status: "open",
    })
    expect(xuhui[0]!.trail.map((t) => [t.by, t.action])).toEqual([["guard", "raised"]])
    expect(JSON.stringify(xuhui)).not.toContain("idx-guard-1")
    expect((await json(await call("t-pudong", "GET", "/api/v1/warnings?rule=R16"))).items).toEqual([])
    expect((await json(await call("t-city", "GET", "/api/v1/warnings?rule=R16"))).items).toHaveLength(1)
  })

  it("documents both routes in the OpenAPI document", async () => {
    const doc = await json(await call(null, "GET", "/openapi.json"))
    expect(Object.keys(doc.paths!)).toEqual(
      expect.arrayContaining(["/api/v1/warnings", "/api/v1/warnings/{id}/resolve"]),
    )
  })
})
