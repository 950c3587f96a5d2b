/**
 * The queue routes over memory stores, with the actor set as the guard would set it: an applicant sees only
 * their own place (another family's case answers exactly like a missing one), officers within their scope,
 * the 保租 offer and window steps answer typed 4xx naming the rule (R43/R44), bad bodies a 400 naming the
 * field. The guard itself (401/403 per permission) is walked by RouteWalk.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Hono } from "hono"
import { layer as memoryCaseStore } from "../../adapters/memory/MemoryCaseStore.js"
import { layer as memoryQueueStore } from "../../adapters/memory/MemoryQueueStore.js"
import { seedQueuedBaozuCase } from "../../contracts-tests/QueueFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import { registerQueueRoutes } from "./QueueRoutes.js"

const ACTORS: Record<string, Actor> = {
  A: { role: "applicant", id: "a-A", idIndex: "idx-A" },
  B: { role: "applicant", id: "a-B", idIndex: "idx-B" },
  op: { role: "operator", id: "op-1", projectIds: ["P1"] },
  op2: { role: "operator", id: "op-2", projectIds: ["P2"] },
  pudong: { role: "district", id: "d-1", district: "310115" },
  xuhui: { role: "district", id: "d-2", district: "310104" },
}

const runtime = ManagedRuntime.make(Layer.mergeAll(memoryCaseStore, memoryQueueStore))
const app = new Hono()
app.use("*", async (c, next) => {
  c.set("anju.actor" as never, ACTORS[c.req.header("x-test-actor") ?? ""] as never)
  await next()
})
registerQueueRoutes(app, { run: (e) => runtime.runPromiseExit(e) })

const call = (actor: string, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: { "x-test-actor": actor, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

beforeAll(async () => {
  await runtime.runPromise(
    Effect.gen(function* () {
      for (const [i, id] of ["A", "B", "C"].entries())
        yield* seedQueuedBaozuCase(id, Date.now() - 3_600_000 + i * 60_000)
    }),
  )
})
afterAll(() => runtime.dispose())

describe("queue routes", () => {
  it("an applicant sees only their own place; another family's case answers like a missing one", async () => {
    const own = await call("B", "GET", "/api/v1/queue-places")
    expect(own.status).toBe(200)
    const body = (await own.json()) as { items: Array<Record<string, unknown>> }
    expect(body.items).toHaveLength(1)
    expect(body.items[0]).toMatchObject({
      caseId: "B",
      position: 2,
      of: 3,
      status: "waiting",
      queueId: "project:P1",
    })
    expect((body.items[0]!["reasons"] as Array<string>)[0]).toContain("builtin:baozu")
    const other = await call("B", "GET", "/api/v1/queue-places?caseId=A")
    const missing = await call("B", "GET", "/api/v1/queue-places?caseId=NOPE")
    expect(other.status).toBe(404)
    expect(missing.status).toBe(404)
    expect(await other.json()).toEqual(await missing.json())
  })

  it("officers see places and rankings within their district or projects only", async () => {
    expect((await call("pudong", "GET", "/api/v1/queue-places?caseId=A")).status).toBe(200)
    expect((await call("xuhui", "GET", "/api/v1/queue-places?caseId=A")).status).toBe(404)
    expect((await call("op2", "GET", "/api/v1/queue-places?caseId=A")).status).toBe(404)
    const ranked = (await (await call("op", "GET", "/api/v1/queues/project:P1")).json()) as {
      items: Array<{ caseId: string; position: number }>
    }
    expect(ranked.items.map((i) => [i.caseId, i.position])).toEqual([
      ["A", 1],
      ["B", 2],
      ["C", 3],
    ])
    const outside = await call("op2", "GET", "/api/v1/queues/project:P1")
    const unknown = await call("op", "GET", "/api/v1/queues/project:NOPE")
    expect(outside.status).toBe(404)
    expect(await outside.json()).toEqual(await unknown.json())
    expect((await call("A", "GET", "/api/v1/queues/project:P1")).status).toBe(404)
  })

  it("offer and window steps: the head family is offered with a 24-h deadline and only it may open its form", async () => {
    const bad = await call("op", "POST", "/api/v1/queues/project:P1/offers", { pool: "" })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(await bad.json())).toContain("pool")
    expect((await call("op2", "POST", "/api/v1/queues/project:P1/offers", { pool: "P1/any" })).status).toBe(
      404,
    )
    const offered = await call("op", "POST", "/api/v1/queues/project:P1/offers", { pool: "P1/any" })
    expect(offered.status).toBe(200)
    const e = (await offered.json()) as { caseId: string; status: string; deadline: string }
    expect(e).toMatchObject({ caseId: "A", status: "offered" })
    const hours = (Date.parse(e.deadline) - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23.9)
    expect(hours).toBeLessThanOrEqual(24)
    expect((await call("B", "POST", "/api/v1/queues/project:P1/entries/A/open-form")).status).toBe(404)
    const opened = await call("A", "POST", "/api/v1/queues/project:P1/entries/A/open-form")
    expect(opened.status).toBe(200)
    expect(await opened.json()).toMatchObject({ status: "applying" })
    const again = await call("A", "POST", "/api/v1/queues/project:P1/entries/A/open-form")
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ rule: "queue.not-allowed" })
    const unknown = await call("op", "POST", "/api/v1/queues/project:P9/offers", { pool: "P9/any" })
    expect(unknown.status).toBe(404)
    const none = await call("op", "POST", "/api/v1/queues/project:P1/offers", { pool: "P1/2-1" })
    expect(none.status).toBe(409)
    expect(await none.json()).toMatchObject({ rule: "queue.no-waiting-family" })
  })
})
