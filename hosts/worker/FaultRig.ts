/**
 * Test rig for the worker fault tests (issue 12): PRIVATE servers started by the test (a redis-server on a
 * free port without persistence; a PostgreSQL 15 cluster in a temporary folder, owned by `postgres`), real
 * `anju worker` processes, seeding of 1,000 admission events, and polling with a deadline (no sleeps as
 * synchronisation). The shared servers at 6379 and 5432 are never touched, so test files run in parallel.
 * Not shipped behaviour: only tests import it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect, ManagedRuntime } from "effect"
import pg from "pg"
import { DEMO_CASE_ID, seedDemoCases } from "../demo/DemoCases.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { hostLayer } from "../StoreSelection.js"

export const ROOT = resolve(import.meta.dirname, "..", "..")

/** A TCP port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const s = createServer()
    s.once("error", fail)
    s.listen(0, "127.0.0.1", () => {
      const a = s.address()
      const port = typeof a === "object" && a !== null ? a.port : 0
      s.close(() => done(port))
    })
  })

/** Polls `probe` until `ok` holds or the deadline passes (then throws with the last value). */
export const until = async <A>(
  what: string,
  probe: () => Promise<A>,
  ok: (a: A) => boolean,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: A | undefined
  for (;;) {
    last = await probe().catch(() => last)
    if (last !== undefined && ok(last)) {
      if (process.env["ANJU_TEST_TRACE"] !== undefined)
        process.stderr.write(`until ${what}: ${Date.now() - deadline + timeoutMs} ms\n`)
      return last
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((done) => {
    if (child.exitCode !== null || child.signalCode !== null)
      done({ code: child.exitCode, signal: child.signalCode })
    else child.once("exit", (code, signal) => done({ code, signal }))
  })

/** A private redis-server (`--save "" --appendonly no`: it keeps nothing across a restart). */
export const startRedis = async () => {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
      {
        stdio: "ignore",
      },
    )
    await until(
      "redis-server to answer",
      async () =>
        execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: ["ignore", "pipe", "ignore"] })
          .toString()
          .trim(),
      (r) => r === "PONG",
    )
  }
  /** SIGKILL: the server dies with everything it held in memory. */
  const kill = async () => {
    if (child === undefined) return
    const c = child
    child = undefined
    c.kill("SIGKILL")
    await exitOf(c)
  }
  const cli = (...args: ReadonlyArray<string>) =>
    execFileSync("redis-cli", ["-p", String(port), ...args])
      .toString()
      .trim()
  await start()
  return { url, port, start, kill, cli }
}

/**
 * A private PostgreSQL 15 cluster (`initdb -A trust` as `postgres` in a temporary folder; socket in the same
 * folder), database `postgres`. `stopImmediate` is `pg_ctl stop -m immediate` (no shutdown checkpoint: a
 * crash as far as clients can tell); `start` brings it back on the same port.
 */
export const startPostgres = async () => {
  const bin = "/usr/lib/postgresql/15/bin"
  const dir = mkdtempSync(join(tmpdir(), "anju-pg-"))
  chmodSync(dir, 0o700)
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim())
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim())
  chownSync(dir, uid, gid)
  const data = join(dir, "data")
  const asPostgres = (cmd: string, args: ReadonlyArray<string>) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const start = () => {
    asPostgres("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ])
  }
  const stopImmediate = () => asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  const destroy = () => {
    try {
      asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true })
  }
  start()
  return { url, port, start, stopImmediate, destroy }
}

/**
 * A real `anju worker` process (`node --import tsx hosts/cli/bin.ts worker --demo …`); stderr collected.
 * Node itself with tsx's loader, not the `tsx` launcher: the launcher runs the program in a CHILD process,
 * so a SIGKILL to it would leave the worker running.
 */
export const spawnWorker = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "hosts", "cli", "bin.ts"), "worker", "--demo", ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
  let stderr = ""
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()))
  child.stdout?.resume()
  const exited = exitOf(child)
  const lines = () =>
    stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  return { child, exited, stderr: () => stderr, lines }
}

/**
 * Migrates `schema` at `url`, seeds the demo estate and case, and writes `events` CaseAdmitted rows with ids
 * `<tag>-1 … <tag>-n` into the case outbox (the worker relays each as one applicant notice).
 */
export const seedAdmissions = async (url: string, schema: string, tag: string, events: number) => {
  const runtime = ManagedRuntime.make(hostLayer({ kind: "postgres", url, schema }, { demo: true }))
  await runtime.runPromise(Effect.andThen(seedDemoEstate, seedDemoCases))
  await runtime.dispose()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(
      `insert into ${schema}.case_outbox (id, case_id, at, type, payload)
       select '${tag}-' || i, $1, 0, 'CaseAdmitted',
              jsonb_build_object('certificateNumber', 'GZ-${tag}-' || i, 'validUntil', '2028-12-31', 'kind', 'gongzu')
       from generate_series(1, ${events}) as i`,
      [DEMO_CASE_ID],
    )
  } finally {
    await client.end()
  }
}

/** One query on a fresh connection (survives the server restarting between calls). */
export const queryOnce = async <R extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: ReadonlyArray<unknown> = [],
): Promise<ReadonlyArray<R>> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on("error", () => {})
  await client.connect()
  try {
    return (await client.query<R>(text, [...params])).rows
  } finally {
    await client.end().catch(() => {})
  }
}
