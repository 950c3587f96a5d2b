/**
 * The allocation chain over HTTP on in-memory PGlite (issue 11, "What it must show"): one 公租 family from
 * its application to a let unit. The case routes take it through acceptance, 核查, both reviews and their
 * notices to admission (R163); the outbox relay — the worker's use-case, run once as the worker would —
 * puts the admitted family into its project's queue (R45); a round opened from the queue (R53/R55) is
 * drawn with a published seed and its files are public; the waiting number is written back onto the queue
 * place; the selection session (R54) checks the family in and its choice lets the unit (R37) in the same
 * transaction. At each step the stored unit and the project's available/let counts (the unit listing's
 * totals, derived from the stored units, R26–R42) are checked. Time comes from a TestClock (the notice
 * periods), ids from a seeded random source: deterministic.
 */
import { readFile } from "node:fs/promises"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import * as PgJobQueue from "../../adapters/postgres/PgJobQueue.js"
import * as PgLotteryStore from "../../adapters/postgres/PgLotteryStore.js"
import * as PgQueueStore from "../../adapters/postgres/PgQueueStore.js"
import * as PgSelectionStore from "../../adapters/postgres/PgSelectionStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { allocationHandlers, makeRelay } from "../../application/jobs/OutboxRelay.js"
import { SelectionStore } from "../../application/ports/SelectionStore.js"
import { setupStock } from "../replay/AllocationScenario.js"
import { makeApp } from "./App.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read structurally
type Json = any

const PROJECT = "P-CHAIN"
const CASE = "GZ-CHAIN-1"
const ROUND = "LR-CHAIN-1"
const UNIT_A = "P-CHAIN-B1-01"
const UNIT_B = "P-CHAIN-B1-02"
const DAY = 24 * 3600 * 1000

const project = {
  id: PROJECT,
  name: "链路公寓",
  kind: "gongzu",
  district: "310115",
  address: "上海市浦东新区链路路1号",
  operatorUscc: "91310000MA1FL0TB3Y",
  operatorName: "上海地产住房保障有限公司",
  servicePhone: "021-12345678",
}
const unit = (n: number, bedrooms: number) => ({
  id: `P-CHAIN-B1-0${n}`,
  buildingId: "P-CHAIN-B1",
  floor: 1,
  roomNo: n,
  bedrooms,
  halls: 1,
  area: "62.35",
  orientation: "南",
  decoration: "简装",
  rent: "1850.00",
  marketRent: "3800.00",
})
const stock = {
  projects: [project],
  buildings: [
    {
      id: "P-CHAIN-B1",
      projectId: PROJECT,
      name: "1号楼",
      totalFloors: 6,
      unitsPerFloor: 3,
      hasLift: true,
      completionDate: "2022-09-30",
    },
  ],
  // Two 2-1 units and one 1-1 unit, all published.
  units: [unit(1, 2), unit(2, 2), unit(3, 1)],
}

const policy = await Promise.all(
  ["cases.yaml", "guard.yaml"].map(async (f) => ({
    name: f,
    text: await readFile(new URL(`../../policy/${f}`, import.meta.url), "utf8"),
  })),
)

describe("allocation chain over HTTP (PGlite): admission → queue → lottery → selection → let unit", () => {
  const stores = Layer.mergeAll(
    PgStockStore.layer,
    PgCaseStore.layer,
    PgQueueStore.layer,
    PgLotteryStore.layer,
    PgSelectionStore.layer,
    PgJobQueue.layer,
  ).pipe(Layer.provide(PgliteDatabase.layer({})))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      stores,
      SeededSecureRandom.layer(11),
      MemoryFieldCipher.layer(),
      MemoryPolicySource.layer(policy),
      MemoryAgencyRecords.layer(),
      testVerifierLayer,
      TestClock.layer(),
    ),
  )
  const app = makeApp({
    run: (effect) => runtime.runPromiseExit(effect),
    publicBaseUrl: "https://fang.example.gov.cn",
    ready: async () => true,
    cases: { run: (effect) => runtime.runPromiseExit(effect) },
    lottery: { run: (effect) => runtime.runPromiseExit(effect) },
    queues: { run: (effect) => runtime.runPromiseExit(effect) },
    selections: { run: (effect) => runtime.runPromiseExit(effect) },
  })
  const relay = makeRelay(allocationHandlers)

  beforeAll(async () => {
    await runtime.runPromise(TestClock.setTime(Date.parse("2026-03-02T09:00:00+08:00")))
    await runtime.runPromise(setupStock(stock))
  }, 120_000)
  afterAll(() => runtime.dispose())

  let n = 0
  const post = async (path: string, token: TestToken, body: unknown = {}) => {
    const res = await app.request(path, {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json", "idempotency-key": `chain-${n++}` },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const get = async (path: string, token?: TestToken) => {
    const res = await app.request(path, token === undefined ? {} : { headers: bearer(token) })
    const text = await res.text()
    return {
      status: res.status,
      text,
      body: (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text,
    } as {
      status: number
      text: string
      body: Json
    }
  }
  const advance = (ms: number) => runtime.runPromise(TestClock.adjust(ms))
  const command = async (token: TestToken, name: string, body: unknown = {}) => {
    const r = await post(`/api/v1/cases/${CASE}/commands/${name}`, token, body)
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200)
    return r.body.state as string
  }
  /** The stored unit's status and the project's counts per status and type (totals of the unit listing). */
  const stockNow = async () => {
    const total = async (q: string) =>
      (await get(`/api/v1/units?projectId=${PROJECT}&limit=1&${q}`, "t-pudong")).body.total as number
    return {
      unitA: (await get(`/api/v1/units/${UNIT_A}`, "t-pudong")).body.status as string,
      available21: await total("status=available&bedrooms=2"),
      available11: await total("status=available&bedrooms=1"),
      let: await total("status=let"),
    }
  }

  it("one family, each link checked as it happens", async () => {
    const before = { unitA: "available", available21: 2, available11: 1, let: 0 }
    expect(await stockNow()).toEqual(before)

    // 1. The case: application to admission over the case routes (R163).
    const opened = await post("/api/v1/cases", "t-pudong", {
      id: CASE,
      kind: "gongzu",
      channel: "offline",
      district: "310115",
      projectId: PROJECT,
      members: [{ role: "applicant", name: "王五", idNumber: "310115198503120119", phone: "13800138000" }],
      requiredMaterials: ["id_card"],
      receivedMaterials: ["id_card"],
    })
    expect(opened.status, JSON.stringify(opened.body)).toBe(201)
    expect(await command("t-pudong", "submitDraft")).toBe("awaiting_acceptance")
    expect(await command("t-pudong", "accept")).toBe("verifying")
    const verified = await post(`/api/v1/cases/${CASE}/verify`, "t-system", {})
    expect(verified.status, JSON.stringify(verified.body)).toBe(200)
    expect(await command("t-pudong", "completeVerification")).toBe("first_review")
    expect(await command("t-pudong", "approveFirstReview", { location: "浦东新区花木街道公示栏" })).toBe(
      "first_review_notice",
    )
    await advance(7 * DAY)
    expect(await command("t-pudong", "concludeFirstNotice", { objection: false })).toBe("second_review")
    expect(await command("t-city", "approveSecondReview", { location: "上海市住房保障网" })).toBe(
      "online_notice",
    )
    await advance(7 * DAY)
    expect(await command("t-city", "concludeOnlineNotice", { objection: false })).toBe("awaiting_admission")
    // In no queue before admission, nor after it until the relay has delivered the event.
    const noPlace = await get(`/api/v1/queue-places?caseId=${CASE}`, "t-pudong")
    expect(noPlace.status, noPlace.text).toBe(404)
    expect(await command("t-pudong", "admit", { certificateNumber: "GZ-2026-000001" })).toBe("admitted")
    expect((await get(`/api/v1/queue-places?caseId=${CASE}`, "t-pudong")).body).toEqual(noPlace.body)
    expect(await stockNow()).toEqual(before)

    // 2. The relay, as the worker runs it: CaseAdmitted → a queue entry, exactly once.
    const first = await runtime.runPromise(relay.runOnce())
    expect(first).toEqual({ enqueued: 1, delivered: 1 })
    expect(await runtime.runPromise(relay.runOnce())).toEqual({ enqueued: 0, delivered: 0 })
    const placed = await get(`/api/v1/queue-places?caseId=${CASE}`, "t-pudong")
    expect(placed.status).toBe(200)
    expect(placed.body.items).toHaveLength(1)
    expect(placed.body.items[0]).toMatchObject({
      caseId: CASE,
      queueId: `project:${PROJECT}`,
      status: "waiting",
      position: 1,
      lottery: null,
    })
    expect(await stockNow()).toEqual(before)

    // 3. A round from the queue: pool = the waiting family (stratum `any`: the case named no unit type),
    // units = every available unit of the project (R53/R55).
    const round = await post("/api/v1/lotteries/from-queue", "t-pudong", {
      projectId: PROJECT,
      unitTypes: ["any"],
      title: "链路公寓 2026年第1批",
      roundId: ROUND,
    })
    expect(round.status, JSON.stringify(round.body)).toBe(201)
    expect(round.body).toMatchObject({ id: ROUND, status: "committed", entrants: 1 })
    expect(round.body.units).toEqual([{ stratum: `${PROJECT}/any`, units: 3 }])
    await advance(DAY)
    const drawn = await post(`/api/v1/lotteries/${ROUND}/draw`, "t-pudong", { seed: "digits:20260303" })
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(200)
    // The round's public page data names its files; they answer without login.
    const published = await get(`/api/v1/lotteries/${ROUND}`)
    expect(published.status).toBe(200)
    expect(published.body.status).toBe("drawn")
    const files = published.body.files
    expect(Object.keys(files).sort()).toEqual(["pool", "result", "transcript"])
    // The links are absolute under the public base URL; fetched here by their path.
    const pathOf = (url: string) => new URL(url).pathname
    expect(pathOf(files.pool)).toBe(`/api/v1/lotteries/${ROUND}/pool.csv`)
    const pool = await get(pathOf(files.pool))
    expect(pool.text.trim().split("\n")).toEqual(["id,stratum", `${CASE},${PROJECT}/any`])
    const result = await get(pathOf(files.result))
    expect(result.text.trim().split("\n").slice(1)).toEqual([`${PROJECT}/any,1,1,${CASE},winner`])
    expect((await get(pathOf(files.transcript))).status).toBe(200)
    // The waiting number is written back onto the queue place.
    const numbered = await get(`/api/v1/queue-places?caseId=${CASE}`, "t-pudong")
    expect(numbered.body.items[0].lottery).toMatchObject({
      roundId: ROUND,
      number: 1,
      rank: 1,
      outcome: "winner",
    })
    expect(await stockNow()).toEqual(before)

    // 4. Selection (R54): open the session, check the family in by its notice's barcode, choose.
    const session = await post("/api/v1/selections", "t-pudong", { roundId: ROUND })
    expect(session.status, JSON.stringify(session.body)).toBe(200)
    const sessionId: string = session.body.sessionId
    expect(session.body.progress).toMatchObject({ families: 1, units: 3, unitsFree: 3, chosen: 0 })
    expect(session.body.units.map((u: Json) => u.id).sort()).toEqual([UNIT_A, UNIT_B, "P-CHAIN-B1-03"])
    // The barcode is printed on the family's selection notice; read here from the stored session.
    const barcode: string = await runtime.runPromise(
      Effect.gen(function* () {
        const found = yield* (yield* SelectionStore).get(sessionId)
        return Option.getOrThrow(found).session.families[0]!.barcode
      }),
    )
    // Choosing before check-in is refused by rule; nothing is written.
    const early = await post(`/api/v1/selections/${sessionId}/choose`, "t-pudong", {
      family: CASE,
      unit: UNIT_A,
    })
    expect(early.status).toBe(409)
    expect(early.body).toMatchObject({ field: "family", rule: "R54.check-in-first" })
    expect(await stockNow()).toEqual(before)
    const checked = await post(`/api/v1/selections/${sessionId}/check-in`, "t-pudong", { barcode })
    expect(checked.status, JSON.stringify(checked.body)).toBe(200)
    expect(checked.body.families[0]).toMatchObject({ id: CASE, checkedIn: true, status: "pending" })
    const chosen = await post(`/api/v1/selections/${sessionId}/choose`, "t-pudong", {
      family: CASE,
      unit: UNIT_A,
    })
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200)
    expect(chosen.body.families[0]).toMatchObject({ id: CASE, status: "chosen", unit: UNIT_A })
    expect(chosen.body.progress).toMatchObject({ chosen: 1, unitsFree: 2 })

    // 5. The unit is let (R37) and the counts follow from the stored units.
    expect(await stockNow()).toEqual({ unitA: "let", available21: 1, available11: 1, let: 1 })
    // A second choice by the same family is refused (once only) and changes nothing.
    const again = await post(`/api/v1/selections/${sessionId}/choose`, "t-pudong", {
      family: CASE,
      unit: UNIT_B,
    })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ rule: "R54.once" })
    expect((await get(`/api/v1/units/${UNIT_B}`, "t-pudong")).body.status).toBe("available")
    expect(await stockNow()).toEqual({ unitA: "let", available21: 1, available11: 1, let: 1 })
  }, 120_000)
})
