/**
 * Lottery round use-cases (R53, R55) over the memory store: the round commits its pool at the Clock's time
 * and the draw comes later; run-once per round; annulment re-opens it; scope — a district officer and an
 * operating company granted lottery.manage act on their own projects only, others are denied; the
 * inclusion proof and the place of every entrant agree with result.csv (property over random pools).
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import type { Actor } from "../../domain/access/Access.js"
import { checkInclusionProof } from "../../domain/lottery/InclusionProof.js"
import { parsePoolCsv } from "../../domain/lottery/PoolCsv.js"
import { parseTranscript } from "../../domain/lottery/Transcript.js"
import { verify } from "../../domain/lottery/Verify.js"
import {
  annulRound,
  drawRound,
  entrantPlace,
  type OpenRoundInput,
  openRound,
  renderPoolCsv,
  resultRowOf,
  roundStatus,
  standingDraw,
} from "./LotteryRounds.js"

const services = Layer.mergeAll(MemoryLotteryStore.layer, MemoryQueueStore.layer, SeededSecureRandom.layer(5))
const pudong: Actor = { role: "district", id: "pd-1", district: "310115" }
const xuhui: Actor = { role: "district", id: "xh-1", district: "310104" }
const operator: Actor = {
  role: "operator",
  id: "op-1",
  projectIds: ["P-1"],
  permissions: ["lottery.read", "lottery.manage"],
}
const otherOperator: Actor = { ...operator, id: "op-2", projectIds: ["P-2"] }
const seed = [{ kind: "digits" as const, digits: "20260101" }]

const input = (n = 7): OpenRoundInput => ({
  projectId: "P-1",
  district: "310115",
  unitTypes: ["1R", "2R"],
  title: "第一批",
  entrants: Array.from({ length: n }, (_, i) => ({ id: `A,${i}`, stratum: i % 2 === 0 ? "1R" : "2R" })),
  units: [
    { stratum: "1R", units: 1 },
    { stratum: "2R", units: 1 },
  ],
})

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

describe("lottery rounds (R53)", () => {
  it.effect("commits the pool at opening, draws later once, and re-opens after an annulment", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1, 1, 0, 0))
      const opened = yield* openRound(pudong, input())
      expect(opened.roundId).toMatch(/^LR-[0-9a-f]{16}$/u)
      expect(roundStatus(opened)).toBe("committed")
      yield* TestClock.adjust("2 hours")
      const drawn = yield* drawRound(pudong, { roundId: opened.roundId, seed })
      const s = standingDraw(drawn)!
      expect(DateTime.toEpochMillis(s.draw.drawnAt) - DateTime.toEpochMillis(opened.openedAt)).toBe(7_200_000)
      // The published files verify (ids with a comma are quoted in pool.csv).
      const pool = Result.getOrThrow(parsePoolCsv(renderPoolCsv(drawn)))
      expect(pool.entrants).toEqual(opened.entrants)
      const t = Result.getOrThrow(parseTranscript(s.draw.transcript))
      expect(Result.isSuccess(verify({ pool, transcript: t, resultCsv: s.resultCsv }))).toBe(true)
      expect(
        failureOf(yield* Effect.exit(drawRound(pudong, { roundId: opened.roundId, seed }))),
      ).toMatchObject({
        _tag: "PoolAlreadyDrawn",
      })
      const reopened = yield* annulRound(pudong, {
        roundId: opened.roundId,
        reason: "现场设备故障，依规作废",
      })
      expect(roundStatus(reopened)).toBe("committed")
      expect(
        failureOf(
          yield* Effect.exit(annulRound(pudong, { roundId: opened.roundId, reason: "再次作废理由" })),
        ),
      ).toMatchObject({ _tag: "RoundNotDrawn" })
      const redrawn = yield* drawRound(pudong, {
        roundId: opened.roundId,
        seed: [{ kind: "digits", digits: "2" }],
      })
      expect(redrawn.draws.map((d) => d.draw.annulment === null)).toEqual([false, true])
      expect(failureOf(yield* Effect.exit(drawRound(pudong, { roundId: "LR-none", seed })))).toMatchObject({
        _tag: "RoundNotFound",
      })
    }).pipe(Effect.provide(services)),
  )

  it.effect("scope: the project's district officer and operating company (with lottery.manage) only", () =>
    Effect.gen(function* () {
      expect(failureOf(yield* Effect.exit(openRound(xuhui, input())))).toMatchObject({ _tag: "AccessDenied" })
      expect(failureOf(yield* Effect.exit(openRound(otherOperator, input())))).toMatchObject({
        _tag: "AccessDenied",
      })
      const applicant: Actor = { role: "applicant", id: "a-1", idIndex: "x" }
      expect(failureOf(yield* Effect.exit(openRound(applicant, input())))).toMatchObject({
        _tag: "AccessDenied",
        object: null,
      })
      const r = yield* openRound(operator, { ...input(), roundId: "R-op" })
      expect(failureOf(yield* Effect.exit(drawRound(xuhui, { roundId: r.roundId, seed })))).toMatchObject({
        _tag: "AccessDenied",
        object: "project:P-1",
      })
      expect(
        failureOf(yield* Effect.exit(drawRound(otherOperator, { roundId: r.roundId, seed }))),
      ).toMatchObject({
        _tag: "AccessDenied",
      })
      expect(roundStatus(yield* drawRound(operator, { roundId: r.roundId, seed }))).toBe("drawn")
    }).pipe(Effect.provide(services)),
  )

  it.effect("every entrant's proof checks against the root and its place is its row of result.csv", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.nat(), async (n, digits) => {
            const program = Effect.gen(function* () {
              const r = yield* openRound(pudong, {
                ...input(n),
                units: [
                  { stratum: "1R", units: Math.ceil(n / 2) },
                  { stratum: "2R", units: Math.floor(n / 2) },
                ],
              })
              const drawn = yield* drawRound(pudong, {
                roundId: r.roundId,
                seed: [{ kind: "digits", digits: `${digits}` }],
              })
              const s = standingDraw(drawn)!
              const root = r.poolRoots[r.hash]
              const numbers = new Set<string>()
              for (const e of r.entrants) {
                const place = yield* entrantPlace(r.roundId, e.id)
                expect(Result.isSuccess(checkInclusionProof(place.proof, e, root))).toBe(true)
                expect(place.result).toEqual(resultRowOf(s.resultCsv, e.id))
                expect(place.result?.stratum).toBe(e.stratum)
                numbers.add(`${place.result!.stratum}:${place.result!.number}`)
              }
              // (stratum, waiting number) is distinct per entrant: the result is a permutation of the pool.
              expect(numbers.size).toBe(n)
            })
            await Effect.runPromise(program.pipe(Effect.provide(services)))
          }),
          { numRuns: 20 },
        ),
      )
    }),
  )
})
