/**
 * The one place where expected failures of the stock use-cases become HTTP responses. Domain and
 * application errors carry no status codes; this mapping is exhaustive over their tags, so a new error
 * type fails to compile here instead of leaking out as a 500. Store details (driver text, SQLSTATE,
 * constraint names) never reach a body: the store's own reasons are answered with fixed messages.
 */
import type { AccessDenied } from "../../application/access/AccessDenied.js"
import type { SecureRandomError } from "../../application/ports/SecureRandom.js"
import type { StockStoreError } from "../../application/ports/StockStore.js"
import type { StockInputRejected, UnitNotFound } from "../../application/stock/StockErrors.js"
import type { UnitTransitionRefused } from "../../domain/stock/StockRules.js"
import type { InvalidValue } from "../../domain/values/InvalidValue.js"
import type { InvalidInput, Issue, Problem } from "./HttpSchemas.js"

export type StockFailure =
  | StockInputRejected
  | UnitNotFound
  | StockStoreError
  | UnitTransitionRefused
  | SecureRandomError
  | AccessDenied

const FAILURE_TAGS: ReadonlySet<string> = new Set<StockFailure["_tag"]>([
  "StockInputRejected",
  "UnitNotFound",
  "StockStoreError",
  "UnitTransitionRefused",
  "SecureRandomError",
  "AccessDenied",
])

/** Whether a failure is one of the use-cases' expected errors (anything else is the runtime's own). */
export const isStockFailure = (e: unknown): e is StockFailure =>
  typeof e === "object" && e !== null && "_tag" in e && typeof e._tag === "string" && FAILURE_TAGS.has(e._tag)

export interface HttpError {
  readonly status: 403 | 404 | 409 | 422 | 503
  readonly body: typeof InvalidInput.Type | typeof Problem.Type
  readonly headers: Readonly<Record<string, string>>
}

export const issueOf = (i: Pick<InvalidValue, "field" | "rule" | "value" | "message">): Issue => ({
  field: i.field,
  rule: i.rule,
  value: i.value,
  message: i.message,
})

export const invalidInput = (issues: ReadonlyArray<Issue>): typeof InvalidInput.Type => ({
  error: "invalid_input",
  message: issues.map((i) => `${i.field}: ${i.message} [${i.rule}]`).join("; "),
  issues,
})

/** Seconds a client should wait before retrying a retryable failure. */
const RETRY_AFTER = { contention: "1", unavailable: "5" } as const

export const toHttpError = (e: StockFailure): HttpError => {
  const none = {}
  switch (e._tag) {
    case "StockInputRejected":
      return { status: 422, body: invalidInput(e.issues.map(issueOf)), headers: none }
    case "AccessDenied":
      return { status: 403, body: { error: "forbidden", message: e.message }, headers: none }
    case "UnitNotFound":
      return { status: 404, body: { error: "not_found", message: e.message }, headers: none }
    case "UnitTransitionRefused":
      return {
        status: 409,
        body: {
          error: "transition_refused",
          message: e.message,
          rule: e.rule,
          status: e.status,
          command: e.command,
          unitId: e.unitId,
        },
        headers: none,
      }
    case "SecureRandomError":
      return {
        status: 503,
        body: { error: "unavailable", message: "the secure random source is unavailable", retryable: true },
        headers: { "Retry-After": RETRY_AFTER.unavailable },
      }
    case "StockStoreError": {
      const r = e.reason
      switch (r._tag) {
        case "Conflict":
          return {
            status: 409,
            body: {
              error: "conflict",
              message: `${r.entity} ${r.id} conflicts with a stored record`,
              entity: r.entity,
              id: r.id,
            },
            headers: none,
          }
        case "StaleVersion":
          return {
            status: 409,
            body: {
              error: "stale_version",
              message: e.message,
              unitId: r.id,
              expected: r.expected,
              actual: r.actual,
            },
            headers: none,
          }
        case "MissingReference":
          return {
            status: 422,
            body: invalidInput([
              {
                field: r.entity === "project" ? "building.projectId" : "unit.buildingId",
                rule: "stock.reference-registered",
                value: r.id,
                message: e.message,
              },
            ]),
            headers: none,
          }
        case "Rejected":
          return {
            status: 422,
            body: invalidInput([
              {
                field: r.entity,
                rule: "stock.store-invariant",
                value: r.id,
                message: `the ${r.entity} breaks an invariant of the store: ${r.detail}`,
              },
            ]),
            headers: none,
          }
        case "Contention":
          return {
            status: 503,
            body: { error: "unavailable", message: "the stock store is busy; retry", retryable: true },
            headers: { "Retry-After": RETRY_AFTER.contention },
          }
        case "Unavailable":
          return {
            status: 503,
            body: { error: "unavailable", message: "the stock store is unavailable", retryable: true },
            headers: { "Retry-After": RETRY_AFTER.unavailable },
          }
      }
    }
  }
}
