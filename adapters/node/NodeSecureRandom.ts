/**
 * SecureRandom over the operating system's CSPRNG (node:crypto randomBytes). The production default.
 */
import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { SecureRandom, SecureRandomError } from "../../application/ports/SecureRandom.js"

export const make = SecureRandom.of({
  bytes: (n) =>
    Effect.try({
      try: () => new Uint8Array(randomBytes(n)),
      catch: (e) => new SecureRandomError({ reason: { _tag: "Unavailable", detail: String(e) } }),
    }),
})

export const layer = Layer.succeed(SecureRandom, make)
