/**
 * PostgreSQL tables of the embedded job queue (后台任务): jobs (one row per (kind, key)), schedules,
 * named cursors and the processed (handler, event id) pairs of the outbox relay. They live in the same
 * schema as the data, so a handler's writes and its job's completion can commit in one transaction.
 * Migration versions of this area start at 800; released migrations are frozen. Row types stay in adapters/.
 */
import type { ColumnType, Generated } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>

export interface JobsTable {
  id: Generated<string | number>
  kind: string
  key: string
  payload: ColumnType<unknown, string, string>
  state: string
  run_at: BigInt
  attempt: number
  max_attempts: number
  lease: string | null
  lease_until: BigInt
  schedule: ColumnType<unknown, string | null, string | null>
  last_error: string | null
  created_at: BigInt
  updated_at: BigInt
}

export interface JobSchedulesTable {
  id: string
  kind: string
  every: ColumnType<unknown, string, string>
  payload: ColumnType<unknown, string, string>
  anchor: BigInt
  pending_at: BigInt
}

export interface JobCursorsTable {
  name: string
  position: BigInt
}

export interface JobEffectsTable {
  handler: string
  event_id: string
  at: BigInt
}

export type JobTables = {
  jobs: JobsTable
  job_schedules: JobSchedulesTable
  job_cursors: JobCursorsTable
  job_effects: JobEffectsTable
}

export const JOB_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 800,
    name: "jobs",
    statements: (s) => [
      `create table ${s}.jobs (
        id bigserial primary key,
        kind text collate "C" not null,
        key text collate "C" not null check (char_length(key) between 1 and 256),
        payload jsonb not null,
        state text not null check (state in ('pending', 'running', 'done', 'failed', 'dead')),
        run_at bigint not null,
        attempt integer not null check (attempt >= 0),
        max_attempts integer not null check (max_attempts >= 1),
        lease text,
        lease_until bigint not null,
        schedule jsonb,
        last_error text,
        created_at bigint not null,
        updated_at bigint not null,
        constraint jobs_kind_key_key unique (kind, key)
      )`,
      // Claim scans: due jobs by run-at, expired leases by lease end; status counts by kind and state.
      `create index jobs_due_idx on ${s}.jobs (run_at, id) where state in ('pending', 'failed')`,
      `create index jobs_lease_idx on ${s}.jobs (lease_until) where state = 'running'`,
      `create index jobs_kind_state_idx on ${s}.jobs (kind, state)`,
      `create table ${s}.job_schedules (
        id text collate "C" primary key,
        kind text collate "C" not null,
        every jsonb not null,
        payload jsonb not null,
        anchor bigint not null,
        pending_at bigint not null
      )`,
      `create table ${s}.job_cursors (
        name text collate "C" primary key,
        position bigint not null
      )`,
      `create table ${s}.job_effects (
        handler text collate "C" not null,
        event_id text collate "C" not null,
        at bigint not null,
        constraint job_effects_pkey primary key (handler, event_id)
      )`,
    ],
  },
]
