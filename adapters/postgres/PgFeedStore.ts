/**
 * FeedStore over PostgreSQL (or PGlite, see PgliteFeedStore) in the tier's own feed database and schema
 * (M125), migrated with FEED_MIGRATIONS only. `store` is one transaction: a known digest returns its stored
 * receipt (duplicate, nothing written); otherwise the sender's head row is locked, the chain checked, the
 * sender's current batch for the period superseded, the batch, its records (bounded multi-row inserts) and
 * the new head written. Two identical batches at once: the loser's primary-key conflict (23505) is re-read
 * as a duplicate. Driver errors are classified by SQLSTATE; row types never leave this file.
 */
import { Effect, Layer, Option, Schedule } from "effect"
import type { Kysely } from "kysely"
import {
  type FeedImport,
  FeedStore,
  FeedStoreError,
  type FeedStoreErrorReason,
  type Receipt,
} from "../../application/ports/FeedStore.js"
import type { Figures } from "../../domain/feed/Aggregation.js"
import { chainProblem } from "../../domain/feed/Batch.js"
import { type FeedRecord, kinds } from "../../domain/feed/FeedRecord.js"
import { makeKysely as makePgKysely, privateSchemaName, sqlStateOf } from "./PgDatabase.js"
import { FEED_MIGRATIONS, FEED_SCHEMA, type FeedTables } from "./FeedSchema.js"
import { dropSchema, migrate, quoteSchema } from "./Migrations.js"

type Db = Kysely<FeedTables>

class Abort {
  constructor(readonly reason: FeedStoreErrorReason) {}
}

/** Aborts first; 40001/40P01 → Contention; everything else Unavailable (fixed sentences, no driver text). */
export const classify = (e: unknown): FeedStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = sqlStateOf(e)
  if (code === "40001" || code === "40P01")
    return { _tag: "Contention", detail: "concurrent writes collided; retry" }
  return { _tag: "Unavailable", detail: "the feed database failed" }
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new FeedStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: FeedStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)

const receiptOf = (v: unknown): Receipt => {
  const r = parsed(v) as Partial<Receipt> | null
  if (r === null || typeof r !== "object" || typeof r.batch !== "string" || !Array.isArray(r.rejected))
    throw new Abort({ _tag: "Unavailable", detail: "a stored receipt does not decode" })
  return r as Receipt
}

const recordOf = (v: unknown): FeedRecord => {
  const r = parsed(v) as FeedRecord | null
  if (r === null || typeof r !== "object" || typeof r.kind !== "string" || typeof r.id !== "string")
    throw new Abort({ _tag: "Unavailable", detail: "a stored record does not decode" })
  return r
}

/** Rows per multi-row insert of records. */
const ROWS = 500

export const make = (kysely: Db, schema: string): FeedStore["Service"] => {
  const db = kysely.withSchema(schema)
  const stored = async (digest: string) =>
    db.selectFrom("feed_batches").select("receipt").where("digest", "=", digest).executeTakeFirst()
  const storeOnce = (batch: FeedImport) =>
    kysely.transaction().execute(async (trx0) => {
      const trx = trx0.withSchema(schema)
      const known = await trx
        .selectFrom("feed_batches")
        .select("receipt")
        .where("digest", "=", batch.digest)
        .executeTakeFirst()
      if (known !== undefined) return { ...receiptOf(known.receipt), duplicate: true }
      const m = batch.manifest
      const head = await trx
        .selectFrom("feed_senders")
        .selectAll()
        .where("sender", "=", m.sender.id)
        .forUpdate()
        .executeTakeFirst()
      const problem = chainProblem(
        head === undefined
          ? undefined
          : { sender: head.sender, seq: Number(head.seq), digest: head.digest, publicKey: head.public_key },
        m,
      )
      if (problem !== undefined) throw new Abort(problem)
      const superseded = await trx
        .updateTable("feed_batches")
        .set({ superseded_by: batch.digest })
        .where("sender", "=", m.sender.id)
        .where("period", "=", m.period)
        .where("superseded_by", "is", null)
        .returning("digest")
        .execute()
      const receipt: Receipt = {
        batch: batch.digest,
        sender: m.sender.id,
        period: m.period,
        seq: m.seq,
        accepted: batch.accepted.length,
        rejected: batch.rejected,
        duplicate: false,
        supersedes: superseded.map((r) => r.digest).sort(),
      }
      await trx
        .insertInto("feed_batches")
        .values({
          digest: batch.digest,
          sender: m.sender.id,
          tier: m.sender.tier,
          period: m.period,
          seq: m.seq,
          superseded_by: null,
          received_at: batch.receivedAt,
          manifest: JSON.stringify(m),
          receipt: JSON.stringify(receipt),
        })
        .execute()
      for (let i = 0; i < batch.accepted.length; i += ROWS)
        await trx
          .insertInto("feed_records")
          .values(
            batch.accepted.slice(i, i + ROWS).map((r) => ({
              batch: batch.digest,
              kind: r.kind,
              id: r.id,
              category: kinds[r.kind]?.category ?? "statistics",
              period: m.period,
              body: JSON.stringify(r),
            })),
          )
          .execute()
      const publicKey = m.signature?.publicKey.toLowerCase() ?? ""
      await trx
        .insertInto("feed_senders")
        .values({ sender: m.sender.id, seq: m.seq, digest: batch.digest, public_key: publicKey })
        .onConflict((oc) =>
          oc.column("sender").doUpdateSet({ seq: m.seq, digest: batch.digest, public_key: publicKey }),
        )
        .execute()
      return receipt
    })
  return {
    head: (sender) =>
      run(async () => {
        const row = await db
          .selectFrom("feed_senders")
          .selectAll()
          .where("sender", "=", sender)
          .executeTakeFirst()
        return row === undefined
          ? Option.none()
          : Option.some({
              sender: row.sender,
              seq: Number(row.seq),
              digest: row.digest,
              publicKey: row.public_key,
            })
      }),
    store: (batch) =>
      run(async () => {
        try {
          return await storeOnce(batch)
        } catch (e) {
          // The same batch stored concurrently: the winner's receipt.
          if (sqlStateOf(e) === "23505") {
            const row = await stored(batch.digest)
            if (row !== undefined) return { ...receiptOf(row.receipt), duplicate: true }
            throw new Abort({ _tag: "Contention", detail: "the sender's chain moved concurrently; retry" })
          }
          throw e
        }
      }),
    figures: (periods) =>
      run(async () => {
        if (periods !== undefined && periods.length === 0) return []
        let q = db
          .selectFrom("feed_records as r")
          .innerJoin("feed_batches as b", "b.digest", "r.batch")
          .select("r.body")
          .where("r.kind", "=", "figures")
          .where("b.superseded_by", "is", null)
        if (periods !== undefined) q = q.where("r.period", "in", [...periods])
        const rows = await q.orderBy("r.period").orderBy("r.id").execute()
        return rows.map((r) => recordOf(r.body) as unknown as Figures)
      }),
    records: (digest, category) =>
      run(async () => {
        let q = db.selectFrom("feed_records").select("body").where("batch", "=", digest)
        if (category !== undefined) q = q.where("category", "=", category)
        const rows = await q.orderBy("kind").orderBy("id").execute()
        return rows.map((r) => recordOf(r.body))
      }),
  }
}

/** Opens `create()`, applies FEED_MIGRATIONS to `schema`, closes (and optionally drops) on scope end. */
export const acquire = (
  create: () => Kysely<unknown> | Promise<Kysely<unknown>>,
  options: { readonly schema: string; readonly dropOnClose: boolean },
) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        quoteSchema(options.schema)
        const db = (await create()) as unknown as Db
        try {
          await migrate(db, options.schema, FEED_MIGRATIONS)
        } catch (e) {
          await db.destroy().catch(() => {})
          throw e
        }
        return db
      },
      catch: (e) =>
        new Error(
          `cannot start the feed database in schema ${options.schema}: ${e instanceof Error ? e.message : String(e)}`,
        ),
    }),
    (db) =>
      Effect.promise(async () => {
        if (options.dropOnClose) await dropSchema(db, options.schema).catch(() => {})
        await db.destroy().catch(() => {})
      }),
  ).pipe(Effect.map((db) => make(db, options.schema)))

/** The feed store in PostgreSQL at `url` (schema `anju_feed` unless given). Never point it at the business schema. */
export const layer = (config: {
  readonly url: string
  readonly schema?: string
}): Layer.Layer<FeedStore, Error> =>
  Layer.effect(
    FeedStore,
    acquire(() => makePgKysely({ url: config.url }) as unknown as Kysely<unknown>, {
      schema: config.schema ?? FEED_SCHEMA,
      dropOnClose: false,
    }),
  )

/** A private schema per run, dropped on scope end (tests). */
export const layerTest = (config: { readonly url: string }): Layer.Layer<FeedStore, Error> =>
  Layer.effect(
    FeedStore,
    Effect.suspend(() =>
      acquire(() => makePgKysely({ url: config.url }) as unknown as Kysely<unknown>, {
        schema: privateSchemaName("anju_feed_test"),
        dropOnClose: true,
      }),
    ),
  )
