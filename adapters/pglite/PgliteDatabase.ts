/**
 * Embedded PostgreSQL (PGlite, in memory or in a data directory) behind Kysely's own PostgresDialect. By
 * default PGlite runs in a worker thread (PgliteWorker.ts), so its WASM statements and garbage collection
 * never block the host's event loop (issue 10: /health answers within 100 ms during a 450,000-row import);
 * `inProcess: true` keeps it on the calling thread. PGlite is one session, so the pool shim hands out one
 * connection at a time: a transaction holds it until Kysely releases it, and concurrent callers queue (no
 * interleaved transactions, no lost updates). Results carry PGlite's own command tag and per-statement row
 * count, so `INSERT … RETURNING`, `WITH …` and a COMMIT that the server turned into ROLLBACK are reported
 * to Kysely correctly; rows are parsed by PGlite in both modes (the structured clone keeps Date, bigint,
 * objects and Uint8Array), and errors keep their PostgreSQL fields (code, detail, constraint, …) for
 * `classifyDbError`. A data directory has one writer: opening takes its DataDirLock (on this thread), or
 * fails at once with PgDatabaseStartError `DataDirInUse` naming the owner; closing releases it.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import { PGlite, type PGliteOptions } from "@electric-sql/pglite"
import { Effect, Layer } from "effect"
import { Kysely, type PostgresPool, PostgresDialect } from "kysely"
import {
  acquire,
  DEFAULT_SCHEMA,
  type Database,
  PgDatabase,
  PgDatabaseStartError,
} from "../postgres/PgDatabase.js"
import { acquireDataDirLock, DataDirInUse, type DataDirLock } from "./DataDirLock.js"
import type { WorkerRequest, WorkerResponse, WorkerResult } from "./PgliteWorker.js"

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

/** A macrotask turn: lets timers and sockets run between two PGlite statements. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Something that runs one statement and answers PGlite's result fields (in-process or via the worker). */
type RunStatement = (text: string, parameters: ReadonlyArray<unknown>) => Promise<WorkerResult>

/** A serialising `PostgresPool` over a statement runner; `end()` runs `close`, then `onEnd`. */
const serialPool = (run: RunStatement, close: () => Promise<void>, onEnd: () => void): PostgresPool => {
  let tail: Promise<void> = Promise.resolve()
  const connection = {
    async query(text: string, parameters: ReadonlyArray<unknown>) {
      const res = await run(text, parameters)
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
      try {
        await close()
      } finally {
        onEnd()
      }
    },
  }
}

/**
 * A `PostgresPool` over one in-process PGlite instance that serialises connections; it yields to the event
 * loop before each statement (a long run of statements would otherwise starve HTTP requests). `end()`
 * closes PGlite, then runs `onEnd` (releasing the data-folder lock).
 */
export const pglitePool = (db: PGlite, onEnd: () => void = () => {}): PostgresPool =>
  serialPool(
    async (text, parameters) => {
      await yieldToEventLoop()
      const res = await db.query(text, [...parameters])
      return { rows: res.rows, command: res.command, rowCount: res.rowCount, affectedRows: res.affectedRows }
    },
    async () => {
      if (!db.closed) await db.close()
    },
    onEnd,
  )

/**
 * Where the worker entry is: beside this module (source tree: `PgliteWorker.ts`; tsc output: `.js`) or, when
 * this module was bundled into a chunk elsewhere in dist/, at `adapters/pglite/PgliteWorker.js` under one of
 * the chunk's parent folders.
 */
export const workerEntry = (): URL => {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, "PgliteWorker.js"), join(here, "PgliteWorker.ts")]
  for (let dir = here, i = 0; i < 4; i++, dir = dirname(dir))
    candidates.push(join(dir, "adapters", "pglite", "PgliteWorker.js"))
  const found = candidates.find((file) => existsSync(file))
  if (found === undefined)
    throw new Error(`PGlite worker entry not found (looked for ${candidates.join(", ")})`)
  return pathToFileURL(found)
}

/** Node flags for the worker: the parent's (tsx's loader included), plus type stripping for a .ts entry. */
const workerExecArgv = (entry: URL): Array<string> => {
  const argv = [...process.execArgv]
  const features = process.features as { readonly typescript?: string | false }
  const underTsx = argv.some((a) => a.includes("tsx"))
  if (entry.pathname.endsWith(".ts") && !underTsx && !features.typescript)
    argv.push("--experimental-strip-types")
  return argv
}

/** A failure crossing back from the worker: an Error carrying the PostgreSQL fields (code, constraint, …). */
const workerError = (error: { readonly name: string; readonly message: string; readonly fields: object }) =>
  Object.assign(new Error(error.message), error.fields, { name: error.name })

/**
 * Starts PGlite in a worker thread and answers a `PostgresPool` whose statements run there (serialised
 * like `pglitePool`). The worker keeps the process alive only while a statement is outstanding. If the
 * worker dies, every outstanding and later statement fails with SQLSTATE 08006 (connection failure).
 */
export const workerPool = async (
  config: { readonly dataDir?: string; readonly options?: Omit<PGliteOptions, "dataDir"> },
  onEnd: () => void = () => {},
): Promise<PostgresPool> => {
  const entry = workerEntry()
  const worker = new Worker(entry, {
    execArgv: workerExecArgv(entry),
    workerData: {
      ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
      ...(config.options === undefined ? {} : { options: config.options }),
    },
  })
  const pending = new Map<
    number,
    { resolve: (r: WorkerResult | undefined) => void; reject: (e: unknown) => void }
  >()
  let nextId = 1
  let dead: Error | undefined
  const fail = (e: Error) => {
    dead ??= Object.assign(new Error(`the PGlite worker stopped: ${e.message}`), { code: "08006" })
    for (const p of pending.values()) p.reject(dead)
    pending.clear()
  }
  const started = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject })
  })
  worker.on("message", (msg: WorkerResponse) => {
    const p = pending.get(msg.id)
    if (p === undefined) return
    pending.delete(msg.id)
    if (pending.size === 0) worker.unref()
    if (msg.ok) p.resolve(msg.result)
    else p.reject(workerError(msg.error))
  })
  worker.on("error", fail)
  worker.on("exit", (code) => fail(new Error(`exit code ${code}`)))
  const send = (req: WorkerRequest): Promise<WorkerResult | undefined> => {
    if (dead !== undefined) return Promise.reject(dead)
    return new Promise((resolve, reject) => {
      pending.set(req.id, { resolve, reject })
      worker.ref()
      worker.postMessage(req)
    })
  }
  try {
    await started
  } catch (e) {
    await worker.terminate()
    throw e
  }
  worker.unref()
  return serialPool(
    async (sql, params) => {
      const result = await send({ id: nextId++, sql, params })
      return result ?? { rows: [], command: undefined, rowCount: undefined, affectedRows: undefined }
    },
    async () => {
      if (dead === undefined) {
        try {
          await send({ id: nextId++, close: true })
        } finally {
          await worker.terminate()
        }
      }
    },
    onEnd,
  )
}

export interface PgliteConfig {
  /** A data directory (`./data/anju`) or `memory://` (default: in memory, gone on close). */
  readonly dataDir?: string
  /** Schema holding the tables (default `anju`). */
  readonly schema?: string
  /**
   * Extra PGlite options (debug level …). In the worker they must survive a structured clone (no functions:
   * extensions need `inProcess: true`).
   */
  readonly options?: Omit<PGliteOptions, "dataDir">
  /** Run PGlite on the calling thread instead of a worker thread (default false: hosts use the worker). */
  readonly inProcess?: boolean
  /** Start from initdb even when ANJU_PGLITE_TEMPLATE names a template. */
  readonly fresh?: boolean
}

/** Whether a `dataDir` names a folder on disk (not `memory://`, `idb://` or another scheme). */
const isFolder = (dataDir: string | undefined): dataDir is string =>
  dataDir !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//iu.test(dataDir)

/** Takes the data folder's lock, or fails with `DataDirInUse` naming the owner (and its URL, if a host). */
const lockDataDir = (dataDir: string): DataDirLock => {
  try {
    return acquireDataDirLock(dataDir)
  } catch (e) {
    if (!(e instanceof DataDirInUse)) throw e
    throw new PgDatabaseStartError(e.message, {
      cause: e,
      reason: {
        _tag: "DataDirInUse",
        dataDir: e.dataDir,
        pid: e.owner.pid,
        hostname: e.owner.hostname,
        url: e.owner.url,
      },
    })
  }
}

let templateCache: { readonly path: string; readonly blob: Blob } | undefined

/**
 * For test runners and tools that create many throwaway databases: when ANJU_PGLITE_TEMPLATE names a PGlite
 * data-folder dump (`dumpDataDir()`) of a freshly migrated database, every in-memory database (no `dataDir`,
 * or `memory://`) starts from it instead of running initdb and the migrations again (about a quarter of the
 * start-up time; the migrations still run and find the schema current). Read once per process. A config
 * with `fresh: true` or its own `options.loadDataDir` ignores it; folders on disk never use it.
 */
const throwawayTemplate = (): Blob | undefined => {
  const path = process.env["ANJU_PGLITE_TEMPLATE"]
  if (path === undefined || path === "") return undefined
  if (templateCache?.path !== path) templateCache = { path, blob: new Blob([readFileSync(path)]) }
  return templateCache.blob
}

/**
 * Creates a PGlite instance (2–5 s, ~480 MB), in a worker thread unless `inProcess`, and a Kysely over it;
 * closing Kysely closes PGlite. A data folder is locked first, on this thread (refused at once when another
 * live process holds it), and unlocked on close.
 */
export const makeKysely = async (config: PgliteConfig = {}): Promise<Kysely<Database>> => {
  const lock = isFolder(config.dataDir) ? lockDataDir(config.dataDir) : undefined
  const onEnd = () => lock?.release()
  const template =
    config.fresh !== true &&
    config.options?.loadDataDir === undefined &&
    (config.dataDir === undefined || config.dataDir === "memory://")
      ? throwawayTemplate()
      : undefined
  const options = template === undefined ? config.options : { ...config.options, loadDataDir: template }
  let pool: PostgresPool
  try {
    if (config.inProcess === true) {
      const pglite = await PGlite.create({
        ...options,
        ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
      })
      pool = pglitePool(pglite, onEnd)
    } else {
      pool = await workerPool(
        {
          ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
          ...(options === undefined ? {} : { options }),
        },
        onEnd,
      )
    }
  } catch (e) {
    lock?.release()
    throw e
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Rows per multi-row statement on in-process PGlite. A statement runs synchronously in WASM on the event
 * loop; at this size a units INSERT takes tens of milliseconds, so requests (/health) are answered between
 * two.
 */
export const STATEMENT_ROWS = 100

/**
 * Rows per multi-row statement on PGlite in its worker thread: the statement runs off the host's event
 * loop, but Kysely still builds and compiles it on the host's thread (a 5,000-row units INSERT is ~100,000
 * nodes: tens of milliseconds), so statements stay moderate.
 */
export const WORKER_STATEMENT_ROWS = 1000

/** PGlite as the PgDatabase: created, migrated on start, closed when the scope ends. */
export const layer = (config: PgliteConfig = {}): Layer.Layer<PgDatabase, PgDatabaseStartError> =>
  Layer.effect(
    PgDatabase,
    acquire(() => makeKysely(config), {
      schema: config.schema ?? DEFAULT_SCHEMA,
      migrate: true,
      dropOnClose: false,
    }).pipe(
      Effect.map((database) => ({
        ...database,
        statementRows: config.inProcess === true ? STATEMENT_ROWS : WORKER_STATEMENT_ROWS,
      })),
    ),
  )
