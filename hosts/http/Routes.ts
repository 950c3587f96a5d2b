/**
 * The route table of the HTTP host: every operation declared once — method, path (OpenAPI template),
 * `public` or the Permission it requires, tag and summary. App.ts registers the guard from it, OpenApi.ts
 * generates the paths (and `security`) from it, and the route walk tests it. Default deny: a request
 * that matches no entry is answered 404 before any handler runs, so a handler registered without an
 * entry is unreachable; a non-public entry authenticates (ActorVerifier) and checks the permission.
 */
import { Exit } from "effect"
import type { Context, MiddlewareHandler } from "hono"
import { type Actor, hasPermission, type Permission } from "../../domain/access/Access.js"
import { TOKEN_PATTERN } from "../../domain/audit/AuditRecord.js"
import type { Credential } from "../../application/ports/ActorVerifier.js"
import { ROUTE_COMMANDS } from "./CaseSchemas.js"

/** `authenticated`: any verified identity, no particular permission (logout, who-am-I). */
export type RouteAccess =
  | { readonly public: true }
  | { readonly authenticated: true }
  | { readonly permission: Permission }

export interface RouteSpec {
  readonly method: "get" | "post"
  /** OpenAPI path template, e.g. `/api/v1/units/{id}`. */
  readonly path: string
  readonly access: RouteAccess
  readonly tag:
    | "stock"
    | "units"
    | "public"
    | "ops"
    | "cases"
    | "auth"
    | "admin"
    | "lottery"
    | "queues"
    | "subsidies"
    | "selections"
    | "contracts"
    | "warnings"
    | "fund"
  readonly summary: string
}

const PUBLIC: RouteAccess = { public: true }
const need = (permission: Permission): RouteAccess => ({ permission })

export const isPublic = (r: RouteSpec): boolean => "public" in r.access

/** Liveness, readiness, the API document and its reader. */
export const OPS_ROUTES: ReadonlyArray<RouteSpec> = [
  { method: "get", path: "/health", access: PUBLIC, tag: "ops", summary: "Liveness" },
  {
    method: "get",
    path: "/ready",
    access: PUBLIC,
    tag: "ops",
    summary: "Readiness (the store is reachable)",
  },
  { method: "get", path: "/openapi.json", access: PUBLIC, tag: "ops", summary: "This OpenAPI document" },
  {
    method: "get",
    path: "/metrics",
    // Public only when the host is told so (ANJU_METRICS=public: App.ts marks it public); docs/worker.md.
    access: need("ops.metrics"),
    tag: "ops",
    summary: "Prometheus metrics: queue depth, job latency, HTTP requests by route and status",
  },
  { method: "get", path: "/docs", access: PUBLIC, tag: "ops", summary: "API reference (HTML)" },
  {
    method: "get",
    path: "/docs/assets/scalar.js",
    access: PUBLIC,
    tag: "ops",
    summary: "Script of the API reference",
  },
]

/** Housing stock (projects, buildings, units, import) and the public unit record, page and QR (J2). */
export const STOCK_ROUTES: ReadonlyArray<RouteSpec> = [
  {
    method: "post",
    path: "/api/v1/projects",
    access: need("stock.write"),
    tag: "stock",
    summary: "Register a project (项目)",
  },
  {
    method: "post",
    path: "/api/v1/buildings",
    access: need("stock.write"),
    tag: "stock",
    summary: "Register a building (楼栋)",
  },
  {
    method: "post",
    path: "/api/v1/units",
    access: need("stock.write"),
    tag: "stock",
    summary: "Register units (房屋)",
  },
  {
    method: "get",
    path: "/api/v1/units",
    access: need("stock.read"),
    tag: "units",
    summary: "List units in scope with filters and keyset paging",
  },
  {
    method: "post",
    path: "/api/v1/units/publish",
    access: need("stock.write"),
    tag: "units",
    summary: "Publish several units atomically",
  },
  {
    method: "get",
    path: "/api/v1/units/{id}",
    access: need("stock.read"),
    tag: "units",
    summary: "One unit",
  },
  ...(
    [
      ["publish", "Publish (发布) a draft unit"],
      ["recall", "Recall (撤回, R36) an available unit"],
      ["lock", "Lock (锁定, R37) a unit"],
      ["unlock", "Unlock (解锁, R37) a unit"],
      ["convert-kind", "Convert the housing kind (R40: unsupplied units only)"],
    ] as const
  ).map(
    ([command, summary]): RouteSpec => ({
      method: "post",
      path: `/api/v1/units/{id}/${command}`,
      access: need("stock.write"),
      tag: "units",
      summary,
    }),
  ),
  {
    method: "post",
    path: "/api/v1/imports",
    access: need("stock.import"),
    tag: "stock",
    summary: "Bulk import units from CSV or XLSX (an import job: 202, then poll)",
  },
  {
    method: "get",
    path: "/api/v1/imports/{id}",
    access: need("stock.import"),
    tag: "stock",
    summary: "An import job: state, progress and, when done, the per-row report",
  },
  {
    method: "get",
    path: "/api/v1/codes/{code}",
    access: PUBLIC,
    tag: "public",
    summary: "The public record behind a unit code (J2)",
  },
  {
    method: "get",
    path: "/u/{code}",
    access: PUBLIC,
    tag: "public",
    summary: "The unit's public page (HTML, for phones)",
  },
  {
    method: "get",
    path: "/u/{code}/qr.png",
    access: PUBLIC,
    tag: "public",
    summary: "QR code (PNG) of the unit's page URL",
  },
  {
    method: "get",
    path: "/u/{code}/qr.svg",
    access: PUBLIC,
    tag: "public",
    summary: "QR code (SVG) of the unit's page URL",
  },
]

/** Qualification cases (CaseRoutes.ts) under `prefix`; one operation per workflow command. */
export const caseRoutes = (prefix: string): ReadonlyArray<RouteSpec> => [
  {
    method: "post",
    path: `${prefix}/cases`,
    access: need("cases.open"),
    tag: "cases",
    summary: "Open a case on an intake path (R163)",
  },
  {
    method: "get",
    path: `${prefix}/cases`,
    access: need("cases.read"),
    tag: "cases",
    summary: "The actor's work list: 待办 (todo) or 已办 (done), within scope",
  },
  {
    method: "post",
    path: `${prefix}/cases/lookup`,
    access: need("cases.lookup"),
    tag: "cases",
    summary: "Cross-kind look-up by ID number (R5), valid cases only (R1)",
  },
  {
    method: "get",
    path: `${prefix}/cases/{id}`,
    access: need("cases.read"),
    tag: "cases",
    summary: "Case detail with history; personal data masked",
  },
  {
    method: "post",
    path: `${prefix}/cases/{id}/verify`,
    access: need("cases.verify"),
    tag: "cases",
    summary: "Query the agencies (核查, R68–R88) and store each answer as evidence",
  },
  ...ROUTE_COMMANDS.map(
    (command): RouteSpec => ({
      method: "post",
      path: `${prefix}/cases/{id}/commands/${command}`,
      access: need("cases.command"),
      tag: "cases",
      summary: `Workflow command ${command}`,
    }),
  ),
]

/** Every route of an app: ops, stock, (when mounted) the case routes, and routes other modules declare (login, administration). */
export const appRoutes = (
  options: { readonly casesPrefix?: string | undefined; readonly extra?: ReadonlyArray<RouteSpec> } = {},
): ReadonlyArray<RouteSpec> => [
  ...OPS_ROUTES,
  ...STOCK_ROUTES,
  ...(options.casesPrefix === undefined ? [] : caseRoutes(options.casesPrefix)),
  ...(options.extra ?? []),
]

/** `/api/v1/units/{id}` → `/api/v1/units/:id` (Hono's syntax). */
export const honoPath = (path: string): string => path.replace(/\{(\w+)\}/gu, ":$1")

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")

/** A matcher over the table; literal segments win over parameters (`/units/publish` before `/units/{id}`). */
export const routeMatcher = (routes: ReadonlyArray<RouteSpec>) => {
  const compiled = routes
    .map((r) => ({
      r,
      params: (r.path.match(/\{\w+\}/gu) ?? []).length,
      re: new RegExp(
        `^${r.path
          .split(/\{\w+\}/u)
          .map(escapeRegExp)
          .join("[^/]+")}/?$`,
        "u",
      ),
    }))
    .sort((a, b) => a.params - b.params)
  return (method: string, path: string): RouteSpec | undefined => {
    const m = method.toLowerCase() === "head" ? "get" : method.toLowerCase()
    return compiled.find((x) => x.r.method === m && x.re.test(path))?.r
  }
}

/** The credential of a request: `Authorization: Bearer <token>` or `X-Api-Key`; malformed → "malformed". */
export const credentialOf = (c: Context): Credential | "malformed" | undefined => {
  const auth = c.req.header("authorization")
  if (auth !== undefined) {
    const m = /^Bearer ([\x21-\x7E]{1,4096})$/u.exec(auth)
    return m === null ? "malformed" : { _tag: "Bearer", token: m[1]! }
  }
  const key = c.req.header("x-api-key")
  if (key === undefined) return undefined
  return /^[\x21-\x7E]{1,512}$/u.test(key) ? { _tag: "ApiKey", key } : "malformed"
}

type ActorContext = Context<{ Variables: { "anju.actor": Actor } }>

/** The `X-Request-Id` header when the audit log can hold it (1–64 printable characters, no spaces), else null. */
export const requestIdOf = (c: Context): string | null => {
  const id = c.req.header("x-request-id")?.slice(0, 64)
  return id !== undefined && TOKEN_PATTERN.test(id) ? id : null
}

/** The authenticated actor of a guarded route. Missing: the route is not guarded, a defect. */
export const actorOf = (c: Context): Actor => {
  const a = (c as unknown as ActorContext).get("anju.actor") as Actor | undefined
  if (a === undefined) throw new Error(`route ${c.req.method} ${c.req.path} ran without the guard`)
  return a
}

export interface GuardOptions {
  readonly routes: ReadonlyArray<RouteSpec>
  /** Verifies a credential (ActorVerifier); a failure's `reason._tag` "Unavailable" answers 503. */
  readonly authenticate: (credential: Credential) => Promise<Exit.Exit<Actor, unknown>>
  /** Answers a request that matches no route (default deny). */
  readonly notFound: (c: Context) => Response | Promise<Response>
  /**
   * Records a write in the audit log (GB/T 39786): called after every non-GET guarded operation that
   * succeeded (2xx) or was refused for permission (403). A failure to record is reported, never hidden.
   */
  readonly audit?: (entry: GuardAudit) => Promise<void>
}

/** What the guard knows of an audited write. */
export interface GuardAudit {
  readonly actor: Actor
  /** Dotted verb from the path template: `cases.commands.reject`, `units.lock`, `admin.users.disable`. */
  readonly action: string
  /** `<kind>:<id>` from the path (`case:C-1`), `<kind>:*` for collection-level writes. */
  readonly object: string
  readonly outcome: "success" | "denied"
  readonly requestId: string | null
}

/** `cases` → `case`, `lotteries` → `lottery`, `apiKeys` → `apiKey`: objects are named like the decryption records (`case:C-1`). */
const singular = (w: string) =>
  w.endsWith("ies") ? `${w.slice(0, -3)}y` : w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w

const camel = (w: string) => w.replace(/-([a-z])/gu, (_, ch: string) => ch.toUpperCase())

/** `POST /api/v1/cases/{id}/commands/reject` → action `cases.commands.reject`, object `case:<id>`. */
export const auditNames = (route: RouteSpec, path: string): { action: string; object: string } => {
  const template = route.path
    .replace(/^\/api\/v\d+\//u, "/")
    .split("/")
    .filter((x) => x !== "")
  const actual = path
    .replace(/^\/api\/v\d+\//u, "/")
    .split("/")
    .filter((x) => x !== "")
  const words = template.filter((w) => !w.startsWith("{")).map(camel)
  const action = (words.length === 1 ? [...words, route.method] : words).slice(0, 5).join(".")
  const idAt = template.findIndex((w) => w.startsWith("{"))
  const id = idAt < 0 ? "*" : decodeURIComponent(actual[idAt] ?? "*")
  // The kind is the collection the id belongs to (the segment before it), else the last segment.
  const kind = idAt > 0 ? template[idAt - 1]! : (template.at(-1) ?? "root")
  return { action, object: `${singular(camel(kind))}:${id}` }
}

const unauthenticated = (c: Context, message: string) =>
  c.json({ error: "unauthenticated", message }, 401, {
    "WWW-Authenticate": 'Bearer realm="anju"',
    "Cache-Control": "no-store",
  })

/** The one guard: default deny, then authentication and the route's permission. */
export const guard = (o: GuardOptions): MiddlewareHandler => {
  const match = routeMatcher(o.routes)
  return async (c, next) => {
    const route = match(c.req.method, c.req.path)
    if (route === undefined) return o.notFound(c)
    if ("public" in route.access) return next()
    const credential = credentialOf(c)
    if (credential === undefined)
      return unauthenticated(c, "a credential is required (Bearer token or X-Api-Key)")
    if (credential === "malformed") return unauthenticated(c, "the credential is malformed")
    const exit = await o.authenticate(credential)
    if (Exit.isFailure(exit)) {
      const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
      // A defect or interruption while verifying: the app's error handler answers 500.
      if (failure === undefined) throw new Error(`identity verification failed: ${String(exit.cause)}`)
      const e = failure.error as { readonly _tag?: unknown; readonly isRetryable?: unknown }
      if (e?._tag === "ActorVerifierError" && e.isRetryable !== true)
        return unauthenticated(c, "the credential is not valid")
      // The identity provider or the runtime is unavailable: retry later.
      return c.json(
        { error: "unavailable", message: "the identity provider is unavailable", retryable: true },
        503,
        { "Retry-After": "5", "Cache-Control": "no-store" },
      )
    }
    const actor = exit.value
    const record = async (outcome: GuardAudit["outcome"]) => {
      if (o.audit === undefined || route.method === "get") return
      const names = auditNames(route, c.req.path)
      const requestId = requestIdOf(c)
      await o
        .audit({ actor, ...names, outcome, requestId })
        .catch((e: unknown) => console.error(`audit record of ${names.action} ${names.object} failed:`, e))
    }
    if ("permission" in route.access && !hasPermission(actor, route.access.permission)) {
      await record("denied")
      return c.json(
        {
          error: "forbidden",
          message: `this identity lacks the permission ${route.access.permission}`,
          permission: route.access.permission,
        },
        403,
        { "Cache-Control": "no-store" },
      )
    }
    ;(c as unknown as ActorContext).set("anju.actor", actor)
    await next()
    if (c.res.ok) await record("success")
    else if (c.res.status === 403) await record("denied")
  }
}
