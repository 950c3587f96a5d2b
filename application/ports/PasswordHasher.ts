/**
 * PasswordHasher: a slow, salted password hash (口令的加盐慢哈希). `hash` encodes algorithm, parameters and
 * salt in the returned string so the work factor can be raised later; `verify` compares in constant time
 * and, given `null` (no such user), does the same work and answers false, so timing reveals nothing.
 */
import { Context, Data, type Effect, type Redacted } from "effect"

export class PasswordHasherError extends Data.TaggedError("PasswordHasherError")<{
  readonly reason: { readonly _tag: "Unavailable"; readonly detail: string }
}> {
  override get message(): string {
    return this.reason.detail
  }
  get isRetryable(): boolean {
    return true
  }
}

export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    readonly hash: (password: Redacted.Redacted<string>) => Effect.Effect<string, PasswordHasherError>
    /** False for a wrong password, a malformed or foreign stored hash, or `null`. */
    readonly verify: (
      password: Redacted.Redacted<string>,
      stored: string | null,
    ) => Effect.Effect<boolean, PasswordHasherError>
  }
>()("anju/PasswordHasher") {}
