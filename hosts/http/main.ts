/**
 * Composition root of the HTTP host: builds the layers for the chosen storage (StoreSelection), seeds the
 * demo data when asked, mounts the stock API, public unit pages and case routes, serves until
 * SIGTERM/SIGINT, then drains requests and closes the database. `anju serve` is its command-line front.
 */
import { Effect, Exit, ManagedRuntime } from "effect"
import { listUnits } from "../../application/stock/QueryStock.js"
import { readXlsx } from "../../adapters/xlsx/XlsxTable.js"
import { DEMO_TOKENS, seedDemoCases } from "../demo/DemoCases.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { describeStorage, hostLayer, planCaseSecurity, type StorageChoice } from "../StoreSelection.js"
import { makeApp } from "./App.js"
import { onShutdownSignals, startServer } from "./Server.js"

export interface HttpHostOptions {
  readonly storage: StorageChoice
  readonly port: number
  readonly hostname: string
  readonly publicBaseUrl: string
  readonly demo: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

/** Runs the host until a shutdown signal; resolves to the process exit code (1 if it cannot start). */
export const runHttpHost = async (o: HttpHostOptions): Promise<number> => {
  const options = { demo: o.demo, env: o.env }
  for (const line of planCaseSecurity(o.storage, options).warnings) o.err(line)
  const runtime = ManagedRuntime.make(hostLayer(o.storage, options))
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
    demo = await runtime.runPromise(seedDemoEstate)
    await runtime.runPromise(seedDemoCases)
  }
  const app = makeApp({
    run: (effect) => runtime.runPromiseExit(effect),
    publicBaseUrl: o.publicBaseUrl,
    ready: async () => Exit.isSuccess(await runtime.runPromiseExit(listUnits({ limit: 1 }))),
    parseXlsx: readXlsx,
    cases: { run: (effect) => runtime.runPromiseExit(effect) },
  })
  const server = await startServer({ app, port: o.port, hostname: o.hostname })
  const base = o.publicBaseUrl
  o.out(`Anju is serving ${server.url} on ${describeStorage(o.storage)}`)
  o.out(`  API docs:    ${base}/docs   (OpenAPI: ${base}/openapi.json)`)
  if (demo.length > 0)
    o.out(`  demo unit:   ${base}/u/${demo[0]!.code}   (QR: ${base}/u/${demo[0]!.code}/qr.png)`)
  if (o.demo)
    o.out(
      `  demo cases:  curl -H 'Authorization: Bearer demo-pudong-officer' ${base}/api/v1/cases   (demo tokens: ${Object.keys(DEMO_TOKENS).join(", ")})`,
    )
  await new Promise<void>((resolve) =>
    onShutdownSignals(async () => {
      await server.close()
      await runtime.dispose()
      o.out("Anju stopped")
      resolve()
    }),
  )
  return 0
}
