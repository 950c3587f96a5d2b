/**
 * HTTP routes of house selection on the server (选房, R54), declared as data like QueueRoutes: open a round's
 * session, live status, check-in by barcode, pre-select, choose (the unit is let in the same transaction),
 * skip and release. Every route needs `selection.manage`; scope is checked in the use-cases and a session or
 * round outside it answers exactly like a missing one (404). Refusals are typed 409/422 naming field and
 * rule; a second chooser of a unit gets 409 (`R54.unit-taken` / `R54.once` / `R54.unit-changed`).
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { LotteryStore } from "../../application/ports/LotteryStore.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import type { QueueStore } from "../../application/ports/QueueStore.js"
import type { SelectionStore } from "../../application/ports/SelectionStore.js"
import type { StockStore } from "../../application/ports/StockStore.js"
import {
  checkIn,
  choose,
  openSession,
  preselect,
  release,
  type SelectionStatus,
  selectionStatus,
  skip,
  statusView,
} from "../../application/selection/Selections.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type SelectionServices = SelectionStore | StockStore | LotteryStore | SecureRandom | QueueStore

export interface SelectionRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the selection services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, SelectionServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const MANAGE = { permission: "selection.manage" } as const

const ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/u
const Text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))
const OpenInput = Schema.Struct({ roundId: Schema.String.check(Schema.isPattern(ID)) })
const CheckInInput = Schema.Struct({ barcode: Text(100) })
const PickInput = Schema.Struct({ family: Text(100), unit: Text(100) })
const ReasonInput = Schema.Struct({ family: Text(100), reason: Text(500) })

type Command = "check-in" | "preselect" | "choose" | "skip" | "release"
const COMMANDS: ReadonlyArray<readonly [Command, string]> = [
  ["check-in", "报到: check a family in by the barcode of its selection notice"],
  ["preselect", "预选房: a non-binding pick by a checked-in family (replaces an earlier one)"],
  [
    "choose",
    "正式选房: the family whose turn it is chooses a unit, once; the unit is let in the same transaction",
  ],
  ["skip", "Skip the family whose turn it is (absent or declining), with a reason"],
  ["release", "解除选房: release a family's choice; the unit becomes available again (R35)"],
]

/** Every selection operation, as data (the route table, the guard and OpenAPI are generated from it). */
export const selectionRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "post",
    path: `${prefix}/selections`,
    access: MANAGE,
    tag: "selections",
    summary: "Open the selection session of a lottery round's standing draw (idempotent per draw)",
  },
  {
    method: "get",
    path: `${prefix}/selections/{id}`,
    access: MANAGE,
    tag: "selections",
    summary: "Live status of a selection session: progress per stratum, whose turn, units left, log",
  },
  ...COMMANDS.map(
    ([segment, summary]): RouteSpec => ({
      method: "post",
      path: `${prefix}/selections/{id}/${segment}`,
      access: MANAGE,
      tag: "selections",
      summary,
    }),
  ),
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, extra: object = {}) =>
  c.json({ error, message, ...extra }, status, { "Cache-Control": "no-store" })

const NOT_FOUND = "no such selection session within this identity's reach"

/** Expected failures of the selection use-cases → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      return (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", NOT_FOUND)
    case "SelectionNotFound":
      return problem(c, 404, "not_found", NOT_FOUND)
    case "RoundNotFound":
      return problem(c, 404, "not_found", "no such lottery round within this identity's reach")
    case "RoundNotDrawn":
      return problem(c, 409, "refused", message, { field: "roundId", rule: "R54.standing-draw" })
    case "SelectionRefusedByRule": {
      const r = e as { status: 409 | 422; field: string; rule: string; reason: string }
      return problem(c, r.status, "refused", message, { field: r.field, rule: r.rule, reason: r.reason })
    }
    case "SelectionStoreError": {
      const reason = (e as { reason: { _tag: string } }).reason
      if (reason._tag === "NotFound") return problem(c, 404, "not_found", NOT_FOUND)
      if (reason._tag === "Conflict")
        return problem(c, 409, "conflict", "the session changed meanwhile; read it again")
      break
    }
  }
  return c.json(
    { error: "unavailable", message: "the selection services are unavailable", retryable: true },
    503,
    {
      "Retry-After": "5",
    },
  )
}

const answer = async <A>(
  deps: SelectionRouteDeps,
  c: Context,
  effect: Effect.Effect<A, unknown, SelectionServices>,
  out: (a: A) => unknown,
  status: 200 | 201 = 200,
): Promise<Response> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return c.json(out(exit.value) as object, status, { "Cache-Control": "no-store" })
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return failure(c, e.value)
}

const iso = (t: number) => new Date(t).toISOString()
/** The status as JSON: instants as ISO text. */
export const statusJson = (s: SelectionStatus) => ({
  ...s,
  openedAt: iso(s.openedAt),
  log: s.log.map((l) => ({ ...l, at: iso(l.at) })),
})

export const registerSelectionRoutes = (app: Hono, deps: SelectionRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  app.on(
    "POST",
    [`${p}/selections`, `${p}/selections/*`],
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => problem(c, 422, "payload_too_large", "the body is too large"),
    }),
  )
  const badBody = (c: Context, b: { status: 400 | 415; message: string }) =>
    c.json({ error: "invalid_request", message: b.message }, b.status, { "Cache-Control": "no-store" })

  app.post(`${p}/selections`, async (c) => {
    const body = await readJsonBody(c, OpenInput)
    if (Result.isFailure(body)) return badBody(c, body.failure)
    return answer(deps, c, openSession(actorOf(c), body.success), (s) => statusJson(statusView(s)))
  })

  app.get(`${p}/selections/:id`, (c) => {
    const id = c.req.param("id")
    if (!ID.test(id)) return problem(c, 404, "not_found", NOT_FOUND)
    return answer(deps, c, selectionStatus(actorOf(c), id), statusJson)
  })

  const command = <S extends Schema.Top>(
    segment: Command,
    schema: S,
    run: (
      sessionId: string,
      body: S["Type"],
      c: Context,
    ) => Effect.Effect<SelectionStatus, unknown, SelectionServices>,
  ) =>
    app.post(`${p}/selections/:id/${segment}`, async (c) => {
      const id = c.req.param("id")
      if (!ID.test(id)) return problem(c, 404, "not_found", NOT_FOUND)
      const body = await readJsonBody(c, schema)
      if (Result.isFailure(body)) return badBody(c, body.failure)
      return answer(deps, c, run(id, body.success, c), statusJson)
    })

  command("check-in", CheckInInput, (sessionId, b, c) =>
    checkIn(actorOf(c), { sessionId, barcode: b.barcode }),
  )
  command("preselect", PickInput, (sessionId, b, c) =>
    preselect(actorOf(c), { sessionId, family: b.family, unit: b.unit }),
  )
  command("choose", PickInput, (sessionId, b, c) =>
    choose(actorOf(c), { sessionId, family: b.family, unit: b.unit }),
  )
  command("skip", ReasonInput, (sessionId, b, c) =>
    skip(actorOf(c), { sessionId, family: b.family, reason: b.reason }),
  )
  command("release", ReasonInput, (sessionId, b, c) =>
    release(actorOf(c), { sessionId, family: b.family, reason: b.reason }),
  )
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const problemDoc = (description: string) => ({
  description,
  content: { "application/json": { schema: obj } },
})
const ok = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1, maxLength: 200, pattern: ID.source },
  description: "Selection session id (`SS-…`)",
}
const text = (max: number, description: string) => ({
  type: "string",
  minLength: 1,
  maxLength: max,
  description,
})
const body = (required: ReadonlyArray<string>, properties: Record<string, unknown>) => ({
  required: true,
  content: {
    "application/json": { schema: { type: "object", additionalProperties: false, required, properties } },
  },
})
const STATUS = ok(
  "The session's live status: `progress`, `strata[]` (families by status, `current` family, `unitsLeft`), `families[]`, `units[]` (`heldBy`), `log[]`",
)
const unavailable = problemDoc("The selection store is unavailable; retry after `Retry-After` seconds")
const BODIES: Record<Command, ReturnType<typeof body>> = {
  "check-in": body(["barcode"], { barcode: text(100, "The barcode of the family's selection notice") }),
  preselect: body(["family", "unit"], {
    family: text(100, "Application number (申请编号)"),
    unit: text(100, "Unit id"),
  }),
  choose: body(["family", "unit"], {
    family: text(100, "Application number (申请编号)"),
    unit: text(100, "Unit id"),
  }),
  skip: body(["family", "reason"], {
    family: text(100, "Application number (申请编号)"),
    reason: text(500, "Why (未到场, 放弃, …)"),
  }),
  release: body(["family", "reason"], {
    family: text(100, "Application number (申请编号)"),
    reason: text(500, "Why the selection is released"),
  }),
}

/** OpenAPI details of `selectionRoutes(prefix)` (summary, tag and security come from the route table). */
export const selectionOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => ({
  [`${prefix}/selections`]: {
    post: {
      requestBody: body(["roundId"], {
        roundId: {
          type: "string",
          minLength: 1,
          maxLength: 200,
          pattern: ID.source,
          description: "Lottery round id",
        },
      }),
      responses: {
        200: STATUS,
        400: problemDoc("Malformed JSON or a body of the wrong shape"),
        404: problemDoc("No such lottery round within the caller's reach"),
        409: problemDoc("The round has no standing draw (`rule`: R54.standing-draw)"),
        415: problemDoc("Unsupported Content-Type (JSON only)"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/selections/{id}`]: {
    get: {
      parameters: [idParam],
      responses: {
        200: STATUS,
        404: problemDoc("No such session within the caller's reach"),
        503: unavailable,
      },
    },
  },
  ...Object.fromEntries(
    COMMANDS.map(([segment]) => [
      `${prefix}/selections/{id}/${segment}`,
      {
        post: {
          parameters: [idParam],
          requestBody: BODIES[segment],
          responses: {
            200: STATUS,
            400: problemDoc("Malformed JSON or a body of the wrong shape"),
            404: problemDoc("No such session within the caller's reach"),
            409: problemDoc(
              "Refused by the session's state (`field`, `rule`: R54.order, R54.once, R54.unit-taken, R54.check-in-first, R54.unit-changed, R37.let-available-only, …)",
            ),
            415: problemDoc("Unsupported Content-Type (JSON only)"),
            422: problemDoc(
              "The family, barcode or unit is not in the session (`field`, `rule`: R54.unknown-…, R54.stratum)",
            ),
            503: unavailable,
          },
        },
      },
    ]),
  ),
})
