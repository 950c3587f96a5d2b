/**
 * Composition root of the HTTP host: plans the configuration (HostConfig: flags > env > ANJU_CONFIG_FILE >
 * defaults), prints it with secrets redacted, refuses to start — naming every missing item, exit 1 — when it
 * would run on demo keys, demo tokens or the agency simulator without being told to, then builds the layers
 * (StoreSelection), seeds the demo data under --demo, serves until SIGTERM/SIGINT, drains and closes.
 */
import { networkInterfaces } from "node:os"
import { Effect, Exit, ManagedRuntime } from "effect"
import { recordWrite } from "../../application/audit/RecordAudit.js"
import { listUnits } from "../../application/stock/QueryStock.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"
import { heldDataDirLock } from "../../adapters/pglite/DataDirLock.js"
import { readXlsx } from "../../adapters/xlsx/XlsxTable.js"
import { DEMO_TOKENS } from "../demo/DemoCases.js"
import { DEMO_ROUND_ID } from "../demo/DemoLottery.js"
import { seedDemoData } from "../demo/DemoSeeding.js"
import { DEMO_ADMIN } from "../demo/DemoUsers.js"
import { describeConfig, planHost, refusal } from "../HostConfig.js"
import { describeStorage, type StorageChoice } from "../StoreSelection.js"
import { makeApp } from "./App.js"
import { makeMetrics } from "../Metrics.js"
import { hostWithWorkerLayer, jsonLog, startInProcessWorker } from "../worker/main.js"
import { bannerLines } from "./Banner.js"
import { onShutdownSignals, startServer } from "./Server.js"

export interface HttpHostOptions {
  readonly storage: StorageChoice
  readonly port: number
  readonly hostname: string
  readonly publicBaseUrl: string
  /** `--demo` (ANJU_DEMO=true in the configuration does the same). */
  readonly demo: boolean
  /** The environment; `ANJU_CONFIG_FILE` in it names the optional configuration file. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  /** Run the worker in this process on the embedded queue (default true; `serve --no-worker`: false). */
  readonly worker?: boolean
}

/** Runs the host until a shutdown signal; resolves to the process exit code (1 if it cannot start). */
export const runHttpHost = async (options: HttpHostOptions): Promise<number> => {
  const plan = planHost({ storage: options.storage, demo: options.demo, env: options.env })
  for (const line of describeConfig(plan.config)) options.out(line)
  for (const line of plan.warnings) options.err(line)
  if (plan.problems.length > 0) {
    for (const line of refusal("anju serve", plan)) options.err(line)
    return 1
  }
  // The configuration may have turned on demo mode or chosen the storage (ANJU_DEMO, the config file).
  const o = { ...options, storage: plan.config.storage, demo: plan.config.demo }
  const withWorker = options.worker !== false
  // The host's stores plus the Signer (audit checkpoints) when a key is configured or under --demo.
  const runtime = ManagedRuntime.make(hostWithWorkerLayer(plan.config, o.env))
  const metrics = makeMetrics()
  const started = await runtime.runPromiseExit(Effect.void)
  if (Exit.isFailure(started)) {
    o.err(
      `anju serve: cannot start on ${describeStorage(o.storage)}: ${started.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r))).join("; ")}`,
    )
    await runtime.dispose()
    return 1
  }
  let demo: ReadonlyArray<{ id: string; code: string }> = []
  if (o.demo) {
    demo = await runtime.runPromise(seedDemoData({ write: o.err, tty: process.stderr.isTTY === true }))
  }
  const app = makeApp({
    run: (effect) => runtime.runPromiseExit(effect),
    publicBaseUrl: o.publicBaseUrl,
    ready: async () => Exit.isSuccess(await runtime.runPromiseExit(listUnits(LOCAL_AUTHORITY, { limit: 1 }))),
    parseXlsx: readXlsx,
    cases: { run: (effect) => runtime.runPromiseExit(effect) },
    access: { run: (effect) => runtime.runPromiseExit(effect) },
    lottery: { run: (effect) => runtime.runPromiseExit(effect) },
    queues: { run: (effect) => runtime.runPromiseExit(effect) },
    subsidies: { run: (effect) => runtime.runPromiseExit(effect) },
    selections: { run: (effect) => runtime.runPromiseExit(effect) },
    contracts: { run: (effect) => runtime.runPromiseExit(effect) },
    warnings: { run: (effect) => runtime.runPromiseExit(effect) },
    fundRegistry: { run: (effect) => runtime.runPromiseExit(effect) },
    audit: async (w) => {
      const exit = await runtime.runPromiseExit(recordWrite(w))
      if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    },
    metrics: { registry: metrics, public: o.env["ANJU_METRICS"] === "public" },
  })
  const server = await startServer({ app, port: o.port, hostname: o.hostname })
  // The worker on the host's own runtime (PGlite is one process: the data folder is opened once).
  let worker: { readonly stop: () => Promise<unknown> } | undefined
  if (withWorker) {
    try {
      worker = await startInProcessWorker(runtime, {
        log: jsonLog(o.err, o.env),
        metrics,
      })
      o.out("  worker:      in-process on the embedded queue (serve --no-worker to run it apart)")
    } catch (e) {
      o.err(`anju serve: the in-process worker did not start: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  // One writer per data folder: refused openers (CLI, a second host) are told where this host answers.
  if (o.storage.kind === "pglite" && o.storage.dataDir !== null)
    heldDataDirLock(o.storage.dataDir)?.advertise(server.url)
  for (const line of bannerLines({
    serverUrl: server.url,
    listenHost: o.hostname,
    publicBaseUrl: o.publicBaseUrl,
    storage: describeStorage(o.storage),
    demoUnitCode: demo[0]?.code,
    demoTokens: o.demo
      ? ["demo-pudong-officer", ...Object.keys(DEMO_TOKENS).filter((t) => t !== "demo-pudong-officer")]
      : undefined,
    interfaces: networkInterfaces(),
  }))
    o.out(line)
  if (o.demo)
    o.out(
      `  demo login:  curl -XPOST ${o.publicBaseUrl}/api/v1/auth/login -H 'content-type: application/json' -d '{"login":"${DEMO_ADMIN.login}","password":"${DEMO_ADMIN.password}"}'`,
    )
  if (o.demo)
    o.out(`  demo draw:   ${o.publicBaseUrl}/lotteries/${DEMO_ROUND_ID} (files under /api/v1/lotteries)`)
  await new Promise<void>((resolve) =>
    onShutdownSignals(async () => {
      await server.close()
      await worker?.stop()
      await runtime.dispose()
      o.out("Anju stopped")
      resolve()
    }),
  )
  return 0
}
