/**
 * Lottery use-cases (R53, R55) over the memory adapters: a draw is recorded with both pool roots and the
 * Clock's time; a second draw of the pool (under either hash) is refused until the first is annulled with
 * a reason; signing goes through the Signer port and verifies; verification reports whether the exact
 * transcript is on record and still stands; rejected input records nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import { sm2 } from "sm-crypto-v2"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { pureSha256, pureSm3 } from "../../domain/lottery/Digest.js"
import { commitPool as commitDomain, makePool } from "../../domain/lottery/Pool.js"
import { parseTranscript, verifyTranscriptSignature } from "../../domain/lottery/Transcript.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { Signer } from "../ports/Signer.js"
import { annulDraw } from "./AnnulDraw.js"
import { commitPool } from "./CommitPool.js"
import { drawLottery } from "./DrawLottery.js"
import { verifyDraw } from "./VerifyDraw.js"

const PRIVATE_KEY = "33f0b9506348f3ce003b116cf148858c1d46196e8fa94bceac21509d6395d01e"
const PUBLIC_KEY =
  "04d6f18559256f650f77f6318448f3b04cba87953b3223ca7a641c7da090635d10c4843daf104bb162c473b1fa12956bc275d407a0be644e4a86594b390ed3d9e6"
/** A test Signer (the SM2 adapter lives in adapters/sm; application tests use no other adapters). */
const testSigner = Layer.succeed(Signer, {
  publicKey: PUBLIC_KEY,
  sign: (bytes) =>
    Effect.sync(() => ({
      algorithm: "SM2-SM3" as const,
      userId: "1234567812345678",
      publicKey: PUBLIC_KEY,
      value: sm2.doSignature(bytes, PRIVATE_KEY, { hash: true, der: false, publicKey: PUBLIC_KEY }),
    })),
})

const services = Layer.mergeAll(MemoryLotteryStore.layer, SeededSecureRandom.layer(7))
const pool = Result.getOrThrow(
  makePool([
    ...Array.from({ length: 6 }, (_, i) => ({ id: `A${i}`, stratum: "P1-2R" })),
    ...Array.from({ length: 4 }, (_, i) => ({ id: `B${i}`, stratum: "P2-1R" })),
  ]),
)
const units = new Map([
  ["P1-2R", 2],
  ["P2-1R", 1],
])
const seed = [{ kind: "digits" as const, digits: "20250601" }]
const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

describe("lottery use-cases (R53, R55)", () => {
  it.effect("draws, records both roots and the Clock's time, and refuses a second draw until annulled", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2025, 5, 1, 2, 0, 0))
      const first = yield* drawLottery({ pool, seed, units, title: "2025 第一批" })
      expect(first.drawId).toMatch(/^LD-[0-9a-f]{20}$/u)
      expect(first.draw.transcript.poolRoot).toBe(commitDomain(pool, pureSm3).poolRoot)
      expect(first.draw.transcript.drawnAt).toBe("2025-06-01T02:00:00.000Z")
      expect(first.record.poolRoots["SHA-256"]).toBe(commitDomain(pool, pureSha256).poolRoot)
      expect(first.record.transcript).toBe(first.transcriptJson)
      expect((yield* commitPool({ pool, hash: "SHA-256" })).standingDrawId).toBe(first.drawId)

      for (const hash of ["SM3", "SHA-256"] as const) {
        const again = yield* Effect.exit(drawLottery({ pool, seed: [{ kind: "digits", digits: "1" }], hash }))
        expect(failureOf(again)).toMatchObject({ _tag: "PoolAlreadyDrawn", drawId: first.drawId })
      }
      yield* TestClock.adjust("1 hour")
      expect(
        failureOf(yield* Effect.exit(annulDraw({ drawId: first.drawId, reason: "重摇" }))),
      ).toMatchObject({
        _tag: "LotteryInputRejected",
      })
      expect(
        failureOf(yield* Effect.exit(annulDraw({ drawId: "LD-none", reason: "公证员未到场" }))),
      ).toMatchObject({
        _tag: "DrawNotFound",
      })
      const annulled = yield* annulDraw({ drawId: first.drawId, reason: " 公证员未到场，依规作废 " })
      expect(annulled.annulment?.reason).toBe("公证员未到场，依规作废")
      expect((yield* commitPool({ pool })).standingDrawId).toBeNull()

      const second = yield* drawLottery({
        pool,
        seed: [{ kind: "digits", digits: "20250602" }],
        units,
        hash: "SHA-256",
      })
      expect(second.draw.transcript.hash).toBe("SHA-256")
      const v1 = yield* verifyDraw({
        pool,
        transcript: first.transcriptJson,
        resultCsv: first.draw.resultCsv,
      })
      expect(v1).toEqual({
        recordedAs: { drawId: first.drawId, standing: false },
        otherDraws: [{ drawId: second.drawId, standing: true }],
      })
      const v2 = yield* verifyDraw({ pool, transcript: second.draw.transcript })
      expect(v2.recordedAs).toEqual({ drawId: second.drawId, standing: true })
    }).pipe(Effect.provide(services)),
  )

  it.effect(
    "signs through the Signer port; asking to sign without one fails before anything is recorded",
    () =>
      Effect.gen(function* () {
        const missing = yield* Effect.exit(drawLottery({ pool, seed, sign: true }))
        expect(failureOf(missing)).toMatchObject({ _tag: "SignerMissing" })
        expect(yield* (yield* LotteryStore).drawsOfPool(commitDomain(pool, pureSm3).poolRoot)).toEqual([])
        const signed = yield* drawLottery({ pool, seed, units, sign: true }).pipe(Effect.provide(testSigner))
        const t = Result.getOrThrow(parseTranscript(signed.record.transcript))
        expect(Result.isSuccess(verifyTranscriptSignature(t, PUBLIC_KEY))).toBe(true)
        const v = yield* verifyDraw({ pool, transcript: t, expectedPublicKey: PUBLIC_KEY })
        expect(v.recordedAs?.drawId).toBe(signed.drawId)
        const forged = yield* Effect.exit(verifyDraw({ pool, transcript: { ...t, title: "改过" } }))
        expect(failureOf(forged)).toMatchObject({ _tag: "SignatureInvalid" })
      }).pipe(Effect.provide(services)),
  )

  it.effect("rejected input records nothing", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(drawLottery({ pool, seed, units: new Map([["P1-2R", 1]]) }))
      expect(failureOf(exit)).toMatchObject({ _tag: "LotteryInputRejected" })
      const badSeed = yield* Effect.exit(drawLottery({ pool, seed: [{ kind: "digits", digits: "12a" }] }))
      expect(failureOf(badSeed)).toMatchObject({ _tag: "LotteryInputRejected" })
      expect((yield* commitPool({ pool })).standingDrawId).toBeNull()
    }).pipe(Effect.provide(services)),
  )
})
