/**
 * `anju serve`: the command-line front of the HTTP host (hosts/http/main.ts): stock API, public pages and
 * qualification-case routes on the chosen storage (embedded PGlite unless a database URL is set),
 * optionally seeded with the demo estate, a demo case and demo tokens. Runs until SIGTERM/SIGINT.
 */
import { runHttpHost } from "../../http/main.js"
import { chooseStorage, STORAGE_FLAGS } from "../../StoreSelection.js"
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
    return runHttpHost({
      storage: chooseStorage(args, io.env),
      port,
      hostname: args.values.get("host") ?? io.env["HOST"] ?? "127.0.0.1",
      publicBaseUrl: (
        args.values.get("public-url") ??
        io.env["ANJU_PUBLIC_URL"] ??
        `http://localhost:${port}`
      ).replace(/\/$/u, ""),
      demo: args.switches.has("demo"),
      env: io.env,
      out: io.out,
      err: io.err,
    })
  },
}
