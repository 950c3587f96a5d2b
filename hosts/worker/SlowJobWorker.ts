/**
 * A real worker process for the SIGTERM test (Worker.test.ts): `tsx hosts/worker/SlowJobWorker.ts <data dir>`
 * runs `runWorker` on a PGlite folder with one extra kind, `test.slow`, whose jobs take a minute, a short
 * shutdown grace (300 ms) and debug logs, so SIGTERM lands while jobs are claimed and running. Not shipped
 * behaviour: it only adds a handler; the loop, signals and release are the production ones.
 */
import { Effect } from "effect"
import type { JobHandler } from "../../application/jobs/WorkerJobs.js"
import { runWorker, type WorkerServices } from "./main.js"

export const SLOW_KIND = "test.slow"

export const slowHandler: JobHandler<WorkerServices> = {
  definition: { kind: SLOW_KIND, maxAttempts: 3, backoff: { baseMs: 1_000, maxMs: 1_000 }, leaseMs: 120_000 },
  run: () =>
    Effect.sleep("60 seconds").pipe(Effect.as({ status: "done" as const, detail: "slow job finished" })),
}

const dataDir = process.argv[2]
if (dataDir !== undefined && process.argv[1]?.endsWith("SlowJobWorker.ts"))
  process.exitCode = await runWorker({
    storage: { kind: "pglite", dataDir },
    queue: "embedded",
    concurrency: 2,
    once: false,
    demo: true,
    env: { ...process.env, ANJU_LOG_LEVEL: "debug" },
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    graceMs: 300,
    pollMs: 200,
    extraHandlers: [slowHandler],
  })
