/**
 * The HTTP app composed for tests (not used by any host): the stock, case and access routes over memory
 * stores or one in-memory PGlite database (the PostgreSQL stores, same SQL and migrations), the shipped
 * case policy, memory cipher, hasher and agencies, and the stored-then-TestActors verifier; plus the
 * objects the route walk and the request fuzzer name (a project, building, unit and case in 310115 浦东).
 */
import { readFile } from "node:fs/promises"
import { type Effect, type Exit, Layer, ManagedRuntime } from "effect"
import type { Hono } from "hono"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as ChainedActorVerifier from "../../adapters/identity/ChainedActorVerifier.js"
import * as StoredActorVerifier from "../../adapters/identity/StoredActorVerifier.js"
import * as MemoryIdentityStore from "../../adapters/memory/MemoryIdentityStore.js"
import * as MemoryPasswordHasher from "../../adapters/memory/MemoryPasswordHasher.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import * as PgIdentityStore from "../../adapters/postgres/PgIdentityStore.js"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as PgLotteryStore from "../../adapters/postgres/PgLotteryStore.js"
import type { LotteryServices } from "./LotteryRoutes.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as PgQueueStore from "../../adapters/postgres/PgQueueStore.js"
import type { QueueServices } from "./QueueRoutes.js"
import * as MemorySubsidyStore from "../../adapters/memory/MemorySubsidyStore.js"
import * as PgSubsidyStore from "../../adapters/postgres/PgSubsidyStore.js"
import type { SubsidyServices } from "./SubsidyRoutes.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as PgSelectionStore from "../../adapters/postgres/PgSelectionStore.js"
import type { SelectionServices } from "./SelectionRoutes.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import type { AccessServices } from "./AccessRoutes.js"
import { makeApp } from "./App.js"
import type { CaseServices } from "./CaseRoutes.js"
import { bearer, testVerifierLayer } from "./TestActors.js"

export type StoreKind = "memory" | "pglite"

export interface TestHost {
  readonly app: Hono
  readonly dispose: () => Promise<void>
}

const policyFiles = () =>
  Promise.all(
    ["cases.yaml", "guard.yaml", "subsidy.yaml"].map(async (f) => ({
      name: f,
      text: await readFile(new URL(`../../policy/${f}`, import.meta.url), "utf8"),
    })),
  )

/** Stock, case and identity stores of one kind (PGlite: one in-memory database, migrated on start). */
const storesOf = (kind: StoreKind) =>
  kind === "memory"
    ? Layer.mergeAll(
        Layer.provideMerge(MemorySelectionStore.layer, MemoryStockStore.layer),
        MemoryCaseStore.layer,
        MemoryIdentityStore.layer,
        MemoryLotteryStore.layer,
        MemoryQueueStore.layer,
        MemorySubsidyStore.layer,
      )
    : Layer.mergeAll(
        PgStockStore.layer,
        PgCaseStore.layer,
        PgIdentityStore.layer,
        PgLotteryStore.layer,
        PgQueueStore.layer,
        PgSubsidyStore.layer,
        PgSelectionStore.layer,
      ).pipe(Layer.provide(PgliteDatabase.layer({})))

/**
 * The app with stock, case and access (login, users, roles) routes under /api/v1 over `kind` stores.
 * Bearer tokens are checked by the stored verifier (sessions from a login) and then by TestActors.
 */
export const makeTestHost = async (kind: StoreKind): Promise<TestHost> => {
  const base = Layer.mergeAll(
    storesOf(kind),
    SeededSecureRandom.layer(3),
    MemoryPasswordHasher.layer,
    MemoryFieldCipher.layer(),
    MemoryPolicySource.layer(await policyFiles()),
    MemoryAgencyRecords.layer(),
  )
  const verifier = ChainedActorVerifier.layer([StoredActorVerifier.layer, testVerifierLayer]).pipe(
    Layer.provide(base),
  )
  const runtime = ManagedRuntime.make(Layer.merge(base, verifier))
  // Build the layers now, so a broken composition fails here and not as the first request's 503.
  await runtime.runPromise(runtime.contextEffect)
  const app = makeApp({
    run: (effect) => runtime.runPromiseExit(effect),
    publicBaseUrl: "https://fang.example.gov.cn",
    ready: async () => true,
    cases: {
      run: <A, E>(e: Effect.Effect<A, E, CaseServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
    },
    access: {
      run: <A, E>(e: Effect.Effect<A, E, AccessServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
      clientIp: () => "198.51.100.7",
    },
    lottery: {
      run: <A, E>(e: Effect.Effect<A, E, LotteryServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
    },
    queues: {
      run: <A, E>(e: Effect.Effect<A, E, QueueServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
    },
    selections: {
      run: <A, E>(e: Effect.Effect<A, E, SelectionServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
    },
    subsidies: {
      run: <A, E>(e: Effect.Effect<A, E, SubsidyServices>) =>
        runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
    },
  })
  return { app, dispose: () => runtime.dispose() }
}

/** Objects that exist in 310115 (浦东), named by the walk's and the fuzzer's requests. */
export const SEEDED = {
  projectId: "P-walk",
  buildingId: "B-walk",
  unitId: "U-walk",
  caseId: "C-walk",
} as const

/** A JSON request as the tests send it (JSON content type, an Idempotency-Key unless overridden). */
export const callOf =
  (app: Hono) =>
  (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    app.request(path, {
      method: method.toUpperCase(),
      headers: { "content-type": "application/json", "idempotency-key": "walk-1", ...headers },
      ...(method === "get" || body === undefined ? {} : { body: JSON.stringify(body) }),
    })

/** Registers SEEDED through the API (city officer for stock, 浦东 officer for the case); throws on failure. */
export const seed = async (app: Hono): Promise<void> => {
  const call = callOf(app)
  const city = bearer("t-city")
  const expectCreated = async (what: string, res: Response | Promise<Response>) => {
    const r = await res
    if (r.status !== 201) throw new Error(`seeding ${what}: ${r.status} ${await r.text()}`)
  }
  await expectCreated(
    "project",
    call("post", "/api/v1/projects", city, {
      id: SEEDED.projectId,
      name: "馨越公寓",
      kind: "gongzu",
      district: "310115",
      address: "世博村路300号",
      operatorUscc: "91310000MA1FL0TB3Y",
      operatorName: "运营公司",
      servicePhone: "021-12345678",
    }),
  )
  await expectCreated(
    "building",
    call("post", "/api/v1/buildings", city, {
      id: SEEDED.buildingId,
      projectId: SEEDED.projectId,
      name: "1号楼",
      totalFloors: 6,
      unitsPerFloor: 2,
      hasLift: true,
      completionDate: "2022-09-30",
    }),
  )
  await expectCreated(
    "unit",
    call("post", "/api/v1/units", city, [
      {
        id: SEEDED.unitId,
        buildingId: SEEDED.buildingId,
        floor: 1,
        roomNo: 1,
        bedrooms: 1,
        halls: 1,
        area: 4510,
        rent: 120000,
        marketRent: 260000,
      },
    ]),
  )
  await expectCreated(
    "case",
    call("post", "/api/v1/cases", bearer("t-pudong"), {
      id: SEEDED.caseId,
      kind: "gongzu",
      channel: "offline",
      district: "310115",
      members: [{ role: "applicant", name: "王五", idNumber: "310115198503120012" }],
    }),
  )
  // A lottery round named like the unit, so the walk's named-object checks reach a real round.
  await expectCreated(
    "lottery round",
    call("post", "/api/v1/lotteries", city, {
      roundId: SEEDED.unitId,
      projectId: SEEDED.projectId,
      district: "310115",
      unitTypes: ["1R"],
      title: "走查摇号批次",
      entrants: [
        { id: "W-1", stratum: "1R" },
        { id: "W-2", stratum: "1R" },
      ],
      units: [{ stratum: "1R", units: 1 }],
    }),
  )
}
