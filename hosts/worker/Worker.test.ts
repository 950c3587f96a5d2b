/**
 * The worker host (issue 12): `anju worker --help` and `anju worker status --json` (valid JSON with the
 * keys); the loop's catch-up (three missed runs → one run, `coalesced: 2` in the log); on a PGlite folder
 * seeded with the demo and a case driven to admission, the real `anju worker --once` process relays the
 * admission notice (exactly one notice, also after a second run) and exits 0; and SIGTERM to a real worker
 * process in the middle of a batch releases its claimed jobs (nothing stays running, attempts not counted).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Clock, Duration, Effect, Layer, ManagedRuntime } from "effect"
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import type { Actor } from "../../domain/access/Access.js"
import { auditContextFor, withAuditContext } from "../../application/audit/AuditContext.js"
import { openCaseCommand, runCaseCommand, runVerification } from "../../application/cases/CaseWorkflow.js"
import { auditCheckpointJob, type JobHandler, workerHandlers } from "../../application/jobs/WorkerJobs.js"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { type ClaimedJob, JobQueue } from "../../application/ports/JobQueue.js"
import * as MemoryJobQueue from "../../adapters/memory/MemoryJobQueue.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import { PgDatabase } from "../../adapters/postgres/PgDatabase.js"
import * as PgJobQueue from "../../adapters/postgres/PgJobQueue.js"
import { SIMULATED_NOTICE } from "../../adapters/postgres/PgSimulatedNotifier.js"
import { main } from "../cli/Main.js"
import { seedDemoCases } from "../demo/DemoCases.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { seedDemoUsers } from "../demo/DemoUsers.js"
import { hostLayer } from "../StoreSelection.js"
import * as Sm2Signer from "../../adapters/sm/Sm2Signer.js"
import { DEMO_AUDIT_PRIVATE_KEY, statusRows } from "./main.js"
import { makeWorker } from "./Worker.js"
import { SLOW_KIND, slowHandler } from "./SlowJobWorker.js"

const ROOT = resolve(import.meta.dirname, "..", "..")
const dirs: Array<string> = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "anju-worker-"))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const io = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  return {
    out,
    err,
    io: {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      readFile: async () => new Uint8Array(),
      writeFile: async () => {},
      env: {},
      progress: () => ({ tick: () => {}, stop: () => {} }),
    },
  }
}

/** Runs the real CLI in a child process (`tsx hosts/cli/bin.ts …`), or a given script. */
const spawnAnju = (args: ReadonlyArray<string>, script = join(ROOT, "hosts", "cli", "bin.ts")) => {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"] },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const result = { stdout: "", stderr: "" }
  child.stdout.on("data", (d: Buffer) => (result.stdout += d.toString()))
  child.stderr.on("data", (d: Buffer) => (result.stderr += d.toString()))
  const exited = new Promise<number | null>((done) => child.on("exit", (c) => done(c)))
  return { child, result, exited }
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe("anju worker (CLI)", () => {
  it("--help lists the modes and flags", async () => {
    const t = io()
    expect(await main(["worker", "--help"], t.io)).toBe(0)
    const help = t.out.join("\n")
    for (const s of [
      "--once",
      "--queue embedded|bullmq",
      "--concurrency",
      "--metrics-port",
      "status",
      "--json",
    ])
      expect(help).toContain(s)
  })

  it("status --json is valid JSON with pending, running, done, failed, dead and next run per kind", async () => {
    const t = io()
    expect(await main(["worker", "status", "--json", "--memory"], t.io)).toBe(0)
    const status = JSON.parse(t.out.join("\n")) as { kinds: Array<Record<string, unknown>> }
    expect(status.kinds.map((k) => k["kind"])).toEqual([
      "audit.checkpoint",
      "cases.tick",
      "queue.windows",
      "relay.deliver",
      "relay.pump",
      "subsidy.monthly",
      "supervision.rechecks",
    ])
    for (const k of status.kinds)
      expect(Object.keys(k).sort()).toEqual([
        "dead",
        "done",
        "failed",
        "kind",
        "nextRun",
        "pending",
        "running",
      ])
  }, 60_000)

  it("refuses a bad --concurrency naming the flag (exit 2)", async () => {
    const t = io()
    expect(await main(["worker", "--concurrency", "0", "--memory"], t.io)).toBe(2)
    expect(t.err.join("\n")).toMatch(/--concurrency must be 1–64/u)
  })
})

describe("the worker loop", () => {
  it("a schedule missed three times runs once and says it stands for the missed runs", async () => {
    let offset = 0
    const now = () => Date.parse("2026-03-02T00:00:30Z") + offset
    const clock: Clock.Clock = {
      currentTimeMillisUnsafe: now,
      currentTimeMillis: Effect.sync(now),
      currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
      currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
      monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
      monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
      sleep: (d) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, Duration.toMillis(d)))),
    }
    const runtime = ManagedRuntime.make(Layer.merge(MemoryJobQueue.layer, Layer.succeed(Clock.Clock, clock)))
    let runs = 0
    const daily: JobHandler<never> = {
      definition: { kind: "test.daily", maxAttempts: 2, backoff: { baseMs: 10, maxMs: 10 }, leaseMs: 60_000 },
      run: () =>
        Effect.sync(() => {
          runs += 1
          return { status: "done" as const, detail: "ran" }
        }),
    }
    const logs: Array<Record<string, unknown>> = []
    const worker = makeWorker<never>({
      runFork: (e) => runtime.runFork(e),
      handlers: [daily],
      schedules: [
        {
          id: "daily",
          kind: "test.daily",
          every: { _tag: "Cron", expression: "5 0 * * *" },
          rules: ["R58"],
          description: "",
        },
      ],
      concurrency: 2,
      log: (l) => logs.push(l),
      now,
    })
    await worker.setup()
    expect(await worker.drain()).toMatchObject({ done: 0 })
    offset = 3 * 86_400_000 + 3_600_000 // three 00:05 Shanghai due times passed (UTC 16:05 on three days)
    const summary = await worker.drain()
    expect(runs).toBe(1)
    expect(summary).toMatchObject({ done: 1, coalesced: 2 })
    const line = logs.find((l) => l["msg"] === "job.done")
    expect(line).toMatchObject({ kind: "test.daily", attempt: 1, coalesced: 2, scheduleId: "daily" })
    expect(String(line?.["note"])).toMatch(/3 missed due times/u)
    expect(await worker.drain()).toMatchObject({ done: 1 })
    expect(runs).toBe(1)
    await runtime.dispose()
  })
})

describe("a job that always fails", () => {
  it("is retried with backoff, then dead-lettered, logged and counted dead in status", async () => {
    let offset = 0
    const now = () => Date.parse("2026-03-02T00:00:00Z") + offset
    const clock: Clock.Clock = {
      currentTimeMillisUnsafe: now,
      currentTimeMillis: Effect.sync(now),
      currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
      currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
      monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
      monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
      sleep: (d) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, Duration.toMillis(d)))),
    }
    const runtime = ManagedRuntime.make(Layer.merge(MemoryJobQueue.layer, Layer.succeed(Clock.Clock, clock)))
    const failing: JobHandler<never> = {
      definition: {
        kind: "test.fails",
        maxAttempts: 3,
        backoff: { baseMs: 1_000, maxMs: 1_000 },
        leaseMs: 60_000,
      },
      run: () => Effect.fail(new Error("the agency is down")),
    }
    const logs: Array<Record<string, unknown>> = []
    const worker = makeWorker<never>({
      runFork: (e) => runtime.runFork(e),
      handlers: [failing],
      schedules: [],
      concurrency: 1,
      log: (l) => logs.push(l),
      now,
    })
    await worker.setup()
    await runtime.runPromise(
      Effect.flatMap(Effect.service(JobQueue), (q) =>
        q.enqueue({ kind: "test.fails", key: "k", payload: {} }),
      ),
    )
    for (let i = 0; i < 3; i++) {
      await worker.drain()
      offset += 2_000 // past the backoff
    }
    expect(logs.filter((l) => l["msg"] === "job.retry").map((l) => l["attempt"])).toEqual([1, 2])
    expect(logs.find((l) => l["msg"] === "job.dead")).toMatchObject({
      attempt: 3,
      error: "the agency is down",
      level: "error",
    })
    const counts = await runtime.runPromise(Effect.flatMap(Effect.service(JobQueue), (q) => q.counts))
    expect(statusRows(counts)).toEqual([
      { kind: "test.fails", pending: 0, running: 0, done: 0, failed: 0, dead: 1, nextRun: null },
    ])
    await runtime.dispose()
  })
})

describe("anju serve runs the worker in its process (real process)", () => {
  it("relays on the host's database, shows job metrics, and stops cleanly on SIGTERM; --no-worker does not", async () => {
    for (const noWorker of [false, true]) {
      const serve = spawnAnju([
        "serve",
        "--demo",
        "--memory",
        "--port",
        "0",
        ...(noWorker ? ["--no-worker"] : []),
      ])
      let url: string | undefined
      for (let i = 0; i < 1200 && url === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100))
        url = /Anju is serving (http:\/\/\S+)/u.exec(serve.result.stdout)?.[1]
      }
      expect(url).toBeDefined()
      let text = ""
      for (let i = 0; i < 100 && !text.includes('anju_jobs_total{kind="relay.pump"') && !noWorker; i++) {
        await new Promise((r) => setTimeout(r, 100))
        text = await (
          await fetch(`${url}/metrics`, { headers: { authorization: "Bearer demo-city-officer" } })
        ).text()
      }
      if (noWorker) {
        text = await (
          await fetch(`${url}/metrics`, { headers: { authorization: "Bearer demo-city-officer" } })
        ).text()
        expect(text).not.toContain("anju_jobs_total{")
        expect(text).not.toContain("anju_queue_jobs{")
      } else {
        // The start-up pump read the demo case's outbox on the host's own (in-memory) database.
        expect(text).toContain('anju_jobs_total{kind="relay.pump",outcome="done"}')
        expect(text).toContain('anju_queue_jobs{kind="relay.pump",state="done"}')
        expect(serve.result.stdout).toContain("worker:      in-process")
      }
      serve.child.kill("SIGTERM")
      expect({ code: await serve.exited, stderr: serve.result.stderr.slice(-1000) }).toMatchObject({
        code: 0,
      })
      expect(serve.result.stdout).toContain("Anju stopped")
    }
  }, 240_000)
})

/** The system clock shifted by `offset` ms (the notice periods of R69 last days). */
const shifted = () => {
  let offset = 0
  const now = () => Date.now() + offset
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: now,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
    monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
    sleep: (d) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, Duration.toMillis(d)))),
  }
  return { clock, advanceDays: (n: number) => (offset += n * 86_400_000) }
}

const PUDONG: Actor = { role: "district", id: "demo-pudong-officer", district: "310115" }
const CITY: Actor = { role: "city", id: "demo-city-officer" }

/** Drives a 公租 case from offline intake to admission (R72), shifting the clock past the notice periods. */
const admitCase = (time: ReturnType<typeof shifted>) =>
  Effect.gen(function* () {
    yield* openCaseCommand(
      PUDONG,
      {
        id: "WK-1",
        kind: "gongzu",
        channel: "offline",
        district: "310115",
        projectId: "DEMO-PD-001",
        members: [{ role: "applicant", name: "李四", idNumber: "11010519491231002X", phone: "13900139000" }],
        requiredMaterials: ["id_card"],
        receivedMaterials: ["id_card"],
      },
      "wk-open",
    )
    let n = 0
    const cmd = (actor: Actor, command: Record<string, unknown>) =>
      runCaseCommand(actor, "WK-1", command as never, `wk-${++n}`)
    yield* cmd(PUDONG, { type: "submitDraft" })
    yield* cmd(PUDONG, { type: "accept" })
    yield* runVerification(PUDONG, "WK-1", {}, "wk-verify")
    yield* cmd(PUDONG, { type: "completeVerification" })
    yield* cmd(PUDONG, { type: "approveFirstReview", location: "浦东新区花木街道公示栏" })
    time.advanceDays(8)
    yield* cmd(PUDONG, { type: "concludeFirstNotice", objection: false })
    yield* cmd(CITY, { type: "approveSecondReview", location: "上海市住房保障网" })
    time.advanceDays(8)
    yield* cmd(CITY, { type: "concludeOnlineNotice", objection: false })
    const admitted = yield* cmd(PUDONG, { type: "admit", certificateNumber: "GZ-WK-000001" })
    expect(admitted.state).toBe("admitted")
  }).pipe(withAuditContext(auditContextFor(PUDONG, { purpose: "test: drive a case to admission" })))

/** Seeds the demo into a PGlite folder and drives a 公租 case to admission, then closes the folder. */
const seedAdmittedCase = async (dataDir: string | null) => {
  const time = shifted()
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      hostLayer({ kind: "pglite", dataDir }, { demo: true }),
      Layer.succeed(Clock.Clock, time.clock),
    ),
  )
  try {
    await runtime.runPromise(
      Effect.gen(function* () {
        yield* seedDemoEstate
        yield* seedDemoCases
        yield* seedDemoUsers
        yield* admitCase(time)
      }),
    )
  } finally {
    await runtime.dispose()
  }
}

describe("cases.tick (R77: certificate expiry) and audit.checkpoint on PGlite", () => {
  it("closes the expired case once; a rerun of the same job and a later run change nothing; the checkpoint is skipped without a key", async () => {
    const time = shifted()
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(
        hostLayer({ kind: "pglite", dataDir: null }, { demo: true }),
        Layer.succeed(Clock.Clock, time.clock),
      ),
    )
    try {
      const tick = workerHandlers([])[2]
      expect(tick.definition.kind).toBe("cases.tick")
      const job = (key: string): ClaimedJob => ({
        id: "1",
        kind: "cases.tick",
        key,
        payload: {},
        attempt: 1,
        maxAttempts: 5,
        lease: "l",
        leaseUntil: 0,
        schedule: null,
      })
      const stateOf = Effect.gen(function* () {
        const store = yield* CaseStore
        const c = yield* store.get("WK-1" as never)
        return c._tag === "Some" ? { state: c.value.state, version: c.value.version } : null
      })
      await runtime.runPromise(Effect.andThen(seedDemoEstate, admitCase(time)))
      const early = await runtime.runPromise(tick.run(job("cases.tick@early")))
      expect(early.counts).toEqual({ seen: 1, changed: 0 })
      time.advanceDays(2 * 366 + 2) // past the 2-year 公租 validity (R72)
      const first = await runtime.runPromise(tick.run(job("cases.tick@1")))
      expect(first.counts).toEqual({ seen: 1, changed: 1 })
      const closed = await runtime.runPromise(stateOf)
      expect(closed?.state).toBe("expired")
      const again = await runtime.runPromise(tick.run(job("cases.tick@1")))
      const later = await runtime.runPromise(tick.run(job("cases.tick@2")))
      expect([again.counts, later.counts]).toEqual([
        { seen: 0, changed: 0 },
        { seen: 0, changed: 0 },
      ])
      expect(await runtime.runPromise(stateOf)).toEqual(closed)

      // audit.checkpoint: skipped without a key (naming it); with the demo key it seals the head once.
      const unsigned = await runtime.runPromise(auditCheckpointJob())
      expect(unsigned).toMatchObject({ status: "skipped" })
      expect(unsigned.detail).toContain("ANJU_SM2_PRIVATE_KEY")
      const signer = Sm2Signer.layer({ privateKey: DEMO_AUDIT_PRIVATE_KEY })
      const signed = await runtime.runPromise(auditCheckpointJob().pipe(Effect.provide(signer)))
      expect(signed).toMatchObject({
        status: "done",
        detail: expect.stringMatching(/^signed records 1–\d+$/u),
      })
      const twice = await runtime.runPromise(auditCheckpointJob().pipe(Effect.provide(signer)))
      expect(twice.detail).toMatch(/nothing to sign/u)
    } finally {
      await runtime.dispose()
    }
  }, 120_000)
})

/** Reads the folder's queue and simulated notices in-process (the worker process has exited). */
const inspect = async (dataDir: string, kinds: ReadonlyArray<JobHandler<never>["definition"]> = []) => {
  const runtime = ManagedRuntime.make(
    PgJobQueue.layer.pipe(Layer.provideMerge(PgliteDatabase.layer({ dataDir }))),
  )
  try {
    return await runtime.runPromise(
      Effect.gen(function* () {
        const database = yield* PgDatabase
        const q = yield* JobQueue
        const { allHandlers } = yield* Effect.promise(() => import("./main.js"))
        yield* q.define([...allHandlers().map((h) => h.definition), ...kinds])
        const notices = yield* Effect.promise(() =>
          sql<{
            event_id: string
          }>`select event_id from ${sql.table(`${database.schema}.job_effects`)} where handler = ${SIMULATED_NOTICE} order by event_id`.execute(
            database.db,
          ),
        )
        const counts = yield* q.counts
        const claimed =
          kinds.length === 0 ? [] : yield* q.claim({ kinds: kinds.map((k) => k.kind), limit: 10 })
        return { notices: notices.rows.map((r) => r.event_id), counts, claimed }
      }),
    )
  } finally {
    await runtime.dispose()
  }
}

describe("anju worker --once on a PGlite folder seeded with the demo (real process)", () => {
  it("relays the case admission notice exactly once and exits 0", async () => {
    const dataDir = tempDir()
    await seedAdmittedCase(dataDir)

    const first = spawnAnju(["worker", "--once", "--demo", "--data-dir", dataDir])
    expect({ code: await first.exited, stderr: first.result.stderr.slice(-2000) }).toMatchObject({ code: 0 })
    const lines = jsonLines(first.result.stderr)
    // R73: the admission notice, through the relay, to the durable simulator.
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "notice.simulated", template: "case.admitted", caseId: "WK-1" }),
    )
    const delivered = lines.filter((l) => l["msg"] === "job.done" && l["kind"] === "relay.deliver")
    expect(delivered.length).toBeGreaterThanOrEqual(1)
    for (const l of delivered)
      expect(l).toEqual(
        expect.objectContaining({ jobId: expect.any(String), attempt: 1, durationMs: expect.any(Number) }),
      )
    expect(lines.at(-1)).toMatchObject({ msg: "worker.stopped", dead: 0 })

    // A second run finds nothing new: the notice is not sent twice.
    const second = spawnAnju(["worker", "--once", "--demo", "--data-dir", dataDir])
    expect(await second.exited).toBe(0)
    expect(jsonLines(second.result.stderr).filter((l) => l["msg"] === "notice.simulated")).toEqual([])

    const after = await inspect(dataDir)
    const admission = after.notices.filter((id) => id.startsWith("notice.applicant:WK-1:"))
    expect(admission).toHaveLength(1)
    const deliver = after.counts.find((c) => c.kind === "relay.deliver")
    expect(deliver).toMatchObject({ running: 0, failed: 0, dead: 0 })
    expect(deliver?.done).toBeGreaterThanOrEqual(1)
  }, 240_000)
})

describe("SIGTERM during a batch (real process)", () => {
  it("releases the claimed jobs: none stays running, attempts are not counted, exit 0", async () => {
    const dataDir = tempDir()
    // Three slow jobs waiting before the worker starts.
    const seed = ManagedRuntime.make(PgJobQueue.layer.pipe(Layer.provide(PgliteDatabase.layer({ dataDir }))))
    await seed.runPromise(
      Effect.gen(function* () {
        const q = yield* JobQueue
        yield* q.define([slowHandler.definition])
        for (const key of ["a", "b", "c"]) yield* q.enqueue({ kind: SLOW_KIND, key, payload: {} })
      }),
    )
    await seed.dispose()

    const w = spawnAnju([dataDir], join(ROOT, "hosts", "worker", "SlowJobWorker.ts"))
    const started = () =>
      jsonLines(w.result.stderr).filter((l) => l["msg"] === "job.started" && l["kind"] === SLOW_KIND).length
    for (let i = 0; i < 600 && started() < 2; i++) await new Promise((r) => setTimeout(r, 100))
    expect(started()).toBe(2)
    w.child.kill("SIGTERM")
    expect({ code: await w.exited, stderr: w.result.stderr.slice(-1500) }).toMatchObject({ code: 0 })
    const lines = jsonLines(w.result.stderr)
    expect(lines.filter((l) => l["msg"] === "job.released" && l["kind"] === SLOW_KIND)).toHaveLength(2)
    expect(lines.filter((l) => l["msg"] === "job.done" && l["kind"] === SLOW_KIND)).toHaveLength(0)

    const after = await inspect(dataDir, [slowHandler.definition])
    expect(after.counts.find((c) => c.kind === SLOW_KIND)).toMatchObject({
      pending: 3,
      running: 0,
      done: 0,
      dead: 0,
    })
    // The released jobs come back as first attempts.
    expect(after.claimed.map((j) => j.attempt)).toEqual([1, 1, 1])
  }, 240_000)
})
