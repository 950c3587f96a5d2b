/**
 * The one authorisation failure of the use-cases: the actor lacks the permission, or its data scope does
 * not cover the object. Hosts answer it like a missing object where the object is named (no oracle of
 * what exists in another district), 403 otherwise. Carries no personal data.
 */
import { Data, Effect } from "effect"
import { type Actor, hasPermission, type Permission } from "../../domain/access/Access.js"

export class AccessDenied extends Data.TaggedError("AccessDenied")<{
  readonly actorId: string
  readonly permission: Permission
  /** The object refused, when the refusal is about scope (e.g. `unit:U-1`); null for a missing permission. */
  readonly object: string | null
}> {
  override get message(): string {
    return this.object === null
      ? `this identity lacks the permission ${this.permission}`
      : `${this.object} is outside this identity's data scope`
  }
}

/** Fails with AccessDenied unless the actor holds the permission. */
export const requirePermission = (actor: Actor, permission: Permission): Effect.Effect<void, AccessDenied> =>
  hasPermission(actor, permission)
    ? Effect.void
    : Effect.fail(new AccessDenied({ actorId: actor.id, permission, object: null }))
