/**
 * `anju serve`: the command-line front of the HTTP host (hosts/http/main.ts): stock API, public pages and
 * qualification-case routes on the chosen storage (embedded PGlite unless a database URL is set),
 * optionally seeded with the demo estate, a demo case and demo tokens. Runs until SIGTERM/SIGINT.
 * Flags win over the environment (PORT, HOST, ANJU_PUBLIC_URL, DATABASE_URL, ANJU_DATA_DIR, …).
 */
import { Option } from "effect"
import { Flag } from "effect/cli"
import { optionalText, storageFlags, storageOf, switchFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

export const serve = defineCommand({
  words: ["serve"],
  description: "run the HTTP host (API, public pages, case routes) until SIGTERM/SIGINT",
  examples: [
    { command: "anju serve --demo", description: "embedded PGlite in .anju-data, demo estate and tokens" },
    { command: "anju serve --port 8080 --memory", description: "in-memory PGlite on port 8080" },
  ],
  config: {
    port: Flag.Int("port").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("port to listen on (default: PORT or 3000)"),
      Flag.optional,
      Flag.map(Option.getOrUndefined),
    ),
    host: optionalText("host", "H", "address to listen on (default: HOST or 127.0.0.1)"),
    publicUrl: optionalText(
      "public-url",
      "URL",
      "address phones reach this host at, for QR codes (default: ANJU_PUBLIC_URL or http://localhost:PORT)",
    ),
    demo: switchFlag("demo", "seed the demo estate, a demo case and demo tokens (never expose this host)"),
    noWorker: switchFlag("no-worker", "do not run the worker in this process (run `anju worker` apart)"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const port = input.port ?? Number(io.env["PORT"] ?? 3000)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number (0–65535), not ${input.port ?? io.env["PORT"]}`)
    // Loaded on use: the other commands start without the HTTP host and its dependencies.
    const { runHttpHost } = await import("../../http/main.js")
    return runHttpHost({
      storage: storageOf(input.storage, io.env),
      port,
      hostname: input.host ?? io.env["HOST"] ?? "127.0.0.1",
      publicBaseUrl: (input.publicUrl ?? io.env["ANJU_PUBLIC_URL"] ?? `http://localhost:${port}`).replace(
        /\/$/u,
        "",
      ),
      demo: input.demo,
      worker: !input.noWorker,
      env: io.env,
      out: io.out,
      err: io.err,
    })
  },
})
