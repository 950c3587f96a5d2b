/**
 * PostgreSQL tables of the lottery area: its Kysely row types and its migrations. Migration versions of
 * this area are numbered from 400 so areas never collide; released migrations are frozen. Row types never
 * leave adapters/. The database itself enforces run-once (R53): a partial unique index per hash on the pool
 * root WHERE annulled_at IS NULL admits one standing draw per pool, so concurrent draws cannot both commit;
 * a trigger keeps records append-only (the only update ever allowed is a first annulment; no deletes).
 * Rounds (401): a round's committed pool is immutable (no updates or deletes); each draw of a round is
 * linked to it with its result.csv, and the link too is never changed.
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

export interface LotteryRoundsTable {
  round_id: string
  project_id: string
  district: string
  /** string[] as JSON. */
  unit_types: ColumnType<unknown, string, string>
  title: string
  /** {id, stratum}[] as JSON: application numbers and strata only. */
  entrants: ColumnType<unknown, string, string>
  /** {stratum, units}[] as JSON. */
  units: ColumnType<unknown, string, string>
  hash: string
  pool_root_sm3: string
  pool_root_sha256: string
  opened_at: Millis
}

export interface LotteryRoundDrawsTable {
  draw_id: string
  round_id: string
  result_csv: string
}

export type LotteryTables = {
  lottery_draws: LotteryDrawsTable
  lottery_rounds: LotteryRoundsTable
  lottery_round_draws: LotteryRoundDrawsTable
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
  {
    version: 401,
    name: "lottery-rounds",
    statements: (s) => [
      `create table ${s}.lottery_rounds (
        round_id text collate "C" not null check (round_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        project_id text not null check (project_id <> ''),
        district text not null check (district <> ''),
        unit_types jsonb not null check (jsonb_typeof(unit_types) = 'array' and jsonb_array_length(unit_types) >= 1),
        title text not null check (title <> ''),
        entrants jsonb not null check (jsonb_typeof(entrants) = 'array' and jsonb_array_length(entrants) >= 1),
        units jsonb not null check (jsonb_typeof(units) = 'array'),
        hash text not null check (hash in ('SM3', 'SHA-256')),
        pool_root_sm3 text not null ${HEX64("pool_root_sm3")},
        pool_root_sha256 text not null ${HEX64("pool_root_sha256")},
        opened_at bigint not null,
        constraint lottery_rounds_pkey primary key (round_id)
      )`,
      `create index lottery_rounds_opened_idx on ${s}.lottery_rounds (opened_at desc, round_id)`,
      `create table ${s}.lottery_round_draws (
        draw_id text collate "C" not null references ${s}.lottery_draws (draw_id),
        round_id text collate "C" not null references ${s}.lottery_rounds (round_id),
        result_csv text not null check (result_csv <> ''),
        constraint lottery_round_draws_pkey primary key (draw_id)
      )`,
      `create index lottery_round_draws_round_idx on ${s}.lottery_round_draws (round_id)`,
      `create function ${s}.lottery_rounds_immutable() returns trigger language plpgsql as $fn$
        begin
          raise exception 'lottery rounds and their draws are never changed or deleted' using errcode = '23514';
        end
      $fn$`,
      `create trigger lottery_rounds_immutable before update or delete on ${s}.lottery_rounds
        for each row execute function ${s}.lottery_rounds_immutable()`,
      `create trigger lottery_round_draws_immutable before update or delete on ${s}.lottery_round_draws
        for each row execute function ${s}.lottery_rounds_immutable()`,
    ],
  },
]
