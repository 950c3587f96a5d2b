/**
 * Fault test of issue 12 on PostgreSQL with the embedded queue, with real processes: 1,000 admission
 * events in the case outbox, a real `anju worker` process killed with SIGKILL in the middle of the batch,
 * its leases left to expire (set in the past: the time a crashed worker's lease takes), then a restart with
 * `--once`: every event's notice exists exactly once, every delivery job is done once, none is dead.
 * Reads DATABASE_URL (default the local test server); its own schema, dropped at the end.
 */
import { Effect, ManagedRuntime } from "effect"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { privateSchemaName } from "../../adapters/postgres/PgDatabase.js"
import { SIMULATED_NOTICE } from "../../adapters/postgres/PgSimulatedNotifier.js"
import { DEMO_CASE_ID, seedDemoCases } from "../demo/DemoCases.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { hostLayer } from "../StoreSelection.js"
import { spawnWorker } from "./FaultRig.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const SCHEMA = privateSchemaName("anju_worker_k9")
const EVENTS = 1_000

const client = new pg.Client({ connectionString: URL })
afterAll(async () => {
  await client.query(`drop schema if exists ${SCHEMA} cascade`).catch(() => {})
  await client.end()
})

// Node with tsx's loader (FaultRig.spawnWorker): SIGKILL reaches the worker itself, not a launcher.
const worker = (args: ReadonlyArray<string>) =>
  spawnWorker(["--database-url", URL, "--db-schema", SCHEMA, ...args])

const count = async (q: string, params: ReadonlyArray<unknown> = []) =>
  Number((await client.query<{ n: string }>(q, [...params])).rows[0]?.n ?? 0)
const notices = () =>
  count(
    `select count(*) as n from ${SCHEMA}.job_effects where handler = $1 and event_id like 'notice.applicant:K9-%'`,
    [SIMULATED_NOTICE],
  )

describe("kill -9 in the middle of a batch of 1,000 events (PostgreSQL, embedded queue)", () => {
  it("after a restart every event's notice exists exactly once and nothing is dead", async () => {
    await client.connect()
    // Schema, migrations and the demo case the events belong to.
    const runtime = ManagedRuntime.make(
      hostLayer({ kind: "postgres", url: URL, schema: SCHEMA }, { demo: true }),
    )
    await runtime.runPromise(Effect.andThen(seedDemoEstate, seedDemoCases))
    await runtime.dispose()
    await client.query(
      `insert into ${SCHEMA}.case_outbox (id, case_id, at, type, payload)
       select 'K9-' || i, $1, 0, 'CaseAdmitted',
              jsonb_build_object('certificateNumber', 'GZ-K9-' || i, 'validUntil', '2028-12-31', 'kind', 'gongzu')
       from generate_series(1, ${EVENTS}) as i`,
      [DEMO_CASE_ID],
    )

    const first = worker(["--concurrency", "2"])
    let before = 0
    for (let i = 0; i < 1200 && before < 150; i++) {
      await new Promise((r) => setTimeout(r, 50))
      before = await notices().catch(() => 0)
    }
    first.child.kill("SIGKILL")
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" })
    before = await notices()
    // Killed in the middle: some notices sent, not all.
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(EVENTS)
    // The crashed worker's leases run out (the time passing is set, not waited for).
    await client.query(`update ${SCHEMA}.jobs set lease_until = 0 where state = 'running'`)

    const second = worker(["--once", "--concurrency", "8"])
    expect({ exit: await second.exited, log: second.stderr().slice(-1500) }).toMatchObject({
      exit: { code: 0 },
    })

    expect(await notices()).toBe(EVENTS)
    expect(
      await count(
        `select count(distinct event_id) as n from ${SCHEMA}.job_effects where handler = $1 and event_id like 'notice.applicant:K9-%'`,
        [SIMULATED_NOTICE],
      ),
    ).toBe(EVENTS)
    const jobs = await client.query<{ state: string; n: string }>(
      `select state, count(*) as n from ${SCHEMA}.jobs where kind = 'relay.deliver' and key like 'notice.applicant:K9-%' group by state`,
    )
    expect(Object.fromEntries(jobs.rows.map((r) => [r.state, Number(r.n)]))).toEqual({ done: EVENTS })
  }, 300_000)
})
