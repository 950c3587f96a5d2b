/**
 * HTTP routes of the qualification-case workflow (资格案件), registered on an existing Hono app:
 * authentication through the pluggable ActorVerifier (`Authorization: Bearer …` for people,
 * `X-Api-Key` for systems), scope checks in the use-cases, `Idempotency-Key` required on every command.
 * ID numbers travel only in bodies, never in URLs (which end up in access logs). No adapter is imported.
 */
import { Cause, Effect, Exit } from "effect"
import type { Context, Hono } from "hono"
import type { CheckSource } from "../../domain/cases/Case.js"
import { COMMAND_TYPES, type CaseCommandType } from "../../domain/cases/CaseMachine.js"
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

/** Error body without personal data: tag, rule (if any) and message. */
const answer = async <A>(c: Context, exit: Exit.Exit<A, unknown>, ok: 200 | 201 = 200) => {
  if (Exit.isSuccess(exit)) return c.json(exit.value as object, ok)
  const e = Cause.squash(exit.cause) as {
    _tag?: string
    rule?: string
    message?: string
    isRetryable?: boolean
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
  return c.json(
    { error: tag, ...(e.rule === undefined ? {} : { rule: e.rule }), message: e.message ?? tag },
    status,
  )
}

/** Registers the case routes on `app`. Mount: `registerCaseRoutes(app, { run })` in the composition root. */
export const registerCaseRoutes = (app: Hono, deps: CaseRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
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
  const badBody = (c: Context) =>
    c.json({ error: "invalid_request", message: "expected a JSON object body" }, 400)

  app.post(`${p}/cases`, async (c) => {
    const key = keyOf(c)
    if (key === undefined) return needKey(c)
    const b = await body(c)
    if (b === undefined) return badBody(c)
    return answer(
      c,
      await authed(c, (actor) => openCaseCommand(actor, b as unknown as OpenCaseRequest, key)),
      201,
    )
  })
  app.post(`${p}/cases/lookup`, async (c) => {
    const b = await body(c)
    if (b === undefined || typeof b["idNumber"] !== "string") return badBody(c)
    return answer(c, await authed(c, (actor) => lookupByIdNumber(actor, b["idNumber"] as string)))
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
    const b = (await body(c)) ?? {}
    const sources = Array.isArray(b["sources"]) ? (b["sources"] as Array<CheckSource>) : undefined
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
    const type = c.req.param("command") as CaseCommandType
    if (!COMMAND_TYPES.includes(type) || type === "recordCheck")
      return c.json({ error: "not_found", message: `unknown command ${type}` }, 404)
    const b = (await body(c)) ?? {}
    return answer(
      c,
      await authed(c, (actor) => runCaseCommand(actor, c.req.param("id"), { ...b, type } as never, key)),
    )
  })
  return app
}
