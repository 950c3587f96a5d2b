/**
 * /metrics on the HTTP host (issue 12): guarded by `ops.metrics` by default (401 without a credential, 403
 * without the permission, 200 to the city scope), public when the host says so (ANJU_METRICS=public, and
 * then documented with `security: []`); request counts by route TEMPLATE and status; queue depth per kind
 * and state from the queue source; the job histogram's buckets are cumulative.
 */
import { Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "./http/App.js"
import { bearer } from "./http/TestActors.js"
import { makeTestHost, type TestHost } from "./http/TestHost.js"
import { makeMetrics } from "./Metrics.js"

describe("GET /metrics on the HTTP host", () => {
  let host: TestHost
  beforeAll(async () => {
    host = await makeTestHost("memory")
  })
  afterAll(() => host?.dispose())

  it("needs ops.metrics: 401 without a credential, 403 without the permission, 200 for the city", async () => {
    expect((await host.app.request("/metrics")).status).toBe(401)
    const denied = await host.app.request("/metrics", { headers: bearer("t-nothing") })
    expect(denied.status).toBe(403)
    expect(await denied.json()).toMatchObject({ permission: "ops.metrics" })
    expect((await host.app.request("/metrics", { headers: bearer("t-pudong") })).status).toBe(403)
    await host.app.request("/api/v1/units/U-does-not-exist", { headers: bearer("t-city") })
    const ok = await host.app.request("/metrics", { headers: bearer("t-city") })
    expect(ok.status).toBe(200)
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/u)
    const text = await ok.text()
    expect(text).toContain('anju_http_requests_total{method="GET",route="/metrics",status="401"} 1')
    expect(text).toContain('anju_http_requests_total{method="GET",route="/metrics",status="403"} 2')
    // By route template: the unit id never becomes a label value.
    expect(text).toMatch(
      /anju_http_requests_total\{method="GET",route="\/api\/v1\/units\/\{id\}",status="404"\} 1/u,
    )
    expect(text).not.toContain("U-does-not-exist")
  })
})

describe("ANJU_METRICS=public", () => {
  const registry = makeMetrics()
  registry.setQueueSource(async () => [
    { kind: "relay.deliver", pending: 3, running: 1, done: 10, failed: 0, dead: 2, nextRunAt: null },
  ])
  const app = makeApp({
    run: async () => Exit.die("no use-case runs here") as never,
    publicBaseUrl: "http://anju.test",
    ready: async () => true,
    metrics: { registry, public: true },
  })

  it("answers without a credential, with queue depth per kind and state, and is documented as public", async () => {
    const res = await app.request("/metrics")
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('anju_queue_jobs{kind="relay.deliver",state="pending"} 3')
    expect(text).toContain('anju_queue_jobs{kind="relay.deliver",state="dead"} 2')
    expect(text).toContain("anju_queue_up 1")
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security: unknown }>>
    }
    expect(doc.paths["/metrics"]?.["get"]?.security).toEqual([])
  })

  it("the job duration histogram is cumulative and counts every job", async () => {
    const m = makeMetrics()
    m.observeJob("cases.tick", "done", 3)
    m.observeJob("cases.tick", "retry", 700)
    m.observeJob("cases.tick", "done", 70_000)
    const text = await m.render()
    expect(text).toContain('anju_job_duration_seconds_bucket{kind="cases.tick",le="0.005"} 1')
    expect(text).toContain('anju_job_duration_seconds_bucket{kind="cases.tick",le="1"} 2')
    expect(text).toContain('anju_job_duration_seconds_bucket{kind="cases.tick",le="60"} 2')
    expect(text).toContain('anju_job_duration_seconds_bucket{kind="cases.tick",le="+Inf"} 3')
    expect(text).toContain('anju_jobs_total{kind="cases.tick",outcome="retry"} 1')
  })
})
