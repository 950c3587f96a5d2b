import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SecureRandom } from "../../application/ports/SecureRandom.js"
import { layer } from "./NodeSecureRandom.js"

it.effect("returns the requested number of bytes, different on each call", () =>
  Effect.gen(function* () {
    const random = yield* SecureRandom
    const a = yield* random.bytes(32)
    const b = yield* random.bytes(32)
    expect(a).toHaveLength(32)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  }).pipe(Effect.provide(layer)),
)
