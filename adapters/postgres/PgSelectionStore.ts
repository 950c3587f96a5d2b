/**
 * SelectionStore over PostgreSQL (or PGlite) through Kysely. `choose` is one transaction: the choice row
 * (primary key (session, family) and the partial unique index on standing units), the stock unit through
 * PgStockStore's own version-checked update (`updateUnitsIn`, same row encoding), then the log row (its
 * partial unique index: one choose-or-skip per family); `importLog` runs the same statements for a whole imported
 * log and writes the net unit changes, in one transaction. A unique violation of a statement maps to the
 * refusal that statement stands for; other driver errors are classified by SQLSTATE in `classify`.
 */
import { Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
  type SelectionEvent,
  type SelectionSessionRecord,
  SelectionStore,
  SelectionStoreError,
  type SelectionStoreErrorReason,
  type StoredSelection,
} from "../../application/ports/SelectionStore.js"
import type { UnitUpdate } from "../../application/ports/StockStore.js"
import type { LogEntry } from "../../domain/selection/SelectionSession.js"
import { type Database, PgDatabase, sqlStateOf, sqlStateReason } from "./PgDatabase.js"
import { stockRefusalOf, updateUnitsIn } from "./PgStockStore.js"
import type { SelectionTables } from "./SelectionSchema.js"

type Db = Kysely<Database & SelectionTables>
type Trx = Transaction<Database & SelectionTables>

class Abort {
  constructor(readonly reason: SelectionStoreErrorReason) {}
}
const abort = (reason: SelectionStoreErrorReason): never => {
  throw new Abort(reason)
}

/** 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences. */
export const classify = (e: unknown): SelectionStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  return sqlStateReason(e)
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new SelectionStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: SelectionStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

/** Runs one statement; a unique violation (23505) becomes `reason`. */
const unique = async <A>(p: Promise<A>, reason: SelectionStoreErrorReason): Promise<A> => {
  try {
    return await p
  } catch (e) {
    if (sqlStateOf(e) === "23505") return abort(reason)
    throw e
  }
}

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const SessionData = Schema.Struct({
  sessionId: Schema.String,
  roundId: Schema.String,
  drawId: Schema.String,
  projectId: Schema.String,
  district: Schema.String,
  title: Schema.String,
  openedAt: Schema.Finite,
  openedBy: Schema.String,
  families: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      stratum: Schema.String,
      rank: Schema.Int,
      number: Schema.Int,
      outcome: Schema.Literals(["winner", "waiting"]),
      barcode: Schema.String,
    }),
  ),
  units: Schema.Array(
    Schema.Struct({ id: Schema.String, stratum: Schema.String, label: Schema.optionalKey(Schema.String) }),
  ),
})
const decodeSession = Schema.decodeUnknownResult(SessionData)

const sessionOf = (data: unknown): SelectionSessionRecord => {
  const r = decodeSession(parsed(data))
  if (Result.isFailure(r))
    return abort({ _tag: "Rejected", detail: "a stored selection session does not decode" })
  return r.success
}

const ACTIONS = new Set(["check-in", "preselect", "choose", "skip", "release"])

const logOf = (
  rows: ReadonlyArray<{
    at: string | number
    action: string
    family: string
    unit_id: string | null
    note: string | null
    actor: string
  }>,
): Array<LogEntry> =>
  rows.map((r, i) => {
    if (!ACTIONS.has(r.action))
      abort({ _tag: "Rejected", detail: "a stored selection log entry does not decode" })
    return {
      seq: i + 1,
      at: Number(r.at),
      action: r.action as LogEntry["action"],
      family: r.family,
      actor: r.actor,
      ...(r.unit_id === null ? {} : { unit: r.unit_id }),
      ...(r.note === null ? {} : { note: r.note }),
    }
  })

const logRow = (sessionId: string, e: SelectionEvent) => ({
  session_id: sessionId,
  at: e.at,
  action: e.action,
  family: e.family,
  unit_id: e.unit ?? null,
  note: e.note ?? null,
  actor: e.actor,
})

const sameSession = (a: SelectionSessionRecord, b: SelectionSessionRecord) =>
  JSON.stringify(Schema.encodeSync(SessionData)(a)) === JSON.stringify(Schema.encodeSync(SessionData)(b))

/** The SelectionStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db

  const load = async (q: Db | Trx, sessionId: string): Promise<StoredSelection | undefined> => {
    const s = await q
      .selectFrom("selection_sessions")
      .select("data")
      .where("session_id", "=", sessionId)
      .executeTakeFirst()
    if (s === undefined) return undefined
    const rows = await q
      .selectFrom("selection_log")
      .select(["at", "action", "family", "unit_id", "note", "actor"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute()
    return { session: sessionOf(s.data), log: logOf(rows) }
  }
  const requireSession = async (trx: Trx, sessionId: string) => {
    const s = await trx
      .selectFrom("selection_sessions")
      .select("session_id")
      .where("session_id", "=", sessionId)
      .executeTakeFirst()
    if (s === undefined) abort({ _tag: "NotFound", sessionId })
  }
  const writeUnits = async (trx: Trx, updates: ReadonlyArray<UnitUpdate>) => {
    try {
      await updateUnitsIn(trx as unknown as Transaction<Database>, updates)
    } catch (e) {
      const r = stockRefusalOf(e)
      if (r === undefined) throw e
      return abort(
        r._tag === "StaleVersion"
          ? { _tag: "StaleVersion", unit: r.id, expected: r.expected }
          : { _tag: "Rejected", detail: "the stock refused the unit write" },
      )
    }
  }
  const writeUnit = (trx: Trx, update: UnitUpdate) => writeUnits(trx, [update])
  /** A check-in, preselect or skip under its once-only rules (the log's partial unique indexes). */
  const recordIn = async (trx: Trx, sessionId: string, event: SelectionEvent) => {
    if (event.action === "skip") {
      // A skip after a choice (released or not) is refused like a second choice.
      const chosen = await trx
        .selectFrom("selection_choices")
        .select("family")
        .where("session_id", "=", sessionId)
        .where("family", "=", event.family)
        .executeTakeFirst()
      if (chosen !== undefined) abort({ _tag: "AlreadyDone", family: event.family, action: "skip" })
    }
    await unique(trx.insertInto("selection_log").values(logRow(sessionId, event)).execute(), {
      _tag: "AlreadyDone",
      family: event.family,
      action: event.action,
    })
  }
  /** The choice row of `event` (AlreadyDone / UnitTaken by its keys); the unit is written by the caller. */
  const claimIn = async (trx: Trx, sessionId: string, event: SelectionEvent, unit: string) => {
    const prior = await trx
      .selectFrom("selection_choices")
      .select("family")
      .where("session_id", "=", sessionId)
      .where("family", "=", event.family)
      .executeTakeFirst()
    if (prior !== undefined) abort({ _tag: "AlreadyDone", family: event.family, action: "choose" })
    // The stored unit is the one truth for a unit's state: a standing choice of a unit the stock shows
    // available again ended with what followed it (contract revoked, exited or moved out, R35), so it no
    // longer holds the unit. Racing choosers both run this; the row lock makes the second a no-op.
    await trx
      .updateTable("selection_choices")
      .set({ released_at: event.at })
      .where("unit_id", "=", unit)
      .where("released_at", "is", null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("units")
            .select("units.id")
            .where("units.id", "=", unit)
            .where("units.status", "=", "available"),
        ),
      )
      .execute()
    // Both unique keys can fire here when two choosers race: find out which one did.
    try {
      await trx
        .insertInto("selection_choices")
        .values({
          session_id: sessionId,
          family: event.family,
          unit_id: unit,
          chosen_at: event.at,
          released_at: null,
        })
        .execute()
    } catch (e) {
      if (sqlStateOf(e) !== "23505") throw e
      const constraint = (e as { constraint?: unknown }).constraint
      return abort(
        constraint === "selection_choices_pkey"
          ? { _tag: "AlreadyDone", family: event.family, action: "choose" }
          : { _tag: "UnitTaken", unit },
      )
    }
  }
  const chooseLogIn = (trx: Trx, sessionId: string, event: SelectionEvent) =>
    unique(trx.insertInto("selection_log").values(logRow(sessionId, event)).execute(), {
      _tag: "AlreadyDone",
      family: event.family,
      action: "choose",
    })
  /** Marks the family's standing choice released (NotChosen without one); returns its unit. */
  const unclaimIn = async (trx: Trx, sessionId: string, event: SelectionEvent): Promise<string> => {
    const released = await trx
      .updateTable("selection_choices")
      .set({ released_at: event.at })
      .where("session_id", "=", sessionId)
      .where("family", "=", event.family)
      .where("released_at", "is", null)
      .returning("unit_id")
      .executeTakeFirst()
    if (released === undefined) return abort({ _tag: "NotChosen", family: event.family })
    return released.unit_id
  }

  return SelectionStore.of({
    open: (session) =>
      run(async () => {
        const inserted = await db
          .insertInto("selection_sessions")
          .values({
            session_id: session.sessionId,
            round_id: session.roundId,
            draw_id: session.drawId,
            project_id: session.projectId,
            district: session.district,
            opened_at: session.openedAt,
            data: JSON.stringify(Schema.encodeSync(SessionData)(session)),
          })
          .onConflict((oc) => oc.doNothing())
          .returning("session_id")
          .executeTakeFirst()
        if (inserted !== undefined)
          return { created: true, selection: { session, log: [] } satisfies StoredSelection }
        const byDraw = await db
          .selectFrom("selection_sessions")
          .select("session_id")
          .where("draw_id", "=", session.drawId)
          .executeTakeFirst()
        if (byDraw !== undefined) {
          const stored = await load(db, byDraw.session_id)
          if (stored !== undefined) return { created: false, selection: stored }
        }
        const same = await load(db, session.sessionId)
        if (same === undefined)
          return abort({ _tag: "Contention", detail: "the session was written concurrently; retry" })
        if (!sameSession(same.session, session))
          return abort({ _tag: "Conflict", sessionId: session.sessionId })
        return { created: false, selection: same }
      }),
    get: (sessionId) => run(async () => Option.fromUndefinedOr(await load(db, sessionId))),
    list: (q) =>
      run(async () => {
        let qb = db.selectFrom("selection_sessions").select("data")
        if (q.districts !== undefined)
          qb =
            q.districts.length === 0 ? qb.where(sql<boolean>`false`) : qb.where("district", "in", q.districts)
        if (q.projectIds !== undefined)
          qb =
            q.projectIds.length === 0
              ? qb.where(sql<boolean>`false`)
              : qb.where("project_id", "in", q.projectIds)
        if (q.roundId !== undefined) qb = qb.where("round_id", "=", q.roundId)
        const rows = await qb.orderBy("opened_at", "desc").orderBy("session_id").execute()
        return rows.map((r) => sessionOf(r.data))
      }),
    record: (sessionId, event) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          if (event.action === "choose" || event.action === "release")
            abort({ _tag: "Rejected", detail: "choose and release have their own calls" })
          await requireSession(trx, sessionId)
          await recordIn(trx, sessionId, event)
        }),
      ),
    choose: (sessionId, event, update) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          if (event.action !== "choose" || event.unit === undefined || update.unit.id !== event.unit)
            abort({ _tag: "Rejected", detail: "a choice names its unit and writes that unit" })
          await requireSession(trx, sessionId)
          await claimIn(trx, sessionId, event, event.unit as string)
          await writeUnit(trx, update)
          await chooseLogIn(trx, sessionId, event)
        }),
      ),
    release: (sessionId, event, update) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          await requireSession(trx, sessionId)
          const unit = await unclaimIn(trx, sessionId, event)
          if (event.action !== "release" || update.unit.id !== unit)
            abort({ _tag: "Rejected", detail: "a release writes back the chosen unit" })
          await writeUnit(trx, update)
          await trx
            .insertInto("selection_log")
            .values(logRow(sessionId, { ...event, unit }))
            .execute()
        }),
      ),
    importLog: (sessionId, events, updates) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          await requireSession(trx, sessionId)
          for (const event of events) {
            if (event.action === "choose") {
              if (event.unit === undefined) abort({ _tag: "Rejected", detail: "a choice names its unit" })
              await claimIn(trx, sessionId, event, event.unit as string)
              await chooseLogIn(trx, sessionId, event)
            } else if (event.action === "release") {
              const unit = await unclaimIn(trx, sessionId, event)
              await trx
                .insertInto("selection_log")
                .values(logRow(sessionId, { ...event, unit }))
                .execute()
            } else await recordIn(trx, sessionId, event)
          }
          if (updates.length > 0) await writeUnits(trx, updates)
        }),
      ),
  })
})

/** SelectionStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<SelectionStore, never, PgDatabase> = Layer.effect(SelectionStore, make)
