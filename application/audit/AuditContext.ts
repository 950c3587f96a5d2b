/**
 * The audit context of one request or job (审计上下文): who acts, the request id, and — around a
 * decryption of personal data — why and on what object. Hosts provide it per request (`withAuditContext`);
 * use-cases narrow it before opening sealed fields (`withAuditPurpose`). Read by the auditing FieldCipher
 * and by `auditWrite`. Holds no personal data.
 */
import { Context, Effect } from "effect"
import type { Actor } from "../../domain/access/Access.js"

export interface AuditActor {
  readonly id: string
  /** Scope kind of the actor (`city`, `district`, …) or a role word for non-people (`cli`, `worker`). */
  readonly role: string
}

export interface AuditContextShape {
  readonly actor: AuditActor
  readonly requestId: string | null
  /** Why personal data is opened (required for `pii.open`). */
  readonly purpose: string | null
  /** The object personal data is opened for (`case:C-1`); null: only the field is named. */
  readonly object: string | null
}

export class AuditContext extends Context.Service<AuditContext, AuditContextShape>()("anju/AuditContext") {}

/** The audit context of an authenticated actor's request. */
export const auditContextFor = (
  actor: Actor | AuditActor,
  options: {
    readonly requestId?: string | null
    readonly purpose?: string | null
    readonly object?: string | null
  } = {},
): AuditContextShape => ({
  actor: { id: actor.id, role: actor.role },
  requestId: options.requestId ?? null,
  purpose: options.purpose ?? null,
  object: options.object ?? null,
})

/** Runs `self` with this audit context (hosts, per request). */
export const withAuditContext =
  (context: AuditContextShape) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, AuditContext>> =>
    Effect.provideService(self, AuditContext, context)

/**
 * Runs `self` with the current context's purpose and object replaced (use-cases, around decryptions).
 * Without a context in scope, `self` runs unchanged: the decryption then fails as unattributed.
 */
export const withAuditPurpose =
  (purpose: string, object: string | null = null) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.serviceOption(AuditContext), (current) =>
      current._tag === "None"
        ? self
        : Effect.provideService(self, AuditContext, {
            ...current.value,
            purpose,
            object: object ?? current.value.object,
          }),
    )
