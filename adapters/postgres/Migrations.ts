/**
 * Versioned schema migrations for the PostgreSQL and PGlite stores, run on start. Own runner rather than
 * Kysely's Migrator: everything happens in ONE transaction that first takes a transaction-scoped advisory
 * lock per schema, so two processes starting at once serialise (the second sees the first's work and does
 * nothing) and a failed migration leaves no trace (PostgreSQL DDL is transactional). Applied versions are
 * recorded in `<schema>.schema_migrations (version, name, applied_at)`. Migrations are frozen once released.
 */
import { type Kysely, sql } from "kysely"
import type { Migration } from "./Migration.js"
import { AUDIT_MIGRATIONS } from "./AuditSchema.js"
import { CASE_MIGRATIONS } from "./CaseSchema.js"
import { CONTRACT_MIGRATIONS } from "./ContractSchema.js"
import { FUND_REGISTRY_MIGRATIONS } from "./FundRegistrySchema.js"
import { FUND_MIGRATIONS } from "./FundSchema.js"
import { IDENTITY_MIGRATIONS } from "./IdentitySchema.js"
import { JOB_MIGRATIONS } from "./JobSchema.js"
import { KMS_MIGRATIONS } from "./KmsSchema.js"
import { LOTTERY_MIGRATIONS } from "./LotterySchema.js"
import { QUEUE_MIGRATIONS } from "./QueueSchema.js"
import { SELECTION_MIGRATIONS } from "./SelectionSchema.js"
import { SUBSIDY_MIGRATIONS } from "./SubsidySchema.js"
import { WARNING_MIGRATIONS } from "./WarningSchema.js"

export type { Migration } from "./Migration.js"

/** Schema names we accept: lower-case SQL identifiers, so quoting them is exact and injection-free. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/u

export const quoteSchema = (schema: string): string => {
  if (!SCHEMA_PATTERN.test(schema)) throw new RangeError(`invalid schema name: ${schema}`)
  return `"${schema}"`
}

// Literal lists are copied (not imported) from the domain so that a released migration never changes.
const KINDS = "'gongzu', 'baozu', 'lianzu', 'gongyou', 'anzhi', 'rencai'"
const STATUSES = "'draft', 'available', 'let', 'locked', 'unusable'"
const ID_CHECK = (col: string) => `check (${col} ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')`

const STOCK_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "stock",
    statements: (s) => [
      `create table ${s}.projects (
        id text collate "C" not null ${ID_CHECK("id")},
        name text not null,
        kind text not null check (kind in (${KINDS})),
        district text not null check (district ~ '^[0-9]{6}$'),
        address text not null,
        operator_uscc text not null check (char_length(operator_uscc) = 18),
        operator_name text not null,
        service_phone text not null,
        constraint projects_pkey primary key (id)
      )`,
      `create index projects_district_idx on ${s}.projects (district)`,
      `create table ${s}.buildings (
        id text collate "C" not null ${ID_CHECK("id")},
        project_id text collate "C" not null,
        name text not null,
        total_floors smallint not null check (total_floors between 1 and 100),
        units_per_floor smallint not null check (units_per_floor between 1 and 30),
        has_lift boolean not null,
        completion_date date not null,
        constraint buildings_pkey primary key (id),
        constraint buildings_project_fkey foreign key (project_id) references ${s}.projects (id)
      )`,
      `create index buildings_project_idx on ${s}.buildings (project_id)`,
      `create table ${s}.units (
        id text collate "C" not null ${ID_CHECK("id")},
        code text collate "C" not null check (code ~ '^[0-9A-HJKMNP-TV-Z]{16}$'),
        project_id text collate "C" not null,
        building_id text collate "C" not null,
        floor smallint not null check (floor between -5 and 100 and floor <> 0),
        room_no smallint not null check (room_no between 1 and 30),
        bedrooms smallint not null check (bedrooms between 0 and 5),
        halls smallint not null check (halls between 0 and 5),
        area integer not null check (area > 0),
        orientation text,
        decoration text,
        rent bigint not null check (rent >= 0),
        market_rent bigint not null check (market_rent >= 0),
        kind text not null check (kind in (${KINDS})),
        status text not null check (status in (${STATUSES})),
        locked_from text check (locked_from in (${STATUSES})),
        supplied boolean not null,
        version integer not null check (version >= 1),
        constraint units_pkey primary key (id),
        constraint units_code_key unique (code),
        constraint units_slot_key unique (building_id, floor, room_no),
        constraint units_project_fkey foreign key (project_id) references ${s}.projects (id),
        constraint units_building_fkey foreign key (building_id) references ${s}.buildings (id)
      )`,
      // Listing: by project in id order (keyset), and by status/kind across projects.
      `create index units_project_idx on ${s}.units (project_id, id)`,
      `create index units_status_idx on ${s}.units (status, kind, id)`,
    ],
  },
  {
    // R37 settled (docs/allocation.md): a lock interrupts draft or available only, and the unit keeps that
    // status until unlocked. Rows written under the old rule are repaired first: a lock over a let or
    // unusable unit had nothing to stop, so the unit returns to its remembered status; a lock without a
    // remembered status returns to draft (what the old unlock did). Then the store enforces the rule.
    version: 2,
    name: "stock-lock-origin",
    statements: (s) => [
      `update ${s}.units set status = locked_from, locked_from = null, version = version + 1
        where status = 'locked' and locked_from in ('let', 'unusable')`,
      `update ${s}.units set locked_from = 'draft'
        where status = 'locked' and (locked_from is null or locked_from = 'locked')`,
      `update ${s}.units set locked_from = null where status <> 'locked' and locked_from is not null`,
      `alter table ${s}.units add constraint units_lock_origin_check
        check ((status = 'locked') = (locked_from is not null)
               and (locked_from is null or locked_from in ('draft', 'available')))`,
      // Inventory counts (R26–R42) group by project × unit type × status.
      `create index units_inventory_idx on ${s}.units (project_id, bedrooms, halls, status)`,
    ],
  },
]

/** All migrations: stock (1–199), fund (200–), cases (300–), lottery (400–), identity (500–), audit (600–), jobs (800–), queues (900–), selection (1000–), warnings (1100–), subsidy (1200–), contracts (1300–1399), fund registry (1400–1499), kms (1500–1599); versions are unique. */
export const MIGRATIONS: ReadonlyArray<Migration> = [
  ...STOCK_MIGRATIONS,
  ...FUND_MIGRATIONS,
  ...CASE_MIGRATIONS,
  ...LOTTERY_MIGRATIONS,
  ...IDENTITY_MIGRATIONS,
  ...AUDIT_MIGRATIONS,
  ...JOB_MIGRATIONS,
  ...QUEUE_MIGRATIONS,
  ...SELECTION_MIGRATIONS,
  ...WARNING_MIGRATIONS,
  ...SUBSIDY_MIGRATIONS,
  ...CONTRACT_MIGRATIONS,
  ...FUND_REGISTRY_MIGRATIONS,
  ...KMS_MIGRATIONS,
]

/** Advisory-lock class for migrations; the second key is `hashtext(schema)`. */
const LOCK_CLASS = 0x616e6a75 & 0x7fffffff

export interface MigrationResult {
  /** Versions applied by this call (empty when the schema was already current). */
  readonly applied: ReadonlyArray<number>
}

/**
 * Brings `schema` up to the latest migration. Idempotent; safe when several processes call it at once.
 * Fails if a recorded version carries another name than this build's migration of that version.
 */
export const migrate = async <DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: ReadonlyArray<Migration> = MIGRATIONS,
): Promise<MigrationResult> => {
  const s = quoteSchema(schema)
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_CLASS}::int4, hashtext(${schema}))`.execute(trx)
    await sql.raw(`create schema if not exists ${s}`).execute(trx)
    await sql
      .raw(
        `create table if not exists ${s}.schema_migrations (
          version integer primary key,
          name text not null,
          applied_at timestamptz not null default now()
        )`,
      )
      .execute(trx)
    const done = await sql<{
      version: number
      name: string
    }>`select version, name from ${sql.raw(s)}.schema_migrations`.execute(trx)
    const recorded = new Map(done.rows.map((r) => [Number(r.version), r.name]))
    const applied: Array<number> = []
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      const name = recorded.get(m.version)
      if (name !== undefined) {
        if (name !== m.name)
          throw new Error(
            `schema ${schema}: migration ${m.version} is recorded as "${name}", this build calls it "${m.name}"`,
          )
        continue
      }
      for (const statement of m.statements(s)) await sql.raw(statement).execute(trx)
      await sql`insert into ${sql.raw(s)}.schema_migrations (version, name) values (${m.version}, ${m.name})`.execute(
        trx,
      )
      applied.push(m.version)
    }
    return { applied }
  })
}

/** Drops a schema and everything in it (tests and benchmarks use private schemas). */
export const dropSchema = async <DB>(db: Kysely<DB>, schema: string): Promise<void> => {
  await sql.raw(`drop schema if exists ${quoteSchema(schema)} cascade`).execute(db)
}
