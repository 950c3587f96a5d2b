/**
 * HTTP routes of the qualification-case workflow (资格案件), registered on an existing Hono app:
 * authentication through the pluggable ActorVerifier (`Authorization: Bearer …` for people,
 * `X-Api-Key` for systems), scope checks in the use-cases, `Idempotency-Key` required on every command,
 * bodies checked against CaseSchemas (400), answers `no-store`. ID numbers travel only in bodies, never
 * in URLs (which end up in access logs). No adapter is imported.
 */
import { Cause, Effect, Exit, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { CheckSource } from "../../domain/cases/Case.js"
import { caseDetail, lookupByIdNumber, workList } from "../../application/cases/CaseQueries.js"
import {
  type OpenCaseRequest,
  openCaseCommand,
  runCaseCommand,
  runVerification,
} from "../../application/cases/CaseWorkflow.js"
import { ActorVerifier, type Credential } from "../../application/ports/ActorVerifier.js"
import type { AgencyRecords } from "../../application/ports/AgencyRecords.js"
import type { CaseStore } from "../../application/ports/CaseStore.js"
import type { FieldCipher } from "../../application/ports/FieldCipher.js"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import type { Actor } from "../../application/cases/CaseActor.js"
import * as CS from "./CaseSchemas.js"

export type CaseServices = CaseStore | FieldCipher | PolicySource | AgencyRecords | ActorVerifier

export interface CaseRouteDeps {
  /** Runs a use-case on the composition root's runtime (as AppDeps.run, with the case services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, CaseServices>) => Promise<Exit.Exit<A, E | Error>>
  /** Path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const credentialOf = (c: Context): Credential | undefined => {
  const auth = c.req.header("authorization")
  if (auth !== undefined && /^Bearer\s+\S+$/iu.test(auth))
    return { _tag: "Bearer", token: auth.replace(/^Bearer\s+/iu, "") }
  const key = c.req.header("x-api-key")
  return key === undefined || key === "" ? undefined : { _tag: "ApiKey", key }
}

const STATUS: Record<string, 400 | 401 | 403 | 404 | 409 | 422 | 503> = {
  ActorVerifierError: 401,
  CaseAccessDenied: 403,
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
  const status =
    tag === "CaseStoreError"
      ? e.isRetryable === true
        ? 503
        : 409
      : tag === "ActorVerifierError" && e.isRetryable
        ? 503
        : STATUS[tag]
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

/** Decodes a JSON body against a request schema (JSON types only), or answers why not. */
const decodeBody = <S extends Schema.Codec<unknown, unknown>>(schema: S, b: Record<string, unknown>) => {
  const r = Schema.decodeUnknownResult(schema)(b)
  return Result.isSuccess(r) ? Result.succeed(r.success as S["Type"]) : Result.fail(r.failure.message)
}

/** Registers the case routes on `app`. Mount: `registerCaseRoutes(app, { run })` in the composition root. */
export const registerCaseRoutes = (app: Hono, deps: CaseRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  for (const path of [`${p}/cases`, `${p}/cases/*`]) {
    app.use(path, async (c, next) => {
      await next()
      c.header("Cache-Control", "no-store")
    })
    app.on("POST", path, bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json(TOO_LARGE, 413) }))
  }
  const authed = <A, E>(c: Context, f: (actor: Actor) => Effect.Effect<A, E, CaseServices>) => {
    const credential = credentialOf(c)
    if (credential === undefined)
      return Promise.resolve(Exit.fail({ _tag: "ActorVerifierError", message: "missing credential" }))
    return deps.run(
      Effect.gen(function* () {
        const verifier = yield* ActorVerifier
        return yield* f(yield* verifier.verify(credential))
      }),
    )
  }
  const keyOf = (c: Context) => c.req.header("idempotency-key")
  const needKey = (c: Context) =>
    c.json({ error: "invalid_request", message: "the Idempotency-Key header is required" }, 400)
  const body = async (c: Context): Promise<Record<string, unknown> | undefined> => {
    try {
      const b = await c.req.json()
      return typeof b === "object" && b !== null && !Array.isArray(b)
        ? (b as Record<string, unknown>)
        : undefined
    } catch {
      return undefined
    }
  }
  const badBody = (c: Context, message = "expected a JSON object body") =>
    c.json({ error: "invalid_request", message } satisfies typeof CS.CaseProblem.Type, 400)

  app.post(`${p}/cases`, async (c) => {
    const key = keyOf(c)
    if (key === undefined) return needKey(c)
    const b = await body(c)
    if (b === undefined) return badBody(c)
    const input = decodeBody(CS.OpenCaseInput, b)
    if (Result.isFailure(input)) return badBody(c, input.failure)
    return answer(
      c,
      await authed(c, (actor) => openCaseCommand(actor, input.success as OpenCaseRequest, key)),
      201,
    )
  })
  app.post(`${p}/cases/lookup`, async (c) => {
    const b = await body(c)
    if (b === undefined) return badBody(c)
    const input = decodeBody(CS.LookupInput, b)
    if (Result.isFailure(input)) return badBody(c, input.failure)
    return answer(c, await authed(c, (actor) => lookupByIdNumber(actor, input.success.idNumber)))
  })
  app.get(`${p}/cases`, async (c) => {
    const box = c.req.query("box") === "done" ? "done" : "todo"
    const limit = Number(c.req.query("limit") ?? "50")
    const after = c.req.query("after")
    return answer(
      c,
      await authed(c, (actor) =>
        workList(actor, box, {
          limit: Number.isFinite(limit) ? limit : 50,
          ...(after === undefined ? {} : { after: after as never }),
        }),
      ),
    )
  })
  app.get(`${p}/cases/:id`, async (c) =>
    answer(c, await authed(c, (actor) => caseDetail(actor, c.req.param("id")))),
  )
  app.post(`${p}/cases/:id/verify`, async (c) => {
    const key = keyOf(c)
    if (key === undefined) return needKey(c)
    const input = decodeBody(CS.VerifyInput, (await body(c)) ?? {})
    if (Result.isFailure(input)) return badBody(c, input.failure)
    const sources: ReadonlyArray<CheckSource> | undefined = input.success.sources
    return answer(
      c,
      await authed(c, (actor) =>
        runVerification(actor, c.req.param("id"), sources === undefined ? {} : { sources }, key),
      ),
    )
  })
  app.post(`${p}/cases/:id/commands/:command`, async (c) => {
    const key = keyOf(c)
    if (key === undefined) return needKey(c)
    const type = CS.ROUTE_COMMANDS.find((t) => t === c.req.param("command"))
    if (type === undefined)
      return c.json({ error: "not_found", message: `unknown command ${c.req.param("command")}` }, 404)
    const input = decodeBody(CS.CaseCommandInput, (await body(c)) ?? {})
    if (Result.isFailure(input)) return badBody(c, input.failure)
    return answer(
      c,
      await authed(c, (actor) =>
        runCaseCommand(actor, c.req.param("id"), { ...input.success, type } as never, key),
      ),
    )
  })
  return app
}
