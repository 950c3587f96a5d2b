/**
 * `anju agency-sim`: the agency simulator as its own process (hosts/agency-sim/main.ts), answering the
 * `anju-agency/1` protocol of docs/agencies.md with SM2-signed answers. For integration tests and
 * demos only: a host uses it only when configured with ANJU_AGENCIES=http and this simulator's URL and key.
 */
import { Option } from "effect"
import { Flag } from "effect/cli"
import { optionalText, switchFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

export const agencySim = defineCommand({
  words: ["agency-sim"],
  description: "serve the agency-check simulator over HTTP with signed answers (tests and demos only)",
  examples: [
    { command: "anju agency-sim --demo --port 4100", description: "signs with the public demo key" },
    {
      command: "ANJU_AGENCY_SIM_PRIVATE_KEY=… anju agency-sim --port 4100",
      description: "signs with a configured SM2 key",
    },
  ],
  config: {
    port: Flag.Int("port").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("port to listen on (default 4100)"),
      Flag.optional,
      Flag.map(Option.getOrUndefined),
    ),
    host: optionalText("host", "H", "address to listen on (default 127.0.0.1)"),
    demo: switchFlag("demo", "sign with the PUBLIC demo key when no key is configured"),
  },
  run: async (input, io) => {
    const port = input.port ?? 4100
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number (0–65535), not ${port}`)
    const { runAgencySim } = await import("../../agency-sim/main.js")
    return runAgencySim({
      port,
      hostname: input.host ?? "127.0.0.1",
      demo: input.demo,
      env: io.env,
      out: io.out,
      err: io.err,
    })
  },
})
