/**
 * SecureRandom: unpredictable bytes for public codes and tokens (never for lottery draws, which are
 * seeded and verifiable). Production adapters use the OS CSPRNG; test adapters are seeded so that
 * replays produce the same codes.
 */
import { Context, Data, type Effect } from "effect"

export class SecureRandomError extends Data.TaggedError("SecureRandomError")<{
  readonly reason: { readonly _tag: "Unavailable"; readonly detail: string }
}> {
  get isRetryable(): boolean {
    return true
  }
}

export class SecureRandom extends Context.Service<
  SecureRandom,
  { readonly bytes: (n: number) => Effect.Effect<Uint8Array, SecureRandomError> }
>()("anju/SecureRandom") {}
