/**
 * PostgreSQL tables of server-side house selection (选房, R54): sessions (one per standing draw, families and
 * units as JSON), their log, and the choices. The database holds the once-only rules: one choose-or-skip and
 * one check-in per (session, family) in the log, one choice row per (session, family) ever, one standing
 * choice per unit platform-wide. Migration versions of this area start at 1000; released migrations are
 * frozen. Row types stay in adapters/.
 */
import type { ColumnType, Generated } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>

export interface SelectionSessionsTable {
  session_id: string
  round_id: string
  draw_id: string
  project_id: string
  district: string
  opened_at: BigInt
  data: ColumnType<unknown, string, string>
}

export interface SelectionLogTable {
  id: Generated<string>
  session_id: string
  at: BigInt
  action: string
  family: string
  unit_id: string | null
  note: string | null
  actor: string
}

export interface SelectionChoicesTable {
  session_id: string
  family: string
  unit_id: string
  chosen_at: BigInt
  released_at: ColumnType<string | number | null, number | null, number | null>
}

export type SelectionTables = {
  selection_sessions: SelectionSessionsTable
  selection_log: SelectionLogTable
  selection_choices: SelectionChoicesTable
}

export const SELECTION_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1000,
    name: "selection",
    statements: (s) => [
      `create table ${s}.selection_sessions (
        session_id text collate "C" not null check (char_length(session_id) between 1 and 100),
        round_id text collate "C" not null,
        draw_id text collate "C" not null,
        project_id text collate "C" not null,
        district text not null,
        opened_at bigint not null,
        data jsonb not null,
        constraint selection_sessions_pkey primary key (session_id),
        constraint selection_sessions_draw_key unique (draw_id)
      )`,
      `create index selection_sessions_scope_idx on ${s}.selection_sessions (district, project_id)`,
      `create table ${s}.selection_log (
        id bigint generated always as identity,
        session_id text collate "C" not null references ${s}.selection_sessions (session_id),
        at bigint not null,
        action text not null check (action in ('check-in', 'preselect', 'choose', 'skip', 'release')),
        family text collate "C" not null,
        unit_id text collate "C",
        note text,
        actor text not null,
        constraint selection_log_pkey primary key (id)
      )`,
      `create index selection_log_session_idx on ${s}.selection_log (session_id, id)`,
      // R54 "该操作只执行一次": a family chooses or is skipped once per session, and checks in once.
      `create unique index selection_log_once_key on ${s}.selection_log (session_id, family)
        where action in ('choose', 'skip')`,
      `create unique index selection_log_checkin_key on ${s}.selection_log (session_id, family)
        where action = 'check-in'`,
      `create table ${s}.selection_choices (
        session_id text collate "C" not null references ${s}.selection_sessions (session_id),
        family text collate "C" not null,
        unit_id text collate "C" not null,
        chosen_at bigint not null,
        released_at bigint,
        constraint selection_choices_pkey primary key (session_id, family)
      )`,
      // A unit is held by at most one standing choice, across every session.
      `create unique index selection_choices_unit_key on ${s}.selection_choices (unit_id)
        where released_at is null`,
    ],
  },
]
