/**
 * HTTP routes of the R24 warning list (警示名单), declared as data like QueueRoutes: the list within the
 * caller's districts, open first and newest first — what a district officer sees at login (R85) —
 * (`warnings.read`), and the resolution (处置) of one warning with a reason kept in its trail
 * (`warnings.manage`). Scope is checked in the use-cases; a warning outside it answers like a missing one.
 * Bad filters are typed 4xx naming field and rule; `warningOpenApiPaths` documents both routes.
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { WarningStore } from "../../application/ports/WarningStore.js"
import { listWarnings, resolveWarningAs } from "../../application/supervision/Rechecks.js"
import type { WarningRecord } from "../../domain/guard/WarningRecord.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type WarningServices = WarningStore

export interface WarningRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the warning store). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, WarningServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

/** Both operations, as data (the route table, the guard and OpenAPI are generated from it). */
export const warningRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "get",
    path: `${prefix}/warnings`,
    access: { permission: "warnings.read" },
    tag: "warnings",
    summary: "R24 警示名单 within the caller's districts, open first and newest first (R85: shown at login)",
  },
  {
    method: "post",
    path: `${prefix}/warnings/{id}/resolve`,
    access: { permission: "warnings.manage" },
    tag: "warnings",
    summary: "R24 处置: resolve an open warning with a reason, kept with the actor in its trail",
  },
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, extra: object = {}) =>
  c.json({ error, message, ...extra }, status, { "Cache-Control": "no-store" })

const NOT_FOUND = "no such warning within this identity's reach"

/** Expected failures of the warning use-cases → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      return (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", NOT_FOUND)
    case "WarningNotFound":
      return problem(c, 404, "not_found", NOT_FOUND)
    case "InvalidValue": {
      const v = e as { field: string; rule: string }
      return problem(c, 422, "invalid_request", message, { field: v.field, rule: v.rule })
    }
    case "WarningStoreError": {
      const reason = (e as { reason: { _tag: string } }).reason
      if (reason._tag === "Conflict")
        return problem(
          c,
          409,
          "conflict",
          "the warning is already resolved or changed meanwhile; read it again",
        )
      if (reason._tag === "NotFound") return problem(c, 404, "not_found", NOT_FOUND)
      if (reason._tag === "Rejected")
        return problem(c, 422, "invalid_request", "the cursor is not one this list returned", {
          field: "after",
          rule: "R24.cursor",
        })
      return c.json(
        { error: "unavailable", message: "the warning list is unavailable", retryable: true },
        503,
        {
          "Retry-After": "5",
        },
      )
    }
    default:
      return c.json(
        { error: "unavailable", message: "the warning list is unavailable", retryable: true },
        503,
        {
          "Retry-After": "5",
        },
      )
  }
}

const answer = async <A>(
  deps: WarningRouteDeps,
  c: Context,
  effect: Effect.Effect<A, unknown, WarningServices>,
  out: (a: A) => unknown,
): Promise<Response> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return c.json(out(exit.value) as object, 200, { "Cache-Control": "no-store" })
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return failure(c, e.value)
}

const iso = (t: number) => new Date(t).toISOString()

/** A warning as the API shows it: no person index (the officer opens the case for the household). */
export const warningJson = (w: WarningRecord) => ({
  id: w.id,
  level: w.level,
  rule: w.category,
  related: w.related,
  status: w.status,
  district: w.district,
  caseId: w.caseId ?? null,
  subject: w.subject,
  period: w.period,
  raisedOn: w.raisedOn,
  raisedAt: iso(w.raisedAt),
  message: w.message,
  evidence: w.evidence,
  trail: w.trail.map((t) => ({ ...t, at: iso(t.at) })),
  version: w.version,
})

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/u
const ResolveInput = Schema.Struct({ reason: Schema.String })
const list = (v: string | undefined) =>
  v === undefined ? undefined : v.split(",").filter((s) => s.length > 0)

export const registerWarningRoutes = (app: Hono, deps: WarningRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  app.on(
    "POST",
    `${p}/warnings/*`,
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => problem(c, 422, "payload_too_large", "the body is too large"),
    }),
  )

  app.get(`${p}/warnings`, (c) => {
    const q = (n: string) => c.req.query(n)
    const limit = q("limit")
    const levels = list(q("level"))
    const rules = list(q("rule"))
    const input = {
      ...(q("district") === undefined ? {} : { district: q("district")! }),
      ...(levels === undefined ? {} : { levels }),
      ...(rules === undefined ? {} : { rules }),
      ...(q("caseId") === undefined ? {} : { caseId: q("caseId")! }),
      ...(q("status") === undefined ? {} : { status: q("status")! }),
      ...(q("after") === undefined ? {} : { after: q("after")! }),
      ...(limit === undefined ? {} : { limit: /^[0-9]{1,4}$/u.test(limit) ? Number(limit) : -1 }),
    }
    return answer(deps, c, listWarnings(actorOf(c), input), (page) => ({
      items: page.items.map(warningJson),
      next: page.next,
    }))
  })

  app.post(`${p}/warnings/:id/resolve`, async (c) => {
    const id = c.req.param("id")
    if (!ID.test(id)) return problem(c, 404, "not_found", NOT_FOUND)
    const body = await readJsonBody(c, ResolveInput)
    if (Result.isFailure(body))
      return c.json({ error: "invalid_request", message: body.failure.message }, body.failure.status, {
        "Cache-Control": "no-store",
      })
    return answer(deps, c, resolveWarningAs(actorOf(c), { id, reason: body.success.reason }), warningJson)
  })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const doc = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const query = (name: string, description: string, schema: object = { type: "string" }) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
})
const unavailable = doc("The warning list is unavailable; retry after `Retry-After` seconds")

/** OpenAPI details of `warningRoutes(prefix)` (summary, tag and security come from the route table). */
export const warningOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => ({
  [`${prefix}/warnings`]: {
    get: {
      parameters: [
        query("district", "A district (GB/T 2260) within the caller's scope; outside it the list is empty", {
          type: "string",
          pattern: "^[0-9]{6}$",
        }),
        query("level", "Comma-separated levels: red, orange, yellow, brown"),
        query("rule", "Comma-separated rule ids (the warning's category), e.g. `R85,R87`"),
        query("caseId", "Warnings about one case"),
        query("status", "open or resolved (default: both, open first)", {
          type: "string",
          enum: ["open", "resolved"],
        }),
        query("after", "The `next` cursor of the previous page"),
        query("limit", "Page size 1..500 (default 100)", { type: "integer", minimum: 1, maximum: 500 }),
      ],
      responses: {
        200: doc(
          "`items[]`: id, level, rule, related rules, status, district, caseId, period, message, evidence (no personal data), trail; `next` cursor or null",
        ),
        422: doc("A filter is malformed (`field` and `rule` name it)"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/warnings/{id}/resolve`]: {
    post: {
      parameters: [
        {
          name: "id",
          in: "path",
          required: true,
          schema: { type: "string", minLength: 1, maxLength: 100, pattern: ID.source },
          description: "Warning id",
        },
      ],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["reason"],
              properties: {
                reason: {
                  type: "string",
                  minLength: 1,
                  maxLength: 500,
                  description: "处置意见, kept in the trail",
                },
              },
            },
          },
        },
      },
      responses: {
        200: doc("The resolved warning with its trail"),
        400: doc("Malformed JSON or a body of the wrong shape"),
        404: doc("No such warning within the caller's reach"),
        409: doc("The warning is already resolved"),
        415: doc("Unsupported Content-Type (JSON only)"),
        422: doc("The reason is empty or longer than 500 characters (`field`: reason, `rule`: R24.reason)"),
        503: unavailable,
      },
    },
  },
})
