/**
 * In-memory LotteryStore: the reference implementation the contract suite is written against. JavaScript's
 * single thread makes each call atomic, so run-once holds under concurrent fibers: the standing-draw check
 * and the insert happen in one synchronous step. Records are kept as given (drawnAt to the millisecond).
 * A round's draw is linked to it in the same synchronous step as the draw is recorded.
 */
import { DateTime, Effect, Layer, Option, Result } from "effect"
import {
  checkAnnulment,
  newDrawViolation,
  newRoundViolation,
  roundDrawViolation,
  sameDraw,
  sameRound,
} from "../../application/lottery/DrawRecordRules.js"
import {
  type DrawAnnulment,
  LotteryStore,
  LotteryStoreError,
  type NewDraw,
  type NewRound,
  type StoredDraw,
  type StoredRound,
} from "../../application/ports/LotteryStore.js"

const fail = (reason: LotteryStoreError["reason"]) => Effect.fail(new LotteryStoreError({ reason }))

const atMillis = (t: DateTime.Utc): DateTime.Utc =>
  DateTime.makeUnsafe(DateTime.toEpochMillis(t)) as DateTime.Utc

export const make = Effect.sync((): LotteryStore["Service"] => {
  const draws = new Map<string, StoredDraw>()
  const rounds = new Map<string, NewRound>()
  /** draw id → round id and result.csv, for draws recorded through drawRound. */
  const roundDraws = new Map<string, { readonly roundId: string; readonly resultCsv: string }>()

  const roundView = (r: NewRound): StoredRound => ({
    ...r,
    draws: [...roundDraws.entries()]
      .filter(([, v]) => v.roundId === r.roundId)
      .map(([drawId, v]) => ({ draw: draws.get(drawId)!, resultCsv: v.resultCsv }))
      .sort(
        (a, b) =>
          DateTime.toEpochMillis(a.draw.drawnAt) - DateTime.toEpochMillis(b.draw.drawnAt) ||
          (a.draw.drawId < b.draw.drawId ? -1 : 1),
      ),
  })

  const openRound = (round: NewRound) =>
    Effect.suspend(() => {
      const broken = newRoundViolation(round)
      if (broken !== undefined) return fail({ _tag: "Rejected", detail: broken })
      const old = rounds.get(round.roundId)
      if (old !== undefined)
        return sameRound(old, round)
          ? Effect.succeed(roundView(old))
          : fail({
              _tag: "Conflict",
              drawId: round.roundId,
              detail: "a round with this id has other content",
            })
      const kept: NewRound = {
        ...round,
        unitTypes: [...round.unitTypes],
        entrants: round.entrants.map((e) => ({ id: e.id, stratum: e.stratum })),
        units: round.units.map((u) => ({ stratum: u.stratum, units: u.units })),
        poolRoots: { ...round.poolRoots },
        openedAt: atMillis(round.openedAt),
      }
      rounds.set(round.roundId, kept)
      return Effect.succeed(roundView(kept))
    })

  const drawRound = (roundId: string, draw: NewDraw, resultCsv: string) =>
    Effect.suspend(() => {
      const round = rounds.get(roundId)
      if (round === undefined) return fail({ _tag: "RoundNotFound", roundId })
      const broken =
        roundDrawViolation(round, draw) ?? (resultCsv.length === 0 ? "result.csv is empty" : undefined)
      if (broken !== undefined) return fail({ _tag: "Rejected", detail: broken })
      const linked = roundDraws.get(draw.drawId)
      if (linked !== undefined && (linked.roundId !== roundId || linked.resultCsv !== resultCsv))
        return fail({
          _tag: "Conflict",
          drawId: draw.drawId,
          detail: "a draw with this id has other content",
        })
      return recordDraw(draw).pipe(
        Effect.map(() => {
          roundDraws.set(draw.drawId, { roundId, resultCsv })
          return roundView(round)
        }),
      )
    })

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
    openRound,
    drawRound,
    getRound: (roundId) =>
      Effect.sync(() => {
        const r = rounds.get(roundId)
        return r === undefined ? Option.none() : Option.some(roundView(r))
      }),
    listRounds: () =>
      Effect.sync(() =>
        [...rounds.values()]
          .sort(
            (a, b) =>
              DateTime.toEpochMillis(b.openedAt) - DateTime.toEpochMillis(a.openedAt) ||
              (a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0),
          )
          .map(roundView),
      ),
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
