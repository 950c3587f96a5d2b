/**
 * WarningStore over PostgreSQL (or PGlite) through Kysely. `raise` and `recordCheck` are one
 * `insert … on conflict do nothing` then a read of the row that holds (a replay is a no-op); `resolve` is a
 * version-checked update. The list is a keyset over (status, raised_at desc, id). Rows are checked at the
 * edge; Kysely row types never leave the adapter. Driver errors are classified in `classify` by SQLSTATE.
 */
import { Effect, Layer, Option, Schedule } from "effect"
import { type Kysely, sql } from "kysely"
import {
  cursorOf,
  parseCursor,
  WarningStore,
  WarningStoreError,
  type WarningStoreErrorReason,
} from "../../application/ports/WarningStore.js"
import { resolveWarning, type WarningRecord, warningKey } from "../../domain/guard/WarningRecord.js"
import type { RecheckResult } from "../../domain/supervision/Recheck.js"
import { PgDatabase, sqlStateReason } from "./PgDatabase.js"
import type { WarningTables } from "./WarningSchema.js"

type Db = Kysely<WarningTables>

class Abort {
  constructor(readonly reason: WarningStoreErrorReason) {}
}

/** 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences. */
export const classify = (e: unknown): WarningStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  return sqlStateReason(e)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new WarningStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: WarningStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const warningOf = (data: unknown, version: number): WarningRecord => {
  const w = parsed(data) as Partial<WarningRecord> | null
  if (
    w === null ||
    typeof w !== "object" ||
    typeof w.id !== "string" ||
    typeof w.personIndex !== "string" ||
    typeof w.level !== "string" ||
    typeof w.status !== "string" ||
    !Array.isArray(w.trail)
  )
    throw new Abort({ _tag: "Rejected", detail: "a stored warning does not decode" })
  return { ...(w as WarningRecord), version }
}

const resultOf = (data: unknown): RecheckResult => {
  const r = parsed(data) as Partial<RecheckResult> | null
  if (r === null || typeof r !== "object" || typeof r.caseId !== "string" || typeof r.evidence !== "object")
    throw new Abort({ _tag: "Rejected", detail: "a stored re-check result does not decode" })
  return r as RecheckResult
}

const warningRow = (w: WarningRecord) => ({
  id: w.id,
  warning_key: warningKey(w),
  person_index: w.personIndex,
  district: w.district,
  level: w.level,
  rule: w.category,
  case_id: w.caseId ?? null,
  status: w.status,
  raised_at: w.raisedAt,
  version: w.version,
  data: JSON.stringify(w),
})

/** The WarningStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db
  const selectWarning = () => db.selectFrom("warnings").select(["data", "version"])

  return WarningStore.of({
    raise: (record) =>
      run(async () => {
        if (record.id.length === 0 || record.personIndex.length === 0)
          throw new Abort({ _tag: "Rejected", detail: "a warning needs an id and a person index" })
        const inserted = await db
          .insertInto("warnings")
          .values(warningRow(record))
          .onConflict((oc) => oc.doNothing())
          .returning(["data", "version"])
          .executeTakeFirst()
        if (inserted !== undefined)
          return { created: true, warning: warningOf(inserted.data, inserted.version) }
        const stored =
          (await selectWarning().where("warning_key", "=", warningKey(record)).executeTakeFirst()) ??
          (await selectWarning().where("id", "=", record.id).executeTakeFirst())
        if (stored === undefined)
          throw new Abort({ _tag: "Contention", detail: "the warning was written concurrently; retry" })
        return { created: false, warning: warningOf(stored.data, stored.version) }
      }),
    get: (id) =>
      run(async () => {
        const r = await selectWarning().where("id", "=", id).executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(warningOf(r.data, r.version))
      }),
    list: (q) =>
      run(async () => {
        const cursor = q.after === undefined ? undefined : parseCursor(q.after)
        if (q.after !== undefined && cursor === undefined)
          throw new Abort({ _tag: "Rejected", detail: "the cursor is not one this store returned" })
        let qb = selectWarning().select(["status", "raised_at", "id"])
        const none = sql<boolean>`false`
        if (q.districts !== undefined)
          qb = q.districts.length === 0 ? qb.where(none) : qb.where("district", "in", q.districts)
        if (q.levels !== undefined)
          qb = q.levels.length === 0 ? qb.where(none) : qb.where("level", "in", q.levels)
        if (q.rules !== undefined)
          qb = q.rules.length === 0 ? qb.where(none) : qb.where("rule", "in", q.rules)
        if (q.caseId !== undefined) qb = qb.where("case_id", "=", q.caseId)
        if (q.status !== undefined) qb = qb.where("status", "=", q.status)
        if (cursor !== undefined)
          qb = qb.where(
            sql<boolean>`(status > ${cursor.status} or (status = ${cursor.status} and (raised_at < ${cursor.raisedAt} or (raised_at = ${cursor.raisedAt} and id > ${cursor.id}))))`,
          )
        const rows = await qb
          .orderBy("status")
          .orderBy("raised_at", "desc")
          .orderBy("id")
          .limit(q.limit + 1)
          .execute()
        const items = rows.slice(0, q.limit).map((r) => warningOf(r.data, r.version))
        const last = items.at(-1)
        return { items, next: rows.length > q.limit && last !== undefined ? cursorOf(last) : null }
      }),
    resolve: ({ id, by, at, reason }) =>
      run(async () => {
        const cur = await selectWarning().where("id", "=", id).executeTakeFirst()
        if (cur === undefined) throw new Abort({ _tag: "NotFound", id })
        const w = warningOf(cur.data, cur.version)
        if (w.status !== "open") throw new Abort({ _tag: "Conflict", id, detail: "already resolved" })
        const next = resolveWarning(w, { by, at, reason })
        const updated = await db
          .updateTable("warnings")
          .set({ status: next.status, version: next.version, data: JSON.stringify(next) })
          .where("id", "=", id)
          .where("version", "=", w.version)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1)
          throw new Abort({ _tag: "Conflict", id, detail: "changed meanwhile; read it again" })
        return next
      }),
    recordCheck: (result) =>
      run(async () => {
        const inserted = await db
          .insertInto("recheck_results")
          .values({
            case_id: result.caseId,
            check_source: result.check,
            period: result.period,
            district: result.district,
            data: JSON.stringify(result),
          })
          .onConflict((oc) => oc.doNothing())
          .returning(["data"])
          .executeTakeFirst()
        if (inserted !== undefined) return { created: true, result: resultOf(inserted.data) }
        const stored = await db
          .selectFrom("recheck_results")
          .select(["data"])
          .where("case_id", "=", result.caseId)
          .where("check_source", "=", result.check)
          .where("period", "=", result.period)
          .executeTakeFirst()
        if (stored === undefined)
          throw new Abort({ _tag: "Contention", detail: "the result was written concurrently; retry" })
        return { created: false, result: resultOf(stored.data) }
      }),
    findCheck: (caseId, check, period) =>
      run(async () => {
        const r = await db
          .selectFrom("recheck_results")
          .select(["data"])
          .where("case_id", "=", caseId)
          .where("check_source", "=", check)
          .where("period", "=", period)
          .executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(resultOf(r.data))
      }),
    checksOf: (caseId) =>
      run(async () => {
        const rows = await db
          .selectFrom("recheck_results")
          .select(["data"])
          .where("case_id", "=", caseId)
          .orderBy("period")
          .orderBy("check_source")
          .execute()
        return rows.map((r) => resultOf(r.data))
      }),
  })
})

/** WarningStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<WarningStore, never, PgDatabase> = Layer.effect(WarningStore, make)
