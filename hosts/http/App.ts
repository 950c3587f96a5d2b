/**
 * The HTTP host (Hono): the housing-stock JSON API under /api/v1 (and, when `deps.cases` is given, the
 * case routes of CaseRoutes.ts), OpenAPI at /openapi.json with docs at /docs, public unit pages and QR
 * codes under /u/{code}, /health and /ready. Every request first passes Routes.guard (the route table:
 * default deny, authentication through ActorVerifier, the route's permission); the use-cases get the
 * actor and check its data scope. Inputs are decoded exactly (HttpSchemas.STRICT) before any use-case
 * runs. It only translates: use-cases run through `deps.run` (the composition root owns the layers),
 * failures become responses in HttpErrors.toHttpError, and no adapter is imported here.
 */
import { sValidator } from "@hono/standard-validator"
import { Cause, Effect, Exit, Option, Result, Schema } from "effect"
import { type Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { etag } from "hono/etag"
import { HTTPException } from "hono/http-exception"
import { ActorVerifier } from "../../application/ports/ActorVerifier.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import type { StockStore, UnitQuery } from "../../application/ports/StockStore.js"
import { changeUnits, type UnitTarget } from "../../application/stock/ChangeUnits.js"
import { getUnit, listUnits, lookupUnitByCode } from "../../application/stock/QueryStock.js"
import { registerBuilding, registerProject, registerUnits } from "../../application/stock/RegisterStock.js"
import * as PublicCodeM from "../../domain/stock/PublicCode.js"
import { type Unit, UnitId, type UnitPublicRecord } from "../../domain/stock/Stock.js"
import type { UnitInput } from "../../domain/stock/StockRules.js"
import type { TabularRow } from "../../domain/stock/Tabular.js"
import { type AccessRouteDeps, accessRoutes, registerAccessRoutes } from "./AccessRoutes.js"
import { type CaseRouteDeps, registerCaseRoutes } from "./CaseRoutes.js"
import {
  type LotteryRouteDeps,
  lotteryOpenApiPaths,
  lotteryRoutes,
  registerLotteryRoutes,
} from "./LotteryRoutes.js"
import { type QueueRouteDeps, queueOpenApiPaths, queueRoutes, registerQueueRoutes } from "./QueueRoutes.js"
import {
  registerWarningRoutes,
  type WarningRouteDeps,
  warningOpenApiPaths,
  warningRoutes,
} from "./WarningRoutes.js"
import {
  type FundRegistryRouteDeps,
  fundRegistryOpenApiPaths,
  fundRegistryRoutes,
  registerFundRegistryRoutes,
} from "./FundRegistryRoutes.js"
import {
  registerSubsidyRoutes,
  type SubsidyRouteDeps,
  subsidyOpenApiPaths,
  subsidyRoutes,
} from "./SubsidyRoutes.js"
import {
  registerSelectionRoutes,
  type SelectionRouteDeps,
  selectionOpenApiPaths,
  selectionRoutes,
} from "./SelectionRoutes.js"
import {
  type ContractRouteDeps,
  contractOpenApiPaths,
  contractRoutes,
  registerContractRoutes,
} from "./ContractRoutes.js"
import { registerDocsRoutes } from "./DocsPage.js"
import { isStockFailure, type StockFailure, toHttpError } from "./HttpErrors.js"
import * as S from "./HttpSchemas.js"
import { registerImportRoutes } from "./ImportRoutes.js"
import { makeOpenApiDocument } from "./OpenApi.js"
import { actorOf, appRoutes, type GuardAudit, guard, routeMatcher } from "./Routes.js"
import { CONTENT_TYPE as METRICS_TYPE, makeMetrics, type Metrics } from "../Metrics.js"
import { renderNotFoundPage, renderUnavailablePage, renderUnitPage } from "./UnitPage.js"
import { qrPng, qrSvg } from "./UnitQr.js"

/** What `run` must provide: the stock ports and the ActorVerifier every guarded route authenticates with. */
export type StockServices = StockStore | SecureRandom | ActorVerifier

export interface AppDeps {
  /**
   * Runs a use-case on the composition root's runtime; expected failures come back in the Exit. A plain
   * `Error` may also appear there (a runtime whose layers failed to build): it is answered 503.
   */
  readonly run: <A, E>(effect: Effect.Effect<A, E, StockServices>) => Promise<Exit.Exit<A, E | Error>>
  /** Absolute origin (and optional path prefix) the public pages are reached at, e.g. `https://fang.example.gov.cn`. */
  readonly publicBaseUrl: string
  /** Whether the store can serve requests now (used by /ready; a rejection counts as not ready). */
  readonly ready: () => Promise<boolean>
  /** Present: XLSX uploads are accepted (the import job reads them streamed); absent: answered 415. */
  readonly parseXlsx?: (bytes: Uint8Array) => Promise<ReadonlyArray<TabularRow>>
  /** Mounts and documents the qualification-case routes (their `run` needs the case services). */
  readonly cases?: CaseRouteDeps
  /** Mounts and documents login and identity administration (their `run` needs the identity services). */
  readonly access?: AccessRouteDeps
  /** Mounts and documents lottery rounds: public publication and management (their `run` needs the lottery services). */
  readonly lottery?: Omit<LotteryRouteDeps, "publicBaseUrl">
  /** Mounts and documents the waiting queues (places, ranking, 保租 offers and windows). */
  readonly queues?: QueueRouteDeps
  /** Mounts and documents the monthly 廉租 rent subsidy (payout lines, R120 confirmation, pause/resume). */
  readonly subsidies?: SubsidyRouteDeps
  /** Mounts and documents house selection on the server (选房 sessions, R54). */
  readonly selections?: SelectionRouteDeps
  /** Mounts and documents lease contracts (网签备案, R89–R107). */
  readonly contracts?: ContractRouteDeps
  /** Mounts and documents the R24 warning list (list within scope, resolution). */
  readonly warnings?: WarningRouteDeps
  /** Mounts and documents the fund's basic data and deposit counter (areas … households, deposits, bills). */
  readonly fundRegistry?: FundRegistryRouteDeps
  /**
   * The process's metrics registry (shared with an in-process worker) and whether /metrics is public
   * (ANJU_METRICS=public) or needs `ops.metrics`; omitted: HTTP counts only, guarded.
   */
  readonly metrics?: { readonly registry: Metrics; readonly public: boolean }
  /** Records every guarded write (and refusal) in the audit log; omitted: nothing is recorded. */
  readonly audit?: (entry: GuardAudit) => Promise<void>
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/iu
const MAX_JSON_BYTES = 1024 * 1024

const mediaType = (c: Context) => (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase()

type RequestIssue = {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** `units[0].bedrooms` from a Standard Schema path under the given root name. */
const fieldPath = (root: string, path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc === "" ? String(k) : `${acc}.${String(k)}`),
    root,
  )

const badRequestBody = (root: string, issues: ReadonlyArray<RequestIssue>): typeof S.BadRequest.Type => {
  const list = issues.map((i) => {
    const path = (i.path ?? []).map((p) => (typeof p === "object" && p !== null ? p.key : p))
    return {
      field: fieldPath(root, path),
      path: path.map((p) => (typeof p === "number" ? p : String(p))),
      message: i.message,
    }
  })
  return {
    error: "invalid_request",
    message: list.map((i) => `${i.field || "(body)"}: ${i.message}`).join("; "),
    issues: list,
  }
}

/** A Standard Schema validator whose failures answer 400 with field paths rooted at `root`. */
const validate = <T extends "json" | "query", Sc extends Schema.Codec<unknown, unknown>>(
  target: T,
  schema: Sc,
  root: string,
) =>
  sValidator(
    target,
    Schema.toStandardSchemaV1(Schema.toCodecJson(schema), { parseOptions: S.STRICT }),
    (result, c) => {
      if (!result.success) return c.json(badRequestBody(root, result.error), 400)
      return undefined
    },
  )

/** Rejects bodies that are not JSON instead of silently validating an empty object. */
const requireJsonBody = async (c: Context, next: () => Promise<void>) => {
  const type = mediaType(c)
  const hasBody =
    c.req.header("content-length") !== undefined || c.req.header("transfer-encoding") !== undefined
  if (type === "" ? hasBody && c.req.header("content-length") !== "0" : !JSON_TYPE.test(type))
    return c.json(unsupported("application/json"), 415)
  return next()
}

const unsupported = (expected: string): typeof S.BadRequest.Type => ({
  error: "unsupported_media_type",
  message: `expected ${expected}`,
})

const tooLarge = (c: Context) =>
  c.json(
    {
      error: "payload_too_large",
      message: "the request body is too large",
    } satisfies typeof S.BadRequest.Type,
    413,
  )

/** The API's unit JSON: the JSON body of an input unit becomes the domain's loosely typed input. */
const toUnitInput = (u: typeof S.UnitInput.Type): UnitInput => ({
  id: u.id,
  buildingId: u.buildingId,
  floor: u.floor,
  roomNo: u.roomNo,
  bedrooms: u.bedrooms,
  halls: u.halls,
  area: S.hundredthsText(u.area),
  orientation: u.orientation ?? null,
  decoration: u.decoration ?? null,
  rent: S.hundredthsText(u.rent),
  marketRent: S.hundredthsText(u.marketRent),
  kind: u.kind ?? null,
})

const target = (unitId: UnitId, version: number | undefined): UnitTarget =>
  version === undefined ? { unitId } : { unitId, expectedVersion: version }

const HTML_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
}

/** The part of an OpenAPI operation the query check reads. */
type OperationDoc =
  | { readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }> }
  | undefined

/** A defect or interruption inside a use-case: logged with its cause, answered 500. */
class Defect extends Error {}
/** The runtime could not provide the services (its layers failed): answered 503. */
class ServicesUnavailable extends Error {}

/** A route module mounted when its services are given: its routes and OpenAPI paths under its prefix. */
const routeModule = <R, P>(
  services: { readonly prefix?: string } | undefined,
  routes: (prefix: string) => R,
  paths: (prefix: string) => P,
): { readonly routes: R; readonly paths: P } | undefined => {
  if (services === undefined) return undefined
  const prefix = services.prefix ?? "/api/v1"
  return { routes: routes(prefix), paths: paths(prefix) }
}

export const makeApp = (deps: AppDeps): Hono => {
  const base = deps.publicBaseUrl.replace(/\/+$/u, "")
  const pageUrl = (code: string) => `${base}/u/${code}`
  const casesPrefix = deps.cases === undefined ? undefined : (deps.cases.prefix ?? "/api/v1")
  const access = deps.access === undefined ? undefined : accessRoutes(deps.access.prefix ?? "/api/v1")
  const lotteryPrefix = deps.lottery === undefined ? undefined : (deps.lottery.prefix ?? "/api/v1")
  const lottery =
    lotteryPrefix === undefined
      ? undefined
      : { routes: lotteryRoutes(lotteryPrefix), paths: lotteryOpenApiPaths(lotteryPrefix) }
  const queues = routeModule(deps.queues, queueRoutes, queueOpenApiPaths)
  const subsidies = routeModule(deps.subsidies, subsidyRoutes, subsidyOpenApiPaths)
  const selections = routeModule(deps.selections, selectionRoutes, selectionOpenApiPaths)
  const contracts = routeModule(deps.contracts, contractRoutes, contractOpenApiPaths)
  const warnings = routeModule(deps.warnings, warningRoutes, warningOpenApiPaths)
  const fundRegistry = routeModule(deps.fundRegistry, fundRegistryRoutes, fundRegistryOpenApiPaths)
  const routes = appRoutes({
    casesPrefix,
    extra: [
      ...(access ?? []),
      ...(lottery?.routes ?? []),
      ...(queues?.routes ?? []),
      ...(subsidies?.routes ?? []),
      ...(selections?.routes ?? []),
      ...(contracts?.routes ?? []),
      ...(warnings?.routes ?? []),
      ...(fundRegistry?.routes ?? []),
    ],
  }).map((r) =>
    r.path === "/metrics" && deps.metrics?.public === true ? { ...r, access: { public: true as const } } : r,
  )
  const openApi = makeOpenApiDocument(base, {
    ...(casesPrefix === undefined ? {} : { casesPrefix }),
    ...(access === undefined ? {} : { access }),
    ...(lottery === undefined ? {} : { lottery }),
    ...(queues === undefined ? {} : { queues }),
    ...(subsidies === undefined ? {} : { subsidies }),
    ...(selections === undefined ? {} : { selections }),
    ...(contracts === undefined ? {} : { contracts }),
    ...(warnings === undefined ? {} : { warnings }),
    ...(fundRegistry === undefined ? {} : { fundRegistry }),
    routes,
  })
  const metrics = deps.metrics?.registry ?? makeMetrics()
  const routeOf = routeMatcher(routes)

  /** Runs a use-case: success value, or the expected failure; defects and interruptions throw (→ 500). */
  const runUseCase = async <A, E extends StockFailure>(
    effect: Effect.Effect<A, E, StockServices>,
  ): Promise<Result.Result<A, E>> => {
    const exit = await deps.run(effect)
    if (Exit.isSuccess(exit)) return Result.succeed(exit.value)
    const failure = Cause.findErrorOption(exit.cause)
    if (Option.isNone(failure)) throw new Defect(Cause.pretty(exit.cause))
    if (isStockFailure(failure.value)) return Result.fail(failure.value as E)
    throw new ServicesUnavailable(failure.value.message)
  }

  /** Runs a use-case and answers JSON: `ok` for success, the mapped error otherwise. */
  const respond = async <A, E extends StockFailure>(
    c: Context,
    effect: Effect.Effect<A, E, StockServices>,
    ok: (a: A) => Response,
  ): Promise<Response> => {
    const r = await runUseCase(effect)
    if (Result.isSuccess(r)) return ok(r.success)
    const h = toHttpError(r.failure)
    return c.json(h.body, h.status, h.headers)
  }

  const unitJson = (u: Unit) => S.unitOutput(u, pageUrl(u.code))

  const app = new Hono()

  // Headers every answer carries are set BEFORE the handler answers: a header added to a finished response
  // makes Hono re-create it around its body stream, and the node adapter then streams the body instead of
  // writing the cached string (a large share of the host's CPU per request, issue 16; docs/performance.md).
  // Answers not made through the context (a raw Response) still get them afterwards.
  app.use("*", async (c, next) => {
    c.header("X-Content-Type-Options", "nosniff")
    await next()
    if (!c.res.headers.has("X-Content-Type-Options")) c.header("X-Content-Type-Options", "nosniff")
    // By route template, never the raw path: ids and probes cannot multiply the series.
    metrics.observeHttp(c.req.method, routeOf(c.req.method, c.req.path)?.path ?? "unmatched", c.res.status)
  })

  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 400)
        return c.json(
          {
            error: err.message.startsWith("Malformed JSON") ? "malformed_json" : "invalid_request",
            message: err.message,
          } satisfies typeof S.BadRequest.Type,
          400,
        )
      return err.getResponse()
    }
    console.error(err instanceof Defect || err instanceof ServicesUnavailable ? err.message : err)
    if (err instanceof ServicesUnavailable)
      return c.json(
        {
          error: "unavailable",
          message: "the stock services are unavailable",
          retryable: true,
        } satisfies typeof S.Problem.Type,
        503,
        {
          "Retry-After": "5",
        },
      )
    return c.json({ error: "internal", message: "internal error" } satisfies typeof S.Problem.Type, 500)
  })

  const noRoute = (c: Context) =>
    c.req.path.startsWith("/u/")
      ? c.html(renderNotFoundPage(), 404, { ...HTML_HEADERS, "Cache-Control": "no-store" })
      : c.json(
          {
            error: "not_found",
            message: `no route ${c.req.method} ${c.req.path.replace(/[^\x20-\x7E]/gu, "?").slice(0, 200)}`,
          } satisfies typeof S.Problem.Type,
          404,
        )
  app.notFound(noRoute)

  // The guard runs before every handler: default deny, authentication, the route's permission.
  app.use(
    "*",
    guard({
      routes,
      notFound: noRoute,
      ...(deps.audit === undefined ? {} : { audit: deps.audit }),
      authenticate: (credential) =>
        deps.run(
          Effect.gen(function* () {
            const verifier = yield* ActorVerifier
            return yield* verifier.verify(credential)
          }),
        ),
    }),
  )

  // Query strings are exact too: an API operation refuses parameters its document does not declare
  // (the public pages under /u/ do not, since messengers append their own, e.g. `?from=…`).
  const match = routeMatcher(routes)
  const documentedQuery = (method: string, path: string): ReadonlySet<string> => {
    const route = match(method, path)
    const op = route === undefined ? undefined : (openApi.paths[route.path]?.[route.method] as OperationDoc)
    return new Set((op?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name))
  }
  app.use("/api/*", async (c, next) => {
    const allowed = documentedQuery(c.req.method, c.req.path)
    const unknown = Object.keys(c.req.queries()).filter((name) => !allowed.has(name))
    if (unknown.length === 0) return next()
    return c.json(
      badRequestBody(
        "query",
        unknown.map((name) => ({
          message: "unknown query parameter",
          path: [name.replace(/[^\x20-\x7E]/gu, "?").slice(0, 40)],
        })),
      ),
      400,
    )
  })

  // --- operations ------------------------------------------------------------------------------

  app.get("/metrics", async (c) =>
    c.body(await metrics.render(), 200, { "Content-Type": METRICS_TYPE, "Cache-Control": "no-store" }),
  )
  app.get("/health", (c) =>
    c.json({ status: "ok" } satisfies typeof S.Health.Type, 200, { "Cache-Control": "no-store" }),
  )
  app.get("/ready", async (c) => {
    const ready = await deps.ready().catch(() => false)
    return ready
      ? c.json({ status: "ready" } satisfies typeof S.Health.Type, 200, { "Cache-Control": "no-store" })
      : c.json({ status: "unavailable" } satisfies typeof S.Health.Type, 503, {
          "Cache-Control": "no-store",
          "Retry-After": "5",
        })
  })
  app.get("/openapi.json", (c) => c.json(openApi, 200, { "Cache-Control": "public, max-age=300" }))
  registerDocsRoutes(app, {
    openApiPath: "/openapi.json",
    document: openApi,
    pageTitle: "Anju API",
    publicBaseUrl: deps.publicBaseUrl,
  })

  // --- JSON API ----------------------------------------------------------------------------------

  const api = new Hono()
  api.use("*", async (c, next) => {
    // The default; a handler's own Cache-Control overrides it (set before answering: see the first use).
    c.header("Cache-Control", "no-store")
    await next()
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store")
  })
  api.on(
    "POST",
    ["/projects", "/buildings", "/units", "/units/*"],
    bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }),
  )
  api.on("POST", ["/projects", "/buildings", "/units", "/units/*"], requireJsonBody)

  api.post("/projects", validate("json", S.ProjectInput, "project"), (c) =>
    respond(c, registerProject(actorOf(c), c.req.valid("json")), (r) => c.json(r, r.created ? 201 : 200)),
  )

  api.post("/buildings", validate("json", S.BuildingInput, "building"), (c) =>
    respond(c, registerBuilding(actorOf(c), c.req.valid("json")), (r) => c.json(r, r.created ? 201 : 200)),
  )

  api.post("/units", validate("json", S.UnitsInput, "units"), (c) =>
    respond(c, registerUnits(actorOf(c), c.req.valid("json").map(toUnitInput)), (r) =>
      c.json(
        {
          units: r.units.map(unitJson),
          created: r.created,
          unchanged: r.unchanged,
        } satisfies typeof S.UnitsRegistered.Type,
        r.created > 0 ? 201 : 200,
      ),
    ),
  )

  api.get("/units", validate("query", S.UnitsQuery, "query"), (c) => {
    const q = c.req.valid("query")
    const query: UnitQuery = {
      limit: q.limit ?? 50,
      ...(q.projectId !== undefined && { projectId: q.projectId }),
      ...(q.buildingId !== undefined && { buildingId: q.buildingId }),
      ...(q.district !== undefined && { district: q.district }),
      ...(q.kind !== undefined && { kind: q.kind }),
      ...(q.status !== undefined && { status: q.status }),
      ...(q.bedrooms !== undefined && { bedrooms: q.bedrooms }),
      ...(q.minArea !== undefined && { minArea: q.minArea }),
      ...(q.maxArea !== undefined && { maxArea: q.maxArea }),
      ...(q.after !== undefined && { after: q.after }),
    }
    return respond(c, listUnits(actorOf(c), query), (page) =>
      c.json({
        items: page.items.map(unitJson),
        total: page.total,
        next: page.next,
      } satisfies typeof S.UnitList.Type),
    )
  })

  api.post("/units/publish", validate("json", S.BulkPublishInput, "body"), (c) => {
    const targets = c.req
      .valid("json")
      .units.map((t) => (typeof t === "string" ? target(t, undefined) : target(t.id, t.version)))
    return respond(c, changeUnits(actorOf(c), targets, { command: "publish" }), (units) =>
      c.json({ units: units.map(unitJson) } satisfies typeof S.UnitsChanged.Type),
    )
  })

  const unitIdParam = (c: Context) => Schema.decodeUnknownOption(UnitId)(c.req.param("id"))
  const noSuchUnit = (c: Context) =>
    c.json(
      {
        error: "not_found",
        message: `no unit ${(c.req.param("id") ?? "").replace(/[^\x20-\x7E]/gu, "?").slice(0, 80)}`,
      } satisfies typeof S.Problem.Type,
      404,
    )

  api.get("/units/:id", (c) => {
    const id = unitIdParam(c)
    if (Option.isNone(id)) return noSuchUnit(c)
    return respond(c, getUnit(actorOf(c), id.value), (u) => c.json(unitJson(u)))
  })

  const LIFE_CYCLE = ["publish", "recall", "lock", "unlock"] as const
  api.post(
    "/units/:id/:command{publish|recall|lock|unlock}",
    validate("json", S.VersionInput, "body"),
    (c) => {
      const id = unitIdParam(c)
      const command = LIFE_CYCLE.find((x) => x === c.req.param("command"))
      if (Option.isNone(id) || command === undefined) return noSuchUnit(c)
      return respond(
        c,
        changeUnits(actorOf(c), [target(id.value, c.req.valid("json").version)], { command }),
        ([u]) => c.json(unitJson(u!)),
      )
    },
  )

  api.post("/units/:id/convert-kind", validate("json", S.ConvertKindInput, "body"), (c) => {
    const id = unitIdParam(c)
    if (Option.isNone(id)) return noSuchUnit(c)
    const body = c.req.valid("json")
    return respond(
      c,
      changeUnits(actorOf(c), [target(id.value, body.version)], {
        command: "convertKind",
        kind: body.kind,
      }),
      ([u]) => c.json(unitJson(u!)),
    )
  })

  // Stock import as jobs (202 + Location, polled): ImportRoutes.ts.
  registerImportRoutes(api, { run: deps.run, actorOf, xlsx: deps.parseXlsx !== undefined })

  /** Canonical code from a path segment, or None when it cannot be a code. */
  const codeParam = (c: Context) => Option.getSuccess(PublicCodeM.parse(c.req.param("code") ?? ""))

  api.get("/codes/:code", (c) => {
    const code = codeParam(c)
    if (Option.isNone(code))
      return c.json({ error: "not_found", message: "no such unit code" } satisfies typeof S.Problem.Type, 404)
    return respond(c, lookupUnitByCode(code.value), (r) =>
      c.json(
        S.publicUnit(r, {
          pageUrl: pageUrl(r.code),
          qrPngUrl: `${pageUrl(r.code)}/qr.png`,
          qrSvgUrl: `${pageUrl(r.code)}/qr.svg`,
        }),
        200,
        { "Cache-Control": "public, max-age=60" },
      ),
    )
  })

  if (deps.cases !== undefined) registerCaseRoutes(app, deps.cases)
  if (deps.access !== undefined) registerAccessRoutes(app, deps.access)
  if (deps.lottery !== undefined) registerLotteryRoutes(app, { ...deps.lottery, publicBaseUrl: base })
  if (deps.queues !== undefined) registerQueueRoutes(app, deps.queues)
  if (deps.subsidies !== undefined) registerSubsidyRoutes(app, deps.subsidies)
  if (deps.selections !== undefined) registerSelectionRoutes(app, deps.selections)
  if (deps.contracts !== undefined) registerContractRoutes(app, deps.contracts)
  if (deps.warnings !== undefined) registerWarningRoutes(app, deps.warnings)
  if (deps.fundRegistry !== undefined) registerFundRegistryRoutes(app, deps.fundRegistry)
  app.route("/api/v1", api)

  // --- public pages ------------------------------------------------------------------------------

  const publicPages = new Hono()
  publicPages.use("*", etag())

  const notFoundPage = (c: Context) =>
    c.html(renderNotFoundPage(), 404, { ...HTML_HEADERS, "Cache-Control": "no-store" })
  const unavailablePage = (c: Context, e: StockFailure) => {
    const h = toHttpError(e)
    return c.html(renderUnavailablePage(), h.status, {
      ...HTML_HEADERS,
      ...h.headers,
      "Cache-Control": "no-store",
    })
  }

  /** Looks the code up; answers the page-level failure itself, or hands the record to `ok`. */
  const withRecord = async (
    c: Context,
    ok: (r: UnitPublicRecord) => Promise<Response> | Response,
    notFound: (c: Context) => Response,
  ) => {
    const code = codeParam(c)
    if (Option.isNone(code)) return notFound(c)
    const r = await runUseCase(lookupUnitByCode(code.value))
    if (Result.isSuccess(r)) return ok(r.success)
    return r.failure._tag === "UnitNotFound" ? notFound(c) : unavailablePage(c, r.failure)
  }

  const qrNotFound = (c: Context) =>
    c.json({ error: "not_found", message: "no such unit code" } satisfies typeof S.Problem.Type, 404, {
      "Cache-Control": "no-store",
    })
  const QR_CACHE = "public, max-age=86400"

  publicPages.get("/:code/qr.png", (c) =>
    withRecord(
      c,
      async (r) =>
        c.body(await qrPng(pageUrl(r.code)), 200, { "Content-Type": "image/png", "Cache-Control": QR_CACHE }),
      qrNotFound,
    ),
  )
  publicPages.get("/:code/qr.svg", (c) =>
    withRecord(
      c,
      async (r) =>
        c.body(await qrSvg(pageUrl(r.code)), 200, {
          "Content-Type": "image/svg+xml; charset=utf-8",
          "Cache-Control": QR_CACHE,
        }),
      qrNotFound,
    ),
  )
  publicPages.get("/:code", (c) => {
    const raw = c.req.param("code")
    const code = codeParam(c)
    if (Option.isSome(code) && code.value !== raw) return c.redirect(`./${code.value}`, 301)
    return withRecord(
      c,
      (r) =>
        c.html(renderUnitPage(r, `./${r.code}/qr.svg`), 200, {
          ...HTML_HEADERS,
          "Cache-Control": "public, max-age=300",
        }),
      notFoundPage,
    )
  })

  app.route("/u", publicPages)
  return app
}
