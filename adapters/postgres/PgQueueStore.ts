/**
 * QueueStore over PostgreSQL (or PGlite) through Kysely. `enter` is one `insert … on conflict do nothing`
 * (the primary key (queue, case) and the unique admission key make a replay a no-op), then a read of the
 * row that holds; `save` is a version-checked update. Rows decode into domain values with Schema here;
 * Kysely row types never leave the adapter. Driver errors are classified in `classify` by SQLSTATE.
 */
import { Effect, Layer, Option, Result, Schedule } from "effect"
import { type Kysely, sql } from "kysely"
import {
  QueueStore,
  QueueStoreError,
  type QueueStoreErrorReason,
} from "../../application/ports/QueueStore.js"
import { decodeQueueEntry, type QueueEntry } from "../../domain/queue/QueueEntry.js"
import { decodePlan, type QueuePlan } from "../../domain/queue/QueuePlan.js"
import { PgDatabase, sqlStateReason } from "./PgDatabase.js"
import type { QueueTables } from "./QueueSchema.js"

type Db = Kysely<QueueTables>

class Abort {
  constructor(readonly reason: QueueStoreErrorReason) {}
}

/** 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences. */
export const classify = (e: unknown): QueueStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  return sqlStateReason(e)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new QueueStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: QueueStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const entryOf = (data: unknown, version: number): QueueEntry => {
  const r = decodeQueueEntry({ ...(parsed(data) as object), version })
  if (Result.isFailure(r))
    throw new Abort({ _tag: "Rejected", detail: "a stored queue entry does not decode" })
  return r.success
}

const row = (e: QueueEntry, version: number, at: number) => ({
  queue_id: e.queueId,
  case_id: e.caseId,
  entered_by: e.enteredBy,
  district: e.district,
  project_id: e.projectId,
  applicant_index: e.applicantIndex,
  status: e.status,
  deadline: e.deadline,
  version,
  data: JSON.stringify({ ...e, version }),
  updated_at: at,
})

/** The QueueStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db
  const select = () => db.selectFrom("queue_entries").select(["data", "version"])

  return QueueStore.of({
    enter: (entry) =>
      run(async () => {
        const inserted = await db
          .insertInto("queue_entries")
          .values(row(entry, 1, entry.at))
          .onConflict((oc) => oc.doNothing())
          .returning(["data", "version"])
          .executeTakeFirst()
        if (inserted !== undefined) return { created: true, entry: entryOf(inserted.data, inserted.version) }
        const stored =
          (await select().where("entered_by", "=", entry.enteredBy).executeTakeFirst()) ??
          (await select()
            .where("queue_id", "=", entry.queueId)
            .where("case_id", "=", entry.caseId)
            .executeTakeFirst())
        if (stored === undefined)
          throw new Abort({ _tag: "Contention", detail: "the entry was written concurrently; retry" })
        return { created: false, entry: entryOf(stored.data, stored.version) }
      }),
    get: (queueId, caseId) =>
      run(async () => {
        const r = await select()
          .where("queue_id", "=", queueId)
          .where("case_id", "=", caseId)
          .executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(entryOf(r.data, r.version))
      }),
    entries: (queueId) =>
      run(async () => {
        const rows = await select().where("queue_id", "=", queueId).orderBy("case_id").execute()
        return rows.map((r) => entryOf(r.data, r.version))
      }),
    list: (q) =>
      run(async () => {
        let qb = select()
        if (q.districts !== undefined)
          qb =
            q.districts.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("district", "in", q.districts)
        if (q.projectIds !== undefined)
          qb =
            q.projectIds.length === 0
              ? qb.where(sql<boolean>`false`)
              : qb.where("project_id", "in", q.projectIds)
        if (q.applicantIndex !== undefined) qb = qb.where("applicant_index", "=", q.applicantIndex)
        if (q.caseId !== undefined) qb = qb.where("case_id", "=", q.caseId)
        const rows = await qb.orderBy("queue_id").orderBy("case_id").limit(q.limit).execute()
        return rows.map((r) => entryOf(r.data, r.version))
      }),
    save: (entry) =>
      run(async () => {
        const cur = await db
          .selectFrom("queue_entries")
          .select(["version", "entered_by"])
          .where("queue_id", "=", entry.queueId)
          .where("case_id", "=", entry.caseId)
          .executeTakeFirst()
        if (cur === undefined)
          throw new Abort({ _tag: "NotFound", queueId: entry.queueId, caseId: entry.caseId })
        const next = { ...entry, enteredBy: cur.entered_by }
        const {
          queue_id: _q,
          case_id: _c,
          entered_by: _e,
          ...values
        } = row(next, entry.version + 1, entry.at)
        const updated = await db
          .updateTable("queue_entries")
          .set(values)
          .where("queue_id", "=", entry.queueId)
          .where("case_id", "=", entry.caseId)
          .where("version", "=", entry.version)
          .returning(["data", "version"])
          .executeTakeFirst()
        if (updated === undefined) {
          const now = await db
            .selectFrom("queue_entries")
            .select("version")
            .where("queue_id", "=", entry.queueId)
            .where("case_id", "=", entry.caseId)
            .executeTakeFirst()
          throw new Abort({ _tag: "StaleVersion", expected: entry.version, actual: now?.version ?? null })
        }
        return entryOf(updated.data, updated.version)
      }),
    due: (now, limit) =>
      run(async () => {
        const rows = await select()
          .where("deadline", "is not", null)
          .where("status", "in", ["offered", "applying"])
          .where("deadline", "<", now)
          .orderBy("deadline")
          .orderBy("queue_id")
          .orderBy("case_id")
          .limit(limit)
          .execute()
        return rows.map((r) => entryOf(r.data, r.version))
      }),
    plan: (queueId) =>
      run(async () => {
        const r = await db
          .selectFrom("queue_plans")
          .select("plan")
          .where("queue_id", "=", queueId)
          .executeTakeFirst()
        if (r === undefined) return Option.none<QueuePlan>()
        const p = decodePlan(parsed(r.plan), `queue ${queueId}`)
        if (Result.isFailure(p))
          throw new Abort({ _tag: "Rejected", detail: "a stored queue plan does not decode" })
        return Option.some(p.success)
      }),
    setPlan: (queueId, plan, onlyIfAbsent = false) =>
      run(async () => {
        await db
          .insertInto("queue_plans")
          .values({ queue_id: queueId, plan: JSON.stringify(plan) })
          .onConflict((oc) =>
            onlyIfAbsent
              ? oc.column("queue_id").doNothing()
              : oc.column("queue_id").doUpdateSet({ plan: JSON.stringify(plan) }),
          )
          .execute()
        const r = await db
          .selectFrom("queue_plans")
          .select("plan")
          .where("queue_id", "=", queueId)
          .executeTakeFirstOrThrow()
        const p = decodePlan(parsed(r.plan), `queue ${queueId}`)
        if (Result.isFailure(p))
          throw new Abort({ _tag: "Rejected", detail: "a stored queue plan does not decode" })
        return p.success
      }),
  })
})

/** QueueStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<QueueStore, never, PgDatabase> = Layer.effect(QueueStore, make)
