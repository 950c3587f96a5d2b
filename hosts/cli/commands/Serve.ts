/**
 * `anju serve`: the HTTP host — stock API, public pages and the qualification-case routes — on the chosen
 * storage (embedded PGlite unless a database URL is set), optionally seeded with the demo estate, a demo
 * case and demo tokens. Case secrets come from the environment (SM4 keys, token table; see
 * StoreSelection). Runs until SIGTERM/SIGINT, then drains requests, closes the database and returns.
 */
import { Effect, Exit, ManagedRuntime } from "effect"
import { listUnits } from "../../../application/stock/QueryStock.js"
import { readXlsx } from "../../../adapters/xlsx/XlsxTable.js"
import { DEMO_TOKENS, seedDemoCases } from "../../demo/DemoCases.js"
import { seedDemoEstate } from "../../demo/DemoEstate.js"
import { makeApp } from "../../http/App.js"
import { onShutdownSignals, startServer } from "../../http/Server.js"
import {
  chooseStorage,
  describeStorage,
  hostLayer,
  planCaseSecurity,
  STORAGE_FLAGS,
} from "../../StoreSelection.js"
import { parseArgs, UsageError } from "../Args.js"
import type { Command } from "../Io.js"

export const serve: Command = {
  words: ["serve"],
  usage:
    "serve [--port N] [--host H] [--demo] [--public-url URL] [--database-url URL | --data-dir DIR | --memory]",
  run: async (argv, io) => {
    const args = parseArgs(argv, {
      values: [...STORAGE_FLAGS.values, "port", "host", "public-url"],
      switches: [...STORAGE_FLAGS.switches, "demo"],
    })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const port = Number(args.values.get("port") ?? io.env["PORT"] ?? 3000)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError("--port must be a port number")
    const hostname = args.values.get("host") ?? io.env["HOST"] ?? "127.0.0.1"
    const storage = chooseStorage(args, io.env)
    const demoMode = args.switches.has("demo")
    const options = { demo: demoMode, env: io.env }
    for (const line of planCaseSecurity(storage, options).warnings) io.err(line)
    const runtime = ManagedRuntime.make(hostLayer(storage, options))
    const started = await runtime.runPromiseExit(Effect.void)
    if (Exit.isFailure(started)) {
      io.err(
        `anju serve: cannot start on ${describeStorage(storage)}: ${started.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r))).join("; ")}`,
      )
      await runtime.dispose()
      return 1
    }
    const publicBaseUrl = (
      args.values.get("public-url") ??
      io.env["ANJU_PUBLIC_URL"] ??
      `http://localhost:${port}`
    ).replace(/\/$/u, "")
    let demo: ReadonlyArray<{ id: string; code: string }> = []
    if (demoMode) {
      demo = await runtime.runPromise(seedDemoEstate)
      await runtime.runPromise(seedDemoCases)
    }
    const app = makeApp({
      run: (effect) => runtime.runPromiseExit(effect),
      publicBaseUrl,
      ready: async () => Exit.isSuccess(await runtime.runPromiseExit(listUnits({ limit: 1 }))),
      parseXlsx: readXlsx,
      cases: { run: (effect) => runtime.runPromiseExit(effect) },
    })
    const server = await startServer({ app, port, hostname })
    io.out(`Anju is serving ${server.url} on ${describeStorage(storage)}`)
    io.out(`  API docs:    ${publicBaseUrl}/docs   (OpenAPI: ${publicBaseUrl}/openapi.json)`)
    if (demo.length > 0)
      io.out(
        `  demo unit:   ${publicBaseUrl}/u/${demo[0]!.code}   (QR: ${publicBaseUrl}/u/${demo[0]!.code}/qr.png)`,
      )
    if (demoMode)
      io.out(
        `  demo cases:  curl -H 'Authorization: Bearer demo-pudong-officer' ${publicBaseUrl}/api/v1/cases   (demo tokens: ${Object.keys(DEMO_TOKENS).join(", ")})`,
      )
    await new Promise<void>((resolve) =>
      onShutdownSignals(async () => {
        await server.close()
        await runtime.dispose()
        io.out("Anju stopped")
        resolve()
      }),
    )
    return 0
  },
}
