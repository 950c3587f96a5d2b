/**
 * HTTP routes of the monthly 廉租 rent subsidy (R118–R123), declared as data like QueueRoutes: the payout
 * lines of a month with totals per district (`subsidy.read`; a district officer sees their district only),
 * the district's confirmation of a month and pause/resume, housing data and special payouts (R120,
 * `subsidy.manage`). Scope is checked in the use-cases; an agreement outside it answers like a missing one.
 * Failures are typed answers naming field and rule; `subsidyOpenApiPaths` documents every route.
 */
import { Cause, type Effect, Exit, Option, Result, Schema } from "effect"
import type { Context, Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import type { SubsidyStore } from "../../application/ports/SubsidyStore.js"
import {
  compareDistrictLedger,
  confirmDistrict,
  ledgerTemplateFor,
  getAgreement,
  listPayouts,
  pauseSubsidy,
  recordHousing,
  resumeSubsidy,
  specialPayout,
} from "../../application/subsidy/MonthlySubsidy.js"
import type { CaseStore } from "../../application/ports/CaseStore.js"
import type { PayoutLine } from "../../domain/subsidy/SubsidyAgreement.js"
import * as Money from "../../domain/values/Money.js"
import { readJsonBody } from "./JsonBody.js"
import { actorOf, type RouteSpec } from "./Routes.js"

export type SubsidyServices = SubsidyStore | CaseStore | PolicySource

export interface SubsidyRouteDeps {
  /** Runs a use-case on the composition root's runtime (with the subsidy services). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, SubsidyServices>) => Promise<Exit.Exit<A, E | Error>>
  /** API path prefix (default `/api/v1`). */
  readonly prefix?: string
}

const READ = { permission: "subsidy.read" } as const
const MANAGE = { permission: "subsidy.manage" } as const

/** Every subsidy operation, as data (the route table, the guard and OpenAPI are generated from it). */
export const subsidyRoutes = (prefix = "/api/v1"): ReadonlyArray<RouteSpec> => [
  {
    method: "get",
    path: `${prefix}/subsidies`,
    access: READ,
    tag: "subsidies",
    summary:
      "廉租 rent-subsidy payout lines of a month with totals per district (R120), within the caller's scope",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/confirm`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R120 确认: the district confirms its month's computed lines (once)",
  },
  {
    method: "get",
    path: `${prefix}/subsidies/ledger`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R121 台账模板: the district's allocation of a pay month as CSV, paid_yuan to fill in",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/ledger`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R121 台账导入: compare the district's 实发 CSV with its allocation (correct and error counts)",
  },
  {
    method: "get",
    path: `${prefix}/subsidies/agreements/{caseId}`,
    access: READ,
    tag: "subsidies",
    summary: "A case's rent-subsidy agreement: term, status, pauses, housing data",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/agreements/{caseId}/pause`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R120 暂停: pause the subsidy from a date, with a reason",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/agreements/{caseId}/resume`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R120 恢复: resume the subsidy on a date, with a reason",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/agreements/{caseId}/housing`,
    access: MANAGE,
    tag: "subsidies",
    summary: "Record the household's living area (居住面积) or building area (R123) and approved persons",
  },
  {
    method: "post",
    path: `${prefix}/subsidies/agreements/{caseId}/special-payouts`,
    access: MANAGE,
    tag: "subsidies",
    summary: "R120 特殊发放: back-pay (补发) or recovery (追回) over a date range, paid in a month",
  },
]

type Status = 403 | 404 | 409 | 422 | 503
const problem = (c: Context, status: Status, error: string, message: string, extra: object = {}) =>
  c.json({ error, message, ...extra }, status, { "Cache-Control": "no-store" })
const NOT_FOUND = "no subsidy agreement within this identity's reach"

/** Expected failures of the subsidy use-cases → answers (never database text). */
const failure = (c: Context, e: unknown): Response => {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : ""
  const message = e instanceof Error ? e.message : "refused"
  switch (tag) {
    case "AccessDenied":
      return problem(c, 403, "forbidden", message)
    case "SubsidyAgreementNotFound":
      return problem(c, 404, "not_found", NOT_FOUND)
    case "InvalidValue": {
      const v = e as { field: string; rule: string; message: string }
      return problem(c, 422, "invalid_input", v.message, {
        issues: [{ field: v.field, rule: v.rule, message: v.message }],
      })
    }
    case "ParameterNotFound":
      return problem(c, 422, "invalid_input", message, { rule: "policy.parameter-missing" })
    case "SubsidyStoreError": {
      const reason = (e as { reason: { _tag: string } }).reason
      if (reason._tag === "StaleVersion")
        return problem(c, 409, "conflict", "the agreement changed meanwhile; retry")
      if (reason._tag === "NotFound") return problem(c, 404, "not_found", NOT_FOUND)
      break
    }
  }
  return c.json(
    { error: "unavailable", message: "the subsidy services are unavailable", retryable: true },
    503,
    {
      "Retry-After": "5",
    },
  )
}

const answer = async <A>(
  deps: SubsidyRouteDeps,
  c: Context,
  effect: Effect.Effect<A, unknown, SubsidyServices>,
  out: (a: A) => unknown,
): Promise<Response> => {
  const exit = await deps.run(effect)
  if (Exit.isSuccess(exit)) return c.json(out(exit.value) as object, 200, { "Cache-Control": "no-store" })
  const e = Cause.findErrorOption(exit.cause)
  if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
  return failure(c, e.value)
}

export const lineJson = (l: PayoutLine) => ({ ...l, amountText: Money.format(l.amount as Money.Money) })

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u
const DISTRICT = /^\d{6}$/u
const MONTH = "^\\d{4}-(0[1-9]|1[0-2])$"
const DATE = "^\\d{4}-\\d{2}-\\d{2}$"
const Text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))
const ConfirmInput = Schema.Struct({ district: Text(12), month: Text(7) })
const PauseInput = Schema.Struct({ from: Text(10), reason: Text(500) })
const ResumeInput = Schema.Struct({ on: Text(10), reason: Text(500) })
const HousingInput = Schema.Struct({
  livingArea: Schema.optionalKey(Text(20)),
  buildingArea: Schema.optionalKey(Text(20)),
  approvedPersons: Schema.optionalKey(Schema.Int),
})
const SpecialInput = Schema.Struct({
  type: Schema.Literals(["back_pay", "recovery"]),
  from: Text(10),
  to: Text(10),
  month: Text(7),
  reason: Text(500),
})

export const registerSubsidyRoutes = (app: Hono, deps: SubsidyRouteDeps): Hono => {
  const p = deps.prefix ?? "/api/v1"
  for (const [path, maxSize] of [
    [`${p}/subsidies/confirm`, 16 * 1024],
    [`${p}/subsidies/agreements/*`, 16 * 1024],
    [`${p}/subsidies/ledger`, 8 * 1024 * 1024],
  ] as const)
    app.on(
      "POST",
      path,
      bodyLimit({ maxSize, onError: (c) => problem(c, 422, "payload_too_large", "the body is too large") }),
    )
  const bad = (c: Context, b: { status: 400 | 415; message: string }) =>
    c.json({ error: "invalid_request", message: b.message }, b.status, { "Cache-Control": "no-store" })
  const caseIdOf = (c: Context) => c.req.param("caseId") ?? ""

  app.get(`${p}/subsidies`, (c) => {
    const district = c.req.query("district")
    const limit = c.req.query("limit")
    const after = c.req.query("after")
    if (district !== undefined && !DISTRICT.test(district))
      return problem(c, 422, "invalid_input", "district is a six-digit code", {
        issues: [{ field: "district", rule: "district.format", message: "expected a six-digit code" }],
      })
    if (limit !== undefined && !/^\d{1,3}$/u.test(limit))
      return problem(c, 422, "invalid_input", "limit is 1..500", {
        issues: [{ field: "limit", rule: "paging.limit", message: "expected 1..500" }],
      })
    return answer(
      deps,
      c,
      listPayouts(actorOf(c), {
        month: c.req.query("month") ?? "",
        ...(district === undefined ? {} : { district }),
        ...(after === undefined ? {} : { after }),
        ...(limit === undefined ? {} : { limit: Number(limit) }),
      }),
      (r) => ({ ...r, items: r.items.map(lineJson), totalText: Money.format(r.total.amount as Money.Money) }),
    )
  })

  app.post(`${p}/subsidies/confirm`, async (c) => {
    const body = await readJsonBody(c, ConfirmInput)
    if (Result.isFailure(body)) return bad(c, body.failure)
    return answer(deps, c, confirmDistrict(actorOf(c), body.success.district, body.success.month), (r) => r)
  })

  const ledgerQuery = (c: Context) => {
    const district = c.req.query("district") ?? ""
    return DISTRICT.test(district) ? { district, month: c.req.query("month") ?? "" } : undefined
  }
  const badDistrict = (c: Context) =>
    problem(c, 422, "invalid_input", "district is a six-digit code", {
      issues: [{ field: "district", rule: "district.format", message: "expected a six-digit code" }],
    })

  app.get(`${p}/subsidies/ledger`, async (c) => {
    const q = ledgerQuery(c)
    if (q === undefined) return badDistrict(c)
    const exit = await deps.run(ledgerTemplateFor(actorOf(c), q.district, q.month))
    if (Exit.isSuccess(exit))
      return c.body(`\uFEFF${exit.value}\r\n`, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="ledger-${q.district}-${q.month}.csv"`,
        "Cache-Control": "no-store",
      })
    const e = Cause.findErrorOption(exit.cause)
    if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
    return failure(c, e.value)
  })

  app.post(`${p}/subsidies/ledger`, async (c) => {
    const q = ledgerQuery(c)
    if (q === undefined) return badDistrict(c)
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
    if (type !== "text/csv")
      return c.json({ error: "invalid_request", message: "expected text/csv" }, 415, {
        "Cache-Control": "no-store",
      })
    const text = await c.req.text()
    return answer(deps, c, compareDistrictLedger(actorOf(c), q.district, q.month, text), (r) => r)
  })

  app.get(`${p}/subsidies/agreements/:caseId`, (c) => {
    if (!ID.test(caseIdOf(c))) return problem(c, 404, "not_found", NOT_FOUND)
    return answer(deps, c, getAgreement(actorOf(c), caseIdOf(c)), (a) => a)
  })

  app.post(`${p}/subsidies/agreements/:caseId/pause`, async (c) => {
    if (!ID.test(caseIdOf(c))) return problem(c, 404, "not_found", NOT_FOUND)
    const body = await readJsonBody(c, PauseInput)
    if (Result.isFailure(body)) return bad(c, body.failure)
    return answer(deps, c, pauseSubsidy(actorOf(c), caseIdOf(c), body.success), (a) => a)
  })

  app.post(`${p}/subsidies/agreements/:caseId/resume`, async (c) => {
    if (!ID.test(caseIdOf(c))) return problem(c, 404, "not_found", NOT_FOUND)
    const body = await readJsonBody(c, ResumeInput)
    if (Result.isFailure(body)) return bad(c, body.failure)
    return answer(deps, c, resumeSubsidy(actorOf(c), caseIdOf(c), body.success), (a) => a)
  })

  app.post(`${p}/subsidies/agreements/:caseId/housing`, async (c) => {
    if (!ID.test(caseIdOf(c))) return problem(c, 404, "not_found", NOT_FOUND)
    const body = await readJsonBody(c, HousingInput)
    if (Result.isFailure(body)) return bad(c, body.failure)
    return answer(deps, c, recordHousing(actorOf(c), caseIdOf(c), body.success), (a) => a)
  })

  app.post(`${p}/subsidies/agreements/:caseId/special-payouts`, async (c) => {
    if (!ID.test(caseIdOf(c))) return problem(c, 404, "not_found", NOT_FOUND)
    const key = c.req.header("idempotency-key") ?? ""
    if (!/^[A-Za-z0-9._:-]{1,100}$/u.test(key))
      return problem(
        c,
        422,
        "invalid_input",
        "an Idempotency-Key header (1–100 of A-Z a-z 0-9 . _ : -) is required",
        {
          issues: [{ field: "Idempotency-Key", rule: "R120.special-key", message: "required" }],
        },
      )
    const body = await readJsonBody(c, SpecialInput)
    if (Result.isFailure(body)) return bad(c, body.failure)
    return answer(deps, c, specialPayout(actorOf(c), caseIdOf(c), { ...body.success, key }), (r) => ({
      created: r.created,
      line: lineJson(r.line),
    }))
  })
  return app
}

// --- OpenAPI ------------------------------------------------------------------------------------------

const obj = { type: "object" } as const
const doc = (description: string) => ({ description, content: { "application/json": { schema: obj } } })
const caseParam = {
  name: "caseId",
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1, maxLength: 64, pattern: ID.source },
  description: "Case id of the admitted 廉租 case",
}
const str = (description: string, extra: object = {}) => ({ type: "string", description, ...extra })
const body = (required: ReadonlyArray<string>, properties: Record<string, unknown>) => ({
  required: true,
  content: {
    "application/json": { schema: { type: "object", additionalProperties: false, required, properties } },
  },
})
const unavailable = doc("The subsidy store is unavailable; retry after `Retry-After` seconds")
const invalidInput = doc(
  "A field breaks a rule: `issues[]` name the field and the rule (e.g. R120.not-paused)",
)
const badBody = doc("Malformed JSON or a body of the wrong shape")
const AGREEMENT = doc("The agreement after the step (status, pauses, term, housing data, version)")
const agreementOp = (summaryBody: ReturnType<typeof body>) => ({
  post: {
    parameters: [caseParam],
    requestBody: summaryBody,
    responses: {
      200: AGREEMENT,
      400: badBody,
      404: doc("No agreement within the caller's reach"),
      409: doc("The agreement changed meanwhile"),
      415: doc("Unsupported Content-Type (JSON only)"),
      422: invalidInput,
      503: unavailable,
    },
  },
})

/** OpenAPI details of `subsidyRoutes(prefix)` (summary, tag and security come from the route table). */
export const subsidyOpenApiPaths = (
  prefix = "/api/v1",
): Record<string, Record<string, { responses: Record<string, unknown> } & Record<string, unknown>>> => ({
  [`${prefix}/subsidies`]: {
    get: {
      parameters: [
        { name: "month", in: "query", required: true, schema: str("Pay month YYYY-MM", { pattern: MONTH }) },
        {
          name: "district",
          in: "query",
          required: false,
          schema: str("District code (GB/T 2260); outside the caller's scope the list is empty", {
            pattern: "^\\d{6}$",
          }),
        },
        {
          name: "after",
          in: "query",
          required: false,
          schema: str("Line id to continue after (keyset paging)"),
        },
        {
          name: "limit",
          in: "query",
          required: false,
          schema: { type: "integer", minimum: 1, maximum: 500 },
        },
      ],
      responses: {
        200: doc(
          "`items[]` (line id, case, district, month, kind regular/back_pay/recovery, from, to, amount in fen, status computed/confirmed, reason, trace with every formula variable and parameter source), `next`, `totals[]` per district (lines, amount, computed, confirmed), `total`",
        ),
        422: invalidInput,
        503: unavailable,
      },
    },
  },
  [`${prefix}/subsidies/confirm`]: {
    post: {
      requestBody: body(["district", "month"], {
        district: str("District code; a district officer confirms their own", { pattern: "^\\d{6}$" }),
        month: str("Pay month YYYY-MM", { pattern: MONTH }),
      }),
      responses: {
        200: doc(
          "`{ district, month, confirmed }`: how many computed lines became confirmed (0 on a replay)",
        ),
        400: badBody,
        403: doc("The district is outside the caller's scope"),
        415: doc("Unsupported Content-Type (JSON only)"),
        422: invalidInput,
        503: unavailable,
      },
    },
  },
  [`${prefix}/subsidies/ledger`]: {
    get: {
      parameters: [
        {
          name: "month",
          in: "query",
          required: true,
          schema: str("Pay month (实发年-月) YYYY-MM", { pattern: MONTH }),
        },
        {
          name: "district",
          in: "query",
          required: true,
          schema: str("District code", { pattern: "^\\d{6}$" }),
        },
      ],
      responses: {
        200: {
          description:
            "CSV (UTF-8 with BOM): pay_month, case_id, allocated_yuan, paid_yuan (empty, to fill in)",
          content: { "text/csv": { schema: { type: "string" } } },
        },
        403: doc("The district is outside the caller's scope"),
        422: invalidInput,
        503: unavailable,
      },
    },
    post: {
      parameters: [
        { name: "month", in: "query", required: true, schema: str("Pay month YYYY-MM", { pattern: MONTH }) },
        {
          name: "district",
          in: "query",
          required: true,
          schema: str("District code", { pattern: "^\\d{6}$" }),
        },
      ],
      requestBody: {
        required: true,
        content: {
          "text/csv": { schema: { type: "string", description: "The filled template (8 MiB at most)" } },
        },
      },
      responses: {
        200: doc(
          "`{ month, district, rows, correct, errorCount, errors[] }`; each error names row, case and rule (R121.amount-mismatch, R121.not-allocated, R121.missing, R121.duplicate, R121.month, R121.amount-format)",
        ),
        403: doc("The district is outside the caller's scope"),
        415: doc("Unsupported Content-Type (text/csv only)"),
        422: invalidInput,
        503: unavailable,
      },
    },
  },
  [`${prefix}/subsidies/agreements/{caseId}`]: {
    get: {
      parameters: [caseParam],
      responses: { 200: AGREEMENT, 404: doc("No agreement within the caller's reach"), 503: unavailable },
    },
  },
  [`${prefix}/subsidies/agreements/{caseId}/pause`]: agreementOp(
    body(["from", "reason"], {
      from: str("First paused day YYYY-MM-DD", { pattern: DATE }),
      reason: str("Why (e.g. 服刑期间)", { minLength: 1, maxLength: 500 }),
    }),
  ),
  [`${prefix}/subsidies/agreements/{caseId}/resume`]: agreementOp(
    body(["on", "reason"], {
      on: str("First paid day again YYYY-MM-DD", { pattern: DATE }),
      reason: str("Why", { minLength: 1, maxLength: 500 }),
    }),
  ),
  [`${prefix}/subsidies/agreements/{caseId}/housing`]: agreementOp(
    body([], {
      livingArea: str("居住面积 in m² (e.g. 12.00); exactly one of livingArea or buildingArea"),
      buildingArea: str("建筑面积 in m², converted by R123"),
      approvedPersons: { type: "integer", minimum: 1, maximum: 50, description: "核定人数" },
    }),
  ),
  [`${prefix}/subsidies/agreements/{caseId}/special-payouts`]: {
    post: {
      parameters: [
        caseParam,
        {
          name: "Idempotency-Key",
          in: "header",
          required: true,
          schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,100}$" },
          description: "The same key returns the stored line",
        },
      ],
      requestBody: body(["type", "from", "to", "month", "reason"], {
        type: { type: "string", enum: ["back_pay", "recovery"], description: "补发 or 追回" },
        from: str("First day of the range", { pattern: DATE }),
        to: str("Last day of the range", { pattern: DATE }),
        month: str("Pay month YYYY-MM", { pattern: MONTH }),
        reason: str("Why", { minLength: 1, maxLength: 500 }),
      }),
      responses: {
        200: doc("`{ created, line }`: the special line (negative amount for a recovery)"),
        400: badBody,
        404: doc("No agreement within the caller's reach"),
        415: doc("Unsupported Content-Type (JSON only)"),
        422: invalidInput,
        503: unavailable,
      },
    },
  },
})
