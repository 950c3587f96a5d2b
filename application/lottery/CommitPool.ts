/**
 * Commit a pool (冻结摇号池, R53): its Merkle root and per-stratum counts, published before any randomness
 * exists, together with whether a standing draw of this pool is on record (then it cannot be drawn again
 * until that draw is annulled). Reads only.
 */
import { Effect, Result } from "effect"
import { type Digests, type HashName, selectDigest } from "../../domain/lottery/Digest.js"
import { commitPool as commit, type Pool, type PoolCommitment } from "../../domain/lottery/Pool.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { LotteryInputRejected } from "./LotteryErrors.js"

export interface PoolStatus {
  readonly commitment: PoolCommitment
  /** The draw that stands for this pool (under any hash), or null when the pool may be drawn. */
  readonly standingDrawId: string | null
}

export const commitPool = Effect.fn("Lottery.commitPool")(function* (input: {
  readonly pool: Pool
  /** Default SM3. */
  readonly hash?: HashName
  readonly digests?: Digests
}) {
  const digest = selectDigest(input.hash ?? "SM3", input.digests)
  if (Result.isFailure(digest)) return yield* new LotteryInputRejected({ issue: digest.failure })
  const commitment = commit(input.pool, digest.success)
  const store = yield* LotteryStore
  const records = yield* store.drawsOfPool(commitment.poolRoot)
  // The store matches the root under either hash, so every record returned is a draw of this pool.
  const standing = records.find((r) => r.annulment === null)
  return { commitment, standingDrawId: standing?.drawId ?? null } satisfies PoolStatus
})
