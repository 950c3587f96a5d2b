/**
 * The PostgreSQL database service: a Kysely instance over a `pg` pool, its schema, and the one place where
 * driver errors become port errors (`classifyDbError`, by SQLSTATE and constraint name, never by class).
 * Layers run the migrations on start and destroy the pool when their scope closes. Row types here are the
 * adapter's own and never leave `adapters/`.
 */
import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { type ColumnType, Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import type { StockStoreErrorReason } from "../../application/ports/StockStore.js"
import type { CaseTables } from "./CaseSchema.js"
import type { FundTables } from "./FundSchema.js"
import type { LotteryTables } from "./LotterySchema.js"
import { dropSchema, migrate, quoteSchema } from "./Migrations.js"

export interface ProjectsTable {
  id: string
  name: string
  kind: string
  district: string
  address: string
  operator_uscc: string
  operator_name: string
  service_phone: string
}

export interface BuildingsTable {
  id: string
  project_id: string
  name: string
  total_floors: number
  units_per_floor: number
  has_lift: boolean
  /** `date`; selected through `to_char(…, 'YYYY-MM-DD')` because drivers parse it into a JS Date. */
  completion_date: ColumnType<Date | string, string, string>
}

export interface UnitsTable {
  id: string
  code: string
  project_id: string
  building_id: string
  floor: number
  room_no: number
  bedrooms: number
  halls: number
  area: number
  orientation: string | null
  decoration: string | null
  /** `bigint` fen: `pg` returns a string, PGlite a number. */
  rent: ColumnType<string | number, number, number>
  market_rent: ColumnType<string | number, number, number>
  kind: string
  status: string
  locked_from: string | null
  supplied: boolean
  version: number
}

export type Database = StockTables & FundTables & CaseTables & LotteryTables

export interface StockTables {
  projects: ProjectsTable
  buildings: BuildingsTable
  units: UnitsTable
}

/** A Kysely instance plus the schema its tables live in (queries use `db.withSchema(schema)`). */
export class PgDatabase extends Context.Service<
  PgDatabase,
  { readonly db: Kysely<Database>; readonly schema: string }
>()("anju/adapters/PgDatabase") {}

export interface PgConfig {
  /** `postgres://user:password@host:port/database`; the caller unwraps its `Redacted` secret. */
  readonly url: string
  /** Schema holding the tables (default `anju`); created by the migrations. */
  readonly schema?: string
  readonly pool?: {
    /** Maximum connections (default 10). */
    readonly max?: number
    /** Milliseconds before an idle connection is closed (default 30,000). */
    readonly idleTimeoutMillis?: number
    /** Milliseconds to wait for a connection before failing (default 10,000). */
    readonly connectionTimeoutMillis?: number
  }
  /** Run the migrations when the layer starts (default true). */
  readonly migrate?: boolean
}

export const DEFAULT_SCHEMA = "anju"

/** Failure to start the database layer (unreachable server, failed migration). */
export class PgDatabaseStartError extends Error {
  override readonly name = "PgDatabaseStartError"
}

const startError = (what: string) => (cause: unknown) =>
  new PgDatabaseStartError(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })

/** A Kysely instance over a fresh `pg` pool (not yet connected; `pg` connects lazily). */
export const makeKysely = (config: PgConfig): Kysely<Database> => {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.pool?.max ?? 10,
    idleTimeoutMillis: config.pool?.idleTimeoutMillis ?? 30_000,
    connectionTimeoutMillis: config.pool?.connectionTimeoutMillis ?? 10_000,
  })
  // An idle client losing its server emits 'error' on the pool; unhandled, it would crash the process.
  // The next query on that pool then fails and is classified as Unavailable.
  pool.on("error", () => {})
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Acquires a database in `schema`: migrates it (unless told not to), destroys the Kysely instance (and so
 * the pool or PGlite) on scope close, optionally dropping the schema first.
 */
export const acquire = (
  create: () => Kysely<Database> | Promise<Kysely<Database>>,
  options: { readonly schema: string; readonly migrate: boolean; readonly dropOnClose: boolean },
) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        quoteSchema(options.schema)
        const db = await create()
        try {
          if (options.migrate) await migrate(db, options.schema)
          else await db.selectNoFrom((eb) => eb.lit(1).as("ok")).execute()
        } catch (e) {
          await db.destroy().catch(() => {})
          throw e
        }
        return { db, schema: options.schema }
      },
      catch: startError(`cannot start the database in schema ${options.schema}`),
    }),
    ({ db, schema }) =>
      Effect.promise(async () => {
        if (options.dropOnClose) await dropSchema(db, schema).catch(() => {})
        await db.destroy().catch(() => {})
      }),
  )

/** PostgreSQL at `config.url`, migrated on start, pool closed on scope end. */
export const layer = (config: PgConfig): Layer.Layer<PgDatabase, PgDatabaseStartError> =>
  Layer.effect(
    PgDatabase,
    acquire(() => makeKysely(config), {
      schema: config.schema ?? DEFAULT_SCHEMA,
      migrate: config.migrate ?? true,
      dropOnClose: false,
    }),
  )

/** A fresh private schema (`anju_test_<random>`) for one test run or benchmark, dropped on scope end. */
export const layerTest = (
  config: Omit<PgConfig, "schema" | "migrate">,
): Layer.Layer<PgDatabase, PgDatabaseStartError> =>
  Layer.effect(
    PgDatabase,
    Effect.suspend(() =>
      acquire(() => makeKysely(config), { schema: privateSchemaName(), migrate: true, dropOnClose: true }),
    ),
  )

export const privateSchemaName = (prefix = "anju_test"): string =>
  `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`

// ---------------------------------------------------------------------------------------------
// Error classification

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/** `Key (building_id)=(B-1) is not present …` → `B-1`; for composite keys the whole value list. */
const keyValue = (detail: string | undefined): string | undefined =>
  /Key \([^)]*\)=\((.*)\) (?:already exists|is not present)/u.exec(detail ?? "")?.[1]

const entityOfConstraint = (constraint: string): "project" | "building" | "unit" =>
  constraint.startsWith("units_") ? "unit" : constraint.startsWith("buildings_") ? "building" : "project"

/**
 * Maps a driver error (pg or PGlite) to a StockStore failure reason by SQLSTATE `code` and `constraint`:
 * 23505 → Conflict, 23503 → MissingReference, 23514/23502/22xxx → Rejected (a broken invariant, not
 * retryable), 40001/40P01 → Contention, anything else → Unavailable.
 */
export const classifyDbError = (e: unknown): StockStoreErrorReason => {
  const code = field(e, "code")
  const constraint = field(e, "constraint") ?? ""
  const detail = field(e, "detail")
  const message = field(e, "message") ?? String(e)
  switch (code) {
    case "23505": {
      const entity = entityOfConstraint(constraint)
      const what =
        constraint === "units_code_key"
          ? "public code"
          : constraint === "units_slot_key"
            ? "floor and room"
            : "id"
      return {
        _tag: "Conflict",
        entity,
        id: keyValue(detail) ?? "",
        detail: `${what} already used (${constraint})`,
      }
    }
    case "23503": {
      // The referencing row's constraint names what is missing: units_building_fkey → building, *_project_fkey → project.
      const entity = constraint.endsWith("_building_fkey") ? "building" : "project"
      return { _tag: "MissingReference", entity, id: keyValue(detail) ?? "" }
    }
    case "23514":
    case "23502":
      return {
        _tag: "Rejected",
        entity: entityOfConstraint(constraint),
        id: keyValue(detail) ?? "",
        detail: `violates ${constraint || code}`,
      }
    case "40001":
    case "40P01":
      return { _tag: "Contention", detail: message }
    default:
      if (code?.startsWith("22") === true)
        return { _tag: "Rejected", entity: "unit", id: "", detail: `${code}: ${message}` }
      return { _tag: "Unavailable", detail: code === undefined ? message : `${code}: ${message}` }
  }
}
