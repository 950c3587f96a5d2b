/**
 * Write-back of a lottery round onto its project's queue (轮候序号, R53/R55): after a draw every entrant's
 * queue entry carries its waiting number; after an annulment the annulled draw's numbers are gone (a redraw
 * writes the new ones). `applyDrawToQueue` reconciles the queue with the round's current standing draw
 * (WaitingNumbers.writeBack), so it is idempotent: safe to run twice, after a crash, or from the worker.
 */
import { DateTime, Effect, Option } from "effect"
import { queueIdFor } from "../../domain/queue/QueueEntry.js"
import { writeBack } from "../../domain/queue/WaitingNumbers.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { QueueStore, type QueueStoreError } from "../ports/QueueStore.js"

/** Attempts per entry when a concurrent writer changed it between the read and the save. */
const ATTEMPTS = 5

/**
 * Brings the waiting numbers of round `roundId`'s project queue in line with its standing draw (none: clears
 * this round's numbers). Returns the entries written (`numbered`) and cleared. An unknown round changes
 * nothing. Entries changed meanwhile (stale version) are read again and re-planned.
 */
export const applyDrawToQueue = Effect.fn("Lottery.applyDrawToQueue")(function* (roundId: string) {
  const found = yield* (yield* LotteryStore).getRound(roundId)
  if (Option.isNone(found)) return { numbered: 0, cleared: 0 }
  const round = found.value
  const standing = round.draws.find((d) => d.draw.annulment === null)
  const draw =
    standing === undefined
      ? null
      : {
          drawId: standing.draw.drawId,
          drawnAt: DateTime.toEpochMillis(standing.draw.drawnAt),
          resultCsv: standing.resultCsv,
        }
  const store = yield* QueueStore
  const queueId = queueIdFor("", round.projectId)
  let numbered = 0
  let cleared = 0
  for (const planned of writeBack(yield* store.entries(queueId), roundId, draw)) {
    let next = planned
    for (let attempt = 1; ; attempt++) {
      const saved = yield* store.save(next).pipe(
        Effect.map((e) => e as typeof next | null),
        Effect.catchIf(
          (e: QueueStoreError) => e.reason._tag === "StaleVersion" && attempt < ATTEMPTS,
          () => Effect.succeed(null),
        ),
      )
      if (saved !== null) {
        if (saved.lottery == null) cleared++
        else numbered++
        break
      }
      const fresh = yield* store.get(next.queueId, next.caseId)
      const again = Option.isNone(fresh) ? [] : writeBack([fresh.value], roundId, draw)
      if (again.length === 0) break
      next = again[0]!
    }
  }
  return { numbered, cleared }
})
