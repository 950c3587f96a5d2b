/**
 * The fund registry routes through the whole app (guard, OpenAPI, JSON) on one in-memory PGlite database
 * (the PostgreSQL registry and ledger, same SQL and migrations): district staff create an area, building,
 * entrance and households (M13, owners sealed), stock and issue bills, notice the determined amount (M34/
 * M35), take a deposit with a bill (M29/M31, A1) and query the household's account; the owner sees it,
 * another owner and another district see nothing of it; a bill used twice, an unbalanced split and a bad
 * area are typed 422s naming field and rule (M42, M15, M13); the bill ledger reconciles with the deposits.
 */
import { readFile } from "node:fs/promises"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgFundRegistry from "../../adapters/postgres/PgFundRegistry.js"
import * as PgLedger from "../../adapters/postgres/PgLedger.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import type { Actor } from "../../domain/access/Access.js"
import { makeApp } from "./App.js"

const TOKENS: Record<string, Actor> = {
  staff: {
    role: "district",
    id: "pudong-fund-1",
    district: "310115",
    permissions: ["fund.read", "fund.write"],
  },
  xuhui: {
    role: "district",
    id: "xuhui-fund-1",
    district: "310104",
    permissions: ["fund.read", "fund.write"],
  },
  owner1: { role: "household", id: "owner-1", householdIds: ["H-1"] },
  owner2: { role: "household", id: "owner-2", householdIds: ["H-2"] },
  committee: { role: "propertyArea", id: "committee-1", areaIds: ["A-1"] },
}
const verifier = Layer.succeed(ActorVerifier, {
  verify: (c) => {
    const a = c._tag === "Bearer" ? TOKENS[c.token] : undefined
    return a === undefined
      ? Effect.fail(new ActorVerifierError({ reason: { _tag: "Unauthenticated" } }))
      : Effect.succeed(a)
  },
})
const policy = [
  { name: "fund.yaml", text: await readFile(new URL("../../policy/fund.yaml", import.meta.url), "utf8") },
]
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Layer.mergeAll(PgStockStore.layer, PgFundRegistry.layer, PgLedger.layer).pipe(
      Layer.provide(PgliteDatabase.layer({})),
    ),
    SeededSecureRandom.layer(1),
    MemoryPolicySource.layer(policy),
    MemoryFieldCipher.layer(),
    verifier,
  ),
)
afterAll(() => runtime.dispose())
const app = makeApp({
  run: (e) => runtime.runPromiseExit(e),
  publicBaseUrl: "https://fang.example.gov.cn",
  ready: async () => true,
  fundRegistry: { run: (e) => runtime.runPromiseExit(e) },
})
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in tests
type Json = any
const call = async (token: string | null, method: string, path: string, body?: unknown) => {
  const res = await app.request(path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as Json, text: "" }
}
const P = "/api/v1/fund"

describe("fund registry over HTTP (PGlite)", () => {
  it("creates the structure, takes a deposit with a bill, shows the account to its owner only", {
    timeout: 240_000,
  }, async () => {
    expect(
      (
        await call("staff", "POST", `${P}/areas`, {
          id: "A-1",
          name: "浦东安居苑",
          district: "310115",
          stage: "custody",
        })
      ).status,
    ).toBe(201)
    expect(
      (
        await call("staff", "POST", `${P}/areas/A-1/buildings`, {
          id: "B-1",
          name: "1幢",
          type: "high-rise",
          hasLift: true,
        })
      ).status,
    ).toBe(201)
    expect(
      (
        await call("staff", "POST", `${P}/areas/A-1/entrances`, {
          id: "E-1",
          buildingId: "B-1",
          name: "1单元",
        })
      ).status,
    ).toBe(201)
    const owner = {
      id: "O-1",
      kind: "person",
      name: "张三",
      idNumber: "310115198001010011",
      phone: "13800000000",
    }
    const h1 = await call("staff", "POST", `${P}/areas/A-1/households`, {
      id: "H-1",
      entranceId: "E-1",
      area: 8_950,
      book: "commodity",
      owners: [owner],
    })
    expect(h1.status).toBe(201)
    expect(JSON.stringify(h1.body)).not.toContain("张三")
    await call("staff", "POST", `${P}/areas/A-1/households`, {
      id: "H-2",
      entranceId: "E-1",
      area: 10_000,
      book: "commodity",
      owners: [{ id: "O-2", kind: "person", name: "李四" }],
    })
    // M13: a bad area names field and rule; another district cannot write here.
    const bad = await call("staff", "POST", `${P}/areas/A-1/households`, {
      id: "H-3",
      entranceId: "E-1",
      area: 0,
      book: "commodity",
      owners: [owner],
    })
    expect([bad.status, bad.body.field, bad.body.rule]).toEqual([422, "household.area", "M13.positive-area"])
    expect(
      (
        await call("xuhui", "POST", `${P}/areas/A-1/buildings`, {
          id: "B-9",
          name: "x",
          type: "multi-storey",
          hasLift: false,
        })
      ).status,
    ).toBe(404)

    // M42: stock-in and issue to the counter clerk.
    const stocked = await call("staff", "POST", `${P}/bills`, {
      batch: "PJ-2026",
      prefix: "PJ",
      first: 1,
      count: 3,
    })
    expect(stocked.body).toEqual(["PJ00000001", "PJ00000002", "PJ00000003"])
    expect(
      (await call("staff", "POST", `${P}/bills/issue`, { numbers: stocked.body, staff: "pudong-fund-1" }))
        .status,
    ).toBe(200)

    // M32/M34/M35: determined amount (high-rise ¥90/m² × 89.50 m² = ¥8,055.00), notice, deposit with a bill.
    const status = await call("staff", "GET", `${P}/households/H-1/deposit-status`)
    expect(status.body).toMatchObject({ due: 805_500, deposited: 0, shortfall: 805_500, settled: false })
    const notices = await call("staff", "POST", `${P}/notices`, {
      id: "N-1",
      households: ["H-1"],
      kind: "first",
    })
    expect(notices.body.map((n: Json) => [n.id, n.amount, n.status])).toEqual([["N-1-H-1", 805_500, "open"]])
    const dep = await call("staff", "POST", `${P}/deposits`, {
      id: "D-1",
      household: "H-1",
      kind: "first",
      billNo: "PJ00000001",
      noticeId: "N-1-H-1",
      date: "2026-03-02",
    })
    expect([dep.status, dep.body.amount, dep.body.billNo]).toEqual([201, 805_500, "PJ00000001"])
    const twice = await call("staff", "POST", `${P}/deposits`, {
      id: "D-2",
      household: "H-2",
      kind: "first",
      amount: 900_000,
      billNo: "PJ00000001",
    })
    expect([twice.status, twice.body.field, twice.body.rule]).toEqual([422, "billNo", "M42.used-once"])

    // The owner's account: balance from the ledger, the deposit with its bill; no personal data.
    const acc = await call("owner1", "GET", `${P}/households/H-1/account`)
    expect(acc.status).toBe(200)
    expect(acc.body.balance).toEqual({ principal: 805_500, income: 0 })
    expect(acc.body.deposits.map((d: Json) => [d.id, d.amount, d.billNo])).toEqual([
      ["D-1", 805_500, "PJ00000001"],
    ])
    expect(acc.body.notices[0].status).toBe("paid")
    expect(JSON.stringify(acc.body)).not.toMatch(/张三|310115198001010011|13800000000/u)
    expect((await call("owner1", "GET", `${P}/households/H-1/deposit-status`)).body.settled).toBe(true)
    // Another owner sees nothing of it (answered like a missing household); their own account is empty.
    for (const path of [
      `${P}/households/H-1/account`,
      `${P}/households/H-1/deposit-status`,
      `${P}/areas/A-1`,
    ])
      expect((await call("owner2", "GET", path)).status).toBe(404)
    expect((await call("owner2", "GET", `${P}/households/H-2/account`)).body.balance).toEqual({
      principal: 0,
      income: 0,
    })
    expect((await call("xuhui", "GET", `${P}/households/H-1/account`)).status).toBe(404)
    expect(
      (
        await call("owner1", "POST", `${P}/deposits`, {
          id: "D-3",
          household: "H-1",
          kind: "continued",
          amount: 1,
        })
      ).status,
    ).toBe(403)
    // The owners' committee of the area reads the structure; it cannot write.
    expect((await call("committee", "GET", `${P}/areas/A-1`)).body.households.map((h: Json) => h.id)).toEqual(
      ["H-1", "H-2"],
    )

    // M15: a split must conserve the area.
    const split = await call("staff", "POST", `${P}/households/H-1/split`, {
      date: "2026-03-03",
      into: [
        { id: "H-1a", area: 4_000 },
        { id: "H-1b", area: 4_000 },
      ],
    })
    expect([split.status, split.body.rule]).toEqual([422, "M15.area-conserved"])

    // M42: the bill ledger reconciles with the deposits; M12: the trail names every write.
    const ledger = await call("staff", "GET", `${P}/bills?batch=PJ-2026`)
    expect(ledger.body.reconciliation).toMatchObject({
      balanced: true,
      billedTotal: 805_500,
      depositedTotal: 805_500,
    })
    const trail = await call("staff", "GET", `${P}/areas/A-1/changes`)
    expect(trail.body.items.map((c: Json) => c.action)).toEqual([
      "area.add",
      "building.add",
      "entrance.add",
      "household.add",
      "household.add",
      "notice.issue",
      "deposit.record",
    ])
    expect(JSON.stringify(trail.body)).not.toContain("张三")
  })

  it("documents the routes in OpenAPI under the fund tag", async () => {
    const doc = (await call(null, "GET", "/openapi.json")).body
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/fund/deposits", "/api/v1/fund/households/{id}/account"]),
    )
    expect(doc.paths["/api/v1/fund/deposits"].post.tags).toEqual(["fund"])
  })
})
