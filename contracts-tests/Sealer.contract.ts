/**
 * Contract suite for the Sealer port (电子印章, R89/R90): a seal appends to the bytes it is given (the
 * input is a prefix of the output, so earlier seals stay valid); two seals in order, lessor then tenant,
 * both append; sealing a role twice is refused as `Unsealable`, as are bytes that are not a PDF. The
 * cryptographic checks (digest, SM2, chain) belong to the verifier's tests. Run with `suite(name, layer, pdf)`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { Sealer, type SealRequest } from "../application/ports/Sealer.js"

const LESSOR: SealRequest = {
  role: "lessor",
  holder: "91350100M000100Y43",
  name: "闵行区保障房运营有限公司",
  holderKind: "organisation",
  reason: "出租人盖章（R89）",
  signingTime: new Date("2026-12-04T02:00:00Z"),
}
const TENANT: SealRequest = {
  role: "tenant",
  holder: "T-0001",
  name: "张三",
  holderKind: "person",
  reason: "承租人签章（R90）",
  signingTime: new Date("2026-12-04T03:00:00Z"),
}

const isPrefix = (a: Uint8Array, b: Uint8Array) =>
  b.length > a.length && Buffer.from(b.subarray(0, a.length)).equals(Buffer.from(a))

/** `unsealed`: a PDF with `lessor` and `tenant` seal places (e.g. a rendered lease contract). */
export const suite = (name: string, layer: Layer.Layer<Sealer>, unsealed: () => Promise<Uint8Array>) =>
  describe(`Sealer contract: ${name}`, () => {
    it.effect("appends lessor then tenant, each over the previous bytes", () =>
      Effect.gen(function* () {
        const s = yield* Sealer
        const pdf = yield* Effect.promise(unsealed)
        const one = yield* s.seal(pdf, LESSOR)
        const two = yield* s.seal(one, TENANT)
        expect(isPrefix(pdf, one)).toBe(true)
        expect(isPrefix(one, two)).toBe(true)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("refuses a role sealed already and bytes that are not a PDF", () =>
      Effect.gen(function* () {
        const s = yield* Sealer
        const one = yield* s.seal(yield* Effect.promise(unsealed), LESSOR)
        const again = yield* Effect.flip(s.seal(one, LESSOR))
        expect(again.reason._tag).toBe("Unsealable")
        const junk = yield* Effect.flip(s.seal(new TextEncoder().encode("not a pdf"), LESSOR))
        expect(junk.reason._tag).toBe("Unsealable")
        expect(junk.isRetryable).toBe(false)
      }).pipe(Effect.provide(layer)),
    )
  })
