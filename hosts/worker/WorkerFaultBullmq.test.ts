/**
 * Fault tests of issue 12 under the BullMQ adapter, with real processes: a PRIVATE redis-server (free port,
 * no persistence) started by the test, the data in a private PostgreSQL schema (DATABASE_URL), 1,000
 * admission events in the case outbox, a real `anju worker --queue bullmq` process.
 * 1. kill -9 of the worker mid-batch, its BullMQ locks left to expire (deleted, with the stalled-set entry a
 *    passing stalled check would have written: the time a crashed worker's lock takes is set, not waited
 *    for), restart: every notice exactly once, 1,000 delivery jobs completed, none failed.
 * 2. The redis-server SIGKILLed mid-batch and started again EMPTY: the worker survives and reconnects, sees
 *    the lost data (`queue.data-lost`, schedules upserted again), the relay re-reads the outbox from the
 *    lost cursor (the outbox in PostgreSQL is the truth) and every notice still exists exactly once.
 */
import { afterAll, describe, expect, it } from "vitest"
import { privateSchemaName } from "../../adapters/postgres/PgDatabase.js"
import { SIMULATED_NOTICE } from "../../adapters/postgres/PgSimulatedNotifier.js"
import { queryOnce, seedAdmissions, spawnWorker, startRedis, until } from "./FaultRig.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const EVENTS = 1_000
const schemas: Array<string> = []
const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => {})
  for (const s of schemas) await queryOnce(URL, `drop schema if exists ${s} cascade`).catch(() => {})
})

const notices = async (schema: string, tag: string) =>
  Number(
    (
      await queryOnce<{ n: string }>(
        URL,
        `select count(*) as n from ${schema}.job_effects where handler = $1 and event_id like $2`,
        [SIMULATED_NOTICE, `notice.applicant:${tag}-%`],
      )
    )[0]?.n ?? 0,
  )

const setup = async (tag: string) => {
  const t0 = Date.now()
  const schema = privateSchemaName(`anju_wf_${tag.toLowerCase()}`)
  schemas.push(schema)
  await seedAdmissions(URL, schema, tag, EVENTS)
  const redis = await startRedis()
  cleanups.push(redis.kill)
  if (process.env["ANJU_TEST_TRACE"] !== undefined) process.stderr.write(`setup: ${Date.now() - t0} ms\n`)
  const worker = (args: ReadonlyArray<string>) => {
    const w = spawnWorker(["--queue", "bullmq", "--database-url", URL, "--db-schema", schema, ...args], {
      REDIS_URL: redis.url,
    })
    cleanups.push(async () => void w.child.kill("SIGKILL"))
    return w
  }
  return { schema, redis, worker }
}

/** The relay.deliver jobs of the applicant notices in a BullMQ state set (the queue handler's are others). */
const COUNT_NOTICE_JOBS = `local n = 0
for _, id in ipairs(redis.call('zrange', KEYS[1], 0, -1)) do
  local d = redis.call('hget', ARGV[1] .. id, 'data')
  if d and string.find(d, '"key":"notice.applicant:', 1, true) then n = n + 1 end
end
return n`
const noticeJobs = (redis: Awaited<ReturnType<typeof startRedis>>, state: "completed" | "failed") =>
  Number(redis.cli("eval", COUNT_NOTICE_JOBS, "1", `anju:relay.deliver:${state}`, "anju:relay.deliver:"))

const drained = (redis: Awaited<ReturnType<typeof startRedis>>) => ({
  active: Number(redis.cli("llen", "anju:relay.deliver:active")),
  wait: Number(redis.cli("llen", "anju:relay.deliver:wait")),
})

describe("the worker under BullMQ (private redis-server, real processes)", () => {
  it("kill -9 mid-batch, restart: every notice exactly once, all 1,000 deliveries completed, none failed", async () => {
    const { schema, redis, worker } = await setup("BK")
    const first = worker(["--concurrency", "2"])
    // Kill it mid-batch while it holds jobs (the active list is read just before the kill; a job may still
    // finish in between, so what the test relies on below is only what it reads after the kill).
    await until(
      "the first notices, with jobs held",
      async () => ({ notices: await notices(schema, "BK"), active: drained(redis).active }),
      (s) => s.notices >= 150 && s.active > 0,
      40_000,
    )
    first.child.kill("SIGKILL")
    expect(await first.exited).toMatchObject({ signal: "SIGKILL" })
    const before = await notices(schema, "BK")
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(EVENTS)

    // The crashed worker's locks run out: delete them and mark the active jobs as seen by a stalled check.
    // (Usually it died holding jobs; when the last held job finished just before the kill there are none.)
    const active = redis.cli("lrange", "anju:relay.deliver:active", "0", "-1").split("\n").filter(Boolean)
    for (const id of active) redis.cli("del", `anju:relay.deliver:${id}:lock`)
    redis.cli("del", "anju:relay.deliver:stalled-check")
    if (active.length > 0) redis.cli("sadd", "anju:relay.deliver:stalled", ...active)

    const second = worker(["--concurrency", "8"])
    await until(
      "every delivery completed",
      async () => ({ notices: await notices(schema, "BK"), ...drained(redis) }),
      (s) => s.notices === EVENTS && s.active === 0 && s.wait === 0,
      40_000,
    )
    second.child.kill("SIGTERM")
    expect(await second.exited).toMatchObject({ code: 0 })
    expect(noticeJobs(redis, "completed")).toBe(EVENTS)
    expect(noticeJobs(redis, "failed")).toBe(0)
    expect(await notices(schema, "BK")).toBe(EVENTS)
    const stopped = second.lines().find((l) => l["msg"] === "worker.stopped")
    expect(stopped).toMatchObject({ dead: 0 })
  }, 120_000)

  it("a Redis restart that loses everything mid-batch: the worker reconnects, re-relays from the outbox, every notice once", async () => {
    const { schema, redis, worker } = await setup("BR")
    const w = worker(["--concurrency", "2"])
    await until(
      "the first notices",
      () => notices(schema, "BR"),
      (n) => n >= 150,
      40_000,
    )
    await redis.kill()
    const during = await notices(schema, "BR")
    expect(during).toBeLessThan(EVENTS)
    await redis.start() // empty: no jobs, no schedules, no cursor
    await until(
      "every notice after the restart",
      async () => ({ notices: await notices(schema, "BR"), ...drained(redis) }),
      (s) => s.notices === EVENTS && s.active === 0 && s.wait === 0,
      40_000,
    )
    // The worker process survived and said what happened.
    expect(w.child.exitCode).toBeNull()
    expect(w.lines().some((l) => l["msg"] === "queue.data-lost")).toBe(true)
    // The cursor was re-created from 0 and re-read the whole outbox (the demo's own events too).
    expect(Number(redis.cli("hget", "anju:anju:cursors", "relay.case-outbox"))).toBeGreaterThanOrEqual(EVENTS)
    w.child.kill("SIGTERM")
    expect(await w.exited).toMatchObject({ code: 0 })
    // Re-relayed from the outbox: a job per notice in the new Redis, all completed, none failed.
    expect(noticeJobs(redis, "completed")).toBe(EVENTS)
    expect(noticeJobs(redis, "failed")).toBe(0)
    expect(await notices(schema, "BR")).toBe(EVENTS)
  }, 120_000)
})
