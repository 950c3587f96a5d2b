/**
 * ActorVerifier over the IdentityStore: a Bearer session token (`anju_s_…`, from login) or an API key
 * (`anju_k_…`) is looked up by its SHA-256 digest. Expired, revoked or unknown secrets, and sessions of
 * disabled users, are Unauthenticated — at the very next request after a logout, revocation or disable.
 * The actor holds exactly the union of its roles' permissions. Secrets without the prefix are declined
 * without a look-up (so a chain can pass them on); a store failure is Unavailable (retryable).
 */
import { Effect, Layer, Option } from "effect"
import { API_KEY_PREFIX, apiKeyActor, SESSION_PREFIX, sessionActor } from "../../application/access/Login.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import { IdentityStore } from "../../application/ports/IdentityStore.js"

const unauthenticated = new ActorVerifierError({ reason: { _tag: "Unauthenticated" } })

export const make = Effect.gen(function* () {
  const store = yield* IdentityStore
  return ActorVerifier.of({
    verify: (credential) => {
      const secret = credential._tag === "Bearer" ? credential.token : credential.key
      const prefix = credential._tag === "Bearer" ? SESSION_PREFIX : API_KEY_PREFIX
      if (!secret.startsWith(prefix)) return Effect.fail(unauthenticated)
      const lookup = credential._tag === "Bearer" ? sessionActor(secret) : apiKeyActor(secret)
      return lookup.pipe(
        Effect.provideService(IdentityStore, store),
        Effect.mapError(
          (e) =>
            new ActorVerifierError({
              reason: { _tag: "Unavailable", detail: `identity store: ${e.message}` },
            }),
        ),
        Effect.flatMap(Option.match({ onNone: () => Effect.fail(unauthenticated), onSome: Effect.succeed })),
      )
    },
  })
})

export const layer: Layer.Layer<ActorVerifier, never, IdentityStore> = Layer.effect(ActorVerifier, make)
