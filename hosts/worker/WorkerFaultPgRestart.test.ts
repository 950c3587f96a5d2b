/**
 * Fault test of issue 12: a PostgreSQL restart under a running worker on the embedded queue, with real
 * processes. A PRIVATE PostgreSQL 15 cluster started by the test (never the shared server), 1,000 admission
 * events, a real `anju worker` process; the server is stopped with `pg_ctl stop -m immediate` in the middle of
 * the batch and started again. The worker process stays up (claims retried with capped backoff, completions
 * retried while the lease lasts), reconnects by itself, and every notice exists exactly once, every delivery
 * job is done, none is dead.
 */
import { afterAll, describe, expect, it } from "vitest"
import { SIMULATED_NOTICE } from "../../adapters/postgres/PgSimulatedNotifier.js"
import { queryOnce, seedAdmissions, spawnWorker, startPostgres, until } from "./FaultRig.js"

const EVENTS = 1_000
const SCHEMA = "anju_pg_restart"
const cleanups: Array<() => void> = []
afterAll(() => {
  for (const c of cleanups) c()
})

describe("a PostgreSQL restart in the middle of a batch (private cluster, embedded queue, real worker)", () => {
  it("the worker survives and reconnects; every notice exactly once, all deliveries done, none dead", async () => {
    const server = await startPostgres()
    cleanups.push(server.destroy)
    await seedAdmissions(server.url, SCHEMA, "PG", EVENTS)
    const notices = async () =>
      Number(
        (
          await queryOnce<{ n: string }>(
            server.url,
            `select count(*) as n from ${SCHEMA}.job_effects where handler = $1 and event_id like 'notice.applicant:PG-%'`,
            [SIMULATED_NOTICE],
          )
        )[0]?.n ?? 0,
      )

    const w = spawnWorker(["--database-url", server.url, "--db-schema", SCHEMA, "--concurrency", "2"])
    cleanups.push(() => void w.child.kill("SIGKILL"))
    await until("the first notices", notices, (n) => n >= 150, 40_000)
    server.stopImmediate()
    // The worker notices the loss (a failed claim or completion) while the server is down…
    await until(
      "the worker to notice the server is gone",
      async () =>
        w
          .lines()
          .filter((l) => l["msg"] === "worker.claim-failed" || l["msg"] === "worker.queue-unavailable"),
      (l) => l.length > 0,
      20_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${w.stderr().slice(-3000)}`)
    })
    expect(w.child.exitCode).toBeNull()
    server.start()
    // …and finishes the batch after it comes back, without a restart.
    const done = await until(
      "every delivery done after the restart",
      async () =>
        Object.fromEntries(
          (
            await queryOnce<{ state: string; n: string }>(
              server.url,
              `select state, count(*) as n from ${SCHEMA}.jobs
               where kind = 'relay.deliver' and key like 'notice.applicant:PG-%' group by state`,
            )
          ).map((r) => [r.state, Number(r.n)]),
        ),
      (s) => s["done"] === EVENTS,
      40_000,
    )
    expect(done).toEqual({ done: EVENTS })
    expect(w.child.exitCode).toBeNull()
    expect(await notices()).toBe(EVENTS)
    w.child.kill("SIGTERM")
    expect(await w.exited).toMatchObject({ code: 0 })
  }, 120_000)
})
