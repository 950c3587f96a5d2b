/**
 * LotteryStore over PostgreSQL (or PGlite) through Kysely. Run-once is the database's job: a draw is ONE
 * `INSERT … ON CONFLICT DO NOTHING`, and the partial unique indexes on the pool roots (where annulled_at is
 * null, LotterySchema.ts) make a concurrent second draw of a standing pool wait for the first and then
 * insert nothing; the adapter then tells replay, Conflict and AlreadyDrawn apart. An annulment locks its row
 * (`SELECT … FOR UPDATE`) and updates it once. Rows are decoded with Schema here and never leave adapters/.
 */
import { DateTime, Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import type { Kysely, Selectable } from "kysely"
import { checkAnnulment, newDrawViolation, sameDraw } from "../../application/lottery/DrawRecordRules.js"
import {
  type DrawAnnulment,
  LotteryStore,
  LotteryStoreError,
  type LotteryStoreErrorReason,
  type NewDraw,
  type StoredDraw,
} from "../../application/ports/LotteryStore.js"
import { isHashName } from "../../domain/lottery/Digest.js"
import { SeedSourceSchema } from "../../domain/lottery/Transcript.js"
import type { LotteryDrawsTable } from "./LotterySchema.js"
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

/** The LotteryStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema)
  return LotteryStore.of({
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
