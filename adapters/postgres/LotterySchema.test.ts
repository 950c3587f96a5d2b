/**
 * The lottery tables enforce run-once by themselves (R53), whatever client writes to them: a second
 * standing draw of a pool root (under either hash) violates a partial unique index, an annulled draw
 * frees the root, records cannot be un-annulled, re-annulled, edited or deleted, and an annulment needs a
 * reason of at least 4 characters. Runs on PostgreSQL (DATABASE_URL); fails, never skips, when it is down.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { sql } from "kysely"
import { layerTest, PgDatabase } from "./PgDatabase.js"

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const h = (c: string) => c.repeat(64)

describe("lottery schema (PostgreSQL)", () => {
  layer(layerTest({ url }), { timeout: "60 seconds" })((it) => {
    it.effect("the database itself admits one standing draw per pool and keeps records append-only", () =>
      Effect.gen(function* () {
        const { db: root, schema } = yield* PgDatabase
        const db = root.withSchema(schema)
        const row = (id: string, sm3: string, sha: string, hash: "SM3" | "SHA-256" = "SM3") => ({
          draw_id: id,
          algorithm: "anju-lottery/1",
          hash,
          pool_root: hash === "SM3" ? sm3 : sha,
          pool_root_sm3: sm3,
          pool_root_sha256: sha,
          entrants: 3,
          seed: h("c"),
          seed_sources: JSON.stringify([{ kind: "digits", digits: "1" }]),
          transcript: "{}",
          result_digest: h("d"),
          drawn_at: 1000,
        })
        const code = (p: Promise<unknown>) =>
          Effect.promise(() =>
            p.then(
              () => "ok",
              (e: { code?: string }) => e.code ?? "?",
            ),
          )
        expect(
          yield* code(
            db
              .insertInto("lottery_draws")
              .values(row("d1", h("a"), h("b")))
              .execute(),
          ),
        ).toBe("ok")
        // Same pool under SM3 or under SHA-256: refused by the partial unique indexes.
        expect(
          yield* code(
            db
              .insertInto("lottery_draws")
              .values(row("d2", h("a"), h("e")))
              .execute(),
          ),
        ).toBe("23505")
        expect(
          yield* code(
            db
              .insertInto("lottery_draws")
              .values(row("d3", h("f"), h("b"), "SHA-256"))
              .execute(),
          ),
        ).toBe("23505")
        // Annulment: reason ≥ 4 characters, not before the draw; then the pool is free again.
        const annul = (id: string, reason: string, at: number) =>
          db
            .updateTable("lottery_draws")
            .set({ annulled_at: at, annul_reason: reason })
            .where("draw_id", "=", id)
            .execute()
        expect(yield* code(annul("d1", "作废", 2000))).toBe("23514")
        expect(yield* code(annul("d1", "设备故障重摇", 999))).toBe("23514")
        expect(yield* code(annul("d1", "设备故障重摇", 2000))).toBe("ok")
        expect(
          yield* code(
            db
              .insertInto("lottery_draws")
              .values(row("d4", h("a"), h("b")))
              .execute(),
          ),
        ).toBe("ok")
        // Append-only: no second annulment, no un-annulling, no edits, no deletes.
        expect(yield* code(annul("d1", "再次作废申请", 3000))).toBe("23514")
        expect(
          yield* code(
            db
              .updateTable("lottery_draws")
              .set({ annulled_at: null as never, annul_reason: null })
              .where("draw_id", "=", "d1")
              .execute(),
          ),
        ).toBe("23514")
        expect(
          yield* code(
            db
              .updateTable("lottery_draws")
              .set({ transcript: '{"x":1}' })
              .where("draw_id", "=", "d4")
              .execute(),
          ),
        ).toBe("23514")
        expect(yield* code(db.deleteFrom("lottery_draws").where("draw_id", "=", "d4").execute())).toBe(
          "23514",
        )
        const n = yield* Effect.promise(() =>
          sql<{ n: string }>`select count(*) as n from ${sql.table(`${schema}.lottery_draws`)}`.execute(root),
        )
        expect(Number(n.rows[0]!.n)).toBe(2)
      }),
    )
  })
})
