/**
 * PostgreSQL tables of lease/purchase contracts (网签备案, R89–R107): one row per contract (the value as JSON
 * plus the columns queries and constraints need), the transition log, clause templates (R94) and violation
 * records (R97). The database holds the rules that must survive concurrency: one HOLDING contract per unit
 * (unique partial index), no two contracts of a unit in force on the same day (a trigger under a per-unit
 * advisory lock, raising 23P01 like an exclusion constraint; btree_gist is not available in PGlite), and a
 * unique registration number (R107). Migration versions of this area are 1300–1399; released ones are frozen.
 */
import type { ColumnType, Generated } from "kysely"
import type { Migration } from "./Migration.js"

type BigInt = ColumnType<string | number, number, number>
type DayNumber = ColumnType<number | null, number | null, number | null>

export interface ContractsTable {
  id: string
  kind: string
  state: string
  project_id: string
  district: string
  unit_id: string
  tenant_index: string | null
  registration_no: string | null
  /** In-force interval as day numbers (days since 1970-01-01), both inclusive; null: never in force. */
  in_force_from: DayNumber
  in_force_to: DayNumber
  version: number
  data: ColumnType<unknown, string, string>
}

export interface ContractEventsTable {
  seq: Generated<string>
  contract_id: string
  version: number
  action: string
  from_state: string | null
  to_state: string
  at: BigInt
  actor: string
  note: string | null
}

export interface ContractClausesTable {
  id: string
  version: number
  data: ColumnType<unknown, string, string>
}

export interface ContractViolationsTable {
  id: string
  person_index: string
  version: number
  data: ColumnType<unknown, string, string>
}

export type ContractTables = {
  contracts: ContractsTable
  contract_events: ContractEventsTable
  contract_clauses: ContractClausesTable
  contract_violations: ContractViolationsTable
}

// Copied (not imported) from domain/contract/Contract.ts so that a released migration never changes.
const STATES =
  "'draft', 'awaiting_tenant', 'registered', 'revoked', 'exited', 'moved_out', 'renewed', 'exchanged'"
const KINDS = "'baozu', 'gongzu', 'lianzu', 'gongyou-presale', 'gongyou-sale'"

export const CONTRACT_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1300,
    name: "contracts",
    statements: (s) => [
      `create table ${s}.contracts (
        id text collate "C" not null check (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        kind text not null check (kind in (${KINDS})),
        state text not null check (state in (${STATES})),
        project_id text collate "C" not null,
        district text not null,
        unit_id text collate "C" not null,
        tenant_index text,
        registration_no text collate "C",
        in_force_from integer,
        in_force_to integer,
        version integer not null check (version >= 1),
        data jsonb not null,
        constraint contracts_pkey primary key (id),
        constraint contracts_registration_key unique (registration_no),
        constraint contracts_registered_check
          check (registration_no is not null or state in ('draft', 'awaiting_tenant', 'revoked')),
        constraint contracts_interval_check
          check ((in_force_from is null) = (in_force_to is null) and (in_force_from is null or in_force_from <= in_force_to))
      )`,
      // One contract holds a unit at a time (person–house binding, R166).
      `create unique index contracts_unit_holding_key on ${s}.contracts (unit_id)
        where state in ('draft', 'awaiting_tenant', 'registered')`,
      `create index contracts_scope_idx on ${s}.contracts (district, project_id, id)`,
      `create index contracts_tenant_idx on ${s}.contracts (tenant_index, id)`,
      `create index contracts_unit_idx on ${s}.contracts (unit_id, id)`,
      // No two contracts of a unit in force on the same day: checked under a per-unit lock, so concurrent
      // writers of one unit serialise; raised as 23P01 (exclusion_violation).
      `create function ${s}.contracts_one_in_force() returns trigger language plpgsql as $fn$
        begin
          if new.in_force_from is null then return new; end if;
          perform pg_advisory_xact_lock(hashtext('anju.contract-unit'), hashtext(new.unit_id));
          if exists (
            select 1 from ${s}.contracts c
            where c.unit_id = new.unit_id and c.id <> new.id and c.in_force_from is not null
              and c.in_force_from <= new.in_force_to and new.in_force_from <= c.in_force_to
          ) then
            raise exception 'two contracts of unit % in force on the same day', new.unit_id
              using errcode = '23P01', constraint = 'contracts_one_in_force';
          end if;
          return new;
        end
      $fn$`,
      `create trigger contracts_one_in_force before insert or update on ${s}.contracts
        for each row execute function ${s}.contracts_one_in_force()`,
      `create table ${s}.contract_events (
        seq bigint generated always as identity,
        contract_id text collate "C" not null references ${s}.contracts (id),
        version integer not null,
        action text not null,
        from_state text,
        to_state text not null check (to_state in (${STATES})),
        at bigint not null,
        actor text not null,
        note text,
        constraint contract_events_pkey primary key (seq),
        constraint contract_events_version_key unique (contract_id, version)
      )`,
      `create table ${s}.contract_clauses (
        id text collate "C" not null,
        version integer not null check (version >= 1),
        data jsonb not null,
        constraint contract_clauses_pkey primary key (id)
      )`,
      `create table ${s}.contract_violations (
        id text collate "C" not null,
        person_index text not null,
        version integer not null check (version >= 1),
        data jsonb not null,
        constraint contract_violations_pkey primary key (id)
      )`,
      `create index contract_violations_person_idx on ${s}.contract_violations (person_index, id)`,
    ],
  },
]
