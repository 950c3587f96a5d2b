/**
 * Dead-letter on PostgreSQL (issue 12, fault tests): an outbox event whose handler always fails goes through
 * the real relay delivery (`relay.deliver`, 10 attempts, backoff 1 s doubling to 10 min) on the embedded
 * queue; the worker loop retries it with growing backoff (the clock is moved past each wait, not waited for),
 * dead-letters it after the tenth attempt and logs `job.dead`; the real `anju worker status --json` process
 * then shows it as dead for `relay.deliver`. Private schema on DATABASE_URL, dropped at the end.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { Clock, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import type { OutboxHandler } from "../../application/jobs/OutboxRelay.js"
import { RELAY_KIND } from "../../application/jobs/OutboxRelay.js"
import { type JobHandler, workerHandlers } from "../../application/jobs/WorkerJobs.js"
import { JobQueue } from "../../application/ports/JobQueue.js"
import * as PgDatabase from "../../adapters/postgres/PgDatabase.js"
import * as PgJobQueue from "../../adapters/postgres/PgJobQueue.js"
import { queryOnce, ROOT } from "./FaultRig.js"
import { makeWorker } from "./Worker.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const SCHEMA = PgDatabase.privateSchemaName("anju_dead")
afterAll(async () => {
  await queryOnce(URL, `drop schema if exists ${SCHEMA} cascade`).catch(() => {})
})

const statusJson = () =>
  new Promise<{ code: number | null; stdout: string }>((done) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "hosts", "cli", "bin.ts"),
        "worker",
        "status",
        "--json",
        "--database-url",
        URL,
        "--db-schema",
        SCHEMA,
      ],
      { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" } },
    )
    let stdout = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.on("exit", (code) => done({ code, stdout }))
  })

describe("a job that always fails, on PostgreSQL", () => {
  it("is retried with backoff, dead-lettered after its 10th attempt, and `anju worker status --json` shows it dead", async () => {
    let offset = 0
    const now = () => Date.parse("2026-03-02T00:00:00Z") + offset
    const clock: Clock.Clock = {
      currentTimeMillisUnsafe: now,
      currentTimeMillis: Effect.sync(now),
      currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
      currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
      monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
      monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
      sleep: () => Effect.void,
    }
    const runtime = ManagedRuntime.make(
      PgJobQueue.layer.pipe(
        Layer.provide(PgDatabase.layer({ url: URL, schema: SCHEMA })),
        Layer.merge(Layer.succeed(Clock.Clock, clock)),
      ),
    )
    const broken: OutboxHandler = {
      name: "test.gateway-down",
      types: ["CaseAdmitted"],
      handle: () => Effect.fail(new Error("the SMS gateway is down")),
    }
    const deliver = workerHandlers([broken]).find(
      (h) => h.definition.kind === RELAY_KIND,
    ) as JobHandler<never>
    const logs: Array<Record<string, unknown>> = []
    const worker = makeWorker<never>({
      runFork: (e) => runtime.runFork(e),
      handlers: [deliver],
      schedules: [],
      concurrency: 1,
      log: (l) => logs.push(l),
      now,
    })
    await worker.setup()
    const event = { id: "DL-1:1:0", caseId: "DL-1", at: 0, type: "CaseAdmitted", payload: {} }
    await runtime.runPromise(
      Effect.flatMap(Effect.service(JobQueue), (q) =>
        q.enqueue({
          kind: RELAY_KIND,
          key: `${broken.name}:${event.id}`,
          payload: { handler: broken.name, event },
        }),
      ),
    )
    for (let i = 0; i < 10; i++) {
      await worker.drain()
      offset += 11 * 60_000 // past the longest backoff (10 min)
    }
    await runtime.dispose()
    // Nine retries with backoff 1 s, 2 s, 4 s … capped at 10 min; the tenth attempt dead-letters.
    expect(logs.filter((l) => l["msg"] === "job.retry").map((l) => l["attempt"])).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ])
    const retryAt = logs
      .filter((l) => l["msg"] === "job.retry")
      .map((l) => Date.parse(String(l["retryAt"])) - Date.parse(String(l["at"])))
    expect(retryAt).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256].map((s) => Math.min(s * 1000, 600_000)))
    expect(logs.find((l) => l["msg"] === "job.dead")).toMatchObject({
      kind: RELAY_KIND,
      attempt: 10,
      maxAttempts: 10,
      level: "error",
    })
    expect(String(logs.find((l) => l["msg"] === "job.dead")?.["error"])).toContain("the SMS gateway is down")

    const status = await statusJson()
    expect(status.code).toBe(0)
    const rows = (JSON.parse(status.stdout) as { kinds: Array<Record<string, unknown>> }).kinds
    expect(rows.find((r) => r["kind"] === RELAY_KIND)).toEqual({
      kind: RELAY_KIND,
      pending: 0,
      running: 0,
      done: 0,
      failed: 0,
      dead: 1,
      nextRun: null,
    })
  }, 60_000)
})
