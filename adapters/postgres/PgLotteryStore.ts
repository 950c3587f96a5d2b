/**
 * LotteryStore over PostgreSQL (or PGlite) through Kysely. Run-once is the database's job: a draw is ONE
 * `INSERT … ON CONFLICT DO NOTHING`, and the partial unique indexes on the pool roots (where annulled_at is
 * null, LotterySchema.ts) make a concurrent second draw of a standing pool wait for the first and then
 * insert nothing; the adapter then tells replay, Conflict and AlreadyDrawn apart. An annulment locks its row
 * (`SELECT … FOR UPDATE`) and updates it once. Rows are decoded with Schema here and never leave adapters/.
 * A round's draw locks the round row, records the draw and links it with result.csv in one transaction.
 */
import { DateTime, Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import type { Kysely, Selectable } from "kysely"
import {
  checkAnnulment,
  newDrawViolation,
  newRoundViolation,
  roundDrawViolation,
  sameDraw,
  sameRound,
} from "../../application/lottery/DrawRecordRules.js"
import {
  type DrawAnnulment,
  LotteryStore,
  LotteryStoreError,
  type LotteryStoreErrorReason,
  type NewDraw,
  type NewRound,
  type StoredDraw,
  type StoredRound,
} from "../../application/ports/LotteryStore.js"
import { isHashName } from "../../domain/lottery/Digest.js"
import { SeedSourceSchema } from "../../domain/lottery/Transcript.js"
import type { LotteryDrawsTable, LotteryRoundsTable } from "./LotterySchema.js"
import { type Database, PgDatabase } from "./PgDatabase.js"

/** Thrown inside a call to end it (and roll back its transaction) with a port failure. */
class Abort {
  constructor(readonly reason: LotteryStoreErrorReason) {}
}
const abort = (reason: LotteryStoreErrorReason): never => {
  throw new Abort(reason)
}

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/**
 * Driver error (pg or PGlite) → reason, by SQLSTATE only: 23xxx/22xxx → Rejected (a store rule; the
 * adapter checks first, so this is the database's backstop), 40001/40P01 → Contention, else Unavailable.
 */
export const classifyLotteryDbError = (e: unknown): LotteryStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = field(e, "code")
  const message = field(e, "message") ?? String(e)
  if (code === "40001" || code === "40P01") return { _tag: "Contention", detail: message }
  if (code?.startsWith("23") === true || code?.startsWith("22") === true)
    return { _tag: "Rejected", detail: `${code}: ${message}` }
  return { _tag: "Unavailable", detail: code === undefined ? message : `${code}: ${message}` }
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => new LotteryStoreError({ reason: classifyLotteryDbError(e) }),
  }).pipe(
    Effect.retry({
      while: (e: LotteryStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const decodeSources = Schema.decodeUnknownResult(Schema.Array(SeedSourceSchema))

type Row = Selectable<LotteryDrawsTable>

const fromRow = (r: Row): StoredDraw => {
  const sources = decodeSources(r.seed_sources)
  if (Result.isFailure(sources) || !isHashName(r.hash))
    return abort({ _tag: "Unavailable", detail: `stored draw ${r.draw_id} does not decode` })
  return {
    drawId: r.draw_id,
    algorithm: r.algorithm,
    hash: r.hash,
    poolRoot: r.pool_root,
    poolRoots: { SM3: r.pool_root_sm3, "SHA-256": r.pool_root_sha256 },
    entrants: r.entrants,
    seedSources: sources.success,
    seed: r.seed,
    transcript: r.transcript,
    resultDigest: r.result_digest,
    drawnAt: DateTime.makeUnsafe(Number(r.drawn_at)) as DateTime.Utc,
    annulment:
      r.annulled_at === null || r.annul_reason === null
        ? null
        : { reason: r.annul_reason, annulledAt: DateTime.makeUnsafe(Number(r.annulled_at)) as DateTime.Utc },
  }
}

const toRow = (d: NewDraw) => ({
  draw_id: d.drawId,
  algorithm: d.algorithm,
  hash: d.hash,
  pool_root: d.poolRoot,
  pool_root_sm3: d.poolRoots.SM3,
  pool_root_sha256: d.poolRoots["SHA-256"],
  entrants: d.entrants,
  seed: d.seed,
  seed_sources: JSON.stringify(d.seedSources),
  transcript: d.transcript,
  result_digest: d.resultDigest,
  drawn_at: DateTime.toEpochMillis(d.drawnAt),
})

const recordDraw = async (db: Kysely<Database>, draw: NewDraw): Promise<StoredDraw> => {
  const broken = newDrawViolation(draw)
  if (broken !== undefined) return abort({ _tag: "Rejected", detail: broken })
  const inserted = await db
    .insertInto("lottery_draws")
    .values(toRow(draw))
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted !== undefined) return fromRow(inserted)
  // Nothing inserted: the id is taken, or a standing draw holds one of the pool's roots.
  const existing = await db
    .selectFrom("lottery_draws")
    .selectAll()
    .where("draw_id", "=", draw.drawId)
    .executeTakeFirst()
  if (existing !== undefined) {
    const stored = fromRow(existing)
    return sameDraw(stored, draw)
      ? stored
      : abort({ _tag: "Conflict", drawId: draw.drawId, detail: "a draw with this id has other content" })
  }
  const standing = await db
    .selectFrom("lottery_draws")
    .select("draw_id")
    .where("annulled_at", "is", null)
    .where((eb) =>
      eb.or([
        eb("pool_root_sm3", "=", draw.poolRoots.SM3),
        eb("pool_root_sha256", "=", draw.poolRoots["SHA-256"]),
      ]),
    )
    .executeTakeFirst()
  if (standing !== undefined)
    return abort({ _tag: "AlreadyDrawn", poolRoot: draw.poolRoot, drawId: standing.draw_id })
  // The blocking draw was annulled between the insert and the look-up: try again.
  return abort({ _tag: "Contention", detail: "the standing draw changed meanwhile" })
}

const annulDraw = (db: Kysely<Database>, drawId: string, annulment: DrawAnnulment): Promise<StoredDraw> =>
  db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("lottery_draws")
      .selectAll()
      .where("draw_id", "=", drawId)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined) return abort({ _tag: "NotFound", drawId })
    const draw = fromRow(row)
    if (draw.annulment !== null) return abort({ _tag: "AlreadyAnnulled", drawId })
    const checked = checkAnnulment(draw, annulment)
    if (Result.isFailure(checked)) return abort({ _tag: "Rejected", detail: checked.failure })
    const updated = await trx
      .updateTable("lottery_draws")
      .set({
        annulled_at: DateTime.toEpochMillis(checked.success.annulledAt),
        annul_reason: checked.success.reason,
      })
      .where("draw_id", "=", drawId)
      .where("annulled_at", "is", null)
      .returningAll()
      .executeTakeFirstOrThrow()
    return fromRow(updated)
  })

const decodeRoundJson = Schema.decodeUnknownResult(
  Schema.Struct({
    unitTypes: Schema.Array(Schema.String),
    entrants: Schema.Array(Schema.Struct({ id: Schema.String, stratum: Schema.String })),
    units: Schema.Array(Schema.Struct({ stratum: Schema.String, units: Schema.Int })),
  }),
)

const roundFromRow = (r: Selectable<LotteryRoundsTable>): NewRound => {
  const json = decodeRoundJson({ unitTypes: r.unit_types, entrants: r.entrants, units: r.units })
  if (Result.isFailure(json) || !isHashName(r.hash))
    return abort({ _tag: "Unavailable", detail: `stored round ${r.round_id} does not decode` })
  return {
    roundId: r.round_id,
    projectId: r.project_id,
    district: r.district,
    unitTypes: json.success.unitTypes,
    title: r.title,
    entrants: json.success.entrants,
    units: json.success.units,
    hash: r.hash,
    poolRoots: { SM3: r.pool_root_sm3, "SHA-256": r.pool_root_sha256 },
    openedAt: DateTime.makeUnsafe(Number(r.opened_at)) as DateTime.Utc,
  }
}

const roundToRow = (r: NewRound) => ({
  round_id: r.roundId,
  project_id: r.projectId,
  district: r.district,
  unit_types: JSON.stringify(r.unitTypes),
  title: r.title,
  entrants: JSON.stringify(r.entrants.map((e) => ({ id: e.id, stratum: e.stratum }))),
  units: JSON.stringify(r.units.map((u) => ({ stratum: u.stratum, units: u.units }))),
  hash: r.hash,
  pool_root_sm3: r.poolRoots.SM3,
  pool_root_sha256: r.poolRoots["SHA-256"],
  opened_at: DateTime.toEpochMillis(r.openedAt),
})

/** The rounds with these rows, each with its draws (oldest first). */
const withDraws = async (
  db: Kysely<Database>,
  rows: ReadonlyArray<Selectable<LotteryRoundsTable>>,
): Promise<Array<StoredRound>> => {
  if (rows.length === 0) return []
  const links = await db
    .selectFrom("lottery_round_draws as l")
    .innerJoin("lottery_draws as d", "d.draw_id", "l.draw_id")
    .selectAll("d")
    .select(["l.round_id", "l.result_csv"])
    .where(
      "l.round_id",
      "in",
      rows.map((r) => r.round_id),
    )
    .orderBy("d.drawn_at")
    .orderBy("d.draw_id")
    .execute()
  return rows.map((row) => ({
    ...roundFromRow(row),
    draws: links
      .filter((l) => l.round_id === row.round_id)
      .map((l) => ({ draw: fromRow(l), resultCsv: l.result_csv })),
  }))
}

const getRound = async (db: Kysely<Database>, roundId: string): Promise<StoredRound | undefined> => {
  const row = await db
    .selectFrom("lottery_rounds")
    .selectAll()
    .where("round_id", "=", roundId)
    .executeTakeFirst()
  return row === undefined ? undefined : (await withDraws(db, [row]))[0]
}

const openRound = async (db: Kysely<Database>, round: NewRound): Promise<StoredRound> => {
  const broken = newRoundViolation(round)
  if (broken !== undefined) return abort({ _tag: "Rejected", detail: broken })
  await db
    .insertInto("lottery_rounds")
    .values(roundToRow(round))
    .onConflict((oc) => oc.column("round_id").doNothing())
    .execute()
  const stored = await getRound(db, round.roundId)
  if (stored === undefined) return abort({ _tag: "Contention", detail: "the round vanished meanwhile" })
  return sameRound(stored, round)
    ? stored
    : abort({ _tag: "Conflict", drawId: round.roundId, detail: "a round with this id has other content" })
}

const drawRound = (db: Kysely<Database>, roundId: string, draw: NewDraw, resultCsv: string) =>
  db.transaction().execute(async (trx) => {
    // Locking the round serialises its draws; the draws' unique indexes still guard the pool itself.
    const row = await trx
      .selectFrom("lottery_rounds")
      .selectAll()
      .where("round_id", "=", roundId)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined) return abort({ _tag: "RoundNotFound", roundId })
    const broken =
      roundDrawViolation(roundFromRow(row), draw) ??
      (resultCsv.length === 0 ? "result.csv is empty" : undefined)
    if (broken !== undefined) return abort({ _tag: "Rejected", detail: broken })
    const link = await trx
      .selectFrom("lottery_round_draws")
      .selectAll()
      .where("draw_id", "=", draw.drawId)
      .executeTakeFirst()
    if (link !== undefined && (link.round_id !== roundId || link.result_csv !== resultCsv))
      return abort({ _tag: "Conflict", drawId: draw.drawId, detail: "a draw with this id has other content" })
    await recordDraw(trx, draw)
    if (link === undefined)
      await trx
        .insertInto("lottery_round_draws")
        .values({ draw_id: draw.drawId, round_id: roundId, result_csv: resultCsv })
        .execute()
    return (await withDraws(trx, [row]))[0]!
  })

/** The LotteryStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema)
  return LotteryStore.of({
    openRound: (round) => run(() => openRound(db, round)),
    drawRound: (roundId, draw, resultCsv) => run(() => drawRound(db, roundId, draw, resultCsv)),
    getRound: (roundId) => run(async () => Option.fromUndefinedOr(await getRound(db, roundId))),
    listRounds: () =>
      run(async () =>
        withDraws(
          db,
          await db
            .selectFrom("lottery_rounds")
            .selectAll()
            .orderBy("opened_at", "desc")
            .orderBy("round_id")
            .execute(),
        ),
      ),
    recordDraw: (draw) => run(() => recordDraw(db, draw)),
    annulDraw: (drawId, annulment) => run(() => annulDraw(db, drawId, annulment)),
    getDraw: (drawId) =>
      run(async () => {
        const row = await db
          .selectFrom("lottery_draws")
          .selectAll()
          .where("draw_id", "=", drawId)
          .executeTakeFirst()
        return row === undefined ? Option.none() : Option.some(fromRow(row))
      }),
    drawsOfPool: (poolRoot) =>
      run(async () => {
        const root = poolRoot.toLowerCase()
        const rows = await db
          .selectFrom("lottery_draws")
          .selectAll()
          .where((eb) => eb.or([eb("pool_root_sm3", "=", root), eb("pool_root_sha256", "=", root)]))
          .orderBy("drawn_at")
          .orderBy("draw_id")
          .execute()
        return rows.map(fromRow)
      }),
  })
})

/** LotteryStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<LotteryStore, never, PgDatabase> = Layer.effect(LotteryStore, make)
