/**
 * A composite ActorVerifier: tries several in order (e.g. stored sessions → OIDC → static table) and the
 * first that accepts the credential wins. If none accepts, the answer is Unavailable when any of them was
 * unavailable (the credential might be valid: retry), else Unauthenticated.
 */
import { Context, Effect, Layer, Result } from "effect"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"

export const make = (verifiers: ReadonlyArray<ActorVerifier["Service"]>): ActorVerifier["Service"] =>
  ActorVerifier.of({
    verify: (credential) =>
      Effect.gen(function* () {
        let unavailable: ActorVerifierError | undefined
        for (const v of verifiers) {
          const r = yield* Effect.result(v.verify(credential))
          if (Result.isSuccess(r)) return r.success
          if (r.failure.reason._tag === "Unavailable") unavailable ??= r.failure
        }
        return yield* unavailable ?? new ActorVerifierError({ reason: { _tag: "Unauthenticated" } })
      }),
  })

/** One ActorVerifier from the verifiers each layer builds, tried in the order given. */
export const layer = <E, R>(
  layers: ReadonlyArray<Layer.Layer<ActorVerifier, E, R>>,
): Layer.Layer<ActorVerifier, E, R> =>
  Layer.effect(
    ActorVerifier,
    Effect.gen(function* () {
      const verifiers: Array<ActorVerifier["Service"]> = []
      // Built in the chain's own scope, so each verifier's resources live as long as the chain.
      for (const l of layers) verifiers.push(Context.get(yield* Layer.build(l), ActorVerifier))
      return make(verifiers)
    }),
  )
