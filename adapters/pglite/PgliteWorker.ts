/**
 * The worker-thread entry that owns one PGlite instance (issue 10: the WASM engine runs off the host's
 * event loop, so a long statement or PGlite's own garbage collection never stalls HTTP requests). The main
 * thread (PgliteDatabase's `workerPool`) sends `{ id, sql, params }` and, last, `{ id, close: true }`; the
 * worker runs them one after the other, in arrival order, and answers `{ id, ok: true, result }` with
 * PGlite's own parsed rows (Date, bigint, number, object, Uint8Array survive the structured clone
 * unchanged, so types match in-process PGlite) or `{ id, ok: false, error }` carrying the PostgreSQL
 * error fields (code, detail, constraint, …) that the error classification reads.
 *
 * Self-contained on purpose (no imports from this repository): it is loaded as its own module, from
 * TypeScript source by Node's type stripping or tsx, or from dist/ as built JavaScript. The data-folder
 * lock stays with the main thread.
 */
import { PGlite, type PGliteOptions } from "@electric-sql/pglite"
import { parentPort, workerData } from "node:worker_threads"

/** What the main thread sends. */
export type WorkerRequest =
  | { readonly id: number; readonly sql: string; readonly params: ReadonlyArray<unknown> }
  | { readonly id: number; readonly close: true }

/** The fields of a PostgreSQL error that cross the thread boundary (all strings, all optional). */
export const ERROR_FIELDS = [
  "code",
  "severity",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const

export interface WorkerError {
  readonly name: string
  readonly message: string
  readonly fields: Readonly<Record<string, string>>
}

export interface WorkerResult {
  readonly rows: Array<unknown>
  readonly command: string | undefined
  readonly rowCount: number | undefined
  readonly affectedRows: number | undefined
}

/** What the worker answers; the first message (id 0) says PGlite started (or why it did not). */
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result?: WorkerResult }
  | { readonly id: number; readonly ok: false; readonly error: WorkerError }

/** An error as plain data: its message, name and the PostgreSQL fields it carries. */
const errorData = (e: unknown): WorkerError => {
  const fields: Record<string, string> = {}
  if (typeof e === "object" && e !== null)
    for (const key of ERROR_FIELDS) {
      const v = (e as Record<string, unknown>)[key]
      if (typeof v === "string") fields[key] = v
    }
  return {
    name: e instanceof Error ? e.name : "Error",
    message: e instanceof Error ? e.message : String(e),
    fields,
  }
}

const main = async (port: NonNullable<typeof parentPort>) => {
  const config = workerData as { readonly dataDir?: string; readonly options?: PGliteOptions }
  let db: PGlite
  try {
    db = await PGlite.create({
      ...config.options,
      ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
    })
  } catch (e) {
    port.postMessage({ id: 0, ok: false, error: errorData(e) } satisfies WorkerResponse)
    return
  }
  // One statement at a time, in arrival order (the main thread also serialises connections).
  let tail: Promise<void> = Promise.resolve()
  port.on("message", (req: WorkerRequest) => {
    tail = tail.then(async () => {
      try {
        if ("close" in req) {
          if (!db.closed) await db.close()
          port.postMessage({ id: req.id, ok: true } satisfies WorkerResponse)
          port.close()
          return
        }
        const res = await db.query(req.sql, [...req.params])
        port.postMessage({
          id: req.id,
          ok: true,
          result: {
            rows: res.rows,
            command: res.command,
            rowCount: res.rowCount,
            affectedRows: res.affectedRows,
          },
        } satisfies WorkerResponse)
      } catch (e) {
        port.postMessage({ id: req.id, ok: false, error: errorData(e) } satisfies WorkerResponse)
      }
    })
  })
  port.postMessage({ id: 0, ok: true } satisfies WorkerResponse)
}

if (parentPort !== null) void main(parentPort)
