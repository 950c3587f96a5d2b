/**
 * Querying the audit log (审计日志查询) by actor, object, action and time, with keyset paging; requires the
 * `audit.read` permission. Reading the log is itself recorded (`audit.query` on `audit:log`, the filters in
 * `detail`), so who looked at whose trail is on the trail. Failures: AccessDenied, InvalidValue (a filter
 * naming its field), AuditLogError.
 */
import { Effect } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import { hasUnstorableText, INSTANT_PATTERN } from "../../domain/audit/AuditRecord.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { requirePermission } from "../access/AccessDenied.js"
import { type AuditQuery, MAX_AUDIT_PAGE, AuditLog } from "../ports/AuditLog.js"
import { recordAudit } from "./RecordAudit.js"

const badFilter = (q: AuditQuery) => {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > MAX_AUDIT_PAGE)
    return invalid(
      "limit",
      "AU.query-limit",
      q.limit,
      `limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}`,
    )
  if (q.after !== undefined && (!Number.isSafeInteger(q.after) || q.after < 0))
    return invalid("after", "AU.query-cursor", q.after, "after must be a record number ≥ 0")
  for (const key of ["from", "to"] as const) {
    const v = q[key]
    if (v !== undefined && !INSTANT_PATTERN.test(v))
      return invalid(key, "AU.instant", v, `${key} must be a UTC instant YYYY-MM-DDTHH:MM:SS.sssZ`)
  }
  for (const key of ["actorId", "object", "action"] as const) {
    const v = q[key]
    if (v !== undefined && (v.length === 0 || v.length > 300 || hasUnstorableText(v)))
      return invalid(
        key,
        "AU.query-text",
        "",
        `${key} must be 1–300 characters without NUL or lone surrogates`,
      )
  }
  return null
}

export const queryAudit = Effect.fn("Audit.query")(function* (
  actor: Actor,
  q: AuditQuery,
  options: { readonly requestId?: string | null } = {},
) {
  yield* requirePermission(actor, "audit.read")
  const problem = badFilter(q)
  if (problem !== null) return yield* Effect.fail(problem)
  const log = yield* AuditLog
  const page = yield* log.query(q)
  const { limit: _, after: __, ...filters } = q
  yield* recordAudit({
    actorId: actor.id,
    actorRole: actor.role,
    action: "audit.query",
    object: "audit:log",
    purpose: null,
    outcome: "success",
    requestId: options.requestId ?? null,
    detail: JSON.stringify(filters),
  })
  return page
})
