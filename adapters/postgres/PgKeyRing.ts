/**
 * The software KMS's KeyRing over PostgreSQL (or PGlite): `kms_key_versions` (KmsSchema.ts). Adding a
 * version is one transaction — demote the current row, insert the new one — so two processes rotating at
 * once leave one winner (the other's insert hits the primary key or the one-current index: "conflict").
 */
import { Effect, Layer } from "effect"
import type { Kysely } from "kysely"
import { KeyManagementError } from "../../application/ports/KeyManagement.js"
import { KeyRing, type StoredKeyVersion } from "../kms/KeyRing.js"
import type { KmsTables } from "./KmsSchema.js"
import { PgDatabase, sqlStateOf, sqlStateReason } from "./PgDatabase.js"

type Db = Kysely<KmsTables>

class Conflict {}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => {
      const r = sqlStateReason(e)
      return new KeyManagementError({
        reason:
          r._tag === "Contention"
            ? { _tag: "Contention", detail: r.detail }
            : { _tag: "Unavailable", detail: "the key store cannot be read or written" },
      })
    },
  })

const STATES = new Set(["current", "previous", "retired"])

export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db
  return KeyRing.of({
    load: (keyId) =>
      run(async () => {
        const rows = await db
          .selectFrom("kms_key_versions")
          .selectAll()
          .$if(keyId !== undefined, (qb) => qb.where("key_id", "=", keyId!))
          .orderBy("key_id")
          .orderBy("version")
          .execute()
        return rows.map(
          (r): StoredKeyVersion => ({
            keyId: r.key_id,
            version: Number(r.version),
            state: (STATES.has(r.state) ? r.state : "retired") as StoredKeyVersion["state"],
            createdAt: Number(r.created_at),
            material: r.material,
          }),
        )
      }),
    addVersion: (next) =>
      run(async () => {
        try {
          await db.transaction().execute(async (trx) => {
            await trx
              .updateTable("kms_key_versions")
              .set({ state: "previous" })
              .where("key_id", "=", next.keyId)
              .where("state", "=", "current")
              .execute()
            const inserted = await trx
              .insertInto("kms_key_versions")
              .values({
                key_id: next.keyId,
                version: next.version,
                state: "current",
                created_at: next.createdAt,
                material: next.material,
              })
              .onConflict((oc) => oc.columns(["key_id", "version"]).doNothing())
              .returning("version")
              .execute()
            if (inserted.length === 0) throw new Conflict()
          })
          return "added" as const
        } catch (e) {
          if (e instanceof Conflict || sqlStateOf(e) === "23505") return "conflict" as const
          throw e
        }
      }),
    retire: (keyId, version) =>
      run(async () => {
        const r = await db
          .updateTable("kms_key_versions")
          .set({ state: "retired" })
          .where("key_id", "=", keyId)
          .where("version", "=", version)
          .where("state", "=", "previous")
          .executeTakeFirst()
        return r.numUpdatedRows === 1n
      }),
  })
})

export const layer: Layer.Layer<KeyRing, never, PgDatabase> = Layer.effect(KeyRing, make)
