/**
 * The OpenAPI 3.1 document of the HTTP host. Schemas come from the same Effect Schemas that validate
 * requests and type responses (`Schema.toJsonSchemaDocument`, converted with
 * `JsonSchema.toMultiDocumentOpenApi3_1`, closed objects: unknown fields are refused). The paths are
 * generated from the route table (Routes.ts): each operation gets its summary, tag, `security: []` when
 * public or the bearer / API-key schemes and `x-permission` otherwise, and 401/403 answers; the bodies
 * and responses documented here must exist for exactly the table's operations (checked when built).
 */
import { JsonSchema, Schema } from "effect"
import type { AccessRouteSpec } from "./AccessRoutes.js"
import * as AS from "./AccessSchemas.js"
import * as CS from "./CaseSchemas.js"
import * as S from "./HttpSchemas.js"
import { appRoutes, type RouteSpec } from "./Routes.js"

type Json = JsonSchema.JsonSchema

interface Components {
  readonly schemas: Record<string, Json>
  readonly ref: (schema: Schema.Top) => Json
  readonly inline: (schema: Schema.Top) => Json
}

/** Converts every component schema in one pass so that shared definitions are emitted once. */
const buildComponents = (withCases: boolean, withAccess: boolean): Components => {
  const roots: Array<Schema.Top> = [
    ...S.COMPONENTS,
    S.UnitsInput,
    ...(withCases ? CS.CASE_COMPONENTS : []),
    ...(withAccess ? AS.ACCESS_COMPONENTS : []),
  ]
  const definitions: Record<string, Json> = {}
  const schemas = roots.map((s) => {
    const doc = Schema.toJsonSchemaDocument(s, { onExcessProperty: "error" })
    for (const [name, def] of Object.entries(doc.definitions)) {
      const seen = definitions[name]
      if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(def))
        throw new Error(`two different schemas share the OpenAPI identifier ${name}`)
      definitions[name] = def
    }
    return doc.schema
  })
  const out = JsonSchema.toMultiDocumentOpenApi3_1({
    dialect: "draft-2020-12",
    schemas: schemas as [Json, ...Array<Json>],
    definitions,
  })
  const byRoot = new Map(roots.map((s, i) => [s, out.schemas[i]!]))
  const ref = (schema: Schema.Top): Json => {
    const r = byRoot.get(schema)
    if (r === undefined) throw new Error("schema is not an OpenAPI component root")
    return r
  }
  const inline = (schema: Schema.Top): Json => {
    const doc = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" })
    if (Object.keys(doc.definitions).length > 0)
      throw new Error("inline OpenAPI schemas must not have definitions")
    return doc.schema
  }
  return { schemas: { ...out.definitions }, ref, inline }
}

const json = (schema: Json) => ({ "application/json": { schema } })

export interface OpenApiOptions {
  /** Document the case routes under this prefix (as mounted by registerCaseRoutes); omitted: not mounted. */
  readonly casesPrefix?: string
  /** The route table (default: `appRoutes({ casesPrefix })`, plus the access routes when given). */
  readonly routes?: ReadonlyArray<RouteSpec>
  /** Login and identity administration (AccessRoutes.ts), documented from their own descriptions. */
  readonly access?: ReadonlyArray<AccessRouteSpec>
  /** Lottery rounds (LotteryRoutes.ts): their routes and documented details. */
  readonly lottery?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** Waiting queues (QueueRoutes.ts): their routes and documented details. */
  readonly queues?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** Monthly 廉租 rent subsidy (SubsidyRoutes.ts): its routes and documented details. */
  readonly subsidies?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** House selection on the server (SelectionRoutes.ts): its routes and documented details. */
  readonly selections?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** Lease contracts 网签备案 (ContractRoutes.ts): its routes and documented details. */
  readonly contracts?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** R24 warning list (WarningRoutes.ts): its routes and documented details. */
  readonly warnings?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
  /** Fund basic data and deposit counter (FundRegistryRoutes.ts): its routes and documented details. */
  readonly fundRegistry?: {
    readonly routes: ReadonlyArray<RouteSpec>
    readonly paths: Record<string, Record<string, Operation>>
  }
}

const SECURITY = [{ bearerAuth: [] }, { apiKey: [] }]

type Operation = { readonly responses: Record<string, unknown> } & Record<string, unknown>

/** Paths of the table, each operation's documented detail plus summary, tag, security and 401/403. */
const generatePaths = (
  routes: ReadonlyArray<RouteSpec>,
  details: Record<string, Record<string, Operation>>,
  problem: (description: string) => unknown,
) => {
  const paths: Record<string, Record<string, unknown>> = {}
  const used = new Set<string>()
  for (const r of routes) {
    const detail = details[r.path]?.[r.method]
    if (detail === undefined)
      throw new Error(`route ${r.method.toUpperCase()} ${r.path} has no OpenAPI detail`)
    used.add(`${r.method} ${r.path}`)
    const permission = "permission" in r.access ? r.access.permission : undefined
    const guarded =
      "public" in r.access
        ? { security: [] }
        : {
            security: SECURITY,
            ...(permission === undefined ? {} : { "x-permission": permission }),
            responses: {
              ...detail.responses,
              401: problem("No credential, or an unknown, expired or malformed one"),
              ...(permission === undefined
                ? {}
                : { 403: problem(`The identity lacks the permission \`${permission}\``) }),
            },
          }
    paths[r.path] = {
      ...paths[r.path],
      [r.method]: { tags: [r.tag], summary: r.summary, ...detail, ...guarded },
    }
  }
  for (const [path, ops] of Object.entries(details))
    for (const method of Object.keys(ops))
      if (!used.has(`${method} ${path}`))
        throw new Error(`OpenAPI detail ${method.toUpperCase()} ${path} is not in the route table`)
  return paths
}

export const makeOpenApiDocument = (publicBaseUrl: string, options: OpenApiOptions = {}) => {
  const c = buildComponents(options.casesPrefix !== undefined, options.access !== undefined)
  const problem = (description: string) => ({ description, content: json(c.ref(S.Problem)) })
  const badRequest = {
    description: "Malformed JSON or a body/query of the wrong shape",
    content: json(c.ref(S.BadRequest)),
  }
  const invalid = {
    description: "The input breaks a domain rule (R132 …)",
    content: json(c.ref(S.InvalidInput)),
  }
  const unavailable = problem("The store is busy or unreachable; retry after `Retry-After` seconds")
  const unsupported = { description: "Unsupported Content-Type", content: json(c.ref(S.BadRequest)) }
  const ok = (schema: Schema.Top, description: string) => ({ description, content: json(c.ref(schema)) })
  const body = (schema: Json, required = true) => ({ required, content: json(schema) })
  const unitId = {
    name: "id",
    in: "path",
    required: true,
    schema: { type: "string", pattern: S.ID_TEXT.source },
    description: "Unit id",
  }
  const code = {
    name: "code",
    in: "path",
    required: true,
    schema: { type: "string", minLength: 1, maxLength: 64 },
    description: "Unit public code (16 characters; case, spaces and hyphens are normalised)",
  }
  const register = (summary: string, input: Json, output: Schema.Top, description: string) => ({
    post: {
      tags: ["stock"],
      summary,
      description,
      requestBody: body(input),
      responses: {
        200: ok(output, "Already registered identically (idempotent replay)"),
        201: ok(output, "Registered"),
        400: badRequest,
        409: problem("Conflicts with a stored record"),
        415: unsupported,
        422: invalid,
        503: unavailable,
      },
    },
  })
  const command = (summary: string, input: Schema.Top, required: boolean) => ({
    post: {
      tags: ["units"],
      summary,
      parameters: [unitId],
      requestBody: body(c.ref(input), required),
      responses: {
        200: ok(S.UnitOutput, "The updated unit"),
        400: badRequest,
        404: problem("No such unit"),
        409: problem(
          "Stale version (`stale_version`) or a refused transition (`transition_refused`, with rule and status)",
        ),
        415: unsupported,
        503: unavailable,
      },
    },
  })
  const png = { "image/png": { schema: { type: "string", contentMediaType: "image/png" } } }
  const svg = { "image/svg+xml": { schema: { type: "string" } } }
  const html = { "text/html": { schema: { type: "string" } } }

  const cases = options.casesPrefix === undefined ? undefined : casePaths(c, options.casesPrefix)
  const routes =
    options.routes ??
    appRoutes({
      casesPrefix: options.casesPrefix,
      extra: [
        ...(options.access ?? []),
        ...(options.lottery?.routes ?? []),
        ...(options.queues?.routes ?? []),
        ...(options.subsidies?.routes ?? []),
        ...(options.selections?.routes ?? []),
        ...(options.contracts?.routes ?? []),
        ...(options.warnings?.routes ?? []),
        ...(options.fundRegistry?.routes ?? []),
      ],
    })

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: cases === undefined ? "Anju housing stock API" : "Anju housing-security API",
      version: "1",
      description:
        cases === undefined
          ? "Housing stock (房源) registration, import and life cycle; one code per unit (一房一码). Money is integer fen, area integer 0.01 m²."
          : "Housing stock (房源) registration, import and life cycle; one code per unit (一房一码); qualification cases (资格案件) with authentication and data scopes. Money is integer fen, area integer 0.01 m².",
    },
    servers: [{ url: publicBaseUrl }],
    tags: [
      { name: "stock", description: "Projects, buildings and units" },
      { name: "units", description: "Unit queries and life-cycle commands" },
      { name: "public", description: "Public unit pages and QR codes" },
      { name: "ops", description: "Liveness and readiness" },
      ...(cases === undefined
        ? []
        : [
            {
              name: "cases",
              description:
                "Qualification cases (资格案件) for 公租, 保租, 廉租, 共有产权: intake to admission, scoped by actor",
            },
          ]),
    ],
    paths: generatePaths(
      routes,
      {
        "/openapi.json": {
          get: { responses: { 200: { description: "This document", content: json({ type: "object" }) } } },
        },
        "/docs": {
          get: { responses: { 200: { description: "The reference page", content: html } } },
        },
        "/metrics": {
          get: {
            responses: {
              200: {
                description: "Prometheus text format 0.0.4",
                content: { "text/plain": { schema: { type: "string" } } },
              },
            },
          },
        },
        "/docs/assets/scalar.js": {
          get: {
            responses: {
              200: { description: "Script", content: { "text/javascript": { schema: { type: "string" } } } },
              404: { description: "No bundled reader" },
            },
          },
        },
        "/api/v1/projects": register(
          "Register a project (项目)",
          c.ref(S.ProjectInput),
          S.ProjectRegistered,
          "R132 rules apply",
        ),
        "/api/v1/buildings": register(
          "Register a building (楼栋)",
          c.ref(S.BuildingInput),
          S.BuildingRegistered,
          "R132: total floors 1..100, units per floor 1..30; the project must be registered",
        ),
        "/api/v1/units": {
          ...register(
            "Register units (房屋)",
            c.ref(S.UnitsInput),
            S.UnitsRegistered,
            "All or nothing: any invalid unit rejects the call. Each new unit gets its public code.",
          ),
          get: {
            tags: ["units"],
            summary: "List units with filters and keyset paging",
            parameters: Object.entries(S.UnitsQueryFields).map(([name, f]) => ({
              name,
              in: "query",
              required: false,
              description: f.description,
              schema: c.inline(f.doc),
            })),
            responses: { 200: ok(S.UnitList, "A page of units"), 400: badRequest, 503: unavailable },
          },
        },
        "/api/v1/units/publish": {
          post: {
            tags: ["units"],
            summary: "Publish several units atomically",
            requestBody: body(c.ref(S.BulkPublishInput)),
            responses: {
              200: ok(S.UnitsChanged, "The updated units, in request order"),
              400: badRequest,
              404: problem("One of the units does not exist (nothing changed)"),
              409: problem("A stale version or a refused transition (nothing changed)"),
              415: unsupported,
              503: unavailable,
            },
          },
        },
        "/api/v1/units/{id}": {
          get: {
            tags: ["units"],
            summary: "One unit",
            parameters: [unitId],
            responses: { 200: ok(S.UnitOutput, "The unit"), 404: problem("No such unit"), 503: unavailable },
          },
        },
        "/api/v1/units/{id}/publish": command("Publish (发布) a draft unit", S.VersionInput, false),
        "/api/v1/units/{id}/recall": command("Recall (撤回, R36) an available unit", S.VersionInput, false),
        "/api/v1/units/{id}/lock": command("Lock (锁定, R37) a unit", S.VersionInput, false),
        "/api/v1/units/{id}/unlock": command("Unlock (解锁, R37) a unit", S.VersionInput, false),
        "/api/v1/units/{id}/convert-kind": command(
          "Convert the housing kind (R40: unsupplied units only)",
          S.ConvertKindInput,
          true,
        ),
        "/api/v1/imports": {
          post: {
            tags: ["stock"],
            summary: "Bulk import units from CSV or XLSX",
            description:
              "One row per unit with its building and project columns (CSV, UTF-8 or GB18030; or the first sheet of an XLSX workbook), at most 128 MiB. The file is read streamed and imported as a job off the request path: the answer is 202 with the job and its `Location`; poll `GET /api/v1/imports/{id}`. Without `partial=true` any issue means nothing is written (one transaction); the job's report lists every issue by row, field and rule. Jobs are kept in the host's memory (a restart forgets them).",
            parameters: [
              {
                name: "partial",
                in: "query",
                required: false,
                description: "Write the valid rows even if others have issues",
                schema: { type: "string", enum: ["true", "false"] },
              },
            ],
            requestBody: {
              required: true,
              content: {
                "text/csv": { schema: { type: "string" } },
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                  schema: {
                    type: "string",
                    contentMediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  },
                },
              },
            },
            responses: {
              202: {
                ...ok(S.ImportJob, "Accepted: the import job, queued; poll its `Location`"),
                headers: { Location: { description: "The job's URL", schema: { type: "string" } } },
              },
              400: badRequest,
              413: {
                description: "The file is larger than the import limit",
                content: json(c.ref(S.BadRequest)),
              },
              415: unsupported,
            },
          },
        },
        "/api/v1/imports/{id}": {
          get: {
            tags: ["stock"],
            summary: "An import job",
            description:
              "State (queued, running, succeeded, failed), progress (rows read, checked, written) and, when done, the per-row report (`report.committed` false: nothing was written) or a `problem` (the store was unavailable). Only the identity that submitted the job sees it.",
            parameters: [
              {
                name: "id",
                in: "path",
                required: true,
                schema: { type: "string", minLength: 1, maxLength: 64 },
                description: "Job id from the 202 answer",
              },
            ],
            responses: {
              200: ok(S.ImportJob, "The job"),
              404: problem("No such job (or another identity's, or forgotten after a restart)"),
            },
          },
        },
        "/api/v1/codes/{code}": {
          get: {
            tags: ["public"],
            summary: "The public record behind a unit code",
            parameters: [code],
            responses: {
              200: ok(S.PublicUnit, "The public record"),
              404: problem("Unknown or malformed code"),
            },
          },
        },
        "/u/{code}": {
          get: {
            tags: ["public"],
            summary: "The unit's public page (HTML, for phones)",
            parameters: [code],
            responses: {
              200: { description: "The page", content: html },
              301: { description: "Redirect to the canonical spelling of the code" },
              404: { description: "Unknown or malformed code", content: html },
            },
          },
        },
        "/u/{code}/qr.png": {
          get: {
            tags: ["public"],
            summary: "QR code (PNG) of the unit's page URL",
            parameters: [code],
            responses: {
              200: { description: "PNG image", content: png },
              404: problem("Unknown or malformed code"),
            },
          },
        },
        "/u/{code}/qr.svg": {
          get: {
            tags: ["public"],
            summary: "QR code (SVG) of the unit's page URL",
            parameters: [code],
            responses: {
              200: { description: "SVG image", content: svg },
              404: problem("Unknown or malformed code"),
            },
          },
        },
        "/health": {
          get: {
            tags: ["ops"],
            summary: "Liveness",
            responses: { 200: ok(S.Health, "The process serves requests") },
          },
        },
        "/ready": {
          get: {
            tags: ["ops"],
            summary: "Readiness (the store is reachable)",
            responses: { 200: ok(S.Health, "Ready"), 503: ok(S.Health, "Not ready") },
          },
        },
        ...cases,
        ...(options.access === undefined ? {} : accessPaths(c, options.access)),
        ...options.lottery?.paths,
        ...options.queues?.paths,
        ...options.subsidies?.paths,
        ...options.selections?.paths,
        ...options.contracts?.paths,
        ...options.warnings?.paths,
        ...options.fundRegistry?.paths,
      },
      problem,
    ),
    components: {
      schemas: c.schemas,
      ...{
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "Officers and applicants: a token issued by the deployment's ActorVerifier",
          },
          apiKey: {
            type: "apiKey",
            in: "header",
            name: "X-Api-Key",
            description:
              "Other government systems (办件库, 一窗通办, …): an API key mapped to a system actor",
          },
        },
      },
    },
  }
}

/** The case workflow's paths (CaseRoutes.ts); every operation needs a bearer token or an API key. */
const casePaths = (c: Components, prefix: string): Record<string, Record<string, Operation>> => {
  const problem = (description: string) => ({ description, content: json(c.ref(CS.CaseProblem)) })
  const common = {
    400: problem("Malformed JSON, a body of the wrong shape, or a missing Idempotency-Key"),
    401: problem("Missing or unknown credential (`ActorVerifierError`)"),
    403: problem("Outside the actor's role or data scope (`CaseAccessDenied`); nothing is written"),
    413: problem("The body is too large"),
    503: problem("A store or agency is unavailable; retry"),
  }
  const idempotencyKey = {
    name: "Idempotency-Key",
    in: "header",
    required: true,
    schema: { type: "string", pattern: S.IDEMPOTENCY_KEY.source },
    description:
      "Client-chosen, per actor, 1–128 visible ASCII characters: the same key with the same request returns the stored outcome (`replayed: true`); with another request → 409 IdempotencyKeyReused",
  }
  const caseId = {
    name: "id",
    in: "path",
    required: true,
    schema: { type: "string", pattern: S.ID_TEXT.source },
    description: "Case id",
  }
  const ok = (schema: Schema.Top, description: string) => ({ description, content: json(c.ref(schema)) })
  const body = (schema: Schema.Top) => ({ required: true, content: json(c.ref(schema)) })
  const commandOutcome = {
    200: ok(CS.CaseOutcome, "The case's new state and version"),
    ...common,
    404: problem("No such case (`CaseNotFound`) or unknown command"),
    409: problem(
      "A refused transition (`CaseTransitionRefused`, with `rule`: case.illegal-transition, R57.missing-material, R68.reason-length, …), a reused key, a stale version, or a fairness-guard block",
    ),
    422: problem("Input breaks a rule (`CaseInputRejected`: ID number, phone, bank card, …)"),
  }
  return {
    [`${prefix}/cases`]: {
      post: {
        tags: ["cases"],
        summary: "Open a case on an intake path (R163)",
        description:
          "Officers open `offline` drafts in their scope; systems push `online` (办件库) or `window` (一窗通办) cases; applicants open `online` cases for themselves. The fairness guard runs (R6, R13–R22).",
        parameters: [idempotencyKey],
        requestBody: body(CS.OpenCaseInput),
        responses: {
          ...commandOutcome,
          200: ok(CS.CaseOutcome, "Replayed: the key had served this very request"),
          201: ok(CS.CaseOutcome, "Opened"),
          404: problem("Unknown predecessor"),
        },
      },
      get: {
        tags: ["cases"],
        summary: "The actor's work list: 待办 (todo) or 已办 (done), within scope",
        parameters: [
          {
            name: "box",
            in: "query",
            required: false,
            schema: { type: "string", enum: ["todo", "done"] },
            description: "todo: drafts and cases in review; done: cases the actor has acted on",
          },
          {
            name: "limit",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: 500 },
          },
          {
            name: "after",
            in: "query",
            required: false,
            schema: { type: "string", pattern: S.ID_TEXT.source },
            description: "Paging key: the last case id of the previous page",
          },
        ],
        responses: { 200: ok(CS.CaseList, "A page of case summaries"), 401: common[401], 503: common[503] },
      },
    },
    [`${prefix}/cases/lookup`]: {
      post: {
        tags: ["cases"],
        summary: "Cross-kind look-up by ID number (R5), valid cases only (R1)",
        description: "The ID number travels in the body so it never reaches access logs.",
        requestBody: body(CS.LookupInput),
        responses: {
          200: ok(CS.CaseLookup, "Cases in scope, grouped by kind"),
          ...common,
          422: problem("Not a valid ID number"),
        },
      },
    },
    [`${prefix}/cases/{id}`]: {
      get: {
        tags: ["cases"],
        summary: "Case detail with history; personal data masked",
        parameters: [caseId],
        responses: {
          200: ok(CS.CaseDetail, "The case"),
          401: common[401],
          403: common[403],
          404: problem("No such case"),
          503: common[503],
        },
      },
    },
    [`${prefix}/cases/{id}/verify`]: {
      post: {
        tags: ["cases"],
        summary: "Query the agencies (核查, R68–R88) and store each answer as evidence",
        parameters: [caseId, idempotencyKey],
        requestBody: { required: false, content: json(c.ref(CS.VerifyInput)) },
        responses: { ...commandOutcome, 503: problem("An agency timed out or is unavailable; retry") },
      },
    },
    ...Object.fromEntries(
      CS.ROUTE_COMMANDS.map((command) => [
        `${prefix}/cases/{id}/commands/${command}`,
        {
          post: {
            description:
              "See docs/cases.md for the command's states. Roles: officers run the workflow; applicants only submitSupplement and abandon; systems tick, pre-review and sign in; only the city deletes (R70).",
            parameters: [caseId, idempotencyKey],
            requestBody: { required: false, content: json(c.ref(CS.COMMAND_BODIES[command])) },
            responses: commandOutcome,
          },
        },
      ]),
    ),
  }
}

/** The properties of a query Schema, each with its local definitions resolved (one level is enough for query strings). */
const queryProperties = (schema: Schema.Top): Record<string, Json> => {
  const doc = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" })
  const root = doc.schema as { properties?: Record<string, Json> }
  const resolve = (s: Json): Json => {
    const ref = (s as { $ref?: string }).$ref
    const name = ref?.split("/").pop()
    return name !== undefined && doc.definitions[name] !== undefined ? doc.definitions[name]! : s
  }
  return Object.fromEntries(Object.entries(root.properties ?? {}).map(([k, v]) => [k, resolve(v)]))
}

const ACCESS_ERRORS: Record<number, string> = {
  404: "No such object within the caller's reach (missing and out of reach answer alike)",
  409: "Conflicts with an existing object",
  415: "Unsupported Content-Type (JSON only)",
  422: "Breaks an identity rule (password policy, role, scope); `field` and `rule` name it",
  423: "The login name is locked after repeated failures; retry after `Retry-After` seconds",
}

/** Login and administration paths, documented from the routes' own descriptions (AccessRoutes.ts). */
const accessPaths = (
  c: Components,
  routes: ReadonlyArray<AccessRouteSpec>,
): Record<string, Record<string, Operation>> => {
  const problem = (description: string) => ({ description, content: json(c.ref(AS.AccessProblem)) })
  const out: Record<string, Record<string, Operation>> = {}
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/gu)].map((m) => ({
      name: m[1]!,
      in: "path",
      required: true,
      // The router needs a non-empty segment; the handler decodes the value itself.
      schema: { type: "string", minLength: 1 },
    }))
    const query =
      r.query === undefined
        ? []
        : Object.entries(queryProperties(r.query)).map(([name, schema]) => ({
            name,
            in: "query",
            required: false,
            schema,
          }))
    const parameters = [...pathParams, ...query]
    out[r.path] = {
      ...out[r.path],
      [r.method]: {
        ...(parameters.length === 0 ? {} : { parameters }),
        ...(r.request === undefined
          ? {}
          : { requestBody: { required: true, content: json(c.ref(r.request)) } }),
        responses: {
          [r.status]: { description: "Done", content: json(c.ref(r.response)) },
          400: problem("Malformed JSON or a body/query of the wrong shape (the fields are named)"),
          ...Object.fromEntries(r.errors.map((e) => [e, problem(ACCESS_ERRORS[e] ?? "Refused")])),
          503: problem("The identity store is unavailable; retry"),
        },
      },
    }
  }
  return out
}
