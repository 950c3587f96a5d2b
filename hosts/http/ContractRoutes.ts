/**
 * HTTP routes of lease contracts (网签备案, R89–R107), declared as data like SelectionRoutes: draft from a
 * selection binding, list and read (a tenant: their own), commands (sign, register, revoke, exit, move out,
 * renew, exchange, occupants, clauses), the registration notice (R97/R98), the provident-fund check (R103),
 * violations (R97) and clause templates (R94). Scope is checked in the use-cases; a contract outside it
 * answers exactly like a missing one (404). Refusals are typed 409/422 naming field and rule.
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import {
  type ContractCommand,
  command,
  draftFromSelection,
  fundWithdrawal,
  getContract,
  listContracts,
  manageClause,
  printNotice,
  recordViolation,
  rectifyViolation,
} from "../../application/contract/Contracts.js"
import type { CaseStore } from "../../application/ports/CaseStore.js"
import type { ContractStore } from "../../application/ports/ContractStore.js"
import type { SecureRandom } from "../../application/ports/SecureRandom.js"
import type { SelectionStore } from "../../application/ports/SelectionStore.js"
import type { StockStore } from "../../application/ports/StockStore.js"
import { CONTRACT_KINDS, CONTRACT_STATES, type Contract } from "../../domain/contract/Contract.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type ContractServices = ContractStore | StockStore | SelectionStore | CaseStore | SecureRandom

export interface ContractRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the contract services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, ContractServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const READ = { permission: "contract.read" } as const
const MANAGE = { permission: "contract.manage" } as const
const PRINT = { permission: "contract.print" } as const

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u
const Id = Schema.String.check(Schema.isPattern(ID))
const Text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))
const DATE = /^\d{4}-\d{2}-\d{2}$/u
const DateText = Schema.String.check(Schema.isPattern(DATE))

const DraftInput = Schema.Struct({
  contractId: Id,
  sessionId: Text(200),
  family: Text(100),
  kind: Schema.optionalKey(Schema.Literals(CONTRACT_KINDS)),
  term: Schema.Struct({ start: DateText, end: DateText }),
  corporate: Schema.optionalKey(
    Schema.Struct({
      name: Text(200),
      uscc: Text(18),
      contactName: Text(100),
      contactPhone: Text(30),
      address: Text(300),
    }),
  ),
})

const Empty = Schema.Struct({})
const Person = Schema.Struct({ personIndex: Text(200) })
const COMMAND_INPUTS = {
  "swap-tenant": Schema.Struct({ caseId: Text(64) }),
  "send-for-signature": Schema.Struct({ documentNumber: Text(100), lessorFileDigest: Text(200) }),
  "tenant-signed": Schema.Struct({ documentNumber: Text(100), signedFileDigest: Text(200) }),
  "quick-sign": Empty,
  revoke: Schema.Struct({
    titleCheck: Schema.optionalKey(Schema.Literals(["no-valid-title", "valid-title"])),
  }),
  exit: Empty,
  "move-out": Schema.Struct({ mode: Schema.Literals(["expiry", "early"]) }),
  "change-main-tenant": Person,
  "occupant-leaves": Person,
  "add-co-resident": Person,
  "attach-clauses": Schema.Struct({ templateIds: Schema.Array(Text(64)).check(Schema.isMaxLength(50)) }),
  renew: Schema.Struct({
    successorId: Id,
    end: DateText,
    verdict: Schema.Struct({
      qualifies: Schema.Boolean,
      reason: Schema.String.check(Schema.isMaxLength(500)),
    }),
  }),
  exchange: Schema.Struct({ successorId: Id, unitId: Text(64) }),
} as const
type CommandName = keyof typeof COMMAND_INPUTS

const COMMANDS: ReadonlyArray<readonly [CommandName, string]> = [
  ["swap-tenant", "R91 换签: swap the tenant of a draft (草签) to another admitted case"],
  ["send-for-signature", "R92: the lessor-stamped file is ready; the contract awaits the tenant (乙方待签)"],
  ["tenant-signed", "R90: the tenant-signed file arrived (state and consistency checks) → 备案"],
  ["quick-sign", "R95 签订即备案 / R96 一键生效: register a draft at once"],
  ["revoke", "合同撤销 (R166): unbind person and house, restore the unit; 共有产权 needs titleCheck (R104)"],
  ["exit", "退出网签备案 (R166): unbind; the unit becomes 不可使用 (R38)"],
  ["move-out", "R100 退租: on expiry or early; the unit becomes available"],
  ["change-main-tenant", "R101 主承租人变更: a co-resident becomes the main tenant"],
  ["occupant-leaves", "R101: a co-resident or temporary occupant leaves (time recorded)"],
  ["add-co-resident", "R98: a new co-resident moves in (the notice may be reprinted)"],
  ["attach-clauses", "R94: attach approved supplementary clauses to a draft"],
  ["renew", "R99 续租: only with a qualifying eligibility verdict; a successor contract from the day after"],
  ["exchange", "R102 换房: a new contract on another unit, old unit released, new unit let"],
]

const ViolationInput = Schema.Struct({
  id: Id,
  personIndex: Text(200),
  projectId: Id,
  content: Text(1000),
  occurredOn: DateText,
})
const RectifyInput = Schema.Struct({ personIndex: Text(200), rectifiedOn: DateText })
const ClauseInput = Schema.Struct({
  id: Id,
  title: Text(200),
  text: Text(20_000),
  kind: Schema.NullOr(Schema.Literals(CONTRACT_KINDS)),
})
const REVIEWS = ["submit", "approve", "rollback"] as const

/** Every contract operation, as data (the route table, the guard and OpenAPI are generated from it). */
export const contractRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "post",
    path: `${prefix}/contracts`,
    access: MANAGE,
    tag: "contracts",
    summary: "草签/签约: draft a contract from a selection binding (the family's standing choice)",
  },
  {
    method: "get",
    path: `${prefix}/contracts`,
    access: READ,
    tag: "contracts",
    summary: "Contracts within the caller's scope (a tenant: their own), in id order",
  },
  {
    method: "get",
    path: `${prefix}/contracts/{id}`,
    access: READ,
    tag: "contracts",
    summary: "A contract with its transition log",
  },
  ...COMMANDS.map(
    ([segment, summary]): RouteSpec => ({
      method: "post",
      path: `${prefix}/contracts/{id}/${segment}`,
      access: MANAGE,
      tag: "contracts",
      summary,
    }),
  ),
  {
    method: "post",
    path: `${prefix}/contracts/{id}/print-notice`,
    access: PRINT,
    tag: "contracts",
    summary: "打印备案通知书 (R97 violation block, R98 print rights; reprints counted)",
  },
  {
    method: "get",
    path: `${prefix}/contracts/{id}/fund-withdrawal`,
    access: READ,
    tag: "contracts",
    summary: "R103: may a provident-fund withdrawal be made against this contract today",
  },
  {
    method: "post",
    path: `${prefix}/contract-violations`,
    access: MANAGE,
    tag: "contracts",
    summary: "R97: record a violation (违规违约) of a person in a project",
  },
  {
    method: "post",
    path: `${prefix}/contract-violations/{id}/rectify`,
    access: MANAGE,
    tag: "contracts",
    summary: "R97: enter the rectification date; the violation no longer blocks printing",
  },
  {
    method: "post",
    path: `${prefix}/contract-clauses`,
    access: MANAGE,
    tag: "contracts",
    summary: "R94: create a supplementary-clause template (draft)",
  },
  ...REVIEWS.map(
    (r): RouteSpec => ({
      method: "post",
      path: `${prefix}/contract-clauses/{id}/${r}`,
      access: MANAGE,
      tag: "contracts",
      summary: `R94: ${r} a clause template`,
    }),
  ),
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, extra: object = {}) =>
  c.json({ error, message, ...extra }, status, { "Cache-Control": "no-store" })

const NOT_FOUND = "no such contract within this identity's reach"

/** Expected failures of the contract use-cases → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      return (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", NOT_FOUND)
    case "ContractNotFound":
      return problem(c, 404, "not_found", NOT_FOUND)
    case "SelectionNotFound":
      return problem(c, 404, "not_found", "no such selection session within this identity's reach")
    case "ContractRefusedByRule": {
      const r = e as { status: 409 | 422; field: string; rule: string }
      return problem(c, r.status, "refused", message, { field: r.field, rule: r.rule })
    }
    case "ContractStoreError": {
      const reason = (e as { reason: { _tag: string } }).reason
      if (reason._tag === "RegistrationTaken" || reason._tag === "Conflict")
        return problem(c, 409, "conflict", "the contract changed meanwhile; read it again")
      break
    }
  }
  return c.json(
    { error: "unavailable", message: "the contract services are unavailable", retryable: true },
    503,
    {
      "Retry-After": "5",
    },
  )
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString())
/** A contract as JSON: instants as ISO text. */
export const contractJson = (k: Contract) => ({
  ...k,
  tenantSignedAt: iso(k.tenantSignedAt),
  registeredAt: iso(k.registeredAt),
  endedAt: iso(k.endedAt),
  createdAt: iso(k.createdAt),
})
const outJson = (x: unknown): unknown =>
  typeof x === "object" && x !== null && "successor" in x
    ? {
        old: contractJson((x as unknown as { old: Contract }).old),
        successor: contractJson((x as { successor: Contract }).successor),
      }
    : contractJson(x as Contract)

export const registerContractRoutes = (app: Hono, deps: ContractRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  const answer = async <A>(
    c: Context,
    effect: Effect.Effect<A, unknown, ContractServices>,
    out: (a: A) => unknown,
    status: 200 | 201 = 200,
  ): Promise<Response> => {
    const exit = await deps.run(effect)
    if (Exit.isSuccess(exit))
      return c.json(out(exit.value) as object, status, { "Cache-Control": "no-store" })
    const e = Cause.findErrorOption(exit.cause)
    if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
    return failure(c, e.value)
  }
  app.on(
    "POST",
    [
      `${p}/contracts`,
      `${p}/contracts/*`,
      `${p}/contract-violations`,
      `${p}/contract-violations/*`,
      `${p}/contract-clauses`,
      `${p}/contract-clauses/*`,
    ],
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => problem(c, 422, "payload_too_large", "the body is too large"),
    }),
  )
  const badBody = (c: Context, b: { status: 400 | 415; message: string }) =>
    c.json({ error: "invalid_request", message: b.message }, b.status, { "Cache-Control": "no-store" })
  const idOf = (c: Context) => {
    const id = c.req.param("id") ?? ""
    return ID.test(id) ? id : undefined
  }

  app.post(`${p}/contracts`, async (c) => {
    const body = await readJsonBody(c, DraftInput)
    if (Result.isFailure(body)) return badBody(c, body.failure)
    const { corporate, ...rest } = body.success
    return answer(
      c,
      draftFromSelection(actorOf(c), {
        ...rest,
        ...(corporate === undefined ? {} : { corporate: corporate as never }),
      }),
      (k) => contractJson(k),
      201,
    )
  })

  app.get(`${p}/contracts`, (c) => {
    const limit = Number(c.req.query("limit") ?? "100")
    const state = c.req.query("state")
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return problem(c, 422, "refused", "limit is 1..1000", { field: "limit", rule: "paging.limit" })
    if (state !== undefined && !(CONTRACT_STATES as ReadonlyArray<string>).includes(state))
      return problem(c, 422, "refused", `state is one of ${CONTRACT_STATES.join(", ")}`, {
        field: "state",
        rule: "contract.state",
      })
    const projectId = c.req.query("projectId")
    const unitId = c.req.query("unitId")
    const after = c.req.query("after")
    return answer(
      c,
      listContracts(actorOf(c), {
        limit,
        ...(projectId === undefined ? {} : { projectId }),
        ...(unitId === undefined ? {} : { unitId }),
        ...(after === undefined ? {} : { after }),
        ...(state === undefined ? {} : { states: [state as Contract["state"]] }),
      }),
      (r) => ({ items: r.items.map(contractJson), next: r.next }),
    )
  })

  app.get(`${p}/contracts/:id`, (c) => {
    const id = idOf(c)
    if (id === undefined) return problem(c, 404, "not_found", NOT_FOUND)
    return answer(c, getContract(actorOf(c), id), (r) => ({
      contract: contractJson(r.contract),
      history: r.history.map((h) => ({ ...h, at: iso(h.at) })),
    }))
  })

  app.get(`${p}/contracts/:id/fund-withdrawal`, (c) => {
    const id = idOf(c)
    if (id === undefined) return problem(c, 404, "not_found", NOT_FOUND)
    return answer(c, fundWithdrawal(actorOf(c), id), (r) => r)
  })

  app.post(`${p}/contracts/:id/print-notice`, async (c) => {
    const id = idOf(c)
    if (id === undefined) return problem(c, 404, "not_found", NOT_FOUND)
    return answer(c, printNotice(actorOf(c), id), outJson)
  })

  for (const [segment] of COMMANDS)
    app.post(`${p}/contracts/:id/${segment}`, async (c) => {
      const id = idOf(c)
      if (id === undefined) return problem(c, 404, "not_found", NOT_FOUND)
      const body = await readJsonBody(c, COMMAND_INPUTS[segment] as Schema.Top, true)
      if (Result.isFailure(body)) return badBody(c, body.failure)
      const cmd = { ...(body.success as object), type: segment } as ContractCommand
      return answer(c, command(actorOf(c), id, cmd), outJson)
    })

  app.post(`${p}/contract-violations`, async (c) => {
    const body = await readJsonBody(c, ViolationInput)
    if (Result.isFailure(body)) return badBody(c, body.failure)
    return answer(c, recordViolation(actorOf(c), body.success), (v) => v, 201)
  })
  app.post(`${p}/contract-violations/:id/rectify`, async (c) => {
    const id = idOf(c)
    if (id === undefined) return problem(c, 404, "not_found", "no such violation")
    const body = await readJsonBody(c, RectifyInput)
    if (Result.isFailure(body)) return badBody(c, body.failure)
    return answer(c, rectifyViolation(actorOf(c), { ...body.success, id }), (v) => v)
  })
  app.post(`${p}/contract-clauses`, async (c) => {
    const body = await readJsonBody(c, ClauseInput)
    if (Result.isFailure(body)) return badBody(c, body.failure)
    return answer(c, manageClause(actorOf(c), { action: "create", ...body.success }), (t) => t, 201)
  })
  for (const action of REVIEWS)
    app.post(`${p}/contract-clauses/:id/${action}`, (c) => {
      const id = idOf(c)
      if (id === undefined) return problem(c, 404, "not_found", "no such clause template")
      return answer(c, manageClause(actorOf(c), { action, id }), (t) => t)
    })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const doc = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1, maxLength: 64, pattern: ID.source },
}
const jsonBody = (schema: Schema.Top) => ({
  required: true,
  content: { "application/json": { schema: Schema.toJsonSchemaDocument(schema).schema } },
})
const unavailable = doc("The contract store is unavailable; retry after `Retry-After` seconds")
const REFUSED_409 = doc(
  "Refused by the contract's state (`field`, `rule`: R91…R107, contract.unit-held, contract.changed, …)",
)
const REFUSED_422 = doc(
  "Invalid input (`field`, `rule`: R91.start-within-30-days, R106.corporate-fields, contract.term-order, …)",
)
const commandResponses = {
  200: doc("The contract after the command (renew/exchange: `{ old, successor }`)"),
  400: doc("Malformed JSON or a body of the wrong shape"),
  403: doc("The identity lacks the permission"),
  404: doc("No such contract within the caller's reach"),
  409: REFUSED_409,
  415: doc("Unsupported Content-Type (JSON only)"),
  422: REFUSED_422,
  503: unavailable,
}

/** OpenAPI details of `contractRoutes(prefix)` (summary, tag and security come from the route table). */
export const contractOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => ({
  [`${prefix}/contracts`]: {
    post: {
      requestBody: jsonBody(DraftInput),
      responses: {
        ...commandResponses,
        201: doc("The drafted contract"),
        404: doc("No such selection session within the caller's reach"),
      },
    },
    get: {
      parameters: [
        { name: "projectId", in: "query", required: false, schema: { type: "string" } },
        { name: "unitId", in: "query", required: false, schema: { type: "string" } },
        {
          name: "state",
          in: "query",
          required: false,
          schema: { type: "string", enum: [...CONTRACT_STATES] },
        },
        { name: "after", in: "query", required: false, schema: { type: "string" } },
        {
          name: "limit",
          in: "query",
          required: false,
          schema: { type: "integer", minimum: 1, maximum: 1000 },
        },
      ],
      responses: {
        200: doc("`items[]` and `next`"),
        403: doc("The identity lacks the permission"),
        422: REFUSED_422,
        503: unavailable,
      },
    },
  },
  [`${prefix}/contracts/{id}`]: {
    get: {
      parameters: [idParam],
      responses: {
        200: doc("`contract` and its `history[]`"),
        403: doc("The identity lacks the permission"),
        404: doc("No such contract within the caller's reach"),
        503: unavailable,
      },
    },
  },
  ...Object.fromEntries(
    COMMANDS.map(([segment]) => [
      `${prefix}/contracts/{id}/${segment}`,
      {
        post: {
          parameters: [idParam],
          requestBody: jsonBody(COMMAND_INPUTS[segment] as Schema.Top),
          responses: commandResponses,
        },
      },
    ]),
  ),
  [`${prefix}/contracts/{id}/print-notice`]: {
    post: {
      parameters: [idParam],
      responses: {
        ...commandResponses,
        409: doc("R97.unrectified-violation, R98.print-rights, R98.registered-only"),
      },
    },
  },
  [`${prefix}/contracts/{id}/fund-withdrawal`]: {
    get: {
      parameters: [idParam],
      responses: {
        200: doc("`allowed` and the `rule` deciding it (R103)"),
        404: doc("No such contract within the caller's reach"),
        503: unavailable,
      },
    },
  },
  [`${prefix}/contract-violations`]: {
    post: {
      requestBody: jsonBody(ViolationInput),
      responses: { ...commandResponses, 201: doc("The violation") },
    },
  },
  [`${prefix}/contract-violations/{id}/rectify`]: {
    post: { parameters: [idParam], requestBody: jsonBody(RectifyInput), responses: commandResponses },
  },
  [`${prefix}/contract-clauses`]: {
    post: {
      requestBody: jsonBody(ClauseInput),
      responses: { ...commandResponses, 201: doc("The clause template (draft)") },
    },
  },
  ...Object.fromEntries(
    REVIEWS.map((r) => [
      `${prefix}/contract-clauses/{id}/${r}`,
      { post: { parameters: [idParam], responses: commandResponses } },
    ]),
  ),
})
