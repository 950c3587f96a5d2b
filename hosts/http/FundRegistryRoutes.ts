/**
 * HTTP routes of the maintenance fund's basic data and deposit counter (M11–M45), declared as data like
 * the other route modules: areas, buildings, entrances, households (owners sealed), split, stage
 * conversion, ownership transfer, notices, deposits with bills, refunds, the bill ledger, the household's
 * account and its deposit status (M32). Writes need `fund.write`, reads `fund.read`; the data scope is
 * checked in the use-cases (staff by district, property company/owners' committee by area, owner by
 * household) and an object outside it answers like a missing one. Failures are typed 4xx naming field
 * and rule; `fundRegistryOpenApiPaths` documents every route.
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import {
  areaStructure,
  changeTrail,
  registerArea,
  registerBuilding,
  registerEntrance,
  registerHousehold,
  splitHouseholdAs,
} from "../../application/fund/BasicData.js"
import {
  billLedger,
  billStep,
  convertStage,
  depositStatusOf,
  householdAccount,
  issueNotices,
  recordDeposit,
  recordRefund,
  stockBills,
  transferOwnershipAs,
} from "../../application/fund/DepositDesk.js"
import type { FieldCipher } from "../../application/ports/FieldCipher.js"
import type { FundRegistry } from "../../application/ports/FundRegistry.js"
import type { Ledger } from "../../application/ports/Ledger.js"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import { refundReasons, supplementaryReasons } from "../../domain/fund/Deposits.js"
import type { FundStructure } from "../../domain/fund/FundStructure.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type FundRegistryServices = FundRegistry | Ledger | FieldCipher | PolicySource

export interface FundRegistryRouteDeps {
  /** Runs a use-case on the composition root's runtime (registry, ledger, cipher, policy). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, FundRegistryServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const W = { permission: "fund.write" } as const
const R = { permission: "fund.read" } as const
const route = (
  method: "get" | "post",
  path: string,
  access: typeof W | typeof R,
  summary: string,
): RouteSpec => ({
  method,
  path,
  access,
  tag: "fund",
  summary,
})

/** Every operation, as data (the route table, the guard and OpenAPI are generated from it). */
export const fundRegistryRoutes = (p = "/api/v1"): ReadonlyArray<RouteSpec> => [
  route(
    "post",
    `${p}/fund/areas`,
    W,
    "M13 物业管理区域: register a property management area (district, stage 代管/自管)",
  ),
  route("get", `${p}/fund/areas/{areaId}`, R, "M13 an area's buildings, entrances and households"),
  route("post", `${p}/fund/areas/{areaId}/buildings`, W, "M13 楼幢: register a building of the area"),
  route("post", `${p}/fund/areas/{areaId}/entrances`, W, "M13 单元: register an entrance of a building"),
  route(
    "post",
    `${p}/fund/areas/{areaId}/households`,
    W,
    "M13/M14 分户: register a household with its owners (sealed, M26)",
  ),
  route(
    "post",
    `${p}/fund/areas/{areaId}/stage`,
    W,
    "M43/A17 阶段转换: convert the area 代管⇄自管, balances moved",
  ),
  route("get", `${p}/fund/areas/{areaId}/changes`, R, "M12 the change trail of the area"),
  route(
    "post",
    `${p}/fund/households/{id}/split`,
    W,
    "M15 分割: split a household (area conserved, balances by A18)",
  ),
  route("post", `${p}/fund/households/{id}/transfer`, W, "M44 过户: change owners, notice the shortfall"),
  route("get", `${p}/fund/households/{id}/account`, R, "分户账: balance, deposits, notices of a household"),
  route("get", `${p}/fund/households/{id}/deposit-status`, R, "M32 deposit status for a house transaction"),
  route(
    "post",
    `${p}/fund/notices`,
    W,
    "M35 交款通知: single or batch payment notices of the determined amount (M34)",
  ),
  route("post", `${p}/fund/deposits`, W, "M29/M31 交存: record a deposit receipted by a bill (A1)"),
  route("post", `${p}/fund/refunds`, W, "M30/M40 退款 with a reason category (A2/A3)"),
  route("post", `${p}/fund/bills`, W, "M42 票据入库: stock in a printed range"),
  route("post", `${p}/fund/bills/issue`, W, "M42 票据领用: issue bills to a staff member"),
  route("post", `${p}/fund/bills/void`, W, "M42 票据作废: void unused bills"),
  route("post", `${p}/fund/bills/write-off`, W, "M42 票据核销: write off used or voided bills"),
  route("get", `${p}/fund/bills`, R, "M42 the bill ledger, reconciled with the deposits"),
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, extra: object = {}) =>
  c.json({ error, message, ...extra }, status, { "Cache-Control": "no-store" })
const NOT_FOUND = "no such fund record within this identity's reach"
const unavailable = (c: Context) =>
  c.json({ error: "unavailable", message: "the fund registry is unavailable", retryable: true }, 503, {
    "Retry-After": "5",
  })

const tagOf = (e: unknown) =>
  typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""

/** Expected failures → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const message = e instanceof Error ? e.message : "refused"
  switch (tagOf(e)) {
    case "AccessDenied":
      return (e as { object: string | null }).object === null
        ? problem(c, 403, "forbidden", message)
        : problem(c, 404, "not_found", NOT_FOUND)
    case "FundRecordNotFound":
      return problem(c, 404, "not_found", NOT_FOUND)
    case "InvalidValue": {
      const v = e as { field: string; rule: string }
      return problem(c, 422, "invalid_request", message, { field: v.field, rule: v.rule })
    }
    case "ParameterNotFound":
      return problem(c, 422, "invalid_request", "no deposit standard is in force on that date", {
        field: "date",
        rule: "M34.parameter",
      })
    case "FundRegistryError": {
      const r = (e as { reason: { _tag: string; field?: string; rule?: string; ledger?: { _tag: string } } })
        .reason
      switch (r._tag) {
        case "NotFound":
          return problem(c, 404, "not_found", message)
        case "Conflict":
          return problem(c, 409, "conflict", message)
        case "Rejected":
          return problem(c, 422, "invalid_request", message, { field: r.field, rule: r.rule })
        case "Ledger":
          return r.ledger?._tag === "Overdrawn"
            ? problem(c, 422, "invalid_request", "the sub-account does not hold that much", {
                field: "amount",
                rule: "A.non-negative",
              })
            : r.ledger?._tag === "Conflict"
              ? problem(c, 409, "conflict", "the journal entry id is already posted with other content")
              : problem(c, 422, "invalid_request", "the journal refused the entry", {
                  field: "amount",
                  rule: "JE",
                })
        default:
          return unavailable(c)
      }
    }
    default:
      return unavailable(c)
  }
}

const answer = async <A>(
  deps: FundRegistryRouteDeps,
  c: Context,
  effect: Effect.Effect<A, unknown, FundRegistryServices>,
  out: (a: A) => unknown = (a) => a,
  status: 200 | 201 = 200,
): Promise<Response> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return c.json(out(exit.value) as object, status, { "Cache-Control": "no-store" })
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return failure(c, e.value)
}

const structureJson = (s: FundStructure) => ({
  areas: [...s.areas.values()],
  buildings: [...s.buildings.values()],
  entrances: [...s.entrances.values()],
  households: [...s.households.values()],
})

// --- bodies ---------------------------------------------------------------------------------------

const Id = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u))
const Date_ = Schema.String.check(Schema.isPattern(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u))
const Fen = Schema.Int.check(Schema.isGreaterThan(0))
const Book = Schema.Literals(["commodity", "public"])
const Kind = Schema.Literals(["first", "continued", "retro", "reraise", "transfer-in", "supplementary"])
const Owner = Schema.Struct({
  id: Id,
  kind: Schema.Literals(["person", "organisation"]),
  name: Schema.String,
  idNumber: Schema.optionalKey(Schema.String),
  phone: Schema.optionalKey(Schema.String),
})
const AreaBody = Schema.Struct({
  id: Id,
  name: Schema.String,
  district: Schema.String,
  stage: Schema.Literals(["custody", "self-managed"]),
})
const BuildingBody = Schema.Struct({
  id: Id,
  name: Schema.String,
  type: Schema.Literals(["multi-storey", "high-rise"]),
  hasLift: Schema.Boolean,
})
const EntranceBody = Schema.Struct({ id: Id, buildingId: Id, name: Schema.String })
const HouseholdBody = Schema.Struct({
  id: Id,
  entranceId: Id,
  area: Schema.Int,
  book: Book,
  owners: Schema.Array(Owner),
})
const StageBody = Schema.Struct({
  to: Schema.Literals(["custody", "self-managed"]),
  date: Schema.optionalKey(Date_),
})
const SplitBody = Schema.Struct({
  date: Date_,
  into: Schema.Array(Schema.Struct({ id: Id, area: Schema.Int })),
})
const TransferBody = Schema.Struct({ id: Id, owners: Schema.Array(Owner), date: Schema.optionalKey(Date_) })
const NoticeBody = Schema.Struct({
  id: Id,
  households: Schema.Array(Id),
  kind: Kind,
  reason: Schema.optionalKey(Schema.Literals(supplementaryReasons)),
  amount: Schema.optionalKey(Fen),
  on: Schema.optionalKey(Date_),
})
const DepositBody = Schema.Struct({
  id: Id,
  household: Id,
  kind: Kind,
  reason: Schema.optionalKey(Schema.Literals(supplementaryReasons)),
  amount: Schema.optionalKey(Fen),
  date: Schema.optionalKey(Date_),
  billNo: Schema.optionalKey(Schema.String),
  noticeId: Schema.optionalKey(Schema.String),
})
const RefundBody = Schema.Struct({
  id: Id,
  household: Id,
  reason: Schema.Literals(refundReasons),
  amount: Fen,
  currentYear: Schema.Boolean,
  date: Schema.optionalKey(Date_),
})
const StockBody = Schema.Struct({ batch: Id, prefix: Schema.String, first: Schema.Int, count: Schema.Int })
const IssueBody = Schema.Struct({ numbers: Schema.Array(Schema.String), staff: Schema.String })
const VoidBody = Schema.Struct({ numbers: Schema.Array(Schema.String), reason: Schema.String })
const NumbersBody = Schema.Struct({ numbers: Schema.Array(Schema.String) })

export const registerFundRegistryRoutes = (app: Hono, deps: FundRegistryRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  app.on(
    "POST",
    `${p}/fund/*`,
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => problem(c, 422, "payload_too_large", "the body is too large"),
    }),
  )
  const post = <S extends Schema.Top>(
    path: string,
    schema: S,
    handle: (c: Context, body: S["Type"]) => Effect.Effect<unknown, unknown, FundRegistryServices>,
    status: 200 | 201 = 201,
  ) =>
    app.post(path, async (c) => {
      const body = await readJsonBody(c, schema)
      if (Result.isFailure(body))
        return c.json({ error: "invalid_request", message: body.failure.message }, body.failure.status, {
          "Cache-Control": "no-store",
        })
      return answer(deps, c, handle(c, body.success), (a) => a, status)
    })
  const areaId = (c: Context) => c.req.param("areaId") ?? ""
  const id = (c: Context) => c.req.param("id") ?? ""
  const date = (d: string | undefined) => (d === undefined ? {} : { date: d as CivilDate })
  const dated = <T extends { readonly date?: string }>(b: T) => {
    const { date: d, ...rest } = b
    return { ...rest, ...date(d) }
  }

  post(`${p}/fund/areas`, AreaBody, (c, b) => registerArea(actorOf(c), b))
  app.get(`${p}/fund/areas/:areaId`, (c) =>
    answer(deps, c, areaStructure(actorOf(c), areaId(c)), structureJson),
  )
  post(`${p}/fund/areas/:areaId/buildings`, BuildingBody, (c, b) =>
    registerBuilding(actorOf(c), { ...b, areaId: areaId(c) }),
  )
  post(`${p}/fund/areas/:areaId/entrances`, EntranceBody, (c, b) =>
    registerEntrance(actorOf(c), { ...b, areaId: areaId(c) }),
  )
  post(`${p}/fund/areas/:areaId/households`, HouseholdBody, (c, b) =>
    registerHousehold(actorOf(c), { ...b, areaId: areaId(c) }),
  )
  post(
    `${p}/fund/areas/:areaId/stage`,
    StageBody,
    (c, b) => convertStage(actorOf(c), { areaId: areaId(c), to: b.to, ...date(b.date) }),
    200,
  )
  app.get(`${p}/fund/areas/:areaId/changes`, (c) =>
    answer(deps, c, changeTrail(actorOf(c), areaId(c)), (items) => ({ items })),
  )
  post(`${p}/fund/households/:id/split`, SplitBody, (c, b) =>
    splitHouseholdAs(actorOf(c), { household: id(c), date: b.date as CivilDate, into: b.into }),
  )
  post(
    `${p}/fund/households/:id/transfer`,
    TransferBody,
    (c, b) =>
      transferOwnershipAs(actorOf(c), { id: b.id, household: id(c), owners: b.owners, ...date(b.date) }),
    200,
  )
  app.get(`${p}/fund/households/:id/account`, (c) => answer(deps, c, householdAccount(actorOf(c), id(c))))
  app.get(`${p}/fund/households/:id/deposit-status`, (c) => {
    const on = c.req.query("on")
    if (on !== undefined && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u.test(on))
      return problem(c, 422, "invalid_request", "on is a date YYYY-MM-DD", { field: "on", rule: "M32.date" })
    return answer(
      deps,
      c,
      depositStatusOf(actorOf(c), { household: id(c), ...(on === undefined ? {} : { on: on as CivilDate }) }),
    )
  })
  post(`${p}/fund/notices`, NoticeBody, (c, b) =>
    issueNotices(
      actorOf(c),
      (({ on, ...rest }) => ({ ...rest, ...(on === undefined ? {} : { on: on as CivilDate }) }))(b),
    ),
  )
  post(`${p}/fund/deposits`, DepositBody, (c, b) => recordDeposit(actorOf(c), dated(b)))
  post(`${p}/fund/refunds`, RefundBody, (c, b) => recordRefund(actorOf(c), dated(b)))
  post(`${p}/fund/bills`, StockBody, (c, b) => stockBills(actorOf(c), b))
  post(`${p}/fund/bills/issue`, IssueBody, (c, b) => billStep(actorOf(c), { step: "issue", ...b }), 200)
  post(`${p}/fund/bills/void`, VoidBody, (c, b) => billStep(actorOf(c), { step: "void", ...b }), 200)
  post(
    `${p}/fund/bills/write-off`,
    NumbersBody,
    (c, b) => billStep(actorOf(c), { step: "write-off", ...b }),
    200,
  )
  app.get(`${p}/fund/bills`, (c) => {
    const batch = c.req.query("batch")
    const staff = c.req.query("staff")
    return answer(
      deps,
      c,
      billLedger(actorOf(c), {
        ...(batch === undefined ? {} : { batch }),
        ...(staff === undefined ? {} : { staff }),
      }),
    )
  })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const doc = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const pathParam = (name: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" },
})
const errors = {
  400: doc("Malformed JSON or a body of the wrong shape"),
  403: doc("The identity lacks the permission"),
  404: doc("No such record within the caller's reach (outside the scope answers alike)"),
  409: doc("An id or bill number already recorded"),
  422: doc("A rule refused the request: `field` and `rule` name it (e.g. M42.used-once, M15.area-conserved)"),
  503: doc("The registry is unavailable; retry after `Retry-After` seconds"),
}
const body = (schema: Schema.Top) => ({
  required: true,
  content: { "application/json": { schema: Schema.toJsonSchemaDocument(schema).schema } },
})

/** OpenAPI details of `fundRegistryRoutes(prefix)` (summary, tag and security come from the route table). */
export const fundRegistryOpenApiPaths = (
  p = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => {
  const write = (schema: Schema.Top, ok: string, params: ReadonlyArray<object> = []) => ({
    post: {
      parameters: params,
      requestBody: body(schema),
      responses: { 200: doc(ok), 201: doc(ok), ...errors },
    },
  })
  const read = (ok: string, params: ReadonlyArray<object>) => ({
    get: { parameters: params, responses: { 200: doc(ok), ...errors } },
  })
  const area = [pathParam("areaId")]
  const hh = [pathParam("id")]
  return {
    [`${p}/fund/areas`]: write(AreaBody, "The area"),
    [`${p}/fund/areas/{areaId}`]: read("`areas`, `buildings`, `entrances`, `households` of the area", area),
    [`${p}/fund/areas/{areaId}/buildings`]: write(BuildingBody, "The building", area),
    [`${p}/fund/areas/{areaId}/entrances`]: write(EntranceBody, "The entrance", area),
    [`${p}/fund/areas/{areaId}/households`]: write(
      HouseholdBody,
      "The household (owner ids; personal data sealed)",
      area,
    ),
    [`${p}/fund/areas/{areaId}/stage`]: write(
      StageBody,
      "The area in its new stage and the A17 entry ids",
      area,
    ),
    [`${p}/fund/areas/{areaId}/changes`]: read("`items[]`: the change records (M12) in order", area),
    [`${p}/fund/households/{id}/split`]: write(
      SplitBody,
      "The parts with the principal and income moved",
      hh,
    ),
    [`${p}/fund/households/{id}/transfer`]: write(
      TransferBody,
      "The transfer, the shortfall and its notice (or null)",
      hh,
    ),
    [`${p}/fund/households/{id}/account`]: read("Balance (principal, income), deposits, notices, stage", hh),
    [`${p}/fund/households/{id}/deposit-status`]: {
      get: {
        parameters: [
          ...hh,
          { name: "on", in: "query", required: false, schema: { type: "string", format: "date" } },
        ],
        responses: { 200: doc("due, deposited, shortfall, settled"), ...errors },
      },
    },
    [`${p}/fund/notices`]: write(NoticeBody, "The notices issued"),
    [`${p}/fund/deposits`]: write(DepositBody, "The deposit record (a replayed id returns the stored one)"),
    [`${p}/fund/refunds`]: write(RefundBody, "The refund record"),
    [`${p}/fund/bills`]: {
      ...write(StockBody, "The numbers stocked"),
      ...read("`bills[]` and `reconciliation` with the deposits", [
        { name: "batch", in: "query", required: false, schema: { type: "string" } },
        { name: "staff", in: "query", required: false, schema: { type: "string" } },
      ]),
    },
    [`${p}/fund/bills/issue`]: write(IssueBody, "The bills issued"),
    [`${p}/fund/bills/void`]: write(VoidBody, "The bills voided"),
    [`${p}/fund/bills/write-off`]: write(NumbersBody, "The bills written off"),
  }
}
