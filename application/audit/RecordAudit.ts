/**
 * Recording audit records (记录审计日志): the timestamp comes from Effect's Clock, everything else from the
 * caller or the AuditContext. `recordWrite` is the one line the HTTP routes call after each successful
 * write; `auditWrite` does the same from the AuditContext in scope. Failures: AuditLogError (Rejected names
 * the field and `AU.*` rule).
 */
import { Clock, Effect } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import { type AuditEntry, type AuditOutcome, instantOf } from "../../domain/audit/AuditRecord.js"
import { AuditLog } from "../ports/AuditLog.js"
import { type AuditActor, AuditContext } from "./AuditContext.js"

/** Appends one record stamped with the current instant. */
export const recordAudit = Effect.fn("Audit.record")(function* (entry: Omit<AuditEntry, "at">) {
  const log = yield* AuditLog
  const now = yield* Clock.currentTimeMillis
  return yield* log.append({ ...entry, at: instantOf(now) })
})

export interface WriteAudit {
  readonly actor: Actor | AuditActor
  /** Dotted verb of the write: `stock.registerUnits`, `cases.command.reject`. */
  readonly action: string
  /** `<kind>:<id>` of the object written: `unit:U-1`. */
  readonly object: string
  readonly requestId?: string | null
  readonly outcome?: AuditOutcome
  readonly detail?: string | null
}

/** `yield* recordWrite({ actor, action: "stock.registerUnits", object: "unit:U-1", requestId })`. */
export const recordWrite = (w: WriteAudit) =>
  recordAudit({
    actorId: w.actor.id,
    actorRole: w.actor.role,
    action: w.action,
    object: w.object,
    purpose: null,
    outcome: w.outcome ?? "success",
    requestId: w.requestId ?? null,
    detail: w.detail ?? null,
  })

/** `yield* auditWrite("stock.registerUnits", "unit:U-1")`, attributed from the AuditContext in scope. */
export const auditWrite = (
  action: string,
  object: string,
  options: { readonly outcome?: AuditOutcome; readonly detail?: string | null } = {},
) =>
  Effect.flatMap(Effect.service(AuditContext), (ctx) =>
    recordWrite({ actor: ctx.actor, action, object, requestId: ctx.requestId, ...options }),
  )
