/**
 * SubsidyStore over PostgreSQL (or PGlite) through Kysely. `ensureAgreement` and `putLine` are one
 * `insert … on conflict do nothing` then a read of the row that holds (a replay returns the first value);
 * `saveAgreement` is a version-checked update; `confirm` is one update of a district-month's computed lines;
 * `totals` groups in the database. Rows decode into domain values with Schema here; Kysely row types never
 * leave the adapter. Driver errors are classified in `classify` by SQLSTATE.
 */
import { Effect, Layer, Option, Result, Schedule } from "effect"
import { type Kysely, sql } from "kysely"
import {
  SubsidyStore,
  SubsidyStoreError,
  type SubsidyStoreErrorReason,
} from "../../application/ports/SubsidyStore.js"
import {
  decodeAgreement,
  decodeLine,
  type PayoutLine,
  type SubsidyAgreement,
} from "../../domain/subsidy/SubsidyAgreement.js"
import { PgDatabase, sqlStateReason } from "./PgDatabase.js"
import type { SubsidyTables } from "./SubsidySchema.js"

type Db = Kysely<SubsidyTables>

class Abort {
  constructor(readonly reason: SubsidyStoreErrorReason) {}
}

/** 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences. */
export const classify = (e: unknown): SubsidyStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  return sqlStateReason(e)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new SubsidyStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: SubsidyStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const agreementOf = (data: unknown, version: number): SubsidyAgreement => {
  const r = decodeAgreement({ ...(parsed(data) as object), version })
  if (Result.isFailure(r))
    throw new Abort({ _tag: "Rejected", detail: "a stored subsidy agreement does not decode" })
  return r.success
}

const lineOf = (data: unknown): PayoutLine => {
  const r = decodeLine(parsed(data))
  if (Result.isFailure(r))
    throw new Abort({ _tag: "Rejected", detail: "a stored payout line does not decode" })
  return r.success
}

const agreementRow = (a: SubsidyAgreement, version: number) => ({
  case_id: a.caseId,
  district: a.district,
  status: a.status,
  version,
  data: JSON.stringify({ ...a, version }),
})

const lineRow = (l: PayoutLine) => ({
  line_id: l.lineId,
  case_id: l.caseId,
  district: l.district,
  month: l.month,
  kind: l.kind,
  amount: l.amount,
  status: l.status,
  data: JSON.stringify(l),
})

/** The SubsidyStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db
  const selectAgreement = () => db.selectFrom("subsidy_agreements").select(["data", "version"])

  return SubsidyStore.of({
    ensureAgreement: (a) =>
      run(async () => {
        const inserted = await db
          .insertInto("subsidy_agreements")
          .values(agreementRow(a, 1))
          .onConflict((oc) => oc.doNothing())
          .returning(["data", "version"])
          .executeTakeFirst()
        if (inserted !== undefined)
          return { created: true, agreement: agreementOf(inserted.data, inserted.version) }
        const stored = await selectAgreement().where("case_id", "=", a.caseId).executeTakeFirst()
        if (stored === undefined)
          throw new Abort({ _tag: "Contention", detail: "the agreement was written concurrently; retry" })
        return { created: false, agreement: agreementOf(stored.data, stored.version) }
      }),
    getAgreement: (caseId) =>
      run(async () => {
        const r = await selectAgreement().where("case_id", "=", caseId).executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(agreementOf(r.data, r.version))
      }),
    saveAgreement: (a) =>
      run(async () => {
        const cur = await db
          .selectFrom("subsidy_agreements")
          .select(["version", "data"])
          .where("case_id", "=", a.caseId)
          .executeTakeFirst()
        if (cur === undefined) throw new Abort({ _tag: "NotFound", caseId: a.caseId })
        const createdBy = (parsed(cur.data) as { createdBy: string }).createdBy
        const { case_id: _c, ...values } = agreementRow({ ...a, createdBy }, a.version + 1)
        const updated = await db
          .updateTable("subsidy_agreements")
          .set(values)
          .where("case_id", "=", a.caseId)
          .where("version", "=", a.version)
          .returning(["data", "version"])
          .executeTakeFirst()
        if (updated === undefined) {
          const now = await db
            .selectFrom("subsidy_agreements")
            .select("version")
            .where("case_id", "=", a.caseId)
            .executeTakeFirst()
          throw new Abort({ _tag: "StaleVersion", expected: a.version, actual: now?.version ?? null })
        }
        return agreementOf(updated.data, updated.version)
      }),
    listAgreements: (q) =>
      run(async () => {
        let qb = selectAgreement()
        if (q.districts !== undefined)
          qb =
            q.districts.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("district", "in", q.districts)
        if (q.statuses !== undefined)
          qb = q.statuses.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("status", "in", q.statuses)
        if (q.after !== undefined) qb = qb.where("case_id", ">", q.after)
        const rows = await qb.orderBy("case_id").limit(q.limit).execute()
        return rows.map((r) => agreementOf(r.data, r.version))
      }),
    putLine: (line) =>
      run(async () => {
        const inserted = await db
          .insertInto("subsidy_lines")
          .values(lineRow(line))
          .onConflict((oc) => oc.doNothing())
          .returning("data")
          .executeTakeFirst()
        if (inserted !== undefined) return { created: true, line: lineOf(inserted.data) }
        const stored = await db
          .selectFrom("subsidy_lines")
          .select("data")
          .where("line_id", "=", line.lineId)
          .executeTakeFirst()
        if (stored === undefined)
          throw new Abort({ _tag: "Contention", detail: "the line was written concurrently; retry" })
        return { created: false, line: lineOf(stored.data) }
      }),
    listLines: (q) =>
      run(async () => {
        let qb = db.selectFrom("subsidy_lines").select("data").where("month", "=", q.month)
        if (q.districts !== undefined)
          qb =
            q.districts.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("district", "in", q.districts)
        if (q.caseId !== undefined) qb = qb.where("case_id", "=", q.caseId)
        if (q.after !== undefined) qb = qb.where("line_id", ">", q.after)
        const rows = await qb.orderBy("line_id").limit(q.limit).execute()
        return rows.map((r) => lineOf(r.data))
      }),
    totals: (month, districts) =>
      run(async () => {
        let qb = db
          .selectFrom("subsidy_lines")
          .select([
            "district",
            sql<string>`count(*)`.as("lines"),
            sql<string>`coalesce(sum(amount), 0)`.as("amount"),
            sql<string>`count(*) filter (where status = 'computed')`.as("computed"),
            sql<string>`count(*) filter (where status = 'confirmed')`.as("confirmed"),
          ])
          .where("month", "=", month)
        if (districts !== undefined)
          qb = districts.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("district", "in", districts)
        const rows = await qb.groupBy("district").orderBy(sql`district collate "C"`).execute()
        return rows.map((r) => ({
          district: r.district,
          lines: Number(r.lines),
          amount: Number(r.amount),
          computed: Number(r.computed),
          confirmed: Number(r.confirmed),
        }))
      }),
    confirm: (district, month, by, at) =>
      run(async () => {
        const r = await db
          .updateTable("subsidy_lines")
          .set({
            status: "confirmed",
            data: sql`data || jsonb_build_object('status', 'confirmed', 'confirmedBy', ${by}::text, 'confirmedAt', ${at}::bigint)`,
          } as never)
          .where("district", "=", district)
          .where("month", "=", month)
          .where("status", "=", "computed")
          .executeTakeFirst()
        return Number(r.numUpdatedRows)
      }),
    recordRun: (r) =>
      run(async () => {
        await db
          .insertInto("subsidy_runs")
          .values({ month: r.month, at: r.at, counts: JSON.stringify(r.counts) })
          .onConflict((oc) => oc.column("month").doUpdateSet({ at: r.at, counts: JSON.stringify(r.counts) }))
          .execute()
      }),
    lastRun: () =>
      run(async () => {
        const r = await db
          .selectFrom("subsidy_runs")
          .select(["month", "at", "counts"])
          .orderBy(sql`month collate "C"`, "desc")
          .limit(1)
          .executeTakeFirst()
        return r === undefined
          ? Option.none()
          : Option.some({
              month: r.month,
              at: Number(r.at),
              counts: parsed(r.counts) as Record<string, number>,
            })
      }),
  })
})

/** SubsidyStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<SubsidyStore, never, PgDatabase> = Layer.effect(SubsidyStore, make)
