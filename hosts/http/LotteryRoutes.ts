/**
 * HTTP routes of lottery rounds (摇号批次, R53): the public publication — no login — of every round
 * (`GET /lotteries/{id}` page for phones; under the API prefix the list, the round, pool.csv, transcript.json,
 * result.csv exactly as `anju lottery verify` reads them, and an entrant's inclusion proof), and managing
 * rounds (open with the pool committed — from explicit entrants or from the project's queue —, draw once and
 * write the waiting numbers back onto the queue, annul with a reason) with `lottery.manage`, the data scope
 * checked again in the use-cases. `lotteryRoutes` declares every operation as data for the route table;
 * `lotteryOpenApiPaths` documents them. The publication carries application numbers and strata only.
 */
import { Cause, DateTime, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import {
  annulRound,
  drawRound,
  entrantPlace,
  getRound,
  listRounds,
  openRound,
  renderPoolCsv,
  roundStatus,
  standingDraw,
} from "../../application/lottery/LotteryRounds.js"
import { openRoundFromQueue } from "../../application/lottery/RoundsFromQueue.js"
import type { LotteryStore, StoredRound } from "../../application/ports/LotteryStore.js"
import type { QueueStore } from "../../application/ports/QueueStore.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import type { StockStore } from "../../application/ports/StockStore.js"
import { parseSeedArgument } from "../../domain/lottery/Seed.js"
import { readJsonBody } from "./JsonBody.js"
import { renderLotteryPage } from "./LotteryPage.js"
import { actorOf, type RouteSpec } from "./Routes.js"

/** The queue store takes the waiting numbers of a draw (write-back); the stock store counts units (R55). */
export type LotteryServices = LotteryStore | SecureRandom | QueueStore | StockStore

export interface LotteryRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the lottery services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, LotteryServices>) => Promise<Exit.Exit<A, E | Error>>
  /** Absolute origin the public page links from (the files are linked under it). */
  readonly publicBaseUrl: string
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const PUBLIC = { public: true } as const
const MANAGE = { permission: "lottery.manage" } as const

/** Every lottery operation, as data (the route table and the guard are generated from it). */
export const lotteryRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "get",
    path: "/lotteries/{id}",
    access: PUBLIC,
    tag: "public",
    summary: "Public page of a lottery round (HTML, for phones)",
  },
  {
    method: "get",
    path: `${prefix}/lotteries`,
    access: PUBLIC,
    tag: "lottery",
    summary: "Lottery rounds, newest first (public)",
  },
  {
    method: "post",
    path: `${prefix}/lotteries`,
    access: MANAGE,
    tag: "lottery",
    summary: "Open a round with its pool committed (root published before any seed)",
  },
  {
    method: "post",
    path: `${prefix}/lotteries/from-queue`,
    access: MANAGE,
    tag: "lottery",
    summary:
      "Open a round whose pool is the project's queue (ranked, waiting families of the unit types; R53/R55)",
  },
  {
    method: "get",
    path: `${prefix}/lotteries/{id}`,
    access: PUBLIC,
    tag: "lottery",
    summary: "One lottery round: pool root, commitment time, draws (public)",
  },
  {
    method: "get",
    path: `${prefix}/lotteries/{id}/pool.csv`,
    access: PUBLIC,
    tag: "lottery",
    summary: "pool.csv of the round (application numbers and strata)",
  },
  {
    method: "get",
    path: `${prefix}/lotteries/{id}/transcript.json`,
    access: PUBLIC,
    tag: "lottery",
    summary: "transcript.json of the round's standing draw",
  },
  {
    method: "get",
    path: `${prefix}/lotteries/{id}/result.csv`,
    access: PUBLIC,
    tag: "lottery",
    summary: "result.csv of the round's standing draw",
  },
  {
    method: "get",
    path: `${prefix}/lotteries/{id}/proof`,
    access: PUBLIC,
    tag: "lottery",
    summary: "An entrant's inclusion proof and place (check my number)",
  },
  {
    method: "post",
    path: `${prefix}/lotteries/{id}/draw`,
    access: MANAGE,
    tag: "lottery",
    summary: "Draw the round once (run-once, R53)",
  },
  {
    method: "post",
    path: `${prefix}/lotteries/{id}/annul`,
    access: MANAGE,
    tag: "lottery",
    summary: "Annul the standing draw with a reason; the round re-opens",
  },
]

// --- request bodies ---------------------------------------------------------------------------------

const Text = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256))
const OpenRoundBody = Schema.Struct({
  roundId: Schema.optionalKey(Text),
  projectId: Text,
  district: Text,
  unitTypes: Schema.Array(Text),
  title: Text,
  entrants: Schema.Array(Schema.Struct({ id: Text, stratum: Schema.String })),
  units: Schema.Array(Schema.Struct({ stratum: Schema.String, units: Schema.Int })),
  hash: Schema.optionalKey(Schema.Literals(["SM3", "SHA-256"])),
})
const FromQueueBody = Schema.Struct({
  roundId: Schema.optionalKey(Text),
  projectId: Text,
  unitTypes: Schema.Array(Text),
  title: Text,
})
const DrawBody = Schema.Struct({ seed: Text })
const AnnulBody = Schema.Struct({ reason: Text })

// --- answers ------------------------------------------------------------------------------------------

type Status = 400 | 403 | 404 | 409 | 415 | 422 | 503

const problem = (c: Context, status: Status, error: string, message: string, rule?: string) =>
  c.json({ error, message, ...(rule === undefined ? {} : { rule }) }, status, { "Cache-Control": "no-store" })

/** Expected failures of the lottery use-cases → answers (never database text). */
const failure = (c: Context, e: unknown, named = true): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      // A round outside the caller's scope answers like a missing one (the same rule as every named object).
      return !named || (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", "no such lottery round within this identity's reach")
    case "RoundNotFound":
      return problem(c, 404, "not_found", message)
    case "EntrantNotInPool":
      return problem(c, 404, "not_in_pool", "this application number is not in the round's pool")
    case "PoolAlreadyDrawn":
      return problem(c, 409, "already_drawn", message, "R53")
    case "RoundNotDrawn":
      return problem(c, 409, "not_drawn", message, "R53")
    case "QueuePoolEmpty":
      return c.json(
        {
          error: "invalid_input",
          message,
          rule: "R53.pool-empty",
          issues: [{ field: "unitTypes", rule: "R53.pool-empty", message }],
        },
        422,
        { "Cache-Control": "no-store" },
      )
    case "QueueStoreError":
      return c.json(
        { error: "unavailable", message: "the queue store is unavailable", retryable: true },
        503,
        { "Retry-After": "5" },
      )
    case "LotteryInputRejected": {
      const issue = (e as { issue: { rule: string; message: string; field?: string } }).issue
      return issue.field === undefined
        ? problem(c, 422, "invalid_input", issue.message, issue.rule)
        : c.json(
            {
              error: "invalid_input",
              message: issue.message,
              rule: issue.rule,
              issues: [{ field: issue.field, rule: issue.rule, message: issue.message }],
            },
            422,
            { "Cache-Control": "no-store" },
          )
    }
    case "LotteryStoreError": {
      const reason = (e as { reason: { _tag: string; detail?: string } }).reason
      switch (reason._tag) {
        case "RoundNotFound":
        case "NotFound":
          return problem(c, 404, "not_found", message)
        case "Conflict":
        case "AlreadyDrawn":
        case "AlreadyAnnulled":
          return problem(c, 409, "conflict", message, "R53")
        case "Rejected":
          // The adapter's own checks name the rule; a database backstop (SQLSTATE first) is not echoed.
          return problem(
            c,
            422,
            "invalid_input",
            /^[0-9A-Z]{5}:/u.test(reason.detail ?? "")
              ? "the store refused the record"
              : (reason.detail ?? "refused"),
            "R53",
          )
        default:
          return c.json(
            { error: "unavailable", message: "the lottery store is unavailable", retryable: true },
            503,
            {
              "Retry-After": "5",
            },
          )
      }
    }
    default:
      return c.json(
        { error: "unavailable", message: "the lottery services are unavailable", retryable: true },
        503,
        {
          "Retry-After": "5",
        },
      )
  }
}

/** Runs a use-case: success, or the expected failure as an answer; defects throw (→ 500 by App). */
const runOr = async <A, E>(
  deps: LotteryRouteDeps,
  c: Context,
  effect: Effect.Effect<A, E, LotteryServices>,
  named = true,
): Promise<{ ok: true; value: A } | { ok: false; response: Response }> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return { ok: false, response: failure(c, e.value, named) }
}

const iso = (t: DateTime.Utc) => DateTime.formatIso(t)

/** The public JSON of a round: everything on the page, nothing personal (the pool itself is in pool.csv). */
export const roundJson = (r: StoredRound, filesBase: string) => {
  const standing = standingDraw(r)
  return {
    id: r.roundId,
    title: r.title,
    projectId: r.projectId,
    district: r.district,
    unitTypes: r.unitTypes,
    status: roundStatus(r),
    hash: r.hash,
    poolRoot: r.poolRoots[r.hash],
    poolRoots: r.poolRoots,
    committedAt: iso(r.openedAt),
    entrants: r.entrants.length,
    units: r.units,
    draw:
      standing === undefined
        ? null
        : {
            id: standing.draw.drawId,
            drawnAt: iso(standing.draw.drawnAt),
            seedSources: standing.draw.seedSources,
            seed: standing.draw.seed,
            resultDigest: standing.draw.resultDigest,
          },
    annulledDraws: r.draws
      .filter((d) => d.draw.annulment !== null)
      .map((d) => ({
        id: d.draw.drawId,
        drawnAt: iso(d.draw.drawnAt),
        reason: d.draw.annulment!.reason,
        annulledAt: iso(d.draw.annulment!.annulledAt),
      })),
    files: {
      pool: `${filesBase}/pool.csv`,
      ...(standing === undefined
        ? {}
        : { transcript: `${filesBase}/transcript.json`, result: `${filesBase}/result.csv` }),
    },
  }
}

const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
}

export const registerLotteryRoutes = (app: Hono, deps: LotteryRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  const base = deps.publicBaseUrl.replace(/\/+$/u, "")
  const filesBase = (id: string) => `${base}${p}/lotteries/${encodeURIComponent(id)}`
  app.on(
    "POST",
    [`${p}/lotteries`, `${p}/lotteries/*`],
    bodyLimit({
      maxSize: 8 * 1024 * 1024,
      onError: (c) => problem(c, 400, "payload_too_large", "the request body is too large"),
    }),
  )
  const PUBLIC_CACHE = { "Cache-Control": "public, max-age=30" }

  app.get("/lotteries/:id", async (c) => {
    const id = c.req.param("id")
    const r = await runOr(deps, c, getRound(id))
    if (!r.ok)
      return r.response.status === 404
        ? c.html(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>未找到</title><p>没有这个摇号批次。</p></html>',
            404,
            PAGE_HEADERS,
          )
        : r.response
    const asked = c.req.query("id")?.trim()
    let check: Parameters<typeof renderLotteryPage>[0]["check"]
    if (asked !== undefined && asked !== "") {
      const place = await deps.run(entrantPlace(id, asked.slice(0, 256)))
      check = Exit.isSuccess(place)
        ? { id: asked, place: place.value }
        : { id: asked.slice(0, 256), place: "not-in-pool" }
    }
    return c.html(
      renderLotteryPage({
        round: r.value,
        status: roundStatus(r.value),
        files: {
          pool: `${filesBase(id)}/pool.csv`,
          transcript: `${filesBase(id)}/transcript.json`,
          result: `${filesBase(id)}/result.csv`,
        },
        ...(check === undefined ? {} : { check }),
      }),
      200,
      { ...PAGE_HEADERS, "Cache-Control": "no-store" },
    )
  })

  app.get(`${p}/lotteries`, async (c) => {
    const r = await runOr(deps, c, listRounds())
    if (!r.ok) return r.response
    return c.json({ items: r.value.map((x) => roundJson(x, filesBase(x.roundId))) }, 200, PUBLIC_CACHE)
  })

  app.get(`${p}/lotteries/:id`, async (c) => {
    const id = c.req.param("id")
    const r = await runOr(deps, c, getRound(id))
    if (!r.ok) return r.response
    return c.json(roundJson(r.value, filesBase(id)), 200, PUBLIC_CACHE)
  })

  app.get(`${p}/lotteries/:id/pool.csv`, async (c) => {
    const r = await runOr(deps, c, getRound(c.req.param("id")))
    if (!r.ok) return r.response
    return c.body(renderPoolCsv(r.value), 200, { ...PUBLIC_CACHE, "Content-Type": "text/csv; charset=utf-8" })
  })

  const standingFile = (name: "transcript.json" | "result.csv") =>
    app.get(`${p}/lotteries/:id/${name}`, async (c) => {
      const r = await runOr(deps, c, getRound(c.req.param("id")))
      if (!r.ok) return r.response
      const s = standingDraw(r.value)
      if (s === undefined)
        return problem(c, 404, "not_drawn", `lottery round ${r.value.roundId} has no standing draw`)
      return name === "transcript.json"
        ? c.body(s.draw.transcript, 200, {
            ...PUBLIC_CACHE,
            "Content-Type": "application/json; charset=utf-8",
          })
        : c.body(s.resultCsv, 200, { ...PUBLIC_CACHE, "Content-Type": "text/csv; charset=utf-8" })
    })
  standingFile("transcript.json")
  standingFile("result.csv")

  app.get(`${p}/lotteries/:id/proof`, async (c) => {
    const entrant = c.req.query("id")
    if (entrant === undefined || entrant === "" || entrant.length > 256)
      return c.json(
        {
          error: "invalid_request",
          message: "query.id: an application number (1–256 characters) is required",
          issues: [
            {
              field: "query.id",
              path: ["id"],
              message: "an application number (1–256 characters) is required",
            },
          ],
        },
        400,
      )
    const r = await runOr(deps, c, entrantPlace(c.req.param("id"), entrant))
    if (!r.ok) return r.response
    return c.json({ proof: r.value.proof, result: r.value.result }, 200, PUBLIC_CACHE)
  })

  // --- management (lottery.manage; scope checked in the use-cases) -----------------------------------

  app.post(`${p}/lotteries`, async (c) => {
    const body = await readJsonBody(c, OpenRoundBody)
    if (Result.isFailure(body))
      return problem(c, body.failure.status, "invalid_request", body.failure.message)
    const b = body.success
    const r = await runOr(
      deps,
      c,
      openRound(actorOf(c), {
        projectId: b.projectId,
        district: b.district,
        unitTypes: b.unitTypes,
        title: b.title,
        entrants: b.entrants,
        units: b.units,
        ...(b.roundId === undefined ? {} : { roundId: b.roundId }),
        ...(b.hash === undefined ? {} : { hash: b.hash }),
      }),
      false,
    )
    if (!r.ok) return r.response
    return c.json(roundJson(r.value, filesBase(r.value.roundId)), 201, { "Cache-Control": "no-store" })
  })

  app.post(`${p}/lotteries/from-queue`, async (c) => {
    const body = await readJsonBody(c, FromQueueBody)
    if (Result.isFailure(body))
      return problem(c, body.failure.status, "invalid_request", body.failure.message)
    const b = body.success
    const r = await runOr(
      deps,
      c,
      openRoundFromQueue(actorOf(c), {
        projectId: b.projectId,
        unitTypes: b.unitTypes,
        title: b.title,
        ...(b.roundId === undefined ? {} : { roundId: b.roundId }),
      }),
    )
    if (!r.ok)
      // A project outside the caller's scope answers like a missing one.
      return r.response.status === 404
        ? problem(c, 404, "not_found", "no such project within this identity's reach")
        : r.response
    return c.json(roundJson(r.value, filesBase(r.value.roundId)), 201, { "Cache-Control": "no-store" })
  })

  app.post(`${p}/lotteries/:id/draw`, async (c) => {
    const body = await readJsonBody(c, DrawBody)
    if (Result.isFailure(body))
      return problem(c, body.failure.status, "invalid_request", body.failure.message)
    const seed = parseSeedArgument(body.success.seed)
    if (Result.isFailure(seed))
      return problem(c, 422, "invalid_input", seed.failure.message, seed.failure.rule)
    const id = c.req.param("id")
    const r = await runOr(deps, c, drawRound(actorOf(c), { roundId: id, seed: seed.success }))
    if (!r.ok) return r.response
    return c.json(roundJson(r.value, filesBase(id)), 200, { "Cache-Control": "no-store" })
  })

  app.post(`${p}/lotteries/:id/annul`, async (c) => {
    const body = await readJsonBody(c, AnnulBody)
    if (Result.isFailure(body))
      return problem(c, body.failure.status, "invalid_request", body.failure.message)
    const id = c.req.param("id")
    const r = await runOr(deps, c, annulRound(actorOf(c), { roundId: id, reason: body.success.reason }))
    if (!r.ok) return r.response
    return c.json(roundJson(r.value, filesBase(id)), 200, { "Cache-Control": "no-store" })
  })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const problemDoc = (description: string) => ({
  description,
  content: { "application/json": { schema: obj } },
})
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1 },
  description: "Round id",
}
const jsonBody = (schema: unknown) => ({ required: true, content: { "application/json": { schema } } })
const ROUND = { description: "The round (public JSON)", content: { "application/json": { schema: obj } } }
const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: "string" } } },
})
const str = { type: "string", minLength: 1, maxLength: 256 }

/** OpenAPI details of `lotteryRoutes(prefix)` (summary, tag and security come from the route table). */
export const lotteryOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => {
  const notFound = problemDoc("No such round")
  const unavailable = problemDoc("The lottery store is unavailable; retry after `Retry-After` seconds")
  const manage = (requestBody: unknown, extra: Record<string, unknown>) => ({
    requestBody,
    responses: {
      400: problemDoc("Malformed JSON or a body of the wrong shape"),
      415: problemDoc("Unsupported Content-Type (JSON only)"),
      422: problemDoc("Breaks a lottery rule (`rule` names it)"),
      503: unavailable,
      ...extra,
    },
  })
  return {
    "/lotteries/{id}": {
      get: {
        parameters: [
          idParam,
          {
            name: "id",
            in: "query",
            required: false,
            schema: str,
            description: "Check my number: an application number",
          },
        ],
        responses: {
          200: text("text/html", "The round's public page"),
          404: text("text/html", "No such round"),
        },
      },
    },
    [`${prefix}/lotteries`]: {
      get: {
        responses: {
          200: { description: "`items`, newest first", content: { "application/json": { schema: obj } } },
          503: unavailable,
        },
      },
      post: manage(
        jsonBody({
          type: "object",
          required: ["projectId", "district", "unitTypes", "title", "entrants", "units"],
          properties: {
            roundId: str,
            projectId: str,
            district: str,
            unitTypes: { type: "array", items: str },
            title: str,
            entrants: {
              type: "array",
              items: {
                type: "object",
                required: ["id", "stratum"],
                properties: { id: str, stratum: { type: "string" } },
              },
            },
            units: {
              type: "array",
              items: {
                type: "object",
                required: ["stratum", "units"],
                properties: { stratum: { type: "string" }, units: { type: "integer", minimum: 0 } },
              },
            },
            hash: { enum: ["SM3", "SHA-256"] },
          },
        }),
        { 201: ROUND, 409: problemDoc("A round with this id has other content") },
      ),
    },
    [`${prefix}/lotteries/from-queue`]: {
      post: manage(
        jsonBody({
          type: "object",
          required: ["projectId", "unitTypes", "title"],
          properties: {
            roundId: str,
            projectId: str,
            unitTypes: {
              type: "array",
              minItems: 1,
              items: { type: "string", pattern: "^(?:any|[0-5]-[0-5])$" },
              description: "Queue unit types: `<bedrooms>-<halls>` or `any`",
            },
            title: str,
          },
        }),
        {
          201: ROUND,
          404: problemDoc("No such project within the caller's scope"),
          409: problemDoc("A round with this id has other content"),
        },
      ),
    },
    [`${prefix}/lotteries/{id}`]: {
      get: { parameters: [idParam], responses: { 200: ROUND, 404: notFound, 503: unavailable } },
    },
    [`${prefix}/lotteries/{id}/pool.csv`]: {
      get: {
        parameters: [idParam],
        responses: { 200: text("text/csv", "pool.csv (`id,stratum`)"), 404: notFound, 503: unavailable },
      },
    },
    [`${prefix}/lotteries/{id}/transcript.json`]: {
      get: {
        parameters: [idParam],
        responses: {
          200: text("application/json", "transcript.json (canonical JSON)"),
          404: problemDoc("No such round, or not drawn"),
          503: unavailable,
        },
      },
    },
    [`${prefix}/lotteries/{id}/result.csv`]: {
      get: {
        parameters: [idParam],
        responses: {
          200: text("text/csv", "result.csv"),
          404: problemDoc("No such round, or not drawn"),
          503: unavailable,
        },
      },
    },
    [`${prefix}/lotteries/{id}/proof`]: {
      get: {
        parameters: [
          idParam,
          { name: "id", in: "query", required: true, schema: str, description: "Application number" },
        ],
        responses: {
          200: {
            description:
              "`proof` (Merkle path to the committed root) and `result` (the entrant's row, or null)",
            content: { "application/json": { schema: obj } },
          },
          400: problemDoc("No application number"),
          404: problemDoc("No such round, or the number is not in its pool"),
          503: unavailable,
        },
      },
    },
    [`${prefix}/lotteries/{id}/draw`]: {
      post: {
        parameters: [idParam],
        ...manage(
          jsonBody({
            type: "object",
            required: ["seed"],
            properties: {
              seed: {
                ...str,
                description:
                  "Seed sources as on the CLI: `digits:NNN`, `hex:…`, `drand:chain:round:randomness`, joined by `+`",
              },
            },
          }),
          { 200: ROUND, 404: notFound, 409: problemDoc("A draw of this round stands (run-once, R53)") },
        ),
      },
    },
    [`${prefix}/lotteries/{id}/annul`]: {
      post: {
        parameters: [idParam],
        ...manage(jsonBody({ type: "object", required: ["reason"], properties: { reason: str } }), {
          200: ROUND,
          404: notFound,
          409: problemDoc("The round has no standing draw"),
        }),
      },
    },
  }
}
