/**
 * HTTP routes of the qualification-case workflow (资格案件), registered on an existing Hono app whose
 * Routes.guard (the route table) has authenticated the actor and checked the permission; scope checks
 * run in the use-cases (out of scope answers as missing). Every input is decoded exactly before a
 * use-case runs: JSON bodies only, one body schema per command, ids as the database enforces them,
 * `Idempotency-Key` of 1–128 visible characters, known query parameters only. Answers `no-store`; error
 * bodies never carry store details. ID numbers travel only in bodies, never in URLs. No adapter imported.
 */
import { Cause, Effect, Exit, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { CheckSource } from "../../domain/cases/Case.js"
import { auditContextFor, withAuditContext } from "../../application/audit/AuditContext.js"
import { caseDetail, lookupByIdNumber, workList } from "../../application/cases/CaseQueries.js"
import {
  type OpenCaseRequest,
  openCaseCommand,
  runCaseCommand,
  runVerification,
} from "../../application/cases/CaseWorkflow.js"
import type { ActorVerifier } from "../../application/ports/ActorVerifier.js"
import type { AgencyRecords } from "../../application/ports/AgencyRecords.js"
import type { CaseStore } from "../../application/ports/CaseStore.js"
import type { FieldCipher } from "../../application/ports/FieldCipher.js"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import type { Actor } from "../../application/cases/CaseActor.js"
import * as CS from "./CaseSchemas.js"
import { readJsonBody } from "./JsonBody.js"
import { ID_TEXT, IDEMPOTENCY_KEY, STRICT } from "./HttpSchemas.js"
import { actorOf, requestIdOf } from "./Routes.js"

export type CaseServices = CaseStore | FieldCipher | PolicySource | AgencyRecords | ActorVerifier

export interface CaseRouteDeps {
  /** Runs a use-case on the composition root's runtime (as AppDeps.run, with the case services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, CaseServices>) => Promise<Exit.Exit<A, E | Error>>
  /** Path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const STATUS: Record<string, 400 | 401 | 403 | 404 | 409 | 422 | 503> = {
  ActorVerifierError: 401,
  CaseAccessDenied: 403,
  AccessDenied: 403,
  CaseNotFound: 404,
  CaseTransitionRefused: 409,
  IdempotencyKeyReused: 409,
  CaseBlockedByGuard: 409,
  PredecessorInvalid: 422,
  CaseInputRejected: 422,
  InvalidValue: 422,
  AgencyRecordsError: 503,
}

const TOO_LARGE = { error: "payload_too_large", message: "the request body is too large" }

/** Error body without personal data: tag, rule (if any), message, and for rejected input the issues' fields and rules (never their values). */
const answer = async <A>(c: Context, exit: Exit.Exit<A, unknown>, ok: 200 | 201 = 200) => {
  if (Exit.isSuccess(exit)) return c.json(exit.value as object, ok)
  const e = Cause.squash(exit.cause) as {
    _tag?: string
    rule?: string
    message?: string
    isRetryable?: boolean
    action?: string
    caseId?: string | null
    key?: string
    issues?: ReadonlyArray<{ field: string; rule: string; message: string }>
  }
  const tag = e._tag ?? "Error"
  if (tag === "CaseStoreError") {
    // Store details (driver text, constraint names) stay in the logs, never in a response.
    if (e.isRetryable !== true) console.error(e.message)
    const reason = (e as { reason?: { _tag?: string; detail?: string } }).reason
    if (reason?._tag === "Rejected")
      return c.json(
        {
          error: "CaseInputRejected",
          rule: "case.store-invariant",
          message: `the case store refused the input: ${reason.detail ?? "a value it cannot hold"}`,
        } satisfies typeof CS.CaseProblem.Type,
        422,
      )
    return e.isRetryable === true
      ? c.json({ error: "unavailable", message: "the case store is busy or unavailable; retry" }, 503, {
          "Retry-After": "1",
        })
      : c.json({ error: "conflict", message: "the case changed meanwhile or already exists" }, 409)
  }
  if (tag === "AgencyRecordsError")
    return c.json({ error: tag, message: "an agency is unavailable; retry" }, 503, { "Retry-After": "5" })
  const status = tag === "ActorVerifierError" && e.isRetryable ? 503 : STATUS[tag]
  if (status === undefined) return c.json({ error: "internal", message: "unexpected failure" }, 500)
  const fallback =
    tag === "CaseAccessDenied"
      ? `${e.action ?? "this action"} is outside your role or data scope${e.caseId ? ` (case ${e.caseId})` : ""}`
      : tag === "CaseNotFound"
        ? `no case ${e.caseId ?? ""}`
        : tag === "IdempotencyKeyReused"
          ? "this Idempotency-Key was used for another request"
          : tag === "CaseInputRejected"
            ? (e.issues ?? []).map((i) => `${i.field}: ${i.message}`).join("; ")
            : tag
  return c.json(
    {
      error: tag,
      ...(e.rule === undefined ? {} : { rule: e.rule }),
      message: e.message !== undefined && e.message !== "" ? e.message : fallback,
      ...(e.issues === undefined
        ? {}
        : { issues: e.issues.map((i) => ({ field: i.field, rule: i.rule, message: i.message })) }),
    } satisfies typeof CS.CaseProblem.Type,
    status,
    status === 401 ? { "WWW-Authenticate": 'Bearer realm="anju"' } : {},
  )
}

const MAX_BODY = 1024 * 1024

type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly response: Response }

const bad = (
  c: Context,
  message: string,
  status: 400 | 404 | 415 = 400,
): { readonly ok: false; readonly response: Response } => ({
  ok: false,
  response: c.json(
    {
      error: status === 415 ? "unsupported_media_type" : status === 404 ? "CaseNotFound" : "invalid_request",
      message,
    } satisfies typeof CS.CaseProblem.Type,
    status,
  ),
})

/** The JSON body decoded exactly against `schema`; an absent body counts as `{}` when `optional`. */
const decodeBody = async <T>(
  c: Context,
  schema: Schema.Codec<T, unknown>,
  optional: boolean,
): Promise<Decoded<T>> => {
  const r = await readJsonBody(c, schema, optional)
  return Result.isSuccess(r)
    ? { ok: true, value: r.success as T }
    : bad(c, r.failure.message, r.failure.status)
}

/** The `Idempotency-Key` header: required, 1–128 visible ASCII characters. */
const keyOf = (c: Context): Decoded<string> => {
  const key = c.req.header("idempotency-key")
  if (key === undefined) return bad(c, "the Idempotency-Key header is required")
  return IDEMPOTENCY_KEY.test(key)
    ? { ok: true, value: key }
    : bad(c, "Idempotency-Key must be 1–128 visible ASCII characters")
}

/** The `{id}` path parameter: an id the store could hold, else the same 404 as a missing case. */
const caseIdOf = (c: Context): Decoded<string> => {
  const id = c.req.param("id") ?? ""
  return ID_TEXT.test(id)
    ? { ok: true, value: id }
    : bad(c, `no case ${id.replace(/[^\x20-\x7E]/gu, "?")}`, 404)
}

const WorkListQuery = Schema.Struct({
  box: Schema.optionalKey(Schema.Literals(["todo", "done"])),
  limit: Schema.optionalKey(
    Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 500 })),
  ),
  after: Schema.optionalKey(Schema.String.check(Schema.isPattern(ID_TEXT))),
})

/** Registers the case routes on `app` (guarded by Routes.guard with `caseRoutes(prefix)`). */
export const registerCaseRoutes = (app: Hono, deps: CaseRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  for (const path of [`${p}/cases`, `${p}/cases/*`]) {
    app.use(path, async (c, next) => {
      await next()
      c.header("Cache-Control", "no-store")
    })
    app.on("POST", path, bodyLimit({ maxSize: MAX_BODY, onError: (c) => c.json(TOO_LARGE, 413) }))
  }
  // Each use-case runs in the request's audit context (who, which request): decryptions are attributed.
  const run = <A, E>(c: Context, f: (actor: Actor) => Effect.Effect<A, E, CaseServices>) =>
    deps.run(
      Effect.suspend(() => {
        const actor = actorOf(c)
        return f(actor).pipe(withAuditContext(auditContextFor(actor, { requestId: requestIdOf(c) })))
      }),
    )

  app.post(`${p}/cases`, async (c) => {
    const key = keyOf(c)
    if (!key.ok) return key.response
    const input = await decodeBody(
      c,
      CS.OpenCaseInput as Schema.Codec<typeof CS.OpenCaseInput.Type, unknown>,
      false,
    )
    if (!input.ok) return input.response
    return answer(
      c,
      await run(c, (actor) => openCaseCommand(actor, input.value as OpenCaseRequest, key.value)),
      201,
    )
  })
  app.post(`${p}/cases/lookup`, async (c) => {
    const input = await decodeBody(
      c,
      CS.LookupInput as Schema.Codec<typeof CS.LookupInput.Type, unknown>,
      false,
    )
    if (!input.ok) return input.response
    return answer(c, await run(c, (actor) => lookupByIdNumber(actor, input.value.idNumber)))
  })
  app.get(`${p}/cases`, async (c) => {
    const q = Schema.decodeUnknownResult(WorkListQuery)(c.req.query(), STRICT)
    if (Result.isFailure(q)) return bad(c, q.failure.message).response
    const { box = "todo", limit = 50, after } = q.success
    return answer(
      c,
      await run(c, (actor) =>
        workList(actor, box, { limit, ...(after === undefined ? {} : { after: after as never }) }),
      ),
    )
  })
  app.get(`${p}/cases/:id`, async (c) => {
    const id = caseIdOf(c)
    if (!id.ok) return id.response
    return answer(c, await run(c, (actor) => caseDetail(actor, id.value)))
  })
  app.post(`${p}/cases/:id/verify`, async (c) => {
    const id = caseIdOf(c)
    if (!id.ok) return id.response
    const key = keyOf(c)
    if (!key.ok) return key.response
    const input = await decodeBody(
      c,
      CS.VerifyInput as Schema.Codec<typeof CS.VerifyInput.Type, unknown>,
      true,
    )
    if (!input.ok) return input.response
    const sources: ReadonlyArray<CheckSource> | undefined = input.value.sources
    return answer(
      c,
      await run(c, (actor) =>
        runVerification(actor, id.value, sources === undefined ? {} : { sources }, key.value),
      ),
    )
  })
  for (const type of CS.ROUTE_COMMANDS)
    app.post(`${p}/cases/:id/commands/${type}`, async (c) => {
      const id = caseIdOf(c)
      if (!id.ok) return id.response
      const key = keyOf(c)
      if (!key.ok) return key.response
      const input = await decodeBody(c, CS.COMMAND_BODIES[type], true)
      if (!input.ok) return input.response
      return answer(
        c,
        await run(c, (actor) =>
          runCaseCommand(actor, id.value, { ...(input.value as object), type } as never, key.value),
        ),
      )
    })
  return app
}
