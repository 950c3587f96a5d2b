/**
 * Annul a recorded draw (作废, R53) with a reason of at least ANNULMENT_REASON_MIN_LENGTH characters; the
 * time comes from the Clock. The annulment is final and re-opens the pool for one new draw. The store
 * repeats the checks atomically (a concurrent second annulment fails with AlreadyAnnulled).
 */
import { DateTime, Effect, Option, Result } from "effect"
import { makeAnnulment } from "../../domain/lottery/Annulment.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { DrawNotFound, LotteryInputRejected } from "./LotteryErrors.js"

export const annulDraw = Effect.fn("Lottery.annulDraw")(function* (input: {
  readonly drawId: string
  readonly reason: string
}) {
  const store = yield* LotteryStore
  const found = yield* store.getDraw(input.drawId)
  if (Option.isNone(found)) return yield* new DrawNotFound({ drawId: input.drawId })
  const d = found.value
  const annulment = makeAnnulment(
    { drawId: d.drawId, hash: d.hash, poolRoot: d.poolRoot, drawnAt: d.drawnAt },
    { reason: input.reason, annulledAt: yield* DateTime.now },
  )
  if (Result.isFailure(annulment)) return yield* new LotteryInputRejected({ issue: annulment.failure })
  return yield* store.annulDraw(d.drawId, {
    reason: annulment.success.reason,
    annulledAt: annulment.success.annulledAt,
  })
})
