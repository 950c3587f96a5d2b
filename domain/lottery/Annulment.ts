/**
 * Run-once rule of the lottery (R53 "杜绝任何人为干预"; R54's "只执行一次" applied to the draw): a pool may be
 * drawn again only after every earlier draw of it has a recorded annulment (作废) with a reason. Pure: the
 * storage port (LotteryStore) supplies the records and enforces atomicity; times and ids are arguments.
 * A pool is "the same" under any hash: records are compared by recomputing the candidate's root per hash.
 */
import { Data, DateTime, Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { HashName } from "./Digest.js"

export interface DrawRecord {
  readonly drawId: string
  readonly hash: HashName
  /** Pool root (hex) under `hash`. */
  readonly poolRoot: string
  readonly drawnAt: DateTime.Utc
}

export interface Annulment {
  readonly drawId: string
  readonly reason: string
  readonly annulledAt: DateTime.Utc
}

export class PoolAlreadyDrawn extends Data.TaggedError("PoolAlreadyDrawn")<{
  readonly poolRoot: string
  /** The earlier draw that still stands. */
  readonly drawId: string
}> {}

/** Minimum length of an annulment reason, in Unicode code points after trimming (e.g. "设备故障" is 4). */
export const ANNULMENT_REASON_MIN_LENGTH = 4

/** Code points of a trimmed reason (so four Chinese characters count as four). */
export const reasonLength = (reason: string): number => [...reason.trim()].length

/**
 * Records an annulment; the reason must have at least ANNULMENT_REASON_MIN_LENGTH code points and the
 * annulment must not precede its draw.
 */
export const makeAnnulment = (
  draw: DrawRecord,
  input: { readonly reason: string; readonly annulledAt: DateTime.Utc },
): Result.Result<Annulment, InvalidValue> => {
  const reason = input.reason.trim()
  if (reasonLength(reason) < ANNULMENT_REASON_MIN_LENGTH)
    return Result.fail(
      invalid(
        "reason",
        "R53.annulment-reason",
        input.reason,
        `an annulment needs a reason of at least ${ANNULMENT_REASON_MIN_LENGTH} characters`,
      ),
    )
  if (DateTime.isLessThan(input.annulledAt, draw.drawnAt))
    return Result.fail(
      invalid(
        "annulledAt",
        "R53.annulment-time",
        DateTime.formatIso(input.annulledAt),
        "an annulment cannot precede its draw",
      ),
    )
  return Result.succeed({ drawId: draw.drawId, reason, annulledAt: input.annulledAt })
}

/**
 * Fails when an earlier, non-annulled draw used the same pool. `rootOf(hash)` gives the candidate pool's
 * root (hex) under `hash`; it is called at most once per hash that appears in `draws`.
 */
export const checkCanDraw = (input: {
  readonly rootOf: (hash: HashName) => string
  readonly draws: ReadonlyArray<DrawRecord>
  readonly annulments: ReadonlyArray<Annulment>
}): Result.Result<void, PoolAlreadyDrawn> => {
  const annulled = new Set(input.annulments.map((a) => a.drawId))
  const roots = new Map<HashName, string>()
  for (const d of input.draws) {
    if (annulled.has(d.drawId)) continue
    let root = roots.get(d.hash)
    if (root === undefined) {
      root = input.rootOf(d.hash).toLowerCase()
      roots.set(d.hash, root)
    }
    if (root === d.poolRoot.toLowerCase())
      return Result.fail(new PoolAlreadyDrawn({ poolRoot: d.poolRoot, drawId: d.drawId }))
  }
  return Result.succeed(undefined)
}
