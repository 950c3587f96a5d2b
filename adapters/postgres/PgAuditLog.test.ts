// The AuditLog contract on PostgreSQL, and what only the database can show, on PostgreSQL and PGlite: the
// append-only triggers refuse UPDATE, DELETE and TRUNCATE of records and checkpoints, a raw INSERT that does
// not follow the head is refused while one that does moves the head, and concurrent appends through separate
// pools still form one chain. PostgreSQL is never skipped: an unreachable server fails the suite.
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { sql } from "kysely"
import { AuditLog } from "../../application/ports/AuditLog.js"
import { instantOf } from "../../domain/audit/AuditRecord.js"
import { suite } from "../../contracts-tests/AuditLog.contract.js"
import * as PgliteDatabase from "../pglite/PgliteDatabase.js"
import { layer as pgDatabase, layerTest, PgDatabase } from "./PgDatabase.js"
import { layer as pgAuditLog } from "./PgAuditLog.js"

const postgres = layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" })

suite("postgres", Layer.provide(pgAuditLog, postgres))

const entry = (object: string) => ({
  at: instantOf(Date.UTC(2024, 4, 1)),
  actorId: "db-test",
  actorRole: "city",
  action: "stock.registerUnits",
  object,
  purpose: null,
  outcome: "success" as const,
  requestId: null,
  detail: null,
})

for (const [name, database] of [
  ["postgres", postgres],
  ["pglite", PgliteDatabase.layer()],
] as const)
  describe(`PgAuditLog database guarantees: ${name}`, () => {
    layer(Layer.merge(Layer.provide(pgAuditLog, database), database), { timeout: "120 seconds" })((it) => {
      it.effect("records and checkpoints are append-only; raw inserts must follow the head", () =>
        Effect.gen(function* () {
          const { db, schema } = yield* PgDatabase
          const t = (n: string) => sql.table(`${schema}.${n}`)
          const log = yield* AuditLog
          const r1 = yield* log.append(entry("unit:U-1"))
          const attempt = (q: ReturnType<typeof sql>) =>
            Effect.exit(Effect.tryPromise({ try: () => q.execute(db), catch: (e) => e }))
          const errorOf = (exit: Exit.Exit<unknown, unknown>) => {
            const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
            return reason?._tag === "Fail" ? reason.error : undefined
          }
          for (const q of [
            sql`update ${t("audit_records")} set object = 'unit:X' where seq = ${r1.seq}`,
            sql`delete from ${t("audit_records")} where seq = ${r1.seq}`,
            sql`truncate ${t("audit_records")}`,
            sql`delete from ${t("audit_checkpoints")}`,
          ])
            expect(errorOf(yield* attempt(q))).toMatchObject({
              code: "23514",
              constraint: "audit_append_only",
            })
          const zeros = "0".repeat(64)
          const raw = (seq: number, prev: string) =>
            sql`insert into ${t("audit_records")} (seq, at, actor_id, actor_role, action, object, outcome, prev_hash, hash)
                values (${seq}, '2024-05-01T00:00:00.000Z', 'raw', 'city', 'stock.x', 'unit:R', 'success', ${prev}, ${zeros})`
          expect(errorOf(yield* attempt(raw(r1.seq + 5, r1.hash)))).toMatchObject({
            code: "23514",
            constraint: "audit_follows_head",
          })
          expect(errorOf(yield* attempt(raw(r1.seq + 1, zeros)))).toMatchObject({
            constraint: "audit_follows_head",
          })
          // A decryption record without a purpose is refused by the database too.
          expect(
            errorOf(
              yield* attempt(
                sql`insert into ${t("audit_records")} (seq, at, actor_id, actor_role, action, object, outcome, prev_hash, hash)
                    values (${r1.seq + 1}, '2024-05-01T00:00:00.000Z', 'raw', 'city', 'pii.open', 'case:C-1', 'success', ${r1.hash}, ${zeros})`,
              ),
            ),
          ).toMatchObject({ code: "23514", constraint: "audit_records_purpose_check" })
          expect(yield* log.head()).toEqual({ seq: r1.seq, hash: r1.hash })
          // A forged record that follows the head is stored (hash unchecked by the database) and moves the head;
          // its hash is wrong, which only the chain shows, and the next honest append still chains after it.
          expect(Exit.isSuccess(yield* attempt(raw(r1.seq + 1, r1.hash)))).toBe(true)
          expect(yield* log.head()).toEqual({ seq: r1.seq + 1, hash: zeros })
          const next = yield* log.append(entry("unit:U-2"))
          expect(next).toMatchObject({ seq: r1.seq + 2, prevHash: zeros })
        }),
      )
    })
  })

describe("PgAuditLog: concurrent appenders in separate pools (as separate processes)", () => {
  layer(postgres, { timeout: "120 seconds" })((it) => {
    it.effect("appends from three pools interleave into one linear chain", () =>
      Effect.gen(function* () {
        const { schema } = yield* PgDatabase
        const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
        const pools = [0, 1, 2].map(() =>
          Layer.provide(pgAuditLog, pgDatabase({ url, schema, pool: { max: 3 }, migrate: false })),
        )
        const appendMany = (i: number) =>
          Effect.gen(function* () {
            const log = yield* AuditLog
            yield* Effect.all(
              Array.from({ length: 15 }, (_, k) => log.append(entry(`unit:P${i}-${k}`))),
              { concurrency: 5 },
            )
          }).pipe(Effect.provide(pools[i]!))
        yield* Effect.all([0, 1, 2].map(appendMany), { concurrency: "unbounded" })
        const records = yield* Effect.gen(function* () {
          const log = yield* AuditLog
          return yield* log.read(1, 1000)
        }).pipe(Effect.provide(pools[0]!))
        expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1))
        expect(records.length).toBe(45)
        for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash)
      }),
    )
  })
})
