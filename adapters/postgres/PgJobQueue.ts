/**
 * The embedded JobQueue: a jobs table in the same PostgreSQL (or PGlite) schema as the data. A claim is one
 * transaction that turns due schedules into jobs, dead-letters expired last attempts and leases due jobs
 * with `FOR UPDATE SKIP LOCKED` (concurrent workers never take the same job; PGlite is one session and runs
 * the same SQL). Every finishing write checks the lease token, so a worker whose lease expired cannot
 * complete a job someone else holds. `completeWithin(trx, …)` and `recordEffect(trx, …)` let a handler that
 * writes to this database commit its writes, its processed-pair and the job's completion together.
 * Time comes from Effect's Clock (workers on several hosts need synchronised clocks).
 */
import { randomUUID } from "node:crypto"
import { Clock, Effect, Layer, Schedule } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
  backoffMs,
  catchUp,
  kindProblem,
  nextDue,
  recurrenceProblem,
} from "../../application/jobs/Recurrence.js"
import {
  type ClaimedJob,
  type JobKindDefinition,
  type JobPayload,
  JobQueue,
  JobQueueError,
  type JobQueueErrorReason,
  type KindCounts,
  type Recurrence,
  type ScheduledRun,
} from "../../application/ports/JobQueue.js"
import type { JobTables } from "./JobSchema.js"
import { PgDatabase, sqlStateOf, unavailableText, withSqlState } from "./PgDatabase.js"

type Db = Kysely<JobTables>
type Trx = Transaction<JobTables>

class Abort {
  constructor(readonly reason: JobQueueErrorReason) {}
}

/** Abort → its reason; a serialization failure or deadlock is retried by `run`; the rest is Unavailable. */
export const classify = (e: unknown): JobQueueErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = sqlStateOf(e)
  if (code === "40001" || code === "40P01")
    return withSqlState({ _tag: "Unavailable", detail: "concurrent writes collided; retry" }, code)
  if (code === "23505")
    return withSqlState({ _tag: "Unavailable", detail: "a concurrent enqueue collided; retry" }, code)
  if (code !== undefined && (code.startsWith("22") || code === "23514"))
    return withSqlState({ _tag: "Rejected", detail: "the job queue refused a value it cannot hold" }, code)
  return withSqlState({ _tag: "Unavailable", detail: unavailableText(code) }, code)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new JobQueueError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: JobQueueError) => {
        const code = (e.reason as { sqlState?: string }).sqlState
        return code === "40001" || code === "40P01" || code === "23505"
      },
      times: 3,
      schedule: Schedule.exponential("10 millis"),
    }),
  )

const rejected = (detail: string) => new JobQueueError({ reason: { _tag: "Rejected", detail } })
const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)
const json = (v: unknown) => JSON.stringify(v)

/** The queue's tables in the PgDatabase's schema. */
export const jobTables = (database: PgDatabase["Service"]): Db =>
  database.db.withSchema(database.schema) as unknown as Db

const insertJob = async (
  db: Db | Trx,
  r: {
    kind: string
    key: string
    payload: JobPayload
    runAt: number
    maxAttempts: number
    schedule: ScheduledRun | null
    now: number
  },
) => {
  const inserted = await db
    .insertInto("jobs")
    .values({
      kind: r.kind,
      key: r.key,
      payload: json(r.payload),
      state: "pending",
      run_at: r.runAt,
      attempt: 0,
      max_attempts: r.maxAttempts,
      lease: null,
      lease_until: 0,
      schedule: r.schedule === null ? null : json(r.schedule),
      last_error: null,
      created_at: r.now,
      updated_at: r.now,
    })
    .onConflict((oc) => oc.columns(["kind", "key"]).doNothing())
    .returning("id")
    .executeTakeFirst()
  if (inserted !== undefined) return { id: String(inserted.id), created: true }
  const existing = await db
    .selectFrom("jobs")
    .select("id")
    .where("kind", "=", r.kind)
    .where("key", "=", r.key)
    .executeTakeFirstOrThrow()
  return { id: String(existing.id), created: false }
}

/**
 * Marks `job` done inside the caller's transaction; aborts it (LeaseLost) when the lease is no longer
 * this worker's, so the handler's writes in the same transaction roll back with it.
 */
export const completeWithin = async (trx: Transaction<never> | Trx, job: ClaimedJob, now: number) => {
  const t = trx as unknown as Trx
  const res = await t
    .updateTable("jobs")
    .set({ state: "done", lease: null, updated_at: now })
    .where("id", "=", job.id)
    .where("state", "=", "running")
    .where("lease", "=", job.lease)
    .where("lease_until", ">", now)
    .executeTakeFirst()
  if (res.numUpdatedRows !== 1n) throw new Abort({ _tag: "LeaseLost", jobId: job.id })
}

/**
 * Records that `handler` has applied `eventId` inside the caller's transaction: true the first time, false
 * when it was already recorded (the handler then skips its effect). Exactly once when the effect's writes
 * share the transaction.
 */
export const recordEffect = async (
  trx: Transaction<never> | Trx,
  handler: string,
  eventId: string,
  now: number,
): Promise<boolean> => {
  const t = trx as unknown as Trx
  const r = await t
    .insertInto("job_effects")
    .values({ handler, event_id: eventId, at: now })
    .onConflict((oc) => oc.columns(["handler", "event_id"]).doNothing())
    .returning("handler")
    .executeTakeFirst()
  return r !== undefined
}

/** Whether the job is still held by this lease (for the LeaseLost error of complete / fail / release). */
const finish = async (
  db: Db,
  job: ClaimedJob,
  now: number,
  set: Partial<{ state: string; run_at: number; attempt: number; last_error: string | null }>,
) => {
  const res = await db
    .updateTable("jobs")
    .set({ ...set, lease: null, updated_at: now })
    .where("id", "=", job.id)
    .where("state", "=", "running")
    .where("lease", "=", job.lease)
    .where("lease_until", ">", now)
    .executeTakeFirst()
  if (res.numUpdatedRows !== 1n) throw new Abort({ _tag: "LeaseLost", jobId: job.id })
}

/**
 * Completions that arrive in the same turn of the event loop (the relay completes up to its delivery
 * concurrency at once) go out as ONE statement, `UPDATE … FROM unnest(ids, leases, nows)`, each row still
 * checked against its own lease; a job whose lease is gone resolves false (LeaseLost for its caller only).
 */
const makeCompleter = (db: Db, schema: string) => {
  type Waiter = {
    readonly job: ClaimedJob
    readonly now: number
    readonly resolve: (ok: boolean) => void
    readonly reject: (e: unknown) => void
  }
  let pending: Array<Waiter> = []
  const flush = async () => {
    const batch = pending
    pending = []
    const seen = new Set<string>()
    const rows: Array<Waiter> = []
    for (const w of batch) {
      // The same job twice in one batch: the second is a repeat of a finished completion → LeaseLost.
      if (seen.has(w.job.id)) w.resolve(false)
      else {
        seen.add(w.job.id)
        rows.push(w)
      }
    }
    try {
      const done = await sql<{ id: string | number }>`
        update ${sql.id(schema, "jobs")} j
        set state = 'done', lease = null, updated_at = b.now
        from unnest(${rows.map((w) => w.job.id)}::bigint[], ${rows.map((w) => w.job.lease)}::text[],
                    ${rows.map((w) => w.now)}::bigint[]) as b(id, lease, now)
        where j.id = b.id and j.state = 'running' and j.lease = b.lease and j.lease_until > b.now
        returning j.id`.execute(db)
      const ok = new Set(done.rows.map((r) => String(r.id)))
      for (const w of rows) w.resolve(ok.has(w.job.id))
    } catch (e) {
      for (const w of rows) w.reject(e)
    }
  }
  return (job: ClaimedJob, now: number) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush())
      pending.push({
        job,
        now,
        resolve: (ok) => (ok ? resolve() : reject(new Abort({ _tag: "LeaseLost", jobId: job.id }))),
        reject,
      })
    })
}

const fireSchedules = async (trx: Trx, kinds: ReadonlyMap<string, JobKindDefinition>, now: number) => {
  const due = await trx
    .selectFrom("job_schedules")
    .selectAll()
    .where("pending_at", "<=", now)
    .forUpdate()
    .skipLocked()
    .execute()
  for (const s of due) {
    const d = kinds.get(s.kind)
    if (d === undefined) continue
    const every = parsed(s.every) as Recurrence
    const c = catchUp(every, Number(s.pending_at), now, Number(s.anchor))
    if (!c.due || c.dueAt === null) continue
    await insertJob(trx, {
      kind: s.kind,
      key: `${s.id}@${c.dueAt}`,
      payload: parsed(s.payload) as JobPayload,
      runAt: c.dueAt,
      maxAttempts: d.maxAttempts,
      schedule: { scheduleId: s.id, dueAt: c.dueAt, coalesced: c.coalesced },
      now,
    })
    await trx.updateTable("job_schedules").set({ pending_at: c.nextAt }).where("id", "=", s.id).execute()
  }
}

const claimJobs = async (
  db: Db,
  schema: string,
  kinds: ReadonlyMap<string, JobKindDefinition>,
  wanted: ReadonlyArray<string>,
  limit: number,
  now: number,
): Promise<ReadonlyArray<ClaimedJob>> => {
  if (wanted.length === 0 || limit < 1) return []
  const lease = randomUUID()
  const leaseMs = wanted.map((k) => kinds.get(k)!.leaseMs)
  return db.transaction().execute(async (trx) => {
    await fireSchedules(trx, kinds, now)
    await trx
      .updateTable("jobs")
      .set({ state: "dead", lease: null, last_error: "lease expired on the last attempt", updated_at: now })
      .where("state", "=", "running")
      .where("lease_until", "<=", now)
      .where(sql<boolean>`attempt >= max_attempts`)
      .where("kind", "=", sql<string>`any(${wanted}::text[])`)
      .execute()
    const rows = await sql<{
      id: string | number
      kind: string
      key: string
      payload: unknown
      attempt: number
      max_attempts: number
      lease_until: string | number
      schedule: unknown
    }>`
      with due as (
        select id from ${sql.id(schema, "jobs")}
        where kind = any(${wanted}::text[])
          and ((state in ('pending', 'failed') and run_at <= ${now}) or (state = 'running' and lease_until <= ${now}))
        order by run_at, id
        limit ${limit}
        for update skip locked
      ), lease_of as (
        select * from unnest(${wanted}::text[], ${leaseMs}::bigint[]) as l(kind, ms)
      )
      update ${sql.id(schema, "jobs")} j
      set state = 'running', attempt = j.attempt + 1, lease = ${lease},
          lease_until = ${now} + lease_of.ms, updated_at = ${now}
      from due, lease_of
      where j.id = due.id and lease_of.kind = j.kind
      returning j.id, j.kind, j.key, j.payload, j.attempt, j.max_attempts, j.lease_until, j.schedule, j.run_at`.execute(
      trx,
    )
    return rows.rows
      .map(
        (r): ClaimedJob => ({
          id: String(r.id),
          kind: r.kind,
          key: r.key,
          payload: parsed(r.payload) as JobPayload,
          attempt: r.attempt,
          maxAttempts: r.max_attempts,
          lease,
          leaseUntil: Number(r.lease_until),
          schedule: (parsed(r.schedule) as ScheduledRun | null) ?? null,
        }),
      )
      .sort((a, b) => Number(a.id) - Number(b.id))
  })
}

/** The embedded JobQueue over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = jobTables(database)
  const kinds = new Map<string, JobKindDefinition>()
  const now = Clock.currentTimeMillis
  const defined = (kind: string) =>
    kinds.has(kind) ? Effect.void : Effect.fail(rejected(`job kind "${kind}" is not defined`))
  const completeBatched = makeCompleter(db, database.schema)

  return JobQueue.of({
    define: (defs) =>
      Effect.suspend(() => {
        for (const d of defs) {
          const problem = kindProblem(d)
          if (problem !== null) return Effect.fail(rejected(problem))
        }
        for (const d of defs) kinds.set(d.kind, d)
        return Effect.void
      }),
    enqueue: (r) =>
      Effect.gen(function* () {
        yield* defined(r.kind)
        if (r.key.length === 0 || r.key.length > 256) return yield* rejected("a job key is 1–256 characters")
        const t = yield* now
        return yield* run(() =>
          insertJob(db, {
            kind: r.kind,
            key: r.key,
            payload: r.payload,
            runAt: r.runAt ?? t,
            maxAttempts: kinds.get(r.kind)!.maxAttempts,
            schedule: null,
            now: t,
          }),
        )
      }),
    enqueueAll: (requests) =>
      Effect.gen(function* () {
        for (const r of requests) {
          yield* defined(r.kind)
          if (r.key.length === 0 || r.key.length > 256)
            return yield* rejected("a job key is 1–256 characters")
        }
        if (requests.length === 0) return []
        const t = yield* now
        return yield* run(() =>
          db.transaction().execute(async (trx) => {
            // One INSERT over five arrays (unnest) rather than 13 bound values per row: fewer parameters to
            // send and parse for the pump's batches of hundreds of jobs.
            const created = (
              await sql<{ id: string | number; kind: string; key: string }>`
                insert into ${sql.id(database.schema, "jobs")}
                  (kind, key, payload, state, run_at, attempt, max_attempts, lease, lease_until, schedule,
                   last_error, created_at, updated_at)
                select u.kind, u.key, u.payload::jsonb, 'pending', u.run_at, 0, u.max_attempts, null, 0, null,
                       null, ${t}, ${t}
                from unnest(${requests.map((r) => r.kind)}::text[], ${requests.map((r) => r.key)}::text[],
                            ${requests.map((r) => json(r.payload))}::text[],
                            ${requests.map((r) => r.runAt ?? t)}::bigint[],
                            ${requests.map((r) => kinds.get(r.kind)!.maxAttempts)}::integer[])
                  with ordinality as u(kind, key, payload, run_at, max_attempts, n)
                order by u.n
                on conflict (kind, key) do nothing
                returning id, kind, key`.execute(trx)
            ).rows
            const fresh = new Map(created.map((c) => [`${c.kind}\u0000${c.key}`, String(c.id)]))
            const out: Array<{ id: string; created: boolean }> = []
            const reported = new Set<string>()
            for (const r of requests) {
              const id = fresh.get(`${r.kind}\u0000${r.key}`)
              if (id !== undefined) {
                out.push({ id, created: !reported.has(id) })
                reported.add(id)
                continue
              }
              const existing = await trx
                .selectFrom("jobs")
                .select("id")
                .where("kind", "=", r.kind)
                .where("key", "=", r.key)
                .executeTakeFirstOrThrow()
              out.push({ id: String(existing.id), created: false })
            }
            return out
          }),
        )
      }),
    claim: ({ kinds: wanted, limit }) =>
      Effect.gen(function* () {
        const t = yield* now
        const ks = (wanted ?? [...kinds.keys()]).filter((k) => kinds.has(k))
        return yield* run(() => claimJobs(db, database.schema, kinds, ks, limit, t))
      }),
    complete: (job) => Effect.flatMap(now, (t) => run(() => completeBatched(job, t))),
    fail: (job, error) =>
      Effect.gen(function* () {
        const t = yield* now
        const d = kinds.get(job.kind)
        if (d === undefined) return yield* rejected(`job kind "${job.kind}" is not defined`)
        const detail = error.slice(0, 2000)
        if (job.attempt >= job.maxAttempts) {
          yield* run(() => finish(db, job, t, { state: "dead", last_error: detail }))
          return { _tag: "Dead" } as const
        }
        const at = t + backoffMs(d, job.attempt)
        yield* run(() => finish(db, job, t, { state: "failed", run_at: at, last_error: detail }))
        return { _tag: "Retry", at } as const
      }),
    release: (job) =>
      Effect.flatMap(now, (t) =>
        run(() =>
          finish(db, job, t, {
            state: job.attempt > 1 ? "failed" : "pending",
            attempt: job.attempt - 1,
            run_at: t,
          }),
        ),
      ),
    schedule: (s) =>
      Effect.gen(function* () {
        yield* defined(s.kind)
        const problem = recurrenceProblem(s.every)
        if (problem !== null) return yield* rejected(`schedule ${s.id}: ${problem}`)
        const t = yield* now
        yield* run(() =>
          db.transaction().execute(async (trx) => {
            const prior = await trx
              .selectFrom("job_schedules")
              .select(["every", "anchor", "pending_at"])
              .where("id", "=", s.id)
              .forUpdate()
              .executeTakeFirst()
            const same = prior !== undefined && json(parsed(prior.every)) === json(s.every)
            const anchor = same ? Number(prior.anchor) : t
            const pendingAt = same ? Number(prior.pending_at) : nextDue(s.every, t, t)
            await trx
              .insertInto("job_schedules")
              .values({
                id: s.id,
                kind: s.kind,
                every: json(s.every),
                payload: json(s.payload),
                anchor,
                pending_at: pendingAt,
              })
              .onConflict((oc) =>
                oc.column("id").doUpdateSet({
                  kind: s.kind,
                  every: json(s.every),
                  payload: json(s.payload),
                  anchor,
                  pending_at: pendingAt,
                }),
              )
              .execute()
          }),
        )
      }),
    cursor: (name) =>
      run(async () => {
        const r = await db
          .selectFrom("job_cursors")
          .select("position")
          .where("name", "=", name)
          .executeTakeFirst()
        return r === undefined ? 0 : Number(r.position)
      }),
    advanceCursor: (name, position) =>
      run(async () => {
        await db
          .insertInto("job_cursors")
          .values({ name, position })
          .onConflict((oc) =>
            oc
              .column("name")
              .doUpdateSet({ position })
              .where(sql<boolean>`job_cursors.position < excluded.position`),
          )
          .execute()
      }),
    counts: run(async () => {
      const ks = [...kinds.keys()]
      const out = new Map<string, { -readonly [K in keyof KindCounts]: KindCounts[K] }>()
      for (const kind of ks)
        out.set(kind, { kind, pending: 0, running: 0, done: 0, failed: 0, dead: 0, nextRunAt: null })
      if (ks.length === 0) return []
      const rows = await db
        .selectFrom("jobs")
        .select((eb) => [
          "kind",
          "state",
          eb.fn.countAll<string | number>().as("n"),
          eb.fn.min<string | number | null>("run_at").as("next"),
        ])
        .where("kind", "=", sql<string>`any(${ks}::text[])`)
        .groupBy(["kind", "state"])
        .execute()
      const earliest = (c: { nextRunAt: number | null }, t: number) => {
        c.nextRunAt = c.nextRunAt === null ? t : Math.min(c.nextRunAt, t)
      }
      for (const r of rows) {
        const c = out.get(r.kind)
        if (c === undefined) continue
        const state = r.state as "pending" | "running" | "done" | "failed" | "dead"
        c[state] = Number(r.n)
        if ((state === "pending" || state === "failed") && r.next !== null) earliest(c, Number(r.next))
      }
      const schedules = await db
        .selectFrom("job_schedules")
        .select(["kind", "pending_at"])
        .where("kind", "=", sql<string>`any(${ks}::text[])`)
        .execute()
      for (const s of schedules) {
        const c = out.get(s.kind)
        if (c !== undefined) earliest(c, Number(s.pending_at))
      }
      return [...out.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1))
    }),
  })
})

/** JobQueue over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<JobQueue, never, PgDatabase> = Layer.effect(JobQueue, make)
