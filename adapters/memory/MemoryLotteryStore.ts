/**
 * In-memory LotteryStore: the reference implementation the contract suite is written against. JavaScript's
 * single thread makes each call atomic, so run-once holds under concurrent fibers: the standing-draw check
 * and the insert happen in one synchronous step. Records are kept as given (drawnAt to the millisecond).
 */
import { DateTime, Effect, Layer, Option, Result } from "effect"
import { checkAnnulment, newDrawViolation, sameDraw } from "../../application/lottery/DrawRecordRules.js"
import {
  type DrawAnnulment,
  LotteryStore,
  LotteryStoreError,
  type NewDraw,
  type StoredDraw,
} from "../../application/ports/LotteryStore.js"

const fail = (reason: LotteryStoreError["reason"]) => Effect.fail(new LotteryStoreError({ reason }))

const atMillis = (t: DateTime.Utc): DateTime.Utc =>
  DateTime.makeUnsafe(DateTime.toEpochMillis(t)) as DateTime.Utc

export const make = Effect.sync((): LotteryStore["Service"] => {
  const draws = new Map<string, StoredDraw>()

  const recordDraw = (draw: NewDraw) =>
    Effect.suspend(() => {
      const broken = newDrawViolation(draw)
      if (broken !== undefined) return fail({ _tag: "Rejected", detail: broken })
      const old = draws.get(draw.drawId)
      if (old !== undefined)
        return sameDraw(old, draw)
          ? Effect.succeed(old)
          : fail({ _tag: "Conflict", drawId: draw.drawId, detail: "a draw with this id has other content" })
      for (const d of draws.values())
        if (
          d.annulment === null &&
          (d.poolRoots.SM3 === draw.poolRoots.SM3 || d.poolRoots["SHA-256"] === draw.poolRoots["SHA-256"])
        )
          return fail({ _tag: "AlreadyDrawn", poolRoot: draw.poolRoot, drawId: d.drawId })
      const stored: StoredDraw = {
        ...draw,
        seedSources: structuredClone(draw.seedSources),
        drawnAt: atMillis(draw.drawnAt),
        annulment: null,
      }
      draws.set(draw.drawId, stored)
      return Effect.succeed(stored)
    })

  const annulDraw = (drawId: string, annulment: DrawAnnulment) =>
    Effect.suspend(() => {
      const d = draws.get(drawId)
      if (d === undefined) return fail({ _tag: "NotFound", drawId })
      if (d.annulment !== null) return fail({ _tag: "AlreadyAnnulled", drawId })
      const checked = checkAnnulment(d, annulment)
      if (Result.isFailure(checked)) return fail({ _tag: "Rejected", detail: checked.failure })
      const next: StoredDraw = {
        ...d,
        annulment: { reason: checked.success.reason, annulledAt: atMillis(checked.success.annulledAt) },
      }
      draws.set(drawId, next)
      return Effect.succeed(next)
    })

  return {
    recordDraw,
    annulDraw,
    getDraw: (drawId) => Effect.sync(() => Option.fromUndefinedOr(draws.get(drawId))),
    drawsOfPool: (poolRoot) =>
      Effect.sync(() => {
        const root = poolRoot.toLowerCase()
        return [...draws.values()]
          .filter((d) => d.poolRoots.SM3 === root || d.poolRoots["SHA-256"] === root)
          .sort(
            (a, b) =>
              DateTime.toEpochMillis(a.drawnAt) - DateTime.toEpochMillis(b.drawnAt) ||
              (a.drawId < b.drawId ? -1 : a.drawId > b.drawId ? 1 : 0),
          )
      }),
  }
})

export const layer = Layer.effect(LotteryStore, make)
