/**
 * `anju worker [run|status]`: the command-line front of the worker host (hosts/worker/main.ts). `run` (the
 * default) relays the outbox and runs the schedules of policy/worker/schedules.yaml until SIGTERM/SIGINT,
 * or with `--once` until nothing is due (exit 0, for cron-style deployments); `status` prints per job kind
 * pending, running, done, failed, dead and the next run (`--json`: `{ kinds: [...] }`).
 */
import { Option } from "effect"
import { Argument, Flag } from "effect/cli"
import { choice, storageFlags, storageOf, switchFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

const optionalInt = (name: string, metavar: string, description: string) =>
  Flag.Int(name).pipe(
    Flag.withMetavar(metavar),
    Flag.withDescription(description),
    Flag.optional,
    Flag.map(Option.getOrUndefined),
  )

export const worker = defineCommand({
  words: ["worker"],
  description: "run background jobs: the outbox relay and the schedules (`worker status` for the queue)",
  examples: [
    { command: "anju worker --demo", description: "run on .anju-data until SIGTERM, embedded queue" },
    { command: "anju worker --once --demo", description: "run everything due now, then exit 0" },
    {
      command: "anju worker status --json",
      description: "per job kind: pending, running, done, failed, dead, next run",
    },
  ],
  config: {
    action: Argument.Literals("action", ["run", "status"] as const).pipe(
      Argument.withDescription("run (default) or status"),
      Argument.withDefault("run" as const),
    ),
    queue: choice(
      "queue",
      ["embedded", "bullmq"] as const,
      "where jobs live: the data's database (default) or BullMQ on REDIS_URL",
    ).pipe(Flag.withDefault("embedded" as const)),
    concurrency: optionalInt("concurrency", "N", "jobs run at the same time (default 4)"),
    once: switchFlag("once", "run everything due now (and what it enqueues), then exit 0"),
    json: switchFlag(
      "json",
      "status as JSON: { kinds: [{ kind, pending, running, done, failed, dead, nextRun }] }",
    ),
    metricsPort: optionalInt("metrics-port", "N", "serve Prometheus metrics at http://127.0.0.1:N/metrics"),
    demo: switchFlag(
      "demo",
      "accept the demo keys and tokens, and seal the audit log with the published demo key",
    ),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const concurrency = input.concurrency ?? 4
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new UsageError(`--concurrency must be 1–64, not ${concurrency}`)
    if (input.metricsPort !== undefined && (input.metricsPort < 0 || input.metricsPort > 65535))
      throw new UsageError(`--metrics-port must be a port number (0–65535), not ${input.metricsPort}`)
    const storage = storageOf(input.storage, io.env)
    // Loaded on use: other commands start without the worker's dependencies.
    const { runWorker, workerStatus } = await import("../../worker/main.js")
    if (input.action === "status")
      return workerStatus({
        storage,
        queue: input.queue,
        json: input.json,
        env: io.env,
        out: io.out,
        err: io.err,
      })
    return runWorker({
      storage,
      queue: input.queue,
      concurrency,
      once: input.once,
      demo: input.demo,
      metricsPort: input.metricsPort,
      env: io.env,
      out: io.out,
      err: io.err,
    })
  },
})
