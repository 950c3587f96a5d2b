/**
 * The progress line on long jobs (issue 12, observability): while a job runs, the worker loop writes a
 * `job.progress` JSON line every `progressEveryMs` with the job id, kind, attempt, elapsed time and the
 * done/total the handler last reported through `JobProgress`; a job that ends stops its lines.
 */
import { Effect, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { reportProgress } from "../../application/jobs/JobProgress.js"
import type { JobHandler } from "../../application/jobs/WorkerJobs.js"
import { JobQueue } from "../../application/ports/JobQueue.js"
import * as MemoryJobQueue from "../../adapters/memory/MemoryJobQueue.js"
import { makeWorker } from "./Worker.js"

describe("a long job", () => {
  it("logs job.progress with its id, kind and done/total while it runs, and none after it ends", async () => {
    const runtime = ManagedRuntime.make(MemoryJobQueue.layer)
    const logs: Array<Record<string, unknown>> = []
    let sawProgress: () => void = () => {}
    const progressed = new Promise<void>((r) => (sawProgress = r))
    const long: JobHandler<never> = {
      definition: { kind: "test.long", maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 }, leaseMs: 60_000 },
      run: () =>
        Effect.gen(function* () {
          yield* reportProgress(300, 1_000)
          // Ends only once the worker has said how far it is (no sleep as synchronisation).
          yield* Effect.promise(() => progressed)
          yield* reportProgress(1_000, 1_000)
          return { status: "done" as const, detail: "1,000 items" }
        }),
    }
    const worker = makeWorker<never>({
      runFork: (e) => runtime.runFork(e),
      handlers: [long],
      schedules: [],
      concurrency: 1,
      progressEveryMs: 20,
      log: (l) => {
        logs.push(l)
        if (l["msg"] === "job.progress") sawProgress()
      },
    })
    await worker.setup()
    const { id } = await runtime.runPromise(
      Effect.flatMap(Effect.service(JobQueue), (q) =>
        q.enqueue({ kind: "test.long", key: "k", payload: {} }),
      ),
    )
    await worker.drain()
    const progress = logs.filter((l) => l["msg"] === "job.progress")
    expect(progress[0]).toMatchObject({
      level: "info",
      jobId: id,
      kind: "test.long",
      attempt: 1,
      done: 300,
      total: 1_000,
    })
    expect(typeof progress[0]?.["elapsedMs"]).toBe("number")
    const doneAt = logs.findIndex((l) => l["msg"] === "job.done")
    expect(doneAt).toBeGreaterThan(logs.indexOf(progress[0]!))
    const count = progress.length
    await new Promise((r) => setTimeout(r, 100))
    expect(logs.filter((l) => l["msg"] === "job.progress")).toHaveLength(count)
    await runtime.dispose()
  })
})
