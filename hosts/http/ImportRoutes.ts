/**
 * Stock import as jobs (导入任务): `POST /imports` receives the file (CSV or XLSX; beyond `maxBytes` →
 * 413 before or while reading it), queues an import job and answers 202 with its id and a Location;
 * `GET /imports/{id}` gives its state (queued/running/succeeded/failed), progress and, when done, the
 * per-row report. The table is parsed streamed (ImportStreams.ts) and checked in steps off the request
 * path, so the host keeps answering; the write is one transaction (all-or-nothing unless `partial`).
 * Jobs live in memory in this process (ImportJobs.ts); a job is visible only to the actor that submitted it.
 */
import { randomUUID } from "node:crypto"
import { Cause, type Effect, Exit, Option } from "effect"
import type { Context, Hono } from "hono"
import { type ImportJob, type ImportJobs, makeImportJobs } from "../../application/stock/ImportJobs.js"
import { importStockStream } from "../../application/stock/ImportStock.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import type { StockStore } from "../../application/ports/StockStore.js"
import type { Actor } from "../../domain/access/Access.js"
import { isStockFailure, toHttpError } from "./HttpErrors.js"
import type * as S from "./HttpSchemas.js"
import { csvRows, xlsxRows } from "./ImportStreams.js"

export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
const CSV_TYPES = ["text/csv", "application/csv", "text/plain"]
/** Default upload limit: 128 MiB (about 500,000 rows of the full import layout). */
export const MAX_IMPORT_BYTES = 128 * 1024 * 1024

export interface ImportRouteDeps {
  /** Runs a use-case on the composition root's runtime (as AppDeps.run). */
  readonly run: <A, E>(
    effect: Effect.Effect<A, E, StockStore | SecureRandom>,
  ) => Promise<Exit.Exit<A, E | Error>>
  /** The authenticated actor of the request (the guard's `actorOf`). */
  readonly actorOf: (c: Context) => Actor
  /** Accept XLSX workbooks (default true); otherwise they are answered 415. */
  readonly xlsx?: boolean
  /** Upload limit in bytes (default MAX_IMPORT_BYTES). */
  readonly maxBytes?: number
  /** The job registry (default: a fresh in-memory one). */
  readonly jobs?: ImportJobs
  /** Path prefix of the Location header (default `/api/v1`, where the routes are mounted). */
  readonly locationPrefix?: string
}

const mediaType = (c: Context) => (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase()

const tooLarge = (c: Context, max: number) =>
  c.json(
    {
      error: "payload_too_large",
      message: `the file is larger than the import limit of ${max} bytes (${Math.floor(max / 1024 / 1024)} MiB); split it into several files`,
    } satisfies typeof S.BadRequest.Type,
    413,
  )

/** The body as its received chunks, or "too large" as soon as it exceeds `max` (nothing joined into one string). */
const receive = async (c: Context, max: number): Promise<ReadonlyArray<Uint8Array> | "too large"> => {
  const declared = Number(c.req.header("content-length") ?? "0")
  if (Number.isFinite(declared) && declared > max) return "too large"
  const body = c.req.raw.body
  if (body === null) return []
  const chunks: Array<Uint8Array> = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return chunks
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      return "too large"
    }
    chunks.push(value)
  }
}

/** The job resource as answered by GET (and, queued, by POST). */
export const jobJson = (job: ImportJob, location: string): typeof S.ImportJob.Type => ({
  id: job.id,
  state: job.state,
  partial: job.partial,
  location,
  progress: job.progress,
  ...(job.report === undefined
    ? {}
    : { report: job.report.committed ? job.report : { error: "invalid_input" as const, ...job.report } }),
  ...(job.problem === undefined ? {} : { problem: job.problem }),
})

/** Registers `POST /imports` and `GET /imports/:id` on `app` (the /api/v1 sub-app). */
export const registerImportRoutes = (app: Hono, deps: ImportRouteDeps): ImportJobs => {
  const max = deps.maxBytes ?? MAX_IMPORT_BYTES
  const jobs = deps.jobs ?? makeImportJobs({ now: Date.now })
  const xlsx = deps.xlsx ?? true
  const prefix = deps.locationPrefix ?? "/api/v1"
  const locationOf = (id: string) => `${prefix}/imports/${id}`

  app.post("/imports", async (c) => {
    const partialParam = c.req.query("partial")
    if (partialParam !== undefined && partialParam !== "true" && partialParam !== "false")
      return c.json(
        {
          error: "invalid_request",
          message: `query.partial: expected "true" or "false", got ${JSON.stringify(partialParam)}`,
          issues: [{ field: "query.partial", path: ["partial"], message: 'expected "true" or "false"' }],
        } satisfies typeof S.BadRequest.Type,
        400,
      )
    const partial = partialParam === "true"
    const type = mediaType(c)
    const isCsv = CSV_TYPES.includes(type)
    if (!isCsv && !(xlsx && type === XLSX))
      return c.json(
        {
          error: "unsupported_media_type",
          message: `expected ${xlsx ? `text/csv or ${XLSX}` : "text/csv"}`,
        } satisfies typeof S.BadRequest.Type,
        415,
      )
    const actor = deps.actorOf(c)
    const bytes = await receive(c, max)
    if (bytes === "too large") return tooLarge(c, max)
    const charset = /charset=([^;]+)/iu
      .exec(c.req.header("content-type") ?? "")?.[1]
      ?.trim()
      .replace(/"/gu, "")
    const rows = isCsv ? csvRows(bytes, charset) : xlsxRows(bytes)
    const id = randomUUID()
    const job = jobs.submit({ id, owner: actor.id, partial }, async (onProgress) => {
      const exit = await deps.run(importStockStream(actor, rows, { partial, onProgress }))
      if (Exit.isSuccess(exit)) return { _tag: "Report", report: exit.value }
      const failure = Cause.findErrorOption(exit.cause)
      if (Option.isSome(failure) && isStockFailure(failure.value)) {
        const h = toHttpError(failure.value)
        const body = h.body as { error?: string; message?: string; retryable?: boolean }
        return {
          _tag: "Problem",
          problem: {
            error: body.error ?? failure.value._tag,
            message: body.message ?? failure.value.message,
            retryable: body.retryable ?? h.status === 503,
          },
        }
      }
      console.error(Option.isSome(failure) ? failure.value : Cause.pretty(exit.cause as Cause.Cause<unknown>))
      return {
        _tag: "Problem",
        problem: { error: "internal", message: "the import failed (internal error)", retryable: false },
      }
    })
    const location = locationOf(job.id)
    return c.json(jobJson(job, location), 202, { Location: location, "Cache-Control": "no-store" })
  })

  app.get("/imports/:id", (c) => {
    const actor = deps.actorOf(c)
    const job = jobs.get(c.req.param("id"))
    // Another actor's job is answered exactly as a missing one (no oracle of others' imports).
    if (job === undefined || job.owner !== actor.id)
      return c.json(
        { error: "not_found", message: `no import job ${c.req.param("id")}` } satisfies typeof S.Problem.Type,
        404,
        { "Cache-Control": "no-store" },
      )
    const done = job.state === "succeeded" || job.state === "failed"
    return c.json(jobJson(job, locationOf(job.id)), 200, {
      "Cache-Control": "no-store",
      ...(done ? {} : { "Retry-After": "1" }),
    })
  })
  return jobs
}
