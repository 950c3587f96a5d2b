/**
 * CaseStore over PostgreSQL (or PGlite) through Kysely. A commit is ONE transaction: the command record
 * first (its primary key makes a concurrent duplicate key fail), then the case insert or the
 * version-checked update, the people index, the history entry and the outbox events. Rows are decoded
 * into domain values with Schema here; Kysely row types never leave the adapter. Driver errors are
 * classified in `classify` by SQLSTATE and constraint name.
 */
import { Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
  type CaseChange,
  type CaseQuery,
  CaseStore,
  CaseStoreError,
  type CaseStoreErrorReason,
  type HistoryEntry,
  type StoredCase,
} from "../../application/ports/CaseStore.js"
import { Case, type CaseId, CaseState, MemberRole } from "../../domain/cases/Case.js"
import {
  type Database,
  dataExceptionText,
  isDataException,
  PgDatabase,
  sqlStateOf,
  unavailableText,
  withSqlState,
} from "./PgDatabase.js"

const Sealed = Schema.Struct({ keyId: Schema.String, ciphertext: Schema.String })
const StoredCaseSchema = Schema.Struct({
  ...Case.fields,
  members: Schema.Array(
    Schema.Struct({
      role: MemberRole,
      name: Sealed,
      idNumber: Sealed,
      idIndex: Schema.String,
      phone: Schema.NullOr(Sealed),
      bankCard: Schema.NullOr(Sealed),
    }),
  ),
  // Income and assets sealed; a plain string is a row written before they were (read compatibility).
  economy: Schema.NullOr(
    Schema.Struct({
      householdSize: Schema.Int,
      illnessPoverty: Schema.Boolean,
      annualDisposableIncome: Schema.Union([Sealed, Schema.String]),
      property: Schema.Union([Sealed, Schema.String]),
    }),
  ),
})
const decodeCase = Schema.decodeUnknownResult(StoredCaseSchema)
const decodeState = Schema.decodeUnknownResult(Schema.NullOr(CaseState))

class Abort {
  constructor(readonly reason: CaseStoreErrorReason) {}
}
const abort = (reason: CaseStoreErrorReason): never => {
  throw new Abort(reason)
}

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/**
 * 23505 → Conflict (case or command by constraint), 22xxx/23502/23514 → Rejected (not retryable),
 * 40001/40P01 → Contention, else Unavailable. Details are fixed sentences, never driver text; the
 * SQLSTATE rides along as the non-enumerable `sqlState` (PgDatabase.withSqlState).
 */
export const classify = (e: unknown): CaseStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = sqlStateOf(e)
  if (code === "23505") {
    const constraint = field(e, "constraint") ?? ""
    return withSqlState(
      { _tag: "Conflict", entity: constraint.startsWith("case_commands") ? "command" : "case", id: "" },
      code,
    )
  }
  if (code === "40001" || code === "40P01")
    return withSqlState({ _tag: "Contention", detail: "concurrent writes collided; retry" }, code)
  if (isDataException(code)) return withSqlState({ _tag: "Rejected", detail: dataExceptionText(code) }, code)
  return withSqlState({ _tag: "Unavailable", detail: unavailableText(code) }, code)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new CaseStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: CaseStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const json = (v: unknown) => JSON.stringify(v)
const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const caseFromData = (data: unknown): StoredCase => {
  const r = decodeCase(parsed(data))
  return Result.isSuccess(r)
    ? (r.success as StoredCase)
    : abort({ _tag: "Unavailable", detail: `a stored case does not decode: ${r.failure.message}` })
}

type Db = Kysely<Database> | Transaction<Database>

const commitChange = async (db: Kysely<Database>, change: CaseChange): Promise<void> => {
  const c = change.case
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("case_commands")
      .values({
        actor_id: change.command.actorId,
        key: change.command.key,
        request_digest: change.command.requestDigest,
        case_id: change.command.caseId,
        outcome: json(change.command.outcome),
      })
      .execute()
    const row = {
      kind: c.kind,
      state: c.state,
      version: c.version,
      district: c.district,
      project_id: c.projectId,
      applicant_index: c.members.find((m) => m.role === "applicant")?.idIndex ?? null,
      data: json(c),
      updated_at: c.updatedAt,
    }
    if (change.expectedVersion === 0) {
      const inserted = await trx
        .insertInto("cases")
        .values({ id: c.id, ...row })
        .onConflict((oc) => oc.column("id").doNothing())
        .returning("id")
        .execute()
      if (inserted.length === 0) abort({ _tag: "Conflict", entity: "case", id: c.id })
    } else {
      const res = await trx
        .updateTable("cases")
        .set(row)
        .where("id", "=", c.id)
        .where("version", "=", change.expectedVersion)
        .executeTakeFirst()
      if (res.numUpdatedRows !== 1n) {
        const cur = await trx.selectFrom("cases").select("version").where("id", "=", c.id).executeTakeFirst()
        abort({
          _tag: "StaleVersion",
          id: c.id,
          expected: change.expectedVersion,
          actual: cur?.version ?? null,
        })
      }
      await trx.deleteFrom("case_people").where("case_id", "=", c.id).execute()
    }
    const people = [...new Map(c.members.map((m) => [`${m.idIndex}|${m.role}`, m])).values()]
    if (people.length > 0)
      await trx
        .insertInto("case_people")
        .values(people.map((m) => ({ case_id: c.id, id_index: m.idIndex, role: m.role })))
        .execute()
    const h = change.history
    await trx
      .insertInto("case_history")
      .values({
        case_id: h.caseId,
        version: h.version,
        at: h.at,
        actor_id: h.actorId,
        actor_role: h.actorRole,
        command: h.command,
        from_state: h.from,
        to_state: h.to,
        note: h.note,
      })
      .execute()
    for (const e of change.events)
      await trx
        .insertInto("case_outbox")
        .values({ id: e.id, case_id: e.caseId, at: e.at, type: e.type, payload: json(e.payload) })
        .execute()
  })
}

const listCases = async (db: Db, q: CaseQuery) => {
  const rows = await db
    .selectFrom("cases")
    .select(["id", "data"])
    .$if(q.districts !== undefined, (qb) =>
      qb.where("district", "=", sql<string>`any(${[...q.districts!]}::text[])`),
    )
    .$if(q.projectIds !== undefined, (qb) =>
      qb.where("project_id", "=", sql<string>`any(${[...q.projectIds!]}::text[])`),
    )
    .$if(q.applicantIndex !== undefined, (qb) => qb.where("applicant_index", "=", q.applicantIndex!))
    .$if(q.states !== undefined, (qb) => qb.where("state", "=", sql<string>`any(${[...q.states!]}::text[])`))
    .$if(q.kind !== undefined, (qb) => qb.where("kind", "=", q.kind!))
    .$if(q.actedBy !== undefined, (qb) =>
      qb.where("id", "in", (eb) =>
        eb
          .selectFrom("case_history")
          .select("case_history.case_id")
          .where("case_history.actor_id", "=", q.actedBy!),
      ),
    )
    .$if(q.after !== undefined, (qb) => qb.where(sql<string>`id collate "C"`, ">", q.after!))
    .orderBy(sql`id collate "C"`)
    .limit(q.limit + 1)
    .execute()
  const items = rows.slice(0, q.limit).map((r) => caseFromData(r.data))
  const last = items.at(-1)
  return { items, next: rows.length > q.limit && last !== undefined ? last.id : null }
}

/** The CaseStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema)
  return CaseStore.of({
    commit: (change) => run(() => commitChange(db, change)),
    get: (id) =>
      run(async () => {
        const r = await db.selectFrom("cases").select("data").where("id", "=", id).executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(caseFromData(r.data))
      }),
    history: (id) =>
      run(async () => {
        const rows = await db
          .selectFrom("case_history")
          .selectAll()
          .where("case_id", "=", id)
          .orderBy("version")
          .execute()
        return rows.map(
          (r): HistoryEntry => ({
            caseId: r.case_id as CaseId,
            version: r.version,
            at: Number(r.at),
            actorId: r.actor_id,
            actorRole: r.actor_role,
            command: r.command,
            from: Result.getOrThrow(decodeState(r.from_state)),
            to: Result.getOrThrow(decodeState(r.to_state)) as CaseState,
            note: r.note,
          }),
        )
      }),
    findCommand: (actorId, key) =>
      run(async () => {
        const r = await db
          .selectFrom("case_commands")
          .selectAll()
          .where("actor_id", "=", actorId)
          .where("key", "=", key)
          .executeTakeFirst()
        if (r === undefined) return Option.none()
        const outcome = parsed(r.outcome) as { state: CaseState; version: number }
        return Option.some({
          actorId: r.actor_id,
          key: r.key,
          requestDigest: r.request_digest,
          caseId: r.case_id as CaseId,
          outcome: { state: outcome.state, version: Number(outcome.version) },
        })
      }),
    list: (q) => run(() => listCases(db, q)),
    findByIdIndex: (idx) =>
      run(async () => {
        const rows = await db
          .selectFrom("cases")
          .select(["id", "data"])
          .where("id", "in", (eb) =>
            eb
              .selectFrom("case_people")
              .select("case_people.case_id")
              .where("case_people.id_index", "=", idx),
          )
          .orderBy(sql`id collate "C"`)
          .execute()
        return rows.map((r) => caseFromData(r.data))
      }),
    resealCase: (next, expectedVersion) =>
      run(async () => {
        if (next.version !== expectedVersion) return false
        // Only the sealed data changes: version, history, people index and outbox stay as they are.
        const res = await db
          .updateTable("cases")
          .set({ data: json(next) })
          .where("id", "=", next.id)
          .where("version", "=", expectedVersion)
          .executeTakeFirst()
        return res.numUpdatedRows === 1n
      }),
    outbox: (after, limit) =>
      run(async () => {
        const rows = await db
          .selectFrom("case_outbox")
          .selectAll()
          .where("seq", ">", after)
          .orderBy("seq")
          .limit(limit)
          .execute()
        return rows.map((r) => ({
          seq: Number(r.seq),
          id: r.id,
          caseId: r.case_id as CaseId,
          at: Number(r.at),
          type: r.type,
          payload: parsed(r.payload) as Record<string, unknown>,
        }))
      }),
  })
})

/** CaseStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<CaseStore, never, PgDatabase> = Layer.effect(CaseStore, make)
