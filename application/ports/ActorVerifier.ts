/**
 * ActorVerifier: turns a credential into an actor with a data scope — a bearer token for people
 * (city / district / operating-company officers, applicants), an API key for other government systems.
 * Pluggable (SSO, a key table, a fixed map in tests); the host never decides scope itself.
 */
import { Context, Data, type Effect } from "effect"
import type { Actor } from "../cases/CaseActor.js"

export type Credential =
  | { readonly _tag: "Bearer"; readonly token: string }
  | { readonly _tag: "ApiKey"; readonly key: string }

export type ActorVerifierErrorReason =
  /** Unknown, expired or revoked credential. */
  | { readonly _tag: "Unauthenticated" }
  /** The identity provider cannot be reached: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class ActorVerifierError extends Data.TaggedError("ActorVerifierError")<{
  readonly reason: ActorVerifierErrorReason
}> {
  override get message(): string {
    return this.reason._tag === "Unauthenticated" ? "the credential is not valid" : this.reason.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class ActorVerifier extends Context.Service<
  ActorVerifier,
  { readonly verify: (credential: Credential) => Effect.Effect<Actor, ActorVerifierError> }
>()("anju/ActorVerifier") {}
