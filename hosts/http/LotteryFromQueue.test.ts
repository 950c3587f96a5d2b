/**
 * From queue to lottery over HTTP on in-memory PGlite (issue 11 item 3; R53, R55): admitted 公租 cases of the
 * demo project wait in its queue → `POST /api/v1/lotteries/from-queue` opens a round whose pool is that queue
 * (application numbers and strata `<project>/<unit type>`, units = available stored units) → the draw writes
 * the waiting numbers back → `GET /api/v1/queue-places` shows each family its number and round, the queue
 * ranks the pool by it; an annulment takes the numbers away. Scope, permission and empty-pool refusals are
 * typed answers. The dates are fixed (certificates valid 2026-01-05 through 2099-12-31).
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import type { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import * as PgLotteryStore from "../../adapters/postgres/PgLotteryStore.js"
import * as PgQueueStore from "../../adapters/postgres/PgQueueStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { enterQueue } from "../../application/queue/Queues.js"
import { storedCase } from "../../contracts-tests/CaseStore.contract.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { makeApp } from "./App.js"
import { bearer, testVerifierLayer } from "./TestActors.js"

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read structurally
type Json = any

const PROJECT = "DEMO-PD-001"
/** Admission instant of the first family (later ones one minute apart). */
const ADMITTED_AT = Date.parse("2026-01-10T02:00:00Z")

/** An admitted 公租 case of the demo project, committed as the workflow leaves it, and its queue entry. */
const admitted = (id: string, unitType: string, idIndex: string, i: number) =>
  Effect.gen(function* () {
    const base = storedCase(id)
    const c = storedCase(id, {
      kind: "gongzu",
      state: "admitted",
      projectId: PROJECT,
      members: [{ ...base.members[0]!, idIndex }],
      certificate: {
        number: `N-${id}`,
        validFrom: "2026-01-05" as CivilDate,
        validUntil: "2099-12-31" as CivilDate,
      },
    })
    yield* (yield* CaseStore).commit({
      case: c,
      expectedVersion: 0,
      history: {
        caseId: c.id,
        version: 1,
        at: ADMITTED_AT,
        actorId: "t",
        actorRole: "city",
        command: "t",
        from: null,
        to: c.state,
        note: "",
      },
      events: [],
      command: {
        actorId: "t",
        key: `k-${id}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: 1 },
      },
    })
    yield* enterQueue({ caseId: id, eventKey: `queue.entry:${id}`, at: ADMITTED_AT + i * 60_000, unitType })
  })

describe("lottery round from the queue over HTTP (PGlite)", () => {
  const services = Layer.mergeAll(
    PgStockStore.layer,
    PgCaseStore.layer,
    PgQueueStore.layer,
    PgLotteryStore.layer,
  ).pipe(Layer.provide(PgliteDatabase.layer({})))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(services, SeededSecureRandom.layer(13), testVerifierLayer),
  )
  let app: Hono
  // GZ-A waits for 1-1 (no available unit), GZ-B…GZ-D for 2-1 (12 available): waiting and winners.
  const FAMILIES = [
    ["GZ-A", "1-1", "idx-none"], // the test applicant's own case (t-applicant has idIndex idx-none)
    ["GZ-B", "2-1", "idx-B"],
    ["GZ-C", "2-1", "idx-C"],
    ["GZ-D", "2-1", "idx-D"],
    ["GZ-E", "1-1", "idx-E"],
  ] as const
  beforeAll(async () => {
    await runtime.runPromise(seedDemoEstate)
    await runtime.runPromise(
      Effect.forEach(FAMILIES, ([id, type, idx], i) => admitted(id, type, idx, i), { discard: true }),
    )
    app = makeApp({
      run: (effect) => runtime.runPromiseExit(effect),
      publicBaseUrl: "https://fang.example.gov.cn",
      ready: async () => true,
      lottery: { run: (effect) => runtime.runPromiseExit(effect) },
      queues: { run: (effect) => runtime.runPromiseExit(effect) },
    })
  }, 120_000)
  afterAll(() => runtime.dispose())

  const post = (path: string, token: Parameters<typeof bearer>[0], body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify(body),
    })
  const get = async (path: string, token: Parameters<typeof bearer>[0]) => {
    const res = await app.request(path, { headers: bearer(token) })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const request = { projectId: PROJECT, unitTypes: ["1-1", "2-1"], title: "馨越公寓 2026年轮候摇号" }

  it("refuses without lottery.manage (403), outside the scope like a missing project (404), an empty pool and a bad unit type (422)", async () => {
    expect((await post("/api/v1/lotteries/from-queue", "t-applicant", request)).status).toBe(403)
    const foreign = await post("/api/v1/lotteries/from-queue", "t-xuhui", request)
    const unknown = await post("/api/v1/lotteries/from-queue", "t-pudong", {
      ...request,
      projectId: "P-none",
    })
    expect(foreign.status).toBe(404)
    expect(unknown.status).toBe(404)
    expect(await foreign.json()).toEqual(await unknown.json())
    const empty = await post("/api/v1/lotteries/from-queue", "t-pudong", { ...request, unitTypes: ["3-1"] })
    expect(empty.status).toBe(422)
    expect(await empty.json()).toMatchObject({
      rule: "R53.pool-empty",
      issues: [{ field: "unitTypes", rule: "R53.pool-empty" }],
    })
    const bad = await post("/api/v1/lotteries/from-queue", "t-pudong", { ...request, unitTypes: ["2R"] })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ issues: [{ field: "unitTypes[0]", rule: "R55.unit-type" }] })
    expect((await get("/api/v1/lotteries", "t-pudong")).body.items).toEqual([])
  })

  it("admitted cases → from-queue round → draw → each family's queue place shows its waiting number", async () => {
    const opened = await post("/api/v1/lotteries/from-queue", "t-pudong", { ...request, roundId: "LR-Q-1" })
    expect(opened.status).toBe(201)
    const round: Json = await opened.json()
    expect(round).toMatchObject({ id: "LR-Q-1", status: "committed", entrants: 5, district: "310115" })
    expect(round.units).toEqual([
      { stratum: `${PROJECT}/1-1`, units: 0 },
      { stratum: `${PROJECT}/2-1`, units: 12 },
    ])
    const poolCsv = await (await app.request("/api/v1/lotteries/LR-Q-1/pool.csv")).text()
    expect(poolCsv.trim().split("\n").sort()).toEqual(
      ["id,stratum", ...FAMILIES.map(([id, type]) => `${id},${PROJECT}/${type}`)].sort(),
    )
    // Before the draw: no waiting number.
    const before = await get("/api/v1/queue-places", "t-applicant")
    expect(before.status).toBe(200)
    expect(before.body.items[0]).toMatchObject({ caseId: "GZ-A", lottery: null })

    const drawn = await post("/api/v1/lotteries/LR-Q-1/draw", "t-pudong", { seed: "digits:20260601" })
    expect(drawn.status).toBe(200)
    const resultCsv = await (await app.request("/api/v1/lotteries/LR-Q-1/result.csv")).text()
    const rows = new Map(
      resultCsv
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","))
        .map(([stratum, rank, number, id, outcome]) => [
          id!,
          { stratum, rank: +rank!, number: +number!, outcome },
        ]),
    )
    expect(rows.size).toBe(5)
    // The applicant sees their own number and round (and no one else's).
    const own = await get("/api/v1/queue-places", "t-applicant")
    expect(own.body.items).toHaveLength(1)
    expect(own.body.items[0].lottery).toMatchObject({
      roundId: "LR-Q-1",
      drawId: ((await drawn.clone().json()) as Json).draw.id,
      ...rows.get("GZ-A"),
      outcome: "waiting",
    })
    expect(typeof own.body.items[0].lottery.drawnAt).toBe("string")
    expect((await get("/api/v1/queue-places?caseId=GZ-B", "t-applicant")).status).toBe(404)
    // Officers see every family's number; the pool is ranked by it.
    for (const [id] of FAMILIES) {
      const place = await get(`/api/v1/queue-places?caseId=${id}`, "t-pudong")
      expect(place.body.items[0].lottery, id).toMatchObject({ roundId: "LR-Q-1", ...rows.get(id) })
      expect(place.body.items[0].position, id).toBe(rows.get(id)!.rank)
    }
    const ranked = await get(`/api/v1/queues/project:${PROJECT}`, "t-pudong")
    for (const item of ranked.body.items) expect(item.position).toBe(item.lottery.rank)
    // R55: no 1-1 unit is available, so every 1-1 family waits; 2-1 families all win (12 units).
    expect(rows.get("GZ-E")!.outcome).toBe("waiting")
    expect(rows.get("GZ-B")!.outcome).toBe("winner")

    // Annulment takes the numbers away again.
    const annulled = await post("/api/v1/lotteries/LR-Q-1/annul", "t-pudong", {
      reason: "公证复核发现录入错误",
    })
    expect(annulled.status).toBe(200)
    expect((await get("/api/v1/queue-places", "t-applicant")).body.items[0].lottery).toBeNull()
  })

  it("/openapi.json documents the route with lottery.manage", async () => {
    const doc: Json = await (await app.request("/openapi.json")).json()
    const op = doc.paths["/api/v1/lotteries/from-queue"].post
    expect(op.requestBody.content["application/json"].schema.required).toEqual([
      "projectId",
      "unitTypes",
      "title",
    ])
    expect(JSON.stringify(op)).toContain("lottery.manage")
  })
})
