/**
 * PostgreSQL tables of the audit log (审计日志): row types and migrations, versions from 600, frozen once
 * released. The database enforces what it can: records and checkpoints are append-only (a statement
 * trigger refuses UPDATE, DELETE and TRUNCATE, SQLSTATE 23514 `audit_append_only`), and every inserted
 * record must follow the single-row head (`audit_head`: seq + 1, prev_hash = head hash), which the same
 * trigger then advances in the inserting transaction; the head row lock serialises appenders. SM3 is
 * checked by the application (PostgreSQL has no SM3); a superuser who disables triggers is caught by the chain.
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

/** `bigint`: `pg` returns a string, PGlite a number. */
type BigIntColumn = ColumnType<string | number, number | string, number | string>

export interface AuditHeadTable {
  id: number
  seq: BigIntColumn
  hash: string
}

export interface AuditRecordsTable {
  seq: BigIntColumn
  at: string
  actor_id: string
  actor_role: string
  action: string
  object: string
  purpose: string | null
  outcome: string
  request_id: string | null
  detail: string | null
  prev_hash: string
  hash: string
}

export interface AuditCheckpointsTable {
  last_seq: BigIntColumn
  first_seq: BigIntColumn
  last_hash: string
  at: string
  algorithm: string
  user_id: string
  public_key: string
  signature: string
}

export type AuditTables = {
  audit_head: AuditHeadTable
  audit_records: AuditRecordsTable
  audit_checkpoints: AuditCheckpointsTable
}

// Patterns are copied (not imported) from the domain so that a released migration never changes.
const HEX64 = "'^[0-9a-f]{64}$'"
const INSTANT = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'"

export const AUDIT_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 600,
    name: "audit-log",
    statements: (s) => [
      `create table ${s}.audit_head (
        id smallint not null check (id = 1),
        seq bigint not null check (seq >= 0),
        hash text not null check (hash ~ ${HEX64}),
        constraint audit_head_pkey primary key (id)
      )`,
      `insert into ${s}.audit_head (id, seq, hash) values (1, 0, '${"0".repeat(64)}')`,
      `create table ${s}.audit_records (
        seq bigint not null check (seq >= 1),
        at text collate "C" not null check (at ~ ${INSTANT}),
        actor_id text collate "C" not null check (char_length(actor_id) between 1 and 200),
        actor_role text collate "C" not null check (char_length(actor_role) between 1 and 32),
        action text collate "C" not null check (char_length(action) between 1 and 200),
        object text collate "C" not null check (char_length(object) between 3 and 300),
        purpose text,
        outcome text not null check (outcome in ('success', 'denied', 'failure')),
        request_id text collate "C",
        detail text,
        prev_hash text not null check (prev_hash ~ ${HEX64}),
        hash text not null check (hash ~ ${HEX64}),
        constraint audit_records_pkey primary key (seq),
        constraint audit_records_purpose_check check (action <> 'pii.open' or btrim(coalesce(purpose, '')) <> '')
      )`,
      `create index audit_records_actor_idx on ${s}.audit_records (actor_id, seq)`,
      `create index audit_records_object_idx on ${s}.audit_records (object, seq)`,
      `create index audit_records_at_idx on ${s}.audit_records (at, seq)`,
      `create table ${s}.audit_checkpoints (
        last_seq bigint not null check (last_seq >= 1),
        first_seq bigint not null check (first_seq between 1 and last_seq),
        last_hash text not null check (last_hash ~ ${HEX64}),
        at text collate "C" not null check (at ~ ${INSTANT}),
        algorithm text not null check (algorithm = 'SM2-SM3'),
        user_id text not null,
        public_key text not null,
        signature text not null,
        constraint audit_checkpoints_pkey primary key (last_seq)
      )`,
      `create function ${s}.audit_append_only() returns trigger language plpgsql as $fn$
      begin
        raise exception 'the audit log is append-only (% on %)', tg_op, tg_table_name
          using errcode = '23514', constraint = 'audit_append_only';
      end
      $fn$`,
      // Every record follows the head and moves it, in the inserting transaction: appends are linear
      // whatever the client does, and the head row lock serialises concurrent appenders.
      `create function ${s}.audit_follow_head() returns trigger language plpgsql as $fn$
      declare
        h record;
      begin
        select seq, hash into h from ${s}.audit_head where id = 1 for update;
        if new.seq <> h.seq + 1 or new.prev_hash <> h.hash then
          raise exception 'audit record % does not follow the head (record %)', new.seq, h.seq
            using errcode = '23514', constraint = 'audit_follows_head';
        end if;
        update ${s}.audit_head set seq = new.seq, hash = new.hash where id = 1;
        return new;
      end
      $fn$`,
      `create trigger audit_records_append_only before update or delete or truncate on ${s}.audit_records
        for each statement execute function ${s}.audit_append_only()`,
      `create trigger audit_checkpoints_append_only before update or delete or truncate on ${s}.audit_checkpoints
        for each statement execute function ${s}.audit_append_only()`,
      `create trigger audit_records_follow_head before insert on ${s}.audit_records
        for each row execute function ${s}.audit_follow_head()`,
    ],
  },
]
