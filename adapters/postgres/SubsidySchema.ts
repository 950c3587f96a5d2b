/**
 * PostgreSQL tables of the 廉租 rent subsidy (R118–R123): one agreement per case (whole value as JSON plus
 * the columns queries need), one payout line per line id (a regular line is `<case>:<month>`, so a month
 * computed twice stores one line) and one run record per month (catch-up). Migration versions of this
 * area start at 1200; released migrations are frozen. Row types stay in adapters/.
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>

export interface SubsidyAgreementsTable {
  case_id: string
  district: string
  status: string
  version: number
  data: ColumnType<unknown, string, string>
}

export interface SubsidyLinesTable {
  line_id: string
  case_id: string
  district: string
  month: string
  kind: string
  amount: BigInt
  status: string
  data: ColumnType<unknown, string, string>
}

export interface SubsidyRunsTable {
  month: string
  at: BigInt
  counts: ColumnType<unknown, string, string>
}

export type SubsidyTables = {
  subsidy_agreements: SubsidyAgreementsTable
  subsidy_lines: SubsidyLinesTable
  subsidy_runs: SubsidyRunsTable
}

export const SUBSIDY_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1200,
    name: "lianzu-subsidy",
    statements: (s) => [
      `create table ${s}.subsidy_agreements (
        case_id text collate "C" not null check (char_length(case_id) between 1 and 100),
        district text not null,
        status text not null check (status in ('active', 'paused', 'ended')),
        version integer not null check (version >= 1),
        data jsonb not null,
        constraint subsidy_agreements_pkey primary key (case_id)
      )`,
      `create index subsidy_agreements_district_idx on ${s}.subsidy_agreements (district, case_id)`,
      `create table ${s}.subsidy_lines (
        line_id text collate "C" not null check (char_length(line_id) between 1 and 400),
        case_id text collate "C" not null,
        district text not null,
        month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        kind text not null check (kind in ('regular', 'back_pay', 'recovery')),
        amount bigint not null,
        status text not null check (status in ('computed', 'confirmed')),
        data jsonb not null,
        constraint subsidy_lines_pkey primary key (line_id)
      )`,
      `create index subsidy_lines_month_idx on ${s}.subsidy_lines (month, district, line_id)`,
      `create index subsidy_lines_case_idx on ${s}.subsidy_lines (case_id, month)`,
      `create table ${s}.subsidy_runs (
        month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        at bigint not null,
        counts jsonb not null,
        constraint subsidy_runs_pkey primary key (month)
      )`,
    ],
  },
]
