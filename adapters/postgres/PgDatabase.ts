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
import { rememberPool } from "./PgPools.js"
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
  {
    readonly db: Kysely<Database>
    readonly schema: string
    /**
     * Most rows per multi-row statement (default: the store's own chunk). An in-process engine (PGlite)
     * blocks the event loop while a statement runs, so it sets a small bound to keep the host responsive.
     */
    readonly statementRows?: number
  }
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

/**
 * Why the database layer could not start: `Failed` (unreachable server, failed migration, broken data
 * folder) or `DataDirInUse` (an embedded data folder held by another live process: one writer per folder;
 * `url` is the owning HTTP host's address when it advertised one).
 */
export type PgDatabaseStartReason =
  | { readonly _tag: "Failed" }
  | {
      readonly _tag: "DataDirInUse"
      readonly dataDir: string
      readonly pid: number
      readonly hostname: string
      readonly url: string | undefined
    }

/** Failure to start the database layer; `reason` says which (the message is the sentence to print). */
export class PgDatabaseStartError extends Error {
  override readonly name = "PgDatabaseStartError"
  readonly reason: PgDatabaseStartReason
  constructor(message: string, options?: ErrorOptions & { readonly reason?: PgDatabaseStartReason }) {
    super(message, options)
    this.reason = options?.reason ?? { _tag: "Failed" }
  }
}

const startError = (what: string) => (cause: unknown) =>
  cause instanceof PgDatabaseStartError
    ? cause
    : new PgDatabaseStartError(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      })

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
  // A CHECKED-OUT client (inside a transaction) losing its server emits 'error' on itself, where the pool's
  // listener does not hear it: the same crash (seen when the server restarts under a worker). Its pending
  // and next queries fail instead (Unavailable) and the pool discards it on release.
  pool.on("connect", (client) => client.on("error", () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  rememberPool(db, pool)
  return db
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

/** The SQLSTATE of a driver error (pg and PGlite both expose `code`), or a Node system code such as ECONNREFUSED. */
export const sqlStateOf = (e: unknown): string | undefined => field(e, "code")

/**
 * Attaches the SQLSTATE to a failure reason as a non-enumerable `sqlState`: there for logs and tests,
 * absent from JSON and from every message, so no database code or text can reach a response body.
 */
export const withSqlState = <R extends object>(reason: R, sqlState: string | undefined): R => {
  if (sqlState !== undefined)
    Object.defineProperty(reason, "sqlState", { value: sqlState, enumerable: false, writable: false })
  return reason
}

/** The reasons every store shares for a database error it has no own meaning for. */
export type SqlStateReason =
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

/**
 * 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences and
 * the SQLSTATE rides along (not enumerable). One mapping for the stores' `classify` functions.
 */
export const sqlStateReason = (e: unknown): SqlStateReason => {
  const code = sqlStateOf(e)
  if (code === "40001" || code === "40P01")
    return withSqlState({ _tag: "Contention", detail: "concurrent writes collided; retry" }, code)
  if (isDataException(code)) return withSqlState({ _tag: "Rejected", detail: dataExceptionText(code) }, code)
  return withSqlState({ _tag: "Unavailable", detail: unavailableText(code) }, code)
}

/** A fixed sentence (no driver text) for a data exception (SQLSTATE class 22) or a NOT NULL / CHECK violation. */
export const dataExceptionText = (code: string | undefined): string => {
  switch (code) {
    case "22001":
      return "a text is longer than the store allows"
    case "22003":
      return "a number is outside the range the store can hold"
    case "22021":
    case "22P05":
      return "a text holds a character the store cannot keep (NUL or an invalid encoding)"
    case "22007":
    case "22008":
      return "a date or time is not valid"
    case "22P02":
      return "a value does not have the form the store expects"
    case "23502":
      return "a required value is missing"
    case "23514":
      return "a value breaks a check of the store"
    default:
      return "a value the store cannot hold"
  }
}

/** A fixed sentence (no driver text) for a failure that is not the caller's: by SQLSTATE class. */
export const unavailableText = (code: string | undefined): string => {
  const cls = code?.slice(0, 2)
  if (cls === "08" || (code !== undefined && /^E[A-Z]+$/u.test(code))) return "the database cannot be reached"
  if (cls === "53") return "the database is out of resources"
  if (cls === "57") return "the database cancelled the statement or is shutting down"
  if (cls === "42") return "the database schema does not match this version (run the migrations)"
  return "the database failed unexpectedly"
}

/** Whether a SQLSTATE means the data itself was refused (not retryable): class 22, NOT NULL, CHECK. */
export const isDataException = (code: string | undefined): boolean =>
  code !== undefined && (code.startsWith("22") || code === "23502" || code === "23514")

/**
 * Maps a driver error (pg or PGlite) to a StockStore failure reason by SQLSTATE `code` and `constraint`:
 * 23505 → Conflict, 23503 → MissingReference, 23514/23502/22xxx → Rejected (a broken invariant, not
 * retryable), 40001/40P01 → Contention, anything else → Unavailable. Details are fixed sentences: no
 * driver message, constraint name or SQLSTATE (that stays in the non-enumerable `sqlState`).
 */
export const classifyDbError = (e: unknown): StockStoreErrorReason => {
  const code = sqlStateOf(e)
  const constraint = field(e, "constraint") ?? ""
  const detail = field(e, "detail")
  switch (code) {
    case "23505": {
      const what =
        constraint === "units_code_key"
          ? "public code"
          : constraint === "units_slot_key"
            ? "floor and room"
            : "id"
      return withSqlState(
        {
          _tag: "Conflict",
          entity: entityOfConstraint(constraint),
          id: keyValue(detail) ?? "",
          detail: `${what} already used`,
        },
        code,
      )
    }
    case "23503": {
      // The referencing row's constraint names what is missing: units_building_fkey → building, *_project_fkey → project.
      const entity = constraint.endsWith("_building_fkey") ? "building" : "project"
      return withSqlState({ _tag: "MissingReference", entity, id: keyValue(detail) ?? "" }, code)
    }
    case "40001":
    case "40P01":
      return withSqlState({ _tag: "Contention", detail: "concurrent writes collided; retry" }, code)
    default:
      if (isDataException(code))
        return withSqlState(
          {
            _tag: "Rejected",
            entity: constraint === "" ? "record" : entityOfConstraint(constraint),
            id: keyValue(detail) ?? "",
            detail: dataExceptionText(code),
          },
          code,
        )
      return withSqlState({ _tag: "Unavailable", detail: unavailableText(code) }, code)
  }
}
