/**
 * Draw a lottery (摇号, R53, R55) with run-once: draw (pure, domain/lottery), refuse when a standing draw of
 * the same pool is on record (under either hash), optionally sign the transcript through the Signer port,
 * then record it — the LotteryStore refuses a concurrent second draw atomically. Time comes from the Clock,
 * the draw id from SecureRandom; nothing is recorded unless the whole draw succeeded.
 */
import { DateTime, Effect, Option, Result } from "effect"
import { checkCanDraw, PoolAlreadyDrawn } from "../../domain/lottery/Annulment.js"
import { type Digests, type HashName, selectDigest, toHex } from "../../domain/lottery/Digest.js"
import { draw, type LotteryDraw } from "../../domain/lottery/Draw.js"
import { commitPool, type Pool } from "../../domain/lottery/Pool.js"
import type { SeedSource } from "../../domain/lottery/Seed.js"
import { encodeTranscript, signingBytes, withSignature } from "../../domain/lottery/Transcript.js"
import { LotteryStore, type StoredDraw } from "../ports/LotteryStore.js"
import { SecureRandom } from "../ports/SecureRandom.js"
import { Signer } from "../ports/Signer.js"
import { LotteryInputRejected, SignerMissing } from "./LotteryErrors.js"

export interface DrawLotteryInput {
  readonly pool: Pool
  readonly seed: ReadonlyArray<SeedSource>
  /** Units per stratum (R55); without them every entrant waits. */
  readonly units?: ReadonlyMap<string, number>
  /** 起始编号; default 1. */
  readonly startNumber?: number
  /** Default SM3. */
  readonly hash?: HashName
  /** Native digests (identical results, faster for large pools). */
  readonly digests?: Digests
  readonly title?: string
  /** Sign the transcript with the Signer in context (SignerMissing when there is none). */
  readonly sign?: boolean
  /** Default: `LD-` + 20 hex characters from SecureRandom. */
  readonly drawId?: string
}

export interface DrawLotteryResult {
  readonly drawId: string
  /** The draw with the (possibly signed) transcript; `resultCsv` are the exact bytes of result.csv. */
  readonly draw: LotteryDraw
  /** transcript.json as recorded (canonical JSON). */
  readonly transcriptJson: string
  readonly record: StoredDraw
}

const otherHash = (h: HashName): HashName => (h === "SM3" ? "SHA-256" : "SM3")

export const drawLottery = Effect.fn("Lottery.drawLottery")(function* (input: DrawLotteryInput) {
  const signer = yield* Effect.serviceOption(Signer)
  if (input.sign === true && Option.isNone(signer)) return yield* new SignerMissing()
  const hash = input.hash ?? "SM3"
  const digest = selectDigest(hash, input.digests)
  const other = selectDigest(otherHash(hash), input.digests)
  if (Result.isFailure(digest)) return yield* new LotteryInputRejected({ issue: digest.failure })
  if (Result.isFailure(other)) return yield* new LotteryInputRejected({ issue: other.failure })
  const now = yield* DateTime.now
  const drawn = draw({
    pool: input.pool,
    seed: input.seed,
    digest: digest.success,
    drawnAt: DateTime.formatIso(now),
    ...(input.units === undefined ? {} : { units: input.units }),
    ...(input.startNumber === undefined ? {} : { startNumber: input.startNumber }),
    ...(input.title === undefined ? {} : { title: input.title }),
  })
  if (Result.isFailure(drawn)) return yield* new LotteryInputRejected({ issue: drawn.failure })
  const t0 = drawn.success.transcript
  const roots = {
    [hash]: t0.poolRoot,
    [otherHash(hash)]: commitPool(input.pool, other.success).poolRoot,
  } as Record<HashName, string>

  // Run-once, checked before signing (the store checks again, atomically, when recording).
  const store = yield* LotteryStore
  const records = yield* store.drawsOfPool(t0.poolRoot)
  const can = checkCanDraw({
    rootOf: (h) => roots[h],
    draws: records.map((r) => ({ drawId: r.drawId, hash: r.hash, poolRoot: r.poolRoot, drawnAt: r.drawnAt })),
    annulments: records.flatMap((r) =>
      r.annulment === null
        ? []
        : [{ drawId: r.drawId, reason: r.annulment.reason, annulledAt: r.annulment.annulledAt }],
    ),
  })
  if (Result.isFailure(can)) return yield* can.failure

  const transcript =
    input.sign === true && Option.isSome(signer)
      ? withSignature(t0, yield* signer.value.sign(signingBytes(t0)))
      : t0
  const drawId = input.drawId ?? `LD-${toHex(yield* (yield* SecureRandom).bytes(10))}`
  const transcriptJson = encodeTranscript(transcript)
  const record = yield* store
    .recordDraw({
      drawId,
      algorithm: transcript.algorithm,
      hash,
      poolRoot: transcript.poolRoot,
      poolRoots: { SM3: roots.SM3, "SHA-256": roots["SHA-256"] },
      entrants: transcript.entrants,
      seedSources: transcript.seed.sources,
      seed: transcript.seed.value,
      transcript: transcriptJson,
      resultDigest: transcript.resultDigest,
      drawnAt: now,
    })
    .pipe(
      Effect.mapError((e) =>
        e.reason._tag === "AlreadyDrawn"
          ? new PoolAlreadyDrawn({ poolRoot: e.reason.poolRoot, drawId: e.reason.drawId })
          : e,
      ),
    )
  return {
    drawId,
    draw: { ...drawn.success, transcript },
    transcriptJson,
    record,
  } satisfies DrawLotteryResult
})
