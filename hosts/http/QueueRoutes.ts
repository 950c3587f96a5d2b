/**
 * HTTP routes of the waiting queues (轮候), declared as data like LotteryRoutes: a family's place and its
 * reasons (`cases.read`; an applicant sees only their own, officers only within their scope, checked in the
 * use-cases), a queue's ranking (officers), the 保租 offer (申请审核, `queue.manage`) and the window steps
 * (R43 open the form within 24 h, R44 submit within 3 h). `queueOpenApiPaths` documents them. Failures are
 * typed answers naming the rule; an entry outside the caller's scope answers like a missing one.
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import {
  markIntention,
  offerNext,
  queuePlace,
  rankQueue,
  type WindowAction,
  windowStep,
} from "../../application/queue/Queues.js"
import type { QueueStore } from "../../application/ports/QueueStore.js"
import type { QueueEntry, WaitingNumber } from "../../domain/queue/QueueEntry.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type QueueServices = QueueStore

export interface QueueRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the queue services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, QueueServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const READ = { permission: "cases.read" } as const
const MANAGE = { permission: "queue.manage" } as const
const COMMAND = { permission: "cases.command" } as const

const ACTIONS: ReadonlyArray<readonly [string, WindowAction, RouteSpec["access"], string]> = [
  ["open-form", "OpenForm", COMMAND, "The family opens the application form (R43: within 24 h of the offer)"],
  ["submit", "Submit", COMMAND, "The family submits the application (R44: within 3 h of opening the form)"],
  ["abandon", "Abandon", COMMAND, "The family gives up its place (自愿放弃, R29/R165)"],
  [
    "approve",
    "Approve",
    MANAGE,
    "The application passes intake: 轮候转申请成功, the family leaves the queue (R47)",
  ],
  ["rollback", "Rollback", MANAGE, "The submitted application is rolled back: a new 24-h window (R30)"],
]

/** Every queue operation, as data (the route table, the guard and OpenAPI are generated from it). */
export const queueRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "get",
    path: `${prefix}/queue-places`,
    access: READ,
    tag: "queues",
    summary: "Queue places and their reasons: an applicant's own, or one case's (`caseId`) within scope",
  },
  {
    method: "get",
    path: `${prefix}/queues/{id}`,
    access: READ,
    tag: "queues",
    summary: "A queue in ranking order by its stored plan (R45–R50); entries within the caller's scope",
  },
  {
    method: "post",
    path: `${prefix}/queues/{id}/offers`,
    access: MANAGE,
    tag: "queues",
    summary: "申请审核: offer a freed unit of a pool to the first waiting family (24-h window, R43)",
  },
  {
    method: "post",
    path: `${prefix}/queues/{id}/entries/{caseId}/intention`,
    access: MANAGE,
    tag: "queues",
    summary: "意愿标注 (R46): mark a waiting family's intention (first, second, none) before a lottery",
  },
  ...ACTIONS.map(
    ([segment, , access, summary]): RouteSpec => ({
      method: "post",
      path: `${prefix}/queues/{id}/entries/{caseId}/${segment}`,
      access,
      tag: "queues",
      summary,
    }),
  ),
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, rule?: string) =>
  c.json({ error, message, ...(rule === undefined ? {} : { rule }) }, status, { "Cache-Control": "no-store" })

/** Expected failures of the queue use-cases → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      return (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", "no such queue entry within this identity's reach")
    case "QueueEntryNotFound":
      return problem(c, 404, "not_found", "no such queue entry within this identity's reach")
    case "QueueRefused": {
      const rule = (e as { rule: string }).rule
      return problem(
        c,
        rule === "queue.not-allowed" || rule === "queue.no-waiting-family" ? 409 : 422,
        "refused",
        message,
        rule,
      )
    }
    case "QueueStoreError": {
      const reason = (e as { reason: { _tag: string } }).reason
      if (reason._tag === "StaleVersion" || reason._tag === "Conflict")
        return problem(c, 409, "conflict", "the queue entry changed meanwhile; read it again")
      if (reason._tag === "NotFound") return problem(c, 404, "not_found", "no such queue entry")
      return c.json(
        { error: "unavailable", message: "the queue store is unavailable", retryable: true },
        503,
        {
          "Retry-After": "5",
        },
      )
    }
    default:
      return c.json(
        { error: "unavailable", message: "the queue services are unavailable", retryable: true },
        503,
        {
          "Retry-After": "5",
        },
      )
  }
}

const answer = async <A>(
  deps: QueueRouteDeps,
  c: Context,
  effect: Effect.Effect<A, unknown, QueueServices>,
  out: (a: A) => unknown,
): Promise<Response> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return c.json(out(exit.value) as object, 200, { "Cache-Control": "no-store" })
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return failure(c, e.value)
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString())
/** The waiting number (轮候序号) of the family's standing lottery draw, draw time as ISO text; null before one. */
const lotteryJson = (w: WaitingNumber | null | undefined) =>
  w === undefined || w === null ? null : { ...w, drawnAt: iso(w.drawnAt) }
export const entryJson = (e: QueueEntry) => ({
  queueId: e.queueId,
  caseId: e.caseId,
  pool: `${e.applicant.project}/${e.applicant.unitType}`,
  status: e.status,
  deadline: iso(e.deadline),
  leftReason: e.leftReason,
  lottery: lotteryJson(e.lottery),
})

const ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/u
const IntentionInput = Schema.Struct({ mark: Schema.Literals(["first", "second", "none"]) })
const OfferInput = Schema.Struct({
  pool: Schema.String.check(Schema.isPattern(/^[^\s/]{1,100}\/[^\s/]{1,100}$/u)),
})

export const registerQueueRoutes = (app: Hono, deps: QueueRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  app.on(
    "POST",
    `${p}/queues/*`,
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => problem(c, 422, "payload_too_large", "the body is too large"),
    }),
  )
  const idOk = (c: Context, ...names: ReadonlyArray<string>) =>
    names.every((n) => ID.test(c.req.param(n) ?? ""))

  app.get(`${p}/queue-places`, (c) => {
    const caseId = c.req.query("caseId")
    if (caseId !== undefined && !ID.test(caseId))
      return problem(c, 404, "not_found", "no such queue entry within this identity's reach")
    return answer(deps, c, queuePlace(actorOf(c), caseId === undefined ? {} : { caseId }), (places) => ({
      items: places.map((pl) => ({ ...pl, deadline: iso(pl.deadline), lottery: lotteryJson(pl.lottery) })),
    }))
  })

  app.get(`${p}/queues/:id`, (c) => {
    if (!idOk(c, "id")) return problem(c, 404, "not_found", "no such queue")
    return answer(deps, c, rankQueue(actorOf(c), c.req.param("id")), (r) => ({
      ...r,
      items: r.items.map((i) => ({ ...i, deadline: iso(i.deadline), lottery: lotteryJson(i.lottery) })),
    }))
  })

  app.post(`${p}/queues/:id/offers`, async (c) => {
    if (!idOk(c, "id")) return problem(c, 404, "not_found", "no such queue")
    const body = await readJsonBody(c, OfferInput)
    if (Result.isFailure(body))
      return c.json({ error: "invalid_request", message: body.failure.message }, body.failure.status, {
        "Cache-Control": "no-store",
      })
    return answer(
      deps,
      c,
      offerNext(actorOf(c), { queueId: c.req.param("id"), pool: body.success.pool }),
      entryJson,
    )
  })

  app.post(`${p}/queues/:id/entries/:caseId/intention`, async (c) => {
    if (!idOk(c, "id", "caseId"))
      return problem(c, 404, "not_found", "no such queue entry within this identity's reach")
    const body = await readJsonBody(c, IntentionInput)
    if (Result.isFailure(body))
      return c.json({ error: "invalid_request", message: body.failure.message }, body.failure.status, {
        "Cache-Control": "no-store",
      })
    return answer(
      deps,
      c,
      markIntention(actorOf(c), {
        queueId: c.req.param("id"),
        caseId: c.req.param("caseId"),
        mark: body.success.mark,
      }),
      (e) => ({ ...entryJson(e), intention: e.applicant.intention }),
    )
  })

  for (const [segment, action] of ACTIONS)
    app.post(`${p}/queues/:id/entries/:caseId/${segment}`, (c) => {
      if (!idOk(c, "id", "caseId"))
        return problem(c, 404, "not_found", "no such queue entry within this identity's reach")
      return answer(
        deps,
        c,
        windowStep(actorOf(c), { queueId: c.req.param("id"), caseId: c.req.param("caseId"), action }),
        entryJson,
      )
    })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const problemDoc = (description: string) => ({
  description,
  content: { "application/json": { schema: obj } },
})
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1, maxLength: 200, pattern: ID.source },
  description,
})
const queueParam = pathParam("id", "Queue id: `project:<projectId>` or `kind:<case kind>`")
const ok = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const unavailable = problemDoc("The queue store is unavailable; retry after `Retry-After` seconds")
const ENTRY = ok("The queue entry after the step (status, persisted deadline)")

/** OpenAPI details of `queueRoutes(prefix)` (summary, tag and security come from the route table). */
export const queueOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => ({
  [`${prefix}/queue-places`]: {
    get: {
      parameters: [
        {
          name: "caseId",
          in: "query",
          required: false,
          schema: { type: "string", minLength: 1, maxLength: 200 },
          description: "The case whose place is asked (officers); applicants may omit it for all their own",
        },
      ],
      responses: {
        200: ok(
          "`items[]`: queue, pool, status, position, of, deadline, `lottery` (waiting number 轮候序号, round, draw, rank, outcome; null before a draw), reasons",
        ),
        404: problemDoc("No queue entry within the caller's reach"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/queues/{id}`]: {
    get: {
      parameters: [queueParam],
      responses: {
        200: ok(
          "`items[]` in ranking order with their pool position and waiting number (`lottery`, null before a draw)",
        ),
        404: problemDoc("No entry of this queue within the caller's reach"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/queues/{id}/offers`]: {
    post: {
      parameters: [queueParam],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["pool"],
              properties: {
                pool: {
                  type: "string",
                  pattern: "^[^\\s/]{1,100}/[^\\s/]{1,100}$",
                  description: "`<project>/<unit type>`",
                },
              },
            },
          },
        },
      },
      responses: {
        200: ok("The family offered the unit (待申请, with its 24-h deadline)"),
        400: problemDoc("Malformed JSON or a body of the wrong shape"),
        404: problemDoc("The next family is outside the caller's reach"),
        409: problemDoc("No family is waiting in this pool"),
        415: problemDoc("Unsupported Content-Type (JSON only)"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/queues/{id}/entries/{caseId}/intention`]: {
    post: {
      parameters: [queueParam, pathParam("caseId", "Case id of the family")],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: false,
              required: ["mark"],
              properties: {
                mark: {
                  type: "string",
                  enum: ["first", "second", "none"],
                  description: "1次标注 first, 2次标注 second, 未标注 none (R46)",
                },
              },
            },
          },
        },
      },
      responses: {
        200: ok("The entry with its intention mark"),
        400: problemDoc("Malformed JSON or a body of the wrong shape (`mark` names the field)"),
        404: problemDoc("No such entry within the caller's reach"),
        415: problemDoc("Unsupported Content-Type (JSON only)"),
        422: problemDoc("The family is no longer waiting (`rule`: R46.waiting-only)"),
        503: unavailable,
      },
    },
  },
  ...Object.fromEntries(
    ACTIONS.map(([segment]) => [
      `${prefix}/queues/{id}/entries/{caseId}/${segment}`,
      {
        post: {
          parameters: [queueParam, pathParam("caseId", "Case id of the family")],
          responses: {
            200: ENTRY,
            404: problemDoc("No such entry within the caller's reach"),
            409: problemDoc("Not allowed in the entry's state (`rule`: queue.not-allowed)"),
            422: problemDoc("The window has passed (`rule`: R43 or R44); the entry is now 超时放弃"),
            503: unavailable,
          },
        },
      },
    ]),
  ),
})
