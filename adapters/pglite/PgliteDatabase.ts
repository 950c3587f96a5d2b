/**
 * Embedded PostgreSQL (PGlite, in memory or in a data directory) behind Kysely's own PostgresDialect. PGlite
 * is one session, so the pool shim hands out one connection at a time: a transaction holds it until Kysely
 * releases it, and concurrent callers queue (no interleaved transactions, no lost updates). Results carry
 * PGlite's own command tag and per-statement row count, so `INSERT … RETURNING`, `WITH …` and a COMMIT
 * that the server turned into ROLLBACK are reported to Kysely correctly.
 */
import { PGlite, type PGliteOptions } from "@electric-sql/pglite"
import { Layer } from "effect"
import { Kysely, type PostgresPool, PostgresDialect } from "kysely"
import {
  acquire,
  DEFAULT_SCHEMA,
  type Database,
  PgDatabase,
  type PgDatabaseStartError,
} from "../postgres/PgDatabase.js"

type Command = "UPDATE" | "DELETE" | "INSERT" | "SELECT" | "MERGE" | "COMMIT" | "ROLLBACK"

/**
 * The statement's command for Kysely when PGlite gives none: the first keyword, or for `WITH …` the first
 * data-modifying keyword after the common table expressions (a heuristic; PGlite 0.5 always reports it).
 */
export const commandOf = (text: string): string => {
  const first = /^\s*(\w+)/u.exec(text)?.[1]?.toUpperCase() ?? ""
  if (first !== "WITH") return first
  return /\)\s*(INSERT|UPDATE|DELETE|MERGE|SELECT)\b/iu.exec(text)?.[1]?.toUpperCase() ?? "SELECT"
}

/** A `PostgresPool` over one PGlite instance that serialises connections. `end()` closes PGlite. */
export const pglitePool = (db: PGlite): PostgresPool => {
  let tail: Promise<void> = Promise.resolve()
  const connection = {
    async query<R>(text: string, parameters: ReadonlyArray<unknown>) {
      const res = await db.query<R>(text, [...parameters])
      const command = (res.command ?? commandOf(text)).toUpperCase() as Command
      return { command, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length, rows: res.rows }
    },
  }
  return {
    options: {},
    async connect() {
      let release!: () => void
      const prev = tail
      tail = new Promise<void>((resolve) => {
        release = resolve
      })
      await prev
      let released = false
      return {
        query: connection.query as never,
        release() {
          if (released) return
          released = true
          release()
        },
      }
    },
    async end() {
      await tail
      if (!db.closed) await db.close()
    },
  }
}

export interface PgliteConfig {
  /** A data directory (`./data/anju`) or `memory://` (default: in memory, gone on close). */
  readonly dataDir?: string
  /** Schema holding the tables (default `anju`). */
  readonly schema?: string
  /** Extra PGlite options (extensions, debug level …). */
  readonly options?: Omit<PGliteOptions, "dataDir">
}

/** Creates a PGlite instance (2–5 s, ~480 MB) and a Kysely over it; closing Kysely closes PGlite. */
export const makeKysely = async (config: PgliteConfig = {}): Promise<Kysely<Database>> => {
  const pglite = await PGlite.create({
    ...config.options,
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) })
}

/** PGlite as the PgDatabase: created, migrated on start, closed when the scope ends. */
export const layer = (config: PgliteConfig = {}): Layer.Layer<PgDatabase, PgDatabaseStartError> =>
  Layer.effect(
    PgDatabase,
    acquire(() => makeKysely(config), {
      schema: config.schema ?? DEFAULT_SCHEMA,
      migrate: true,
      dropOnClose: false,
    }),
  )
