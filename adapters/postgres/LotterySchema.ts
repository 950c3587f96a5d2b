/**
 * PostgreSQL tables of the lottery area: its Kysely row types and its migrations. Migration versions of
 * this area are numbered from 400 so areas never collide; released migrations are frozen. Row types never
 * leave adapters/. The database itself enforces run-once (R53): a partial unique index per hash on the pool
 * root WHERE annulled_at IS NULL admits one standing draw per pool, so concurrent draws cannot both commit;
 * a trigger keeps records append-only (the only update ever allowed is a first annulment; no deletes).
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

/** `bigint` epoch milliseconds: `pg` returns a string, PGlite a number. */
type Millis = ColumnType<string | number, number, number>

export interface LotteryDrawsTable {
  draw_id: string
  algorithm: string
  hash: string
  pool_root: string
  pool_root_sm3: string
  pool_root_sha256: string
  entrants: number
  seed: string
  /** SeedSource[] as JSON, decoded with Schema on read. */
  seed_sources: ColumnType<unknown, string, string>
  transcript: string
  result_digest: string
  drawn_at: Millis
  annulled_at: ColumnType<string | number | null, number | null, number>
  annul_reason: string | null
}

export type LotteryTables = {
  lottery_draws: LotteryDrawsTable
}

// Literal rules are copied (not imported) from the application so that a released migration never changes.
const HEX64 = (col: string) => `check (${col} ~ '^[0-9a-f]{64}$')`

export const LOTTERY_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 400,
    name: "lottery-draws",
    statements: (s) => [
      `create table ${s}.lottery_draws (
        draw_id text collate "C" not null check (draw_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        algorithm text not null,
        hash text not null check (hash in ('SM3', 'SHA-256')),
        pool_root text not null ${HEX64("pool_root")},
        pool_root_sm3 text not null ${HEX64("pool_root_sm3")},
        pool_root_sha256 text not null ${HEX64("pool_root_sha256")},
        entrants integer not null check (entrants >= 1),
        seed text not null ${HEX64("seed")},
        seed_sources jsonb not null check (jsonb_typeof(seed_sources) = 'array' and jsonb_array_length(seed_sources) >= 1),
        transcript text not null check (transcript <> ''),
        result_digest text not null ${HEX64("result_digest")},
        drawn_at bigint not null,
        annulled_at bigint,
        annul_reason text,
        constraint lottery_draws_pkey primary key (draw_id),
        constraint lottery_draws_root_of_hash check (
          (hash = 'SM3' and pool_root = pool_root_sm3) or (hash = 'SHA-256' and pool_root = pool_root_sha256)
        ),
        constraint lottery_draws_annulment check (
          (annulled_at is null and annul_reason is null)
          or (annulled_at >= drawn_at and char_length(annul_reason) >= 4)
        )
      )`,
      // Run-once: at most one standing (non-annulled) draw per pool, whichever hash identifies it.
      `create unique index lottery_draws_standing_sm3 on ${s}.lottery_draws (pool_root_sm3) where annulled_at is null`,
      `create unique index lottery_draws_standing_sha256 on ${s}.lottery_draws (pool_root_sha256) where annulled_at is null`,
      `create index lottery_draws_sm3_idx on ${s}.lottery_draws (pool_root_sm3, drawn_at)`,
      `create index lottery_draws_sha256_idx on ${s}.lottery_draws (pool_root_sha256, drawn_at)`,
      `create function ${s}.lottery_draws_append_only() returns trigger language plpgsql as $fn$
        begin
          if tg_op = 'DELETE' then
            raise exception 'lottery draws are never deleted (draw %)', old.draw_id using errcode = '23514';
          end if;
          if old.annulled_at is not null
             or new.annulled_at is null
             or (to_jsonb(new) - 'annulled_at' - 'annul_reason') <> (to_jsonb(old) - 'annulled_at' - 'annul_reason') then
            raise exception 'a lottery draw can only be annulled, once (draw %)', old.draw_id using errcode = '23514';
          end if;
          return new;
        end
      $fn$`,
      `create trigger lottery_draws_append_only before update or delete on ${s}.lottery_draws
        for each row execute function ${s}.lottery_draws_append_only()`,
    ],
  },
]
