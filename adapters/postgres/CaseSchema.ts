/**
 * PostgreSQL tables of the case area: its Kysely row types and its migrations. Migration versions of
 * this area are numbered from 300 so areas never collide; released migrations are frozen. Row types
 * never leave adapters/. Personal data is stored only sealed (inside `cases.data`) and as blind indexes
 * (`case_people.id_index`); the outbox (`case_outbox`) is written in the case's transaction.
 */
import type { ColumnType, Generated } from "kysely"
import type { Migration } from "./Migration.js"

export interface CasesTable {
  id: string
  kind: string
  state: string
  version: number
  district: string
  project_id: string | null
  applicant_index: string | null
  /** The whole StoredCase (sealed members), decoded with Schema on read. */
  data: ColumnType<unknown, string, string>
  /** epoch ms; `bigint` (pg returns a string, PGlite a number). */
  updated_at: ColumnType<string | number, number, number>
}

export interface CasePeopleTable {
  case_id: string
  id_index: string
  role: string
}

export interface CaseHistoryTable {
  case_id: string
  version: number
  at: ColumnType<string | number, number, number>
  actor_id: string
  actor_role: string
  command: string
  from_state: string | null
  to_state: string
  note: string
}

export interface CaseCommandsTable {
  actor_id: string
  key: string
  request_digest: string
  case_id: string
  outcome: ColumnType<unknown, string, string>
}

export interface CaseOutboxTable {
  seq: Generated<string | number>
  id: string
  case_id: string
  at: ColumnType<string | number, number, number>
  type: string
  payload: ColumnType<unknown, string, string>
}

export type CaseTables = {
  cases: CasesTable
  case_people: CasePeopleTable
  case_history: CaseHistoryTable
  case_commands: CaseCommandsTable
  case_outbox: CaseOutboxTable
}

// Literal lists are copied (not imported) from the domain so that a released migration never changes.
const KINDS = "'gongzu', 'baozu', 'lianzu', 'gongyou'"

export const CASE_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 300,
    name: "cases",
    statements: (s) => [
      `create table ${s}.cases (
        id text collate "C" not null check (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        kind text not null check (kind in (${KINDS})),
        state text not null,
        version integer not null check (version >= 1),
        district text not null,
        project_id text,
        applicant_index text,
        data jsonb not null,
        updated_at bigint not null,
        constraint cases_pkey primary key (id)
      )`,
      `create index cases_district_idx on ${s}.cases (district, state, id)`,
      `create index cases_project_idx on ${s}.cases (project_id, id)`,
      `create index cases_applicant_idx on ${s}.cases (applicant_index)`,
      `create table ${s}.case_people (
        case_id text collate "C" not null references ${s}.cases (id),
        id_index text not null,
        role text not null,
        constraint case_people_pkey primary key (case_id, id_index, role)
      )`,
      `create index case_people_index_idx on ${s}.case_people (id_index)`,
      `create table ${s}.case_history (
        case_id text collate "C" not null references ${s}.cases (id),
        version integer not null,
        at bigint not null,
        actor_id text not null,
        actor_role text not null,
        command text not null,
        from_state text,
        to_state text not null,
        note text not null,
        constraint case_history_pkey primary key (case_id, version)
      )`,
      `create index case_history_actor_idx on ${s}.case_history (actor_id, case_id)`,
      `create table ${s}.case_commands (
        actor_id text not null,
        key text not null,
        request_digest text not null,
        case_id text collate "C" not null,
        outcome jsonb not null,
        constraint case_commands_pkey primary key (actor_id, key)
      )`,
      `create table ${s}.case_outbox (
        seq bigserial primary key,
        id text not null,
        case_id text collate "C" not null references ${s}.cases (id),
        at bigint not null,
        type text not null,
        payload jsonb not null,
        constraint case_outbox_id_key unique (id)
      )`,
    ],
  },
]
