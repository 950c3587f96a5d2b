/**
 * HTTP routes of login and identity administration (seed 003 #219–#232): POST /auth/login (public),
 * /auth/logout and /auth/me (any authenticated identity), and /admin/{users,roles,api-keys,login-log}
 * (identity.manage, checked again in the use-cases with tiered scope). `ACCESS_ROUTES` describes every
 * operation as data (method, path, access, summary, request/response Schemas) for the route table and the
 * OpenAPI document. Bodies are JSON only, decoded exactly (400 naming the fields); unknown login and wrong
 * password answer the same 401; a locked name answers 423 with Retry-After. Answers are `no-store`.
 */
import { Cause, Effect, Exit, Redacted, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { Actor, Permission } from "../../domain/access/Access.js"
import type { UserScope } from "../../domain/access/Identity.js"
import {
  DEFAULT_IDENTITY_SETTINGS,
  type IdentitySettings,
  login,
  logout,
} from "../../application/access/Login.js"
import {
  assignRoles,
  createRole,
  createUser,
  disableUser,
  enableUser,
  issueApiKey,
  listApiKeys,
  listLoginLog,
  listRoles,
  listUsers,
  revokeApiKey,
  revokeSessions,
  setPassword,
  updateRole,
  type ApiKeyView,
  type UserView,
} from "../../application/access/ManageIdentity.js"
import { ActorVerifier } from "../../application/ports/ActorVerifier.js"
import type { IdentityStore, LoginRecord } from "../../application/ports/IdentityStore.js"
import type { PasswordHasher } from "../../application/ports/PasswordHasher.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import * as AS from "./AccessSchemas.js"
import { readJsonBody } from "./JsonBody.js"
import { ID_TEXT, STRICT } from "./HttpSchemas.js"
import { credentialOf } from "./Routes.js"

export type AccessServices = IdentityStore | PasswordHasher | SecureRandom | ActorVerifier

export interface AccessRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the access services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, AccessServices>) => Promise<Exit.Exit<A, E | Error>>
  /** Lockout policy and session lifetime (default DEFAULT_IDENTITY_SETTINGS). */
  readonly settings?: IdentitySettings
  /** Path prefix (default `/api/v1`). */
  readonly prefix?: string
  /** The client address for the login log (default: the socket's remote address under @hono/node-server). */
  readonly clientIp?: (c: Context) => string
}

/** `authenticated`: any verified identity, no particular permission (logout, me). */
export type AccessRouteAccess =
  | { readonly public: true }
  | { readonly authenticated: true }
  | { readonly permission: Permission }

export interface AccessRouteSpec {
  readonly method: "get" | "post"
  /** OpenAPI path template. */
  readonly path: string
  readonly access: AccessRouteAccess
  readonly tag: "auth" | "admin"
  readonly summary: string
  readonly request?: Schema.Top
  readonly query?: Schema.Top
  readonly response: Schema.Top
  readonly status: 200 | 201
  /** Failure statuses this operation may answer (besides 400/401/403/503). */
  readonly errors: ReadonlyArray<404 | 409 | 415 | 422 | 423>
}

const MANAGE = { permission: "identity.manage" } as const

/** Every access operation, as data (the route table and OpenAPI generate from it). */
export const accessRoutes = (prefix = "/api/v1"): ReadonlyArray<AccessRouteSpec> => [
  {
    method: "post",
    path: `${prefix}/auth/login`,
    access: { public: true },
    tag: "auth",
    summary: "Password login (登录): a session token; 5 failures in 15 min lock the name for 30 min",
    request: AS.LoginInput,
    response: AS.LoginAnswer,
    status: 200,
    errors: [415, 423],
  },
  {
    method: "post",
    path: `${prefix}/auth/logout`,
    access: { authenticated: true },
    tag: "auth",
    summary: "Log out: the bearer session token is revoked at once",
    response: AS.LogoutAnswer,
    status: 200,
    errors: [],
  },
  {
    method: "get",
    path: `${prefix}/auth/me`,
    access: { authenticated: true },
    tag: "auth",
    summary: "The caller's identity: id, data scope and permissions",
    response: AS.MeAnswer,
    status: 200,
    errors: [],
  },
  {
    method: "get",
    path: `${prefix}/admin/users`,
    access: MANAGE,
    tag: "admin",
    summary: "Users the caller manages",
    response: AS.UserList,
    status: 200,
    errors: [],
  },
  {
    method: "post",
    path: `${prefix}/admin/users`,
    access: MANAGE,
    tag: "admin",
    summary: "Create a user with a scope, roles and optionally a password",
    request: AS.UserInput,
    response: AS.UserView,
    status: 201,
    errors: [409, 415, 422],
  },
  ...(
    [
      ["disable", "Disable a user; every session is revoked at once", AS.EmptyInput, AS.UserView],
      ["enable", "Re-enable a disabled user", AS.EmptyInput, AS.UserView],
      ["roles", "Replace the user's role grants", AS.RolesInput, AS.UserView],
      ["password", "Set a new password; every session is revoked", AS.PasswordInput, AS.UserView],
      ["revoke-sessions", "Revoke every session of the user at once", AS.EmptyInput, AS.SessionsRevoked],
    ] as const
  ).map(
    ([action, summary, request, response]): AccessRouteSpec => ({
      method: "post",
      path: `${prefix}/admin/users/{id}/${action}`,
      access: MANAGE,
      tag: "admin",
      summary,
      request,
      response,
      status: 200,
      errors: [404, 415, 422],
    }),
  ),
  {
    method: "get",
    path: `${prefix}/admin/roles`,
    access: MANAGE,
    tag: "admin",
    summary: "Built-in and custom roles with their permissions",
    response: AS.RoleList,
    status: 200,
    errors: [],
  },
  {
    method: "post",
    path: `${prefix}/admin/roles`,
    access: MANAGE,
    tag: "admin",
    summary: "Create a custom role (city managers)",
    request: AS.RoleInput,
    response: AS.RoleView,
    status: 201,
    errors: [409, 415, 422],
  },
  {
    method: "post",
    path: `${prefix}/admin/roles/{name}`,
    access: MANAGE,
    tag: "admin",
    summary: "Update a custom role's description and permissions (built-in roles cannot change)",
    request: AS.RoleUpdateInput,
    response: AS.RoleView,
    status: 200,
    errors: [404, 409, 415, 422],
  },
  {
    method: "get",
    path: `${prefix}/admin/api-keys`,
    access: MANAGE,
    tag: "admin",
    summary: "API keys of other systems (never the keys themselves)",
    response: AS.ApiKeyList,
    status: 200,
    errors: [],
  },
  {
    method: "post",
    path: `${prefix}/admin/api-keys`,
    access: MANAGE,
    tag: "admin",
    summary: "Issue an API key for another system; the key is shown once",
    request: AS.ApiKeyInput,
    response: AS.ApiKeyIssued,
    status: 201,
    errors: [409, 415, 422],
  },
  {
    method: "post",
    path: `${prefix}/admin/api-keys/{id}/revoke`,
    access: MANAGE,
    tag: "admin",
    summary: "Revoke an API key at once",
    request: AS.EmptyInput,
    response: AS.LogoutAnswer,
    status: 200,
    errors: [404, 415],
  },
  {
    method: "get",
    path: `${prefix}/admin/login-log`,
    access: MANAGE,
    tag: "admin",
    summary: "The login log (登录日志), newest first",
    query: AS.LoginLogQuery,
    response: AS.LoginLog,
    status: 200,
    errors: [],
  },
]

/** The routes as the default prefix gives them. */
export const ACCESS_ROUTES: ReadonlyArray<AccessRouteSpec> = accessRoutes()

// ---------------------------------------------------------------------------------------------
// Answers

const iso = (ms: number) => new Date(ms).toISOString()
const userOut = (u: UserView) => ({ ...u, createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt) })
const keyOut = (k: ApiKeyView) => ({
  ...k,
  createdAt: iso(k.createdAt),
  revokedAt: k.revokedAt === null ? null : iso(k.revokedAt),
})
const loginOut = (r: LoginRecord) => ({ ...r, at: iso(r.at) })

const STATUS: Record<string, 401 | 403 | 404 | 409 | 422 | 423> = {
  LoginFailed: 401,
  ActorVerifierError: 401,
  AccessDenied: 403,
  IdentityNotFound: 404,
  IdentityConflict: 409,
  IdentityInputRejected: 422,
  LoginLocked: 423,
}

const answer = <A>(c: Context, exit: Exit.Exit<A, unknown>, ok: 200 | 201 = 200) => {
  c.header("Cache-Control", "no-store")
  if (Exit.isSuccess(exit)) return c.json(exit.value as object, ok)
  const e = Cause.squash(exit.cause) as {
    _tag?: string
    message?: string
    isRetryable?: boolean
    field?: string
    rule?: string
    retryAfterSeconds?: number
    reason?: { _tag?: string }
  }
  const tag = e._tag ?? "Error"
  if (tag === "ActorVerifierError" && e.isRetryable === true)
    return c.json({ error: "unavailable", message: "the identity provider is unavailable; retry" }, 503, {
      "Retry-After": "5",
    })
  if (tag === "IdentityStoreError" || tag === "PasswordHasherError" || tag === "SecureRandomError") {
    // Store and driver details stay in the logs.
    console.error(`${tag}: ${e.message ?? ""}`)
    if (e.isRetryable === true)
      return c.json({ error: "unavailable", message: "the identity store is unavailable; retry" }, 503, {
        "Retry-After": "1",
      })
    return c.json({ error: "rejected", message: "the identity store refused the change" }, 422)
  }
  const status = STATUS[tag]
  if (status === undefined) return c.json({ error: "internal", message: "unexpected failure" }, 500)
  if (tag === "LoginLocked")
    return c.json(
      { error: tag, message: e.message ?? "locked", retryAfterSeconds: e.retryAfterSeconds ?? 1 },
      423,
      { "Retry-After": String(e.retryAfterSeconds ?? 1) },
    )
  if (tag === "AccessDenied") return c.json({ error: "forbidden", message: e.message ?? "forbidden" }, 403)
  return c.json(
    {
      error: tag,
      message: e.message ?? tag,
      ...(e.field === undefined ? {} : { field: e.field }),
      ...(e.rule === undefined ? {} : { rule: e.rule }),
    },
    status,
    status === 401 ? { "WWW-Authenticate": 'Bearer realm="anju"' } : {},
  )
}

type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly response: Response }

const bad = (
  c: Context,
  message: string,
  status: 400 | 404 | 415 = 400,
): { ok: false; response: Response } => ({
  ok: false,
  response: c.json(
    {
      error:
        status === 415 ? "unsupported_media_type" : status === 404 ? "IdentityNotFound" : "invalid_request",
      message,
    },
    status,
    { "Cache-Control": "no-store" },
  ),
})

/** The JSON body decoded exactly; an absent body counts as `{}` for actions without fields. */
const decodeBody = async <S extends Schema.Top>(
  c: Context,
  schema: S,
  optional = false,
): Promise<Decoded<S["Type"]>> => {
  const r = await readJsonBody(c, schema, optional)
  return Result.isSuccess(r) ? { ok: true, value: r.success } : bad(c, r.failure.message, r.failure.status)
}

const idParam = (c: Context, name: string, entity: string, pattern: RegExp = ID_TEXT): Decoded<string> => {
  const id = c.req.param(name) ?? ""
  return pattern.test(id)
    ? { ok: true, value: id }
    : bad(c, `no ${entity} ${id.replace(/[^\x20-\x7E]/gu, "?")}`, 404)
}

type ActorContext = Context<{ Variables: { "anju.actor": Actor } }>

/** The remote address @hono/node-server exposes (its `incoming` request), or "" elsewhere. */
const socketAddress = (c: Context): string => {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? ""
}

/** Registers the access routes on `app` (behind Routes.guard, or standalone: handlers authenticate if needed). */
export const registerAccessRoutes = (app: Hono, deps: AccessRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  const settings = deps.settings ?? DEFAULT_IDENTITY_SETTINGS
  const clientIp = deps.clientIp ?? socketAddress
  for (const path of [`${p}/auth/*`, `${p}/admin/*`])
    app.on(
      "POST",
      path,
      bodyLimit({
        maxSize: 64 * 1024,
        onError: (c) => c.json({ error: "payload_too_large", message: "the request body is too large" }, 413),
      }),
    )

  /**
   * The guard's actor when the guard ran; otherwise the request's own credential is verified here, before
   * anything else is read (an anonymous request learns nothing about the body rules).
   */
  const actorFor = async (c: Context): Promise<Decoded<Actor>> => {
    const guarded = (c as unknown as ActorContext).get("anju.actor") as Actor | undefined
    if (guarded !== undefined) return { ok: true, value: guarded }
    const credential = credentialOf(c)
    if (credential === undefined || credential === "malformed")
      return {
        ok: false,
        response: c.json(
          { error: "unauthenticated", message: "a credential is required (Bearer token or X-Api-Key)" },
          401,
          {
            "WWW-Authenticate": 'Bearer realm="anju"',
            "Cache-Control": "no-store",
          },
        ),
      }
    const exit = await deps.run(Effect.flatMap(Effect.service(ActorVerifier), (v) => v.verify(credential)))
    return Exit.isSuccess(exit) ? { ok: true, value: exit.value } : { ok: false, response: answer(c, exit) }
  }

  /** Authenticates, then decodes (when `prepare` is given), then runs the use-case. */
  const withActor = async <A, E, T = undefined>(
    c: Context,
    f: (actor: Actor, input: T) => Effect.Effect<A, E, AccessServices>,
    ok: 200 | 201 = 200,
    prepare?: () => Promise<Decoded<T>>,
  ): Promise<Response> => {
    const actor = await actorFor(c)
    if (!actor.ok) return actor.response
    let input = undefined as T
    if (prepare !== undefined) {
      const decoded = await prepare()
      if (!decoded.ok) return decoded.response
      input = decoded.value
    }
    return answer(c, await deps.run(Effect.suspend(() => f(actor.value, input))), ok)
  }

  app.post(`${p}/auth/login`, async (c) => {
    const body = await decodeBody(c, AS.LoginInput)
    if (!body.ok) return body.response
    const exit = await deps.run(
      login(
        { login: body.value.login, password: Redacted.make(body.value.password), ip: clientIp(c) },
        settings,
      ).pipe(
        Effect.map((g) => ({
          token: Redacted.value(g.token),
          tokenType: "Bearer" as const,
          expiresAt: iso(g.expiresAt),
        })),
      ),
    )
    return answer(c, exit)
  })
  app.post(`${p}/auth/logout`, (c) =>
    withActor(c, () => {
      const credential = credentialOf(c)
      return credential !== undefined && credential !== "malformed" && credential._tag === "Bearer"
        ? logout(Redacted.make(credential.token)).pipe(Effect.map((revoked) => ({ revoked })))
        : Effect.succeed({ revoked: false })
    }),
  )
  app.get(`${p}/auth/me`, (c) =>
    withActor(c, (actor) => {
      const { id, permissions: _p, ...scope } = actor
      return Effect.succeed({ id, scope, permissions: actor.permissions ?? [] })
    }),
  )

  app.get(`${p}/admin/users`, (c) =>
    withActor(c, (actor) => listUsers(actor).pipe(Effect.map((us) => ({ items: us.map(userOut) })))),
  )
  app.post(`${p}/admin/users`, (c) =>
    withActor(
      c,
      (actor, { password, ...rest }: typeof AS.UserInput.Type) =>
        createUser(actor, {
          ...rest,
          scope: rest.scope as UserScope,
          ...(password === undefined ? {} : { password: Redacted.make(password) }),
        }).pipe(Effect.map(userOut)),
      201,
      () => decodeBody(c, AS.UserInput),
    ),
  )
  const userAction = <S extends Schema.Top, A, E>(
    action: string,
    schema: S,
    f: (actor: Actor, id: string, body: S["Type"]) => Effect.Effect<A, E, AccessServices>,
  ) =>
    app.post(`${p}/admin/users/:id/${action}`, (c) =>
      withActor(
        c,
        (actor, input: { id: string; body: S["Type"] }) => f(actor, input.id, input.body),
        200,
        async () => {
          const id = idParam(c, "id", "user")
          if (!id.ok) return id
          const body = await decodeBody(c, schema, (schema as Schema.Top) === AS.EmptyInput)
          return body.ok ? { ok: true, value: { id: id.value, body: body.value } } : body
        },
      ),
    )
  userAction("disable", AS.EmptyInput, (a, id) => disableUser(a, id).pipe(Effect.map(userOut)))
  userAction("enable", AS.EmptyInput, (a, id) => enableUser(a, id).pipe(Effect.map(userOut)))
  userAction("roles", AS.RolesInput, (a, id, b) => assignRoles(a, id, b.roles).pipe(Effect.map(userOut)))
  userAction("password", AS.PasswordInput, (a, id, b) =>
    setPassword(a, id, Redacted.make(b.password)).pipe(Effect.map(userOut)),
  )
  userAction("revoke-sessions", AS.EmptyInput, (a, id) =>
    revokeSessions(a, id).pipe(Effect.map((revoked) => ({ revoked }))),
  )

  app.get(`${p}/admin/roles`, (c) =>
    withActor(c, (actor) =>
      listRoles(actor).pipe(
        Effect.map((rs) => ({
          items: rs.map((r) => ({
            name: r.name,
            description: r.description,
            permissions: r.permissions,
            builtIn: r.builtIn,
          })),
        })),
      ),
    ),
  )
  const roleOut = (r: {
    name: string
    description: string
    permissions: ReadonlyArray<Permission>
    builtIn: boolean
  }) => ({
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    builtIn: r.builtIn,
  })
  app.post(`${p}/admin/roles`, (c) =>
    withActor(
      c,
      (actor, body: typeof AS.RoleInput.Type) => createRole(actor, body).pipe(Effect.map(roleOut)),
      201,
      () => decodeBody(c, AS.RoleInput),
    ),
  )
  app.post(`${p}/admin/roles/:name`, (c) =>
    withActor(
      c,
      (actor, input: typeof AS.RoleInput.Type) => updateRole(actor, input).pipe(Effect.map(roleOut)),
      200,
      async () => {
        const name = idParam(c, "name", "role", /^[a-z][a-z0-9-]{1,47}$/u)
        if (!name.ok) return name
        const body = await decodeBody(c, AS.RoleUpdateInput)
        return body.ok ? { ok: true, value: { name: name.value, ...body.value } } : body
      },
    ),
  )

  app.get(`${p}/admin/api-keys`, (c) =>
    withActor(c, (actor) => listApiKeys(actor).pipe(Effect.map((ks) => ({ items: ks.map(keyOut) })))),
  )
  app.post(`${p}/admin/api-keys`, (c) =>
    withActor(
      c,
      (actor, body: typeof AS.ApiKeyInput.Type) =>
        issueApiKey(actor, body).pipe(
          Effect.map((r) => ({ key: Redacted.value(r.key), apiKey: keyOut(r.apiKey) })),
        ),
      201,
      () => decodeBody(c, AS.ApiKeyInput),
    ),
  )
  app.post(`${p}/admin/api-keys/:id/revoke`, (c) =>
    withActor(
      c,
      (actor, id: string) => revokeApiKey(actor, id).pipe(Effect.as({ revoked: true })),
      200,
      async () => {
        const id = idParam(c, "id", "apiKey")
        if (!id.ok) return id
        const body = await decodeBody(c, AS.EmptyInput, true)
        return body.ok ? id : body
      },
    ),
  )

  app.get(`${p}/admin/login-log`, (c) =>
    withActor(
      c,
      (actor, { since, until, ...rest }: typeof AS.LoginLogQuery.Type) =>
        listLoginLog(actor, {
          ...rest,
          ...(since === undefined ? {} : { since: Date.parse(since) }),
          ...(until === undefined ? {} : { until: Date.parse(until) }),
        }).pipe(Effect.map((rs) => ({ items: rs.map(loginOut) }))),
      200,
      async () => {
        const q = Schema.decodeUnknownResult(AS.LoginLogQuery)(c.req.query(), STRICT)
        return Result.isFailure(q) ? bad(c, String(q.failure.message)) : { ok: true, value: q.success }
      },
    ),
  )
  return app
}
