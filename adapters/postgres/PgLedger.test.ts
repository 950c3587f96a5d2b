// The Ledger contract on PostgreSQL, and what only a database can show, on PostgreSQL and PGlite: the
// deferred constraint trigger refuses unbalanced entries written by raw SQL, and `verify` detects a row
// altered by a direct UPDATE. PostgreSQL is never skipped: an unreachable server fails the suite.
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Result } from "effect"
import { sql } from "kysely"
import { Ledger } from "../../application/ports/Ledger.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import { deposit, disbursement } from "../../domain/fund/PostingRules.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import type { Money } from "../../domain/values/Money.js"
import { suite } from "../../contracts-tests/Ledger.contract.js"
import * as PgliteDatabase from "../pglite/PgliteDatabase.js"
import { layerTest, PgDatabase } from "./PgDatabase.js"
import { layer as pgLedger } from "./PgLedger.js"

const postgres = layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" })

suite("postgres", Layer.provide(pgLedger, postgres))

const D = "2024-05-01" as CivilDate
const entry = (id: string, h: string, amount: number) =>
  Result.getOrThrow(
    deposit({
      id,
      book: "commodity",
      date: D,
      kind: "first",
      households: [{ household: h as HouseholdId, amount: amount as Money }],
    }),
  )

for (const [name, database] of [
  ["postgres", postgres],
  ["pglite", PgliteDatabase.layer()],
] as const)
  describe(`PgLedger database guarantees: ${name}`, () => {
    layer(Layer.merge(Layer.provide(pgLedger, database), database), { timeout: "120 seconds" })((it) => {
      it.effect("the deferred trigger refuses an unbalanced entry written by raw SQL, at commit", () =>
        Effect.gen(function* () {
          const { db, schema } = yield* PgDatabase
          const t = (n: string) => sql.table(`${schema}.${n}`)
          const zeros = "0".repeat(64)
          const attempt = (lines: ReadonlyArray<[string, string, number]>) =>
            Effect.exit(
              Effect.tryPromise({
                catch: (e) => e,
                try: () =>
                  db.transaction().execute(async (trx) => {
                    await sql`insert into ${t("fund_entries")} (id, seq, book, entry_date, rule, memo, closing, prev_hash, hash)
                    values ('RAW-1', 999999, 'commodity', '2024-05-01', 'manual', '', false, ${zeros}, ${zeros})`.execute(
                      trx,
                    )
                    for (const [i, [account, side, amount]] of lines.entries())
                      await sql`insert into ${t("fund_entry_lines")} (entry_id, line_no, account, side, amount)
                      values ('RAW-1', ${i}, ${account}, ${side}, ${amount})`.execute(trx)
                  }),
              }),
            )
          const unbalanced = yield* attempt([
            ["100101", "debit", 100],
            ["4001", "credit", 99],
          ])
          expect(Exit.isFailure(unbalanced)).toBe(true)
          const cause = Exit.isFailure(unbalanced) ? unbalanced.cause.reasons[0] : undefined
          expect(cause?._tag === "Fail" ? cause.error : undefined).toMatchObject({
            code: "23514",
            constraint: "fund_entry_balanced",
            message: expect.stringMatching(/journal entry RAW-1 is unbalanced/u),
          })
          expect(Exit.isFailure(yield* attempt([["100101", "debit", 100]]))).toBe(true)
          expect(Exit.isFailure(yield* attempt([]))).toBe(true)
          const stored = yield* Effect.promise(() =>
            sql<{
              n: string | number
            }>`select count(*) as n from ${t("fund_entries")} where id = 'RAW-1'`.execute(db),
          )
          expect(Number(stored.rows[0]!.n)).toBe(0)
          // Unbalancing a stored entry by UPDATE is refused too.
          const l = yield* Ledger
          yield* l.post([entry("TRG-1", "H-TRG", 100)])
          const upd = yield* Effect.exit(
            Effect.tryPromise(() =>
              sql`update ${t("fund_entry_lines")} set amount = 101 where entry_id = 'TRG-1' and line_no = 0`.execute(
                db,
              ),
            ),
          )
          expect(Exit.isFailure(upd)).toBe(true)
        }),
      )

      it.effect("verify detects a stored entry altered by an administrator bypassing the triggers", () =>
        Effect.gen(function* () {
          const { db, schema } = yield* PgDatabase
          const t = (n: string) => sql.table(`${schema}.${n}`)
          // Only a superuser that switches triggers off can alter the append-only journal; the chain shows it.
          const tamper = (...statements: ReadonlyArray<ReturnType<typeof sql>>) =>
            Effect.promise(() =>
              db.transaction().execute(async (trx) => {
                await sql`set local session_replication_role = replica`.execute(trx)
                for (const statement of statements) await statement.execute(trx)
              }),
            )
          const l = yield* Ledger
          yield* l.post([
            entry("TMP-1", "H-T1", 10_000),
            entry("TMP-2", "H-T2", 20_000),
            entry("TMP-3", "H-T1", 5_000),
          ])
          yield* l.post([
            Result.getOrThrow(
              disbursement({
                id: "TMP-4",
                book: "commodity",
                date: D,
                project: "lift",
                draws: [{ household: "H-T1" as HouseholdId, principal: 3_000 as Money, income: 0 as Money }],
              }),
            ),
          ])
          const clean = yield* l.verify()
          expect(clean.ok).toBe(true)
          const seqOf = async (id: string) =>
            Number(
              (
                await sql<{
                  seq: string | number
                }>`select seq from ${t("fund_entries")} where id = ${id}`.execute(db)
              ).rows[0]!.seq,
            )
          const seq2 = yield* Effect.promise(() => seqOf("TMP-2"))
          // A balanced tamper (both lines of TMP-2 changed) keeps the books balanced but breaks the chain.
          yield* tamper(sql`update ${t("fund_entry_lines")} set amount = 2000 where entry_id = 'TMP-2'`)
          const v = yield* l.verify()
          expect(v.ok).toBe(false)
          expect(v.firstBreak).toMatchObject({ seq: seq2, entryId: "TMP-2", problem: "hash-mismatch" })
          yield* tamper(sql`update ${t("fund_entry_lines")} set amount = 20000 where entry_id = 'TMP-2'`)
          expect((yield* l.verify()).ok).toBe(true)
          yield* tamper(sql`update ${t("fund_entries")} set memo = 'edited' where id = 'TMP-4'`)
          expect((yield* l.verify()).firstBreak).toMatchObject({ entryId: "TMP-4", problem: "hash-mismatch" })
          // Deleting stored lines is refused (append-only); cutting the whole tail behind the triggers' back
          // is caught against the stored head.
          const linesOnly = yield* Effect.exit(
            Effect.tryPromise(() =>
              sql`delete from ${t("fund_entry_lines")} where entry_id = 'TMP-4'`.execute(db),
            ),
          )
          expect(Exit.isFailure(linesOnly)).toBe(true)
          yield* tamper(
            sql`delete from ${t("fund_entry_lines")} where entry_id = 'TMP-4'`,
            sql`delete from ${t("fund_entries")} where id = 'TMP-4'`,
          )
          expect((yield* l.verify()).firstBreak).toMatchObject({ problem: "head-mismatch" })
        }),
      )
    })
  })
