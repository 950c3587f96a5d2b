/**
 * FieldCipher decorator that audits every decryption (个人信息解密留痕, GB/T 39786): each `open` appends a
 * `pii.open` record naming the actor, request, purpose, object and field, taken from the AuditContext in
 * scope. Plaintext is returned only after its record is stored; a failed decryption is recorded with
 * outcome `failure`. Opening without an attributable context (no AuditContext and no fallback, or no
 * purpose) is a wiring defect and dies: no personal data leaves unattributed. `seal`, `blindIndex` and
 * `rewrap` pass through unaudited (they reveal nothing to the caller).
 */
import { Data, Effect, Layer, Option } from "effect"
import type { AuditOutcome } from "../../domain/audit/AuditRecord.js"
import { AuditLog } from "../ports/AuditLog.js"
import { FieldCipher, FieldCipherError, type SealedField, type SensitiveField } from "../ports/FieldCipher.js"
import { AuditContext, type AuditContextShape } from "./AuditContext.js"
import { recordAudit } from "./RecordAudit.js"

/** A decryption was attempted with no actor or no purpose in scope: the host or use-case forgot to say who and why. */
export class UnattributedDecryption extends Data.TaggedError("UnattributedDecryption")<{
  readonly field: SensitiveField
  readonly missing: "context" | "purpose"
}> {
  override get message(): string {
    return this.missing === "context"
      ? `opening a sealed ${this.field} needs an AuditContext (who and why): provide it per request`
      : `opening a sealed ${this.field} needs a purpose in the AuditContext (withAuditPurpose)`
  }
}

export interface AuditingOptions {
  /** Attribution when no AuditContext is in scope (a batch job's fixed identity); absent: such opens die. */
  readonly fallback?: AuditContextShape
}

/** Wraps `inner` so that every open is recorded in `log`. */
export const wrap = (
  inner: FieldCipher["Service"],
  log: AuditLog["Service"],
  options: AuditingOptions = {},
): FieldCipher["Service"] => {
  const record = (
    ctx: AuditContextShape,
    field: SensitiveField,
    sealed: SealedField,
    outcome: AuditOutcome,
  ) =>
    recordAudit({
      actorId: ctx.actor.id,
      actorRole: ctx.actor.role,
      action: "pii.open",
      object: ctx.object ?? `pii:${field}`,
      purpose: ctx.purpose,
      outcome,
      requestId: ctx.requestId,
      detail: `field=${field} key=${sealed.keyId}`,
    }).pipe(
      Effect.provideService(AuditLog, log),
      Effect.mapError(
        (e) =>
          new FieldCipherError({
            reason: { _tag: "Unavailable", detail: `the decryption could not be audited: ${e.message}` },
          }),
      ),
    )
  return FieldCipher.of({
    seal: inner.seal,
    blindIndex: inner.blindIndex,
    rewrap: inner.rewrap,
    open: (field, sealed) =>
      Effect.gen(function* () {
        const found = yield* Effect.serviceOption(AuditContext)
        const ctx = Option.isSome(found) ? found.value : options.fallback
        if (ctx === undefined)
          return yield* Effect.die(new UnattributedDecryption({ field, missing: "context" }))
        if (ctx.purpose === null || ctx.purpose.trim() === "")
          return yield* Effect.die(new UnattributedDecryption({ field, missing: "purpose" }))
        const opened = yield* Effect.result(inner.open(field, sealed))
        yield* record(ctx, field, sealed, opened._tag === "Success" ? "success" : "failure")
        return yield* Effect.fromResult(opened)
      }),
  })
}

/** The auditing cipher over the FieldCipher and AuditLog the caller provides (`Layer.provide(Sm4FieldCipher…)`). */
export const layer = (
  options: AuditingOptions = {},
): Layer.Layer<FieldCipher, never, FieldCipher | AuditLog> =>
  Layer.effect(
    FieldCipher,
    Effect.gen(function* () {
      return wrap(yield* FieldCipher, yield* AuditLog, options)
    }),
  )
