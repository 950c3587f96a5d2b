/**
 * Composition root of the worker host (后台任务进程): plans the configuration like the HTTP host (HostConfig),
 * builds the same stores (the embedded JobQueue lives in the data's own database; `--queue bullmq` puts the
 * jobs on Redis at REDIS_URL), reads the schedules (policy/worker/schedules.yaml) and runs the worker loop
 * until SIGTERM/SIGINT (graceful: running jobs finish or are released) or, with `once`, until nothing is due.
 * `workerStatus` prints per kind pending/running/done/failed/dead/next run. `startInProcessWorker` runs the
 * loop on a runtime someone else owns (the HTTP host's: PGlite is one process, its folder is opened once).
 */
import { readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { join } from "node:path"
import { createHash } from "node:crypto"
import { ConfigProvider, Effect, Exit, Layer, ManagedRuntime, Redacted } from "effect"
import { applicantNotice, allocationHandlers } from "../../application/jobs/OutboxRelay.js"
import { parseScheduleTable, type ScheduleEntry } from "../../application/jobs/ScheduleTable.js"
import { type JobHandler, PUMP_KIND, workerHandlers } from "../../application/jobs/WorkerJobs.js"
import { JobQueue, type KindCounts } from "../../application/ports/JobQueue.js"
import type { Signer } from "../../application/ports/Signer.js"
import { guardWarningsHandler } from "../../application/supervision/GuardWarnings.js"
import * as BullmqJobQueue from "../../adapters/bullmq/BullmqJobQueue.js"
import { shippedPolicyDirectory } from "../../adapters/fs/FsPolicySource.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgDatabase from "../../adapters/postgres/PgDatabase.js"
import * as PgJobQueue from "../../adapters/postgres/PgJobQueue.js"
import * as Sm2Signer from "../../adapters/sm/Sm2Signer.js"
import { type Env, describeConfig, type HostConfig, planHost, refusal } from "../HostConfig.js"
import { CONTENT_TYPE, makeMetrics, type Metrics } from "../Metrics.js"
import { describeStorage, type HostServices, hostLayer, type StorageChoice } from "../StoreSelection.js"
import { type LogLine, makeWorker, type WorkerSummary } from "./Worker.js"

export type QueueChoice = "embedded" | "bullmq"

/** Services the worker's handlers may use: the host's, plus the Signer when a key is configured. */
export type WorkerServices = HostServices | Signer

/** SHA-256("anju/audit/public-demo-key/v1"): a PUBLISHED key, used to seal the audit log only under --demo. */
export const DEMO_AUDIT_PRIVATE_KEY = Redacted.make(
  createHash("sha256").update("anju/audit/public-demo-key/v1").digest("hex"),
)

export const schedulesFile = (): string => join(shippedPolicyDirectory(), "worker", "schedules.yaml")

/** The shipped schedules, checked; throws with every problem when the file is broken. */
export const loadSchedules = (file: string = schedulesFile()): ReadonlyArray<ScheduleEntry> => {
  const parsed = parseScheduleTable(readFileSync(file, "utf8"), file)
  if (parsed._tag === "Invalid") throw new Error(parsed.problems.join("\n"))
  return parsed.schedules
}

/**
 * Every handler of this build (the relay's consumers: the applicant notice, the allocation chain's, and the
 * fairness guard's warnings onto the R24 list).
 */
export const allHandlers = () =>
  workerHandlers<WorkerServices>([applicantNotice, ...allocationHandlers, guardWarningsHandler])

/** JSON log lines on stderr; `debug` lines (job starts, idle ticks) only with ANJU_LOG_LEVEL=debug. */
export const jsonLog =
  (err: (line: string) => void, env: Env) =>
  (line: LogLine): void => {
    if (line["level"] === "debug" && env["ANJU_LOG_LEVEL"] !== "debug") return
    err(JSON.stringify(line))
  }

/** The Signer: the configured ANJU_SM2_PRIVATE_KEY, a published demo key under --demo, else none. */
const signerLayer = (config: HostConfig, env: Env): Layer.Layer<Signer, Error> | undefined => {
  const key = config.settings[Sm2Signer.CONFIG.privateKey] ?? env[Sm2Signer.CONFIG.privateKey]
  if (key !== undefined && key !== "")
    return Sm2Signer.layerConfig.pipe(
      Layer.provide(
        ConfigProvider.layer(
          ConfigProvider.fromEnvRecord({ ...env, ...config.settings } as Record<string, string>),
        ),
      ),
    )
  if (config.demo) return Sm2Signer.layer({ privateKey: DEMO_AUDIT_PRIVATE_KEY })
  return undefined
}

const queueLayer = (
  queue: QueueChoice,
  env: Env,
  log?: (line: LogLine) => void,
): Layer.Layer<JobQueue, Error> | undefined => {
  if (queue === "embedded") return undefined
  const url = env["REDIS_URL"]
  if (url === undefined || url === "") throw new Error("--queue bullmq needs REDIS_URL (redis://host:6379/0)")
  return BullmqJobQueue.layer({
    url,
    prefix: env["ANJU_QUEUE_PREFIX"] ?? "anju",
    ...(log === undefined
      ? {}
      : {
          onDataLoss: (detail: string) =>
            log({ at: new Date().toISOString(), level: "warn", msg: "queue.data-lost", detail }),
        }),
  })
}

/** The host's layer plus the Signer: what an HTTP host with an in-process worker runs on. */
export const hostWithWorkerLayer = (config: HostConfig, env: Env): Layer.Layer<WorkerServices, Error> =>
  runtimeLayer(config, "embedded", env)

const runtimeLayer = (
  config: HostConfig,
  queue: QueueChoice,
  env: Env,
  log?: (line: LogLine) => void,
): Layer.Layer<WorkerServices, Error> => {
  const base: Layer.Layer<WorkerServices, Error> = hostLayer(config) as Layer.Layer<WorkerServices, Error>
  const signer = signerLayer(config, env)
  const jobs = queueLayer(queue, env, log)
  const withSigner = signer === undefined ? base : Layer.merge(base, signer)
  return jobs === undefined ? withSigner : Layer.merge(withSigner, jobs)
}

/** A Prometheus endpoint on its own port (the worker's `--metrics-port`). */
export const serveMetrics = (metrics: Metrics, port: number, hostname = "127.0.0.1") =>
  new Promise<{ readonly url: string; readonly close: () => Promise<void> }>((resolve, reject) => {
    const server: Server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n")
        return
      }
      metrics.render().then(
        (text) => res.writeHead(200, { "content-type": CONTENT_TYPE }).end(text),
        () => res.writeHead(503).end(),
      )
    })
    server.once("error", reject)
    server.listen(port, hostname, () => {
      const a = server.address()
      const p = typeof a === "object" && a !== null ? a.port : port
      resolve({
        url: `http://${hostname}:${p}/metrics`,
        close: () => new Promise((r) => server.close(() => r())),
      })
    })
  })

export interface InProcessWorkerOptions {
  readonly concurrency?: number
  readonly pollMs?: number
  readonly graceMs?: number
  readonly log: (line: LogLine) => void
  readonly metrics?: Metrics
  readonly schedules?: ReadonlyArray<ScheduleEntry>
  /** Extra handlers (tests and later issues); same kinds replace the built-in ones. */
  readonly extraHandlers?: ReadonlyArray<JobHandler<WorkerServices>>
}

type WorkerRuntime = {
  readonly runFork: ManagedRuntime.ManagedRuntime<WorkerServices, Error>["runFork"]
}

const handlersWith = (extra: ReadonlyArray<JobHandler<WorkerServices>> = []) => {
  const extraKinds = new Set(extra.map((h) => h.definition.kind))
  return [
    ...(allHandlers() as ReadonlyArray<JobHandler<WorkerServices>>).filter(
      (h) => !extraKinds.has(h.definition.kind),
    ),
    ...extra,
  ]
}

/**
 * Starts the worker loop on a runtime the caller owns (the HTTP host's) and returns its stop; stop before
 * disposing the runtime. Fails (rejects) when the kinds or schedules cannot be set up.
 */
export const startInProcessWorker = async (runtime: WorkerRuntime, options: InProcessWorkerOptions) => {
  const worker = makeWorker<WorkerServices>({
    runFork: (effect) => runtime.runFork(effect as Effect.Effect<never, never, WorkerServices>) as never,
    handlers: handlersWith(options.extraHandlers),
    schedules: options.schedules ?? loadSchedules(),
    atStart: [PUMP_KIND.kind],
    concurrency: options.concurrency ?? 4,
    pollMs: options.pollMs ?? 1_000,
    graceMs: options.graceMs ?? 10_000,
    log: options.log,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  })
  await worker.setup()
  options.metrics?.setQueueSource(() => countsOn(runtime))
  worker.start()
  return { stop: () => worker.stop(), totals: worker.totals }
}

const countsOn = (runtime: WorkerRuntime): Promise<ReadonlyArray<KindCounts>> =>
  new Promise((resolve, reject) =>
    runtime
      .runFork(
        Effect.gen(function* () {
          const q = yield* JobQueue
          yield* q.define(allHandlers().map((h) => h.definition))
          return yield* q.counts
        }),
      )
      .addObserver((exit) =>
        Exit.isSuccess(exit) ? resolve(exit.value) : reject(new Error("the job queue cannot be read")),
      ),
  )

export interface WorkerOptions {
  readonly storage: StorageChoice
  readonly queue: QueueChoice
  readonly concurrency: number
  /** Run everything due now (and what it enqueues), then exit 0. */
  readonly once: boolean
  readonly demo: boolean
  readonly metricsPort?: number | undefined
  readonly env: Env
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  readonly pollMs?: number
  readonly graceMs?: number
  readonly extraHandlers?: ReadonlyArray<JobHandler<WorkerServices>>
  /** Where to wait for shutdown (default SIGTERM/SIGINT); resolves when the worker should stop. */
  readonly stopSignal?: () => Promise<void>
}

const startRuntime = async (
  o: { storage: StorageChoice; demo: boolean; env: Env; queue: QueueChoice; err: (l: string) => void },
  name: string,
  quiet: boolean,
  out: (l: string) => void,
) => {
  const plan = planHost({ storage: o.storage, demo: o.demo, env: o.env })
  if (!quiet) for (const line of describeConfig(plan.config)) out(line)
  for (const line of plan.warnings) if (!quiet) o.err(line)
  if (plan.problems.length > 0) {
    for (const line of refusal(name, plan)) o.err(line)
    return undefined
  }
  let layer: Layer.Layer<WorkerServices, Error>
  try {
    layer = runtimeLayer(plan.config, o.queue, o.env, jsonLog(o.err, o.env))
  } catch (e) {
    o.err(`${name}: ${e instanceof Error ? e.message : String(e)}`)
    return undefined
  }
  const runtime = ManagedRuntime.make(layer)
  const started = await runtime.runPromiseExit(Effect.void)
  if (Exit.isFailure(started)) {
    o.err(
      `${name}: cannot start on ${describeStorage(plan.config.storage)}: ${started.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r))).join("; ")}`,
    )
    await runtime.dispose()
    return undefined
  }
  return { runtime, config: plan.config }
}

/** `anju worker`: resolves to the exit code (0 stopped or drained, 1 cannot start). */
export const runWorker = async (options: WorkerOptions): Promise<number> => {
  let schedules: ReadonlyArray<ScheduleEntry>
  try {
    schedules = loadSchedules()
  } catch (e) {
    options.err(`anju worker: the schedules are invalid:\n${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
  const started = await startRuntime(options, "anju worker", false, options.out)
  if (started === undefined) return 1
  const { runtime, config } = started
  const log = jsonLog(options.err, options.env)
  const metrics = makeMetrics()
  if (signerLayer(config, options.env) === undefined)
    log({
      at: new Date().toISOString(),
      level: "warn",
      msg: "worker.audit-unsigned",
      detail: "no SM2 key (ANJU_SM2_PRIVATE_KEY): audit.checkpoint jobs complete as skipped",
    })
  log({
    at: new Date().toISOString(),
    level: "info",
    msg: "worker.notices",
    detail: "notices go to the simulator (recorded once per id in the database, nothing is sent)",
  })
  const worker = makeWorker<WorkerServices>({
    runFork: (effect) => runtime.runFork(effect),
    handlers: handlersWith(options.extraHandlers),
    schedules,
    atStart: [PUMP_KIND.kind],
    concurrency: options.concurrency,
    pollMs: options.pollMs ?? 1_000,
    graceMs: options.graceMs ?? 10_000,
    log,
    metrics,
  })
  let metricsServer: { url: string; close: () => Promise<void> } | undefined
  try {
    await worker.setup()
    metrics.setQueueSource(() => countsOn(runtime))
    if (options.metricsPort !== undefined) {
      metricsServer = await serveMetrics(metrics, options.metricsPort)
      options.out(`anju worker: metrics at ${metricsServer.url}`)
    }
    const queueName = options.queue === "bullmq" ? "BullMQ on REDIS_URL" : "embedded (the data's database)"
    log({
      at: new Date().toISOString(),
      level: "info",
      msg: "worker.started",
      queue: queueName,
      storage: describeStorage(config.storage),
      concurrency: options.concurrency,
      once: options.once,
      schedules: schedules.map((s) => ({ id: s.id, kind: s.kind, rules: s.rules })),
    })
    let summary: WorkerSummary
    if (options.once) {
      summary = await worker.drain()
    } else {
      worker.start()
      await (options.stopSignal ?? shutdownSignal)()
      summary = await worker.stop()
    }
    log({ at: new Date().toISOString(), level: "info", msg: "worker.stopped", ...summary })
    return 0
  } catch (e) {
    options.err(`anju worker: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  } finally {
    await metricsServer?.close()
    await runtime.dispose()
  }
}

/** Resolves on the first SIGTERM or SIGINT (a second one exits at once, as the HTTP host does). */
const shutdownSignal = () =>
  new Promise<void>((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on)
      process.off("SIGINT", on)
      process.once(signal, () => process.exit(128 + (signal === "SIGTERM" ? 15 : 2)))
      process.stderr.write(`${signal}: stopping the worker (running jobs finish or are released)\n`)
      resolve()
    }
    process.on("SIGTERM", on)
    process.on("SIGINT", on)
  })

export interface StatusRow {
  readonly kind: string
  readonly pending: number
  readonly running: number
  readonly done: number
  readonly failed: number
  readonly dead: number
  /** ISO instant, or null. */
  readonly nextRun: string | null
}

export const statusRows = (counts: ReadonlyArray<KindCounts>): ReadonlyArray<StatusRow> =>
  counts.map((c) => ({
    kind: c.kind,
    pending: c.pending,
    running: c.running,
    done: c.done,
    failed: c.failed,
    dead: c.dead,
    nextRun: c.nextRunAt === null ? null : new Date(c.nextRunAt).toISOString(),
  }))

/** `anju worker status`: exit 0 with the table (or JSON), 1 when the store cannot be opened. */
export const workerStatus = async (options: {
  readonly storage: StorageChoice
  readonly queue: QueueChoice
  readonly json: boolean
  readonly env: Env
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}): Promise<number> => {
  // Only the queue is read: no keys, identities or agencies are needed (works from a clean clone).
  let layer: Layer.Layer<JobQueue, Error>
  try {
    layer = queueLayer(options.queue, options.env) ?? statusQueueLayer(options.storage)
  } catch (e) {
    options.err(`anju worker status: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
  const runtime = ManagedRuntime.make(layer)
  try {
    const exit = await runtime.runPromiseExit(
      Effect.gen(function* () {
        const q = yield* JobQueue
        yield* q.define(allHandlers().map((h) => h.definition))
        return yield* q.counts
      }),
    )
    if (Exit.isFailure(exit)) {
      options.err(`anju worker status: the job queue on ${describeStorage(options.storage)} cannot be read`)
      return 1
    }
    const rows = statusRows(exit.value)
    if (options.json) options.out(JSON.stringify({ kinds: rows }, null, 2))
    else {
      options.out(
        ["kind".padEnd(18), "pending", "running", "   done", " failed", "   dead", "  next run"].join(" "),
      )
      for (const r of rows)
        options.out(
          [
            r.kind.padEnd(18),
            ...[r.pending, r.running, r.done, r.failed, r.dead].map((n) => String(n).padStart(7)),
            `  ${r.nextRun ?? "—"}`,
          ].join(" "),
        )
    }
    return 0
  } finally {
    await runtime.dispose()
  }
}

/** The embedded queue alone over the chosen database (migrations run on open). */
const statusQueueLayer = (c: StorageChoice): Layer.Layer<JobQueue, Error> =>
  PgJobQueue.layer.pipe(
    Layer.provide(
      c.kind === "postgres"
        ? PgDatabase.layer({ url: c.url, schema: c.schema })
        : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir }),
    ),
  )
