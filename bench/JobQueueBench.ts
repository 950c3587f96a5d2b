/**
 * Benchmark of the outbox relay (issue 12): events relayed per second — outbox rows read, one job enqueued
 * per event (idempotent by key), claimed, handled by a no-op handler and completed — through the embedded
 * queue on PostgreSQL and through BullMQ on Redis. Goals: ≥ 2,000 events/s embedded, ≥ 5,000/s BullMQ.
 * The outbox is an in-memory CaseStore stand-in, so the figure is the queue's. Private schema / key prefix,
 * dropped afterwards. Run alone: `npx tsx bench/JobQueueBench.ts` (BENCH_EVENTS, DATABASE_URL, REDIS_URL).
 */
import { loadavg } from "node:os"
import { pathToFileURL } from "node:url"
import { Effect, Layer } from "effect"
import * as BullmqJobQueue from "../adapters/bullmq/BullmqJobQueue.js"
import { layerTest as pgTest } from "../adapters/postgres/PgDatabase.js"
import * as PgJobQueue from "../adapters/postgres/PgJobQueue.js"
import { makeRelay, type OutboxHandler } from "../application/jobs/OutboxRelay.js"
import { CaseStore, type OutboxEvent } from "../application/ports/CaseStore.js"
import type { JobQueue } from "../application/ports/JobQueue.js"
import type { CaseId } from "../domain/cases/Case.js"

type Row = OutboxEvent & { readonly seq: number }

const outbox = (rows: ReadonlyArray<Row>) =>
  Layer.succeed(
    CaseStore,
    new Proxy({} as CaseStore["Service"], {
      get: (_, prop) =>
        prop === "outbox"
          ? (after: number, limit: number) => Effect.sync(() => rows.slice(after, after + limit)) // seq = index + 1
          : () => Effect.die("not used"),
    }),
  )

const relayOnce = async (name: string, queue: Layer.Layer<JobQueue, unknown>, n: number, workers: number) => {
  const rows: Array<Row> = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    id: `B-${i}:1:0`,
    caseId: `B-${i}` as CaseId,
    at: i,
    type: "CaseAdmitted",
    payload: { certificateNumber: `Z-${i}` },
  }))
  const effects = new Set<string>()
  const handler: OutboxHandler = {
    name: "bench",
    types: ["CaseAdmitted"],
    handle: (_e, key) => Effect.sync(() => void effects.add(key)),
  }
  const relay = makeRelay([handler], { batch: 1000 })
  const program = Effect.gen(function* () {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    for (;;) if ((yield* relay.pump()).read < 1000) break
    const t1 = performance.now()
    const c1 = process.cpuUsage(c0)
    yield* Effect.forEach(
      Array.from({ length: workers }, (_, i) => i),
      () =>
        Effect.gen(function* () {
          for (;;) if ((yield* relay.deliverDue(250)).claimed === 0) return
        }),
      { concurrency: "unbounded" },
    )
    const t2 = performance.now()
    const c2 = process.cpuUsage(c0)
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000
    return { pump: t1 - t0, deliver: t2 - t1, cpuPump: cpuMs(c1), cpuDeliver: cpuMs(c2) - cpuMs(c1) }
  })
  const load = loadavg()[0] ?? 0
  const { pump, deliver, cpuPump, cpuDeliver } = await Effect.runPromise(
    Effect.scoped(program.pipe(Effect.provide(Layer.merge(queue, outbox(rows))))) as Effect.Effect<{
      pump: number
      deliver: number
      cpuPump: number
      cpuDeliver: number
    }>,
  )
  const perSec = Math.round(n / ((pump + deliver) / 1000))
  console.log(
    `${name}: ${n} events in ${((pump + deliver) / 1000).toFixed(2)} s = ${perSec} events/s ` +
      `(enqueue ${Math.round(pump)} ms, claim+handle+complete ${Math.round(deliver)} ms, ${workers} workers; ` +
      `effects ${effects.size}; this process's CPU: enqueue ${Math.round(cpuPump)} ms, deliver ${Math.round(cpuDeliver)} ms; ` +
      `load average ${load.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)})`,
  )
  if (effects.size !== n) throw new Error(`${name}: ${effects.size} effects for ${n} events`)
  return perSec
}

export const benchJobQueue = async (options: {
  readonly url: string
  readonly redisUrl: string
  readonly events?: number
  /** `embedded` or `bullmq` runs only that queue (default both; also `BENCH_QUEUE`). */
  readonly queue?: "embedded" | "bullmq"
}) => {
  const n = options.events ?? Number(process.env["BENCH_EVENTS"] ?? 10_000)
  const only = options.queue ?? process.env["BENCH_QUEUE"]
  if (only === undefined || only === "embedded") {
    const embedded = await relayOnce(
      "embedded (PostgreSQL)",
      PgJobQueue.layer.pipe(Layer.provide(pgTest({ url: options.url }))),
      n,
      4,
    )
    console.log(`  goal ≥ 2,000 events/s: ${embedded >= 2000 ? "met" : "NOT met"}`)
  }
  if (only === undefined || only === "bullmq") {
    const bull = await relayOnce("BullMQ (Redis)", BullmqJobQueue.layerTest({ url: options.redisUrl }), n, 4)
    console.log(`  goal ≥ 5,000 events/s: ${bull >= 5000 ? "met" : "NOT met"}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await benchJobQueue({
    url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
  })
