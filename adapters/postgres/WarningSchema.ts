/**
 * PostgreSQL tables of the R24 warning list (警示名单) and the periodic re-check results (R85–R88): one row
 * per warning (id = digest of its key, the key itself unique) with the whole record as JSON plus the
 * columns lists filter and order by; one row per (case, check, period) result. Personal data only as blind
 * indexes. Migration versions of this area start at 1100; released migrations are frozen.
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>

export interface WarningsTable {
  id: string
  warning_key: string
  person_index: string
  district: string
  level: string
  rule: string
  case_id: string | null
  status: string
  raised_at: BigInt
  version: number
  data: ColumnType<unknown, string, string>
}

export interface RecheckResultsTable {
  case_id: string
  check_source: string
  period: string
  district: string
  data: ColumnType<unknown, string, string>
}

export type WarningTables = {
  warnings: WarningsTable
  recheck_results: RecheckResultsTable
}

// Copied (not imported) from the domain so that a released migration never changes.
const LEVELS = "'red', 'orange', 'yellow', 'brown'"

export const WARNING_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1100,
    name: "warnings",
    statements: (s) => [
      `create table ${s}.warnings (
        id text collate "C" not null check (char_length(id) between 1 and 100),
        warning_key text collate "C" not null check (char_length(warning_key) between 1 and 1000),
        person_index text not null check (char_length(person_index) between 1 and 200),
        district text not null,
        level text not null check (level in (${LEVELS})),
        rule text not null,
        case_id text collate "C",
        status text collate "C" not null check (status in ('open', 'resolved')),
        raised_at bigint not null,
        version integer not null check (version >= 1),
        data jsonb not null,
        constraint warnings_pkey primary key (id),
        constraint warnings_key_key unique (warning_key)
      )`,
      // The list: scope by district, open first, newest first (R24, R85 "pop up at login").
      `create index warnings_list_idx on ${s}.warnings (district, status, raised_at desc, id)`,
      `create index warnings_case_idx on ${s}.warnings (case_id) where case_id is not null`,
      `create index warnings_person_idx on ${s}.warnings (person_index)`,
      `create table ${s}.recheck_results (
        case_id text collate "C" not null check (char_length(case_id) between 1 and 100),
        check_source text not null,
        period text collate "C" not null check (char_length(period) between 1 and 20),
        district text not null,
        data jsonb not null,
        constraint recheck_results_pkey primary key (case_id, check_source, period)
      )`,
    ],
  },
]
