/**
 * PostgreSQL tables of the waiting queues (轮候): one row per (queue, case) with the whole entry as JSON plus
 * the columns queries need (scope, status, persisted deadline), a unique admission key (idempotent entry),
 * and one stored plan per queue (R45–R50). Migration versions of this area start at 900; released
 * migrations are frozen. Row types stay in adapters/.
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>

export interface QueueEntriesTable {
  queue_id: string
  case_id: string
  entered_by: string
  district: string
  project_id: string | null
  applicant_index: string
  status: string
  deadline: ColumnType<string | number | null, number | null, number | null>
  version: number
  data: ColumnType<unknown, string, string>
  updated_at: BigInt
}

export interface QueuePlansTable {
  queue_id: string
  plan: ColumnType<unknown, string, string>
}

export type QueueTables = {
  queue_entries: QueueEntriesTable
  queue_plans: QueuePlansTable
}

// Copied (not imported) from domain/queue/BaozuQueue.ts STATUSES so that a released migration never changes.
const STATUSES =
  "'waiting', 'offered', 'applying', 'pendingReview', 'converted', 'timedOut', 'abandoned', 'removed'"

export const QUEUE_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 900,
    name: "queues",
    statements: (s) => [
      `create table ${s}.queue_plans (
        queue_id text collate "C" not null check (char_length(queue_id) between 1 and 200),
        plan jsonb not null,
        constraint queue_plans_pkey primary key (queue_id)
      )`,
      `create table ${s}.queue_entries (
        queue_id text collate "C" not null check (char_length(queue_id) between 1 and 200),
        case_id text collate "C" not null check (char_length(case_id) between 1 and 100),
        entered_by text collate "C" not null check (char_length(entered_by) between 1 and 300),
        district text not null,
        project_id text collate "C",
        applicant_index text not null,
        status text not null check (status in (${STATUSES})),
        deadline bigint,
        version integer not null check (version >= 1),
        data jsonb not null,
        updated_at bigint not null,
        constraint queue_entries_pkey primary key (queue_id, case_id),
        constraint queue_entries_entered_by_key unique (entered_by)
      )`,
      `create index queue_entries_case_idx on ${s}.queue_entries (case_id)`,
      `create index queue_entries_applicant_idx on ${s}.queue_entries (applicant_index)`,
      `create index queue_entries_district_idx on ${s}.queue_entries (district, queue_id, case_id)`,
      // The window tick reads only open windows (R43/R44).
      `create index queue_entries_deadline_idx on ${s}.queue_entries (deadline)
        where deadline is not null and status in ('offered', 'applying')`,
    ],
  },
]
