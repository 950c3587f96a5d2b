/**
 * House selection over HTTP on PGlite (选房, R54; issue 11 item 5): a session opened from a drawn round,
 * check-in by barcode, choose → GET /api/v1/units/{id} shows the unit let and the available count drops
 * (inventory R26–R42 derived from the stored units); release gives it back; refusals are typed 409/422
 * naming field and rule; another district's officer gets 404 as for a missing session; and concurrent
 * POST choose requests of one unit (or of two units by one family) give exactly one 200 and one 409.
 */
import { Effect, type Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgLotteryStore from "../../adapters/postgres/PgLotteryStore.js"
import * as PgQueueStore from "../../adapters/postgres/PgQueueStore.js"
import * as PgSelectionStore from "../../adapters/postgres/PgSelectionStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { StockStore } from "../../application/ports/StockStore.js"
import { type DrawnRound, seedDrawnRound } from "../../contracts-tests/SelectionFixtures.js"
import type { ProjectId } from "../../domain/stock/Stock.js"
import { makeApp } from "./App.js"
import type { SelectionServices } from "./SelectionRoutes.js"
import { bearer, type TestToken, testVerifierLayer } from "./TestActors.js"

const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Layer.mergeAll(PgStockStore.layer, PgLotteryStore.layer, PgQueueStore.layer, PgSelectionStore.layer).pipe(
      Layer.provide(PgliteDatabase.layer({})),
    ),
    SeededSecureRandom.layer(11),
    testVerifierLayer,
  ),
)
const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  selections: {
    run: <A, E>(e: Effect.Effect<A, E, SelectionServices>) =>
      runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
  },
})

let n = 0
const call = (token: TestToken, method: "GET" | "POST", path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { ...bearer(token), "content-type": "application/json", "idempotency-key": `sel-${n++}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

interface Family {
  id: string
  stratum: string
  rank: number
  barcode: string
  status: string
  unit: string | null
}
interface Status {
  sessionId: string
  families: Array<Family>
  units: Array<{ id: string; stratum: string; heldBy: string | null }>
  strata: Array<{ stratum: string; current?: string; unitsLeft: number; chosen: number }>
}

/** Available 1-1 units of the project, from the store's inventory counts (R26–R42). */
const availableOneRoom = (projectId: string) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const counts = yield* (yield* StockStore).countUnits({ projectId: projectId as ProjectId })
      return counts
        .filter((c) => c.status === "available" && c.bedrooms === 1 && c.halls === 1)
        .reduce((s, c) => s + c.units, 0)
    }),
  )
const unitOf = async (id: string) =>
  (await (await call("t-pudong", "GET", `/api/v1/units/${id}`)).json()) as {
    status: string
    version: number
  }
const availableTotal = async (projectId: string) =>
  (
    (await (
      await call("t-pudong", "GET", `/api/v1/units?projectId=${projectId}&status=available`)
    ).json()) as {
      total: number
    }
  ).total

let round: DrawnRound
let status: Status

beforeAll(async () => {
  await runtime.runPromise(runtime.contextEffect)
  // Tag "op": the project is P-op, the test operator's own project.
  round = await runtime.runPromise(seedDrawnRound("op", { families: 3, units: 3 }))
})
afterAll(() => runtime.dispose())

const familiesOf = (s: Status, stratum: string) =>
  s.families.filter((f) => f.stratum === stratum).sort((a, b) => a.rank - b.rank)

describe("selection routes (PGlite)", () => {
  it("opens the session of a drawn round, idempotently; another district answers 404", async () => {
    const res = await call("t-pudong", "POST", "/api/v1/selections", { roundId: round.roundId })
    expect(res.status).toBe(200)
    status = (await res.json()) as Status
    expect(status.families).toHaveLength(6)
    expect(status.units.map((u) => u.id).sort()).toEqual(round.units.map((u) => u.id).sort())
    expect(status.strata.map((s) => [s.stratum, s.unitsLeft])).toEqual([
      [round.strata.oneRoom, 3],
      [round.strata.twoRoom, 3],
    ])
    const again = await call("t-operator", "POST", "/api/v1/selections", { roundId: round.roundId })
    expect(((await again.json()) as Status).sessionId).toBe(status.sessionId)
    expect((await call("t-xuhui", "GET", `/api/v1/selections/${status.sessionId}`)).status).toBe(404)
    expect((await call("t-xuhui", "POST", "/api/v1/selections", { roundId: round.roundId })).status).toBe(404)
    expect((await call("t-pudong", "GET", "/api/v1/selections/SS-missing")).status).toBe(404)
    expect((await call("t-applicant", "GET", `/api/v1/selections/${status.sessionId}`)).status).toBe(403)
    expect((await call("t-pudong", "POST", "/api/v1/selections", { round: "x" })).status).toBe(400)
  })

  it("check-in and choose: the unit is let (GET /units/{id}) and the available count drops; release gives it back", async () => {
    const id = status.sessionId
    const [first] = familiesOf(status, round.strata.oneRoom)
    const unit = status.units.find((u) => u.stratum === round.strata.oneRoom)!.id
    const before = {
      counted: await availableOneRoom(round.projectId),
      listed: await availableTotal(round.projectId),
    }
    expect(before.counted).toBe(3)
    // Not checked in yet: 409 naming field and rule.
    const early = await call("t-operator", "POST", `/api/v1/selections/${id}/choose`, {
      family: first!.id,
      unit,
    })
    expect(early.status).toBe(409)
    expect(await early.json()).toMatchObject({ field: "family", rule: "R54.check-in-first" })
    const unknown = await call("t-operator", "POST", `/api/v1/selections/${id}/check-in`, { barcode: "nope" })
    expect(unknown.status).toBe(422)
    expect(await unknown.json()).toMatchObject({ field: "barcode", rule: "R54.unknown-barcode" })
    expect(
      (await call("t-operator", "POST", `/api/v1/selections/${id}/check-in`, { barcode: first!.barcode }))
        .status,
    ).toBe(200)
    const pre = await call("t-operator", "POST", `/api/v1/selections/${id}/preselect`, {
      family: first!.id,
      unit,
    })
    expect(pre.status).toBe(200)
    const chosen = await call("t-operator", "POST", `/api/v1/selections/${id}/choose`, {
      family: first!.id,
      unit,
    })
    expect(chosen.status).toBe(200)
    const after = (await chosen.json()) as Status
    expect(after.families.find((f) => f.id === first!.id)).toMatchObject({ status: "chosen", unit })
    expect(after.units.find((u) => u.id === unit)!.heldBy).toBe(first!.id)
    expect(after.strata.find((s) => s.stratum === round.strata.oneRoom)!.unitsLeft).toBe(2)
    expect((await unitOf(unit)).status).toBe("let")
    expect(await availableOneRoom(round.projectId)).toBe(before.counted - 1)
    expect(await availableTotal(round.projectId)).toBe(before.listed - 1)
    // Once only: the family cannot choose again.
    const other = status.units.filter((u) => u.stratum === round.strata.oneRoom)[1]!.id
    const twice = await call("t-operator", "POST", `/api/v1/selections/${id}/choose`, {
      family: first!.id,
      unit: other,
    })
    expect(twice.status).toBe(409)
    expect(await twice.json()).toMatchObject({ field: "family", rule: "R54.once" })
    // Release: the unit is available again, counted again.
    const released = await call("t-pudong", "POST", `/api/v1/selections/${id}/release`, {
      family: first!.id,
      reason: "家庭现场放弃",
    })
    expect(released.status).toBe(200)
    expect((await unitOf(unit)).status).toBe("available")
    expect(await availableOneRoom(round.projectId)).toBe(before.counted)
    const log = ((await released.json()) as { log: Array<{ action: string; actor: string }> }).log
    expect(log.map((l) => `${l.action}:${l.actor}`)).toEqual([
      "check-in:op-1",
      "preselect:op-1",
      "choose:op-1",
      "release:pudong-1",
    ])
  })

  it("concurrent POST choose of one unit: one 200, one 409, the unit let once", async () => {
    const id = status.sessionId
    const [, second] = familiesOf(status, round.strata.oneRoom)
    const unit = status.units.filter((u) => u.stratum === round.strata.oneRoom)[2]!.id
    expect(
      (await call("t-operator", "POST", `/api/v1/selections/${id}/check-in`, { barcode: second!.barcode }))
        .status,
    ).toBe(200)
    const v0 = (await unitOf(unit)).version
    const answers = await Promise.all([
      call("t-operator", "POST", `/api/v1/selections/${id}/choose`, { family: second!.id, unit }),
      call("t-pudong", "POST", `/api/v1/selections/${id}/choose`, { family: second!.id, unit }),
    ])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409])
    const refused = (await answers.find((r) => r.status === 409)!.json()) as { rule: string }
    expect(["R54.once", "R54.unit-taken", "R54.unit-changed"]).toContain(refused.rule)
    expect(await unitOf(unit)).toMatchObject({ status: "let", version: v0 + 1 })
  })

  it("concurrent POST choose of two units by one family: one 200, one 409, one unit let", async () => {
    const id = status.sessionId
    const [first] = familiesOf(status, round.strata.twoRoom)
    const [u1, u2] = status.units.filter((u) => u.stratum === round.strata.twoRoom)
    expect(
      (await call("t-operator", "POST", `/api/v1/selections/${id}/check-in`, { barcode: first!.barcode }))
        .status,
    ).toBe(200)
    const answers = await Promise.all([
      call("t-operator", "POST", `/api/v1/selections/${id}/choose`, { family: first!.id, unit: u1!.id }),
      call("t-operator", "POST", `/api/v1/selections/${id}/choose`, { family: first!.id, unit: u2!.id }),
    ])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409])
    const statuses = [(await unitOf(u1!.id)).status, (await unitOf(u2!.id)).status].sort()
    expect(statuses).toEqual(["available", "let"])
    // The next family of the stratum may not be skipped out of turn; the current one may.
    const [, next, third] = familiesOf(status, round.strata.twoRoom)
    const outOfTurn = await call("t-operator", "POST", `/api/v1/selections/${id}/skip`, {
      family: third!.id,
      reason: "absent",
    })
    expect(outOfTurn.status).toBe(409)
    expect(await outOfTurn.json()).toMatchObject({ field: "family", rule: "R54.order" })
    const skipped = await call("t-operator", "POST", `/api/v1/selections/${id}/skip`, {
      family: next!.id,
      reason: "未到场",
    })
    expect(skipped.status).toBe(200)
    const live = (await (await call("t-city", "GET", `/api/v1/selections/${id}`)).json()) as Status
    expect(live.strata.find((s) => s.stratum === round.strata.twoRoom)).toMatchObject({
      current: third!.id,
      chosen: 1,
      unitsLeft: 2,
    })
  })
})
