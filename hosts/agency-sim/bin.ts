/**
 * Stand-alone entry of the agency simulator process (until the CLI registers `anju agency-sim`):
 * `tsx hosts/agency-sim/bin.ts [--port N] [--host H] [--demo] [--latency-ms N] [--fail-id ID]… [--pending SOURCE]…`.
 * Prints the URL and public key on stdout; exit 1 when it cannot start, 2 on bad usage.
 */
import { parseArgs } from "node:util"
import { CHECK_SOURCES, type CheckSource } from "../../domain/cases/Case.js"
import { runAgencySim } from "./main.js"

const usage = (message: string): never => {
  process.stderr.write(`anju agency-sim: ${message}\n`)
  process.exit(2)
}

let values: ReturnType<typeof parse>["values"]
function parse() {
  return parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      demo: { type: "boolean", default: false },
      "latency-ms": { type: "string", default: "0" },
      "fail-id": { type: "string", multiple: true, default: [] },
      pending: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  })
}
try {
  values = parse().values
} catch (e) {
  usage(e instanceof Error ? e.message : String(e))
}
const port = Number(values!.port)
const latency = Number(values!["latency-ms"])
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0–65535, not ${values!.port}`)
if (!Number.isInteger(latency) || latency < 0) usage(`--latency-ms must be a whole number of milliseconds`)
const pending = values!.pending ?? []
for (const p of pending)
  if (!(CHECK_SOURCES as ReadonlyArray<string>).includes(p))
    usage(`--pending must be one of ${CHECK_SOURCES.join(", ")}`)

runAgencySim({
  port,
  hostname: values!.host ?? "127.0.0.1",
  demo: values!.demo ?? false,
  env: process.env,
  simulator: {
    latency,
    failingIdNumbers: values!["fail-id"] ?? [],
    pendingSources: pending as ReadonlyArray<CheckSource>,
  },
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
}).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(
      `anju agency-sim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    )
    process.exitCode = 70
  },
)
