/**
 * Verify a published draw (核验, R53): recompute it offline from the pool, the transcript and optionally
 * result.csv (the first mismatch fails, as a typed domain error), then compare with the LotteryStore's
 * records of the pool: is this exact transcript on record, and does it still stand? Reads only.
 */
import { Effect, Result } from "effect"
import type { Digests } from "../../domain/lottery/Digest.js"
import type { Pool } from "../../domain/lottery/Pool.js"
import { encodeTranscript, parseTranscript, type Transcript } from "../../domain/lottery/Transcript.js"
import { verify } from "../../domain/lottery/Verify.js"
import { LotteryStore } from "../ports/LotteryStore.js"

export interface DrawVerification {
  /** The recorded draw with exactly this transcript, or null when none is on record. */
  readonly recordedAs: { readonly drawId: string; readonly standing: boolean } | null
  /** Other draws of the same pool on record (a re-draw after annulment, or a competing transcript). */
  readonly otherDraws: ReadonlyArray<{ readonly drawId: string; readonly standing: boolean }>
}

export const verifyDraw = Effect.fn("Lottery.verifyDraw")(function* (input: {
  readonly pool: Pool
  /** transcript.json text or a decoded transcript. */
  readonly transcript: string | Transcript
  readonly resultCsv?: Uint8Array | string
  readonly digests?: Digests
  /** Require an SM2 signature by this public key. */
  readonly expectedPublicKey?: string
}) {
  let transcript: Transcript
  if (typeof input.transcript === "string") {
    const parsed = parseTranscript(input.transcript)
    if (Result.isFailure(parsed)) return yield* parsed.failure
    transcript = parsed.success
  } else transcript = input.transcript
  const checked = verify({
    pool: input.pool,
    transcript,
    ...(input.resultCsv === undefined ? {} : { resultCsv: input.resultCsv }),
    ...(input.digests === undefined ? {} : { digests: input.digests }),
    ...(input.expectedPublicKey === undefined ? {} : { expectedPublicKey: input.expectedPublicKey }),
  })
  if (Result.isFailure(checked)) return yield* checked.failure
  const text = encodeTranscript(transcript)
  const records = yield* (yield* LotteryStore).drawsOfPool(transcript.poolRoot)
  const same = records.find((r) => r.transcript === text)
  return {
    recordedAs: same === undefined ? null : { drawId: same.drawId, standing: same.annulment === null },
    otherDraws: records
      .filter((r) => r !== same)
      .map((r) => ({ drawId: r.drawId, standing: r.annulment === null })),
  } satisfies DrawVerification
})
