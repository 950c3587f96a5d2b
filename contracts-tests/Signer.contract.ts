/**
 * Contract suite for the Signer port (数字签名, R53 transcript signing): a signature of a transcript's
 * signing bytes verifies with the domain's pure verifier under the signer's own public key; tampered bytes,
 * another key or another user id fail; the input bytes are not modified; arbitrary bytes round-trip.
 * Run with `suite(name, layer)`; adapters with a fixed key and real nonces both satisfy it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer, Result } from "effect"
import fc from "fast-check"
import { Signer } from "../application/ports/Signer.js"
import {
  decodeTranscript,
  signingBytes,
  sm2SignatureValid,
  type Transcript,
  verifyTranscriptSignature,
  withSignature,
} from "../domain/lottery/Transcript.js"

const TRANSCRIPT: Transcript = Result.getOrThrow(
  decodeTranscript({
    algorithm: "anju-lottery/1",
    hash: "SM3",
    poolRoot: "0425fe3b3970da220c2b713d021ab1260e72c9deb79fec09acb1107435d597cd",
    entrants: 5,
    startNumber: 1,
    seed: {
      sources: [{ kind: "digits", digits: "20250601", note: "公证处" }],
      value: "3a9de858b89b0b555685c37deb3fee9f2f31d56f4dcac3e6df0e3ce074289cc7",
    },
    strata: [
      { stratum: "P1-2R", entrants: 3, units: 1, winners: 1 },
      { stratum: "P2-1R", entrants: 2, units: 1, winners: 1 },
    ],
    resultDigest: "27d99c792711cd554974977000f2cc2c7664ecc62b1b5f27cb76bda7fcb40939",
  }),
)

export const suite = (name: string, layer: Layer.Layer<Signer, unknown>) =>
  describe(`Signer contract: ${name}`, () => {
    const run = <A, E>(f: (s: Signer["Service"]) => Effect.Effect<A, E>) =>
      Effect.gen(function* () {
        return yield* f(yield* Signer)
      }).pipe(Effect.provide(layer))

    it.effect("a signed transcript verifies under the signer's public key", () =>
      run((signer) =>
        Effect.gen(function* () {
          const bytes = signingBytes(TRANSCRIPT)
          const copy = bytes.slice()
          const signature = yield* signer.sign(bytes)
          expect(bytes).toEqual(copy)
          expect(signature.algorithm).toBe("SM2-SM3")
          expect(signature.value).toMatch(/^[0-9a-f]{128}$/u)
          expect(signature.publicKey.toLowerCase()).toBe(signer.publicKey.toLowerCase())
          expect(signature.publicKey).toMatch(/^04[0-9a-fA-F]{128}$/u)
          const signed = withSignature(TRANSCRIPT, signature)
          expect(Result.isSuccess(verifyTranscriptSignature(signed, signer.publicKey))).toBe(true)
          // The signature covers the transcript without itself: re-signing gives another valid signature.
          const again = withSignature(signed, yield* signer.sign(signingBytes(signed)))
          expect(Result.isSuccess(verifyTranscriptSignature(again, signer.publicKey))).toBe(true)
        }),
      ),
    )

    it.effect("tampered bytes, another key or another user id fail verification", () =>
      run((signer) =>
        Effect.gen(function* () {
          const signed = withSignature(TRANSCRIPT, yield* signer.sign(signingBytes(TRANSCRIPT)))
          const s = signed.signature!
          for (const tampered of [
            { ...signed, entrants: 6 },
            {
              ...signed,
              seed: { ...signed.seed, sources: [{ kind: "digits" as const, digits: "20250602" }] },
            },
            { ...signed, title: "changed after signing" },
            { ...signed, signature: { ...s, userId: `${s.userId}0` } },
            {
              ...signed,
              signature: { ...s, value: `${s.value.slice(0, 127)}${s.value.endsWith("0") ? "1" : "0"}` },
            },
          ])
            expect(Result.isFailure(verifyTranscriptSignature(tampered))).toBe(true)
          const foreign = `04${"11".repeat(64)}`
          expect(Result.isFailure(verifyTranscriptSignature(signed, foreign))).toBe(true)
          expect(
            Result.isFailure(
              verifyTranscriptSignature({ ...signed, signature: { ...s, publicKey: foreign } }),
            ),
          ).toBe(true)
        }),
      ),
    )

    it.effect("any bytes round-trip, and flipping one bit breaks the signature", () =>
      run((signer) =>
        Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(), async (bytes, bit) => {
              const signature = await Effect.runPromise(signer.sign(bytes))
              expect(sm2SignatureValid(bytes, signature)).toBe(true)
              const flipped = bytes.length === 0 ? Uint8Array.of(0) : bytes.slice()
              if (bytes.length > 0) {
                const i = bit % (8 * bytes.length)
                flipped[i >> 3] = flipped[i >> 3]! ^ (1 << (i & 7))
              }
              expect(sm2SignatureValid(flipped, signature)).toBe(false)
            }),
            { numRuns: 12 },
          ),
        ),
      ),
    )
  })
