/**
 * Contract suite for the LotteryStore port (run-once, R53): draws round-trip; replay is idempotent; a second
 * draw of a pool — under either hash — is refused while the first stands, also when several are attempted
 * concurrently (exactly one wins); an annulment needs a reason and re-opens the pool, once; malformed
 * records are rejected; a random sequence of draws and annulments agrees with a model. Every adapter
 * (memory, PGlite, PostgreSQL) runs exactly this file through `suite(name, layer)`; pools use fresh tags.
 * Rounds (摇号批次): a round keeps its committed pool; it is drawn once with its result.csv (concurrent draws
 * of a round: exactly one wins), only with a draw of its own pool and hash; annulling re-opens it; rounds
 * list newest first.
 */
import { describe, expect, layer } from "@effect/vitest"
import { DateTime, Effect, Exit, type Layer, Option, Result } from "effect"
import fc from "fast-check"
import {
  LotteryStore,
  type LotteryStoreError,
  type NewDraw,
  type NewRound,
  type StoredDraw,
} from "../application/ports/LotteryStore.js"
import { type HashName, pureSha256, pureSm3 } from "../domain/lottery/Digest.js"
import { draw } from "../domain/lottery/Draw.js"
import { ALGORITHM, commitPool, makePool, type Pool } from "../domain/lottery/Pool.js"
import { encodeTranscript } from "../domain/lottery/Transcript.js"
import { freshTag } from "./StockFixtures.js"

const reasonOf = <A>(exit: Exit.Exit<A, LotteryStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

const T0 = Date.UTC(2025, 5, 1, 2, 0, 0, 123)
const at = (ms: number) => DateTime.makeUnsafe(ms) as DateTime.Utc

const poolOf = (tag: string, size = 3): Pool =>
  Result.getOrThrow(
    makePool(
      Array.from({ length: size }, (_, k) => ({
        id: `${tag}-${k}`,
        stratum: k % 2 === 0 ? "P1-2R" : "P2-1R",
      })),
    ),
  )

/** A real draw of `pool` as the use-case would record it. */
const recordOf = (
  pool: Pool,
  drawId: string,
  options: { hash?: HashName; at?: number; seed?: string } = {},
): NewDraw => {
  const hash = options.hash ?? "SM3"
  const ms = options.at ?? T0
  const d = Result.getOrThrow(
    draw({
      pool,
      seed: [{ kind: "digits", digits: options.seed ?? "20250601", note: "公证处" }],
      digest: hash === "SM3" ? pureSm3 : pureSha256,
      drawnAt: new Date(ms).toISOString(),
    }),
  )
  const t = d.transcript
  return {
    drawId,
    algorithm: ALGORITHM,
    hash,
    poolRoot: t.poolRoot,
    poolRoots: { SM3: commitPool(pool, pureSm3).poolRoot, "SHA-256": commitPool(pool, pureSha256).poolRoot },
    entrants: t.entrants,
    seedSources: t.seed.sources,
    seed: t.seed.value,
    transcript: encodeTranscript(t),
    resultDigest: t.resultDigest,
    drawnAt: at(ms),
  }
}

/** result.csv of the draw `recordOf` makes with the same options. */
const resultOf = (pool: Pool, options: { hash?: HashName; at?: number; seed?: string } = {}): string =>
  new TextDecoder().decode(
    Result.getOrThrow(
      draw({
        pool,
        seed: [{ kind: "digits", digits: options.seed ?? "20250601", note: "公证处" }],
        digest: (options.hash ?? "SM3") === "SM3" ? pureSm3 : pureSha256,
        drawnAt: new Date(options.at ?? T0).toISOString(),
      }),
    ).resultCsv,
  )

/** A round over `pool`, committed at `ms`. */
const roundOf = (pool: Pool, roundId: string, ms = T0 - 60_000, hash: HashName = "SM3"): NewRound => ({
  roundId,
  projectId: "P-ROUND",
  district: "310115",
  unitTypes: ["1R", "2R"],
  title: "2025年第一批",
  entrants: pool.entrants,
  units: [
    { stratum: "P1-2R", units: 1 },
    { stratum: "P2-1R", units: 1 },
  ],
  hash,
  poolRoots: { SM3: commitPool(pool, pureSm3).poolRoot, "SHA-256": commitPool(pool, pureSha256).poolRoot },
  openedAt: at(ms),
})

/** Comparable form (times as epoch ms). */
const plain = (d: StoredDraw | NewDraw) => ({
  ...d,
  drawnAt: DateTime.toEpochMillis(d.drawnAt),
  annulment:
    "annulment" in d && d.annulment !== null
      ? { reason: d.annulment.reason, annulledAt: DateTime.toEpochMillis(d.annulment.annulledAt) }
      : null,
})

export const suite = (name: string, storeLayer: Layer.Layer<LotteryStore, unknown>) =>
  describe(`LotteryStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("records a draw and returns it unchanged, by id and by either pool root", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("rt")
          const rec = recordOf(poolOf(tag), `D-${tag}`)
          const stored = yield* store.recordDraw(rec)
          expect(plain(stored)).toEqual(plain({ ...rec, annulment: null }))
          expect(plain(Option.getOrThrow(yield* store.getDraw(rec.drawId)))).toEqual(plain(stored))
          expect((yield* store.drawsOfPool(rec.poolRoots.SM3)).map(plain)).toEqual([plain(stored)])
          expect((yield* store.drawsOfPool(rec.poolRoots["SHA-256"].toUpperCase())).map(plain)).toEqual([
            plain(stored),
          ])
          expect(Option.isNone(yield* store.getDraw(`D-${tag}-missing`))).toBe(true)
          expect(yield* store.drawsOfPool("00".repeat(32))).toEqual([])
        }),
      )

      it.effect("replaying the same record is a no-op; other content under the same id is a conflict", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("idem")
          const rec = recordOf(poolOf(tag), `D-${tag}`)
          yield* store.recordDraw(rec)
          expect(plain(yield* store.recordDraw(rec))).toEqual(plain({ ...rec, annulment: null }))
          const other = recordOf(poolOf(freshTag("idem-other")), rec.drawId)
          expect(reasonOf(yield* Effect.exit(store.recordDraw(other)))).toMatchObject({
            _tag: "Conflict",
            drawId: rec.drawId,
          })
          expect(yield* store.drawsOfPool(other.poolRoot)).toEqual([])
        }),
      )

      it.effect("refuses a second draw of a standing pool, under the same or the other hash", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("once")
          const pool = poolOf(tag)
          const first = recordOf(pool, `D-${tag}-1`)
          yield* store.recordDraw(first)
          for (const second of [
            recordOf(pool, `D-${tag}-2`, { seed: "777" }),
            recordOf(pool, `D-${tag}-3`, { hash: "SHA-256", at: T0 + 1000 }),
          ])
            expect(reasonOf(yield* Effect.exit(store.recordDraw(second)))).toMatchObject({
              _tag: "AlreadyDrawn",
              drawId: first.drawId,
            })
          expect((yield* store.drawsOfPool(first.poolRoot)).map((d) => d.drawId)).toEqual([first.drawId])
          // Another pool is not affected.
          const other = recordOf(poolOf(freshTag("once-other"), 4), `D-${tag}-other`)
          expect((yield* store.recordDraw(other)).drawId).toBe(other.drawId)
        }),
      )

      it.effect("of concurrent draws of one pool exactly one is recorded", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("race")
          const pool = poolOf(tag, 5)
          const attempts = Array.from({ length: 8 }, (_, i) =>
            recordOf(pool, `D-${tag}-${i}`, { hash: i % 2 === 0 ? "SM3" : "SHA-256", seed: String(100 + i) }),
          )
          const exits = yield* Effect.all(
            attempts.map((a) => Effect.exit(store.recordDraw(a))),
            { concurrency: "unbounded" },
          )
          const winners = exits.flatMap((e, i) => (Exit.isSuccess(e) ? [attempts[i]!.drawId] : []))
          expect(winners).toHaveLength(1)
          for (const e of exits)
            if (Exit.isFailure(e))
              expect(reasonOf(e)).toMatchObject({ _tag: "AlreadyDrawn", drawId: winners[0] })
          expect((yield* store.drawsOfPool(attempts[0]!.poolRoot)).map((d) => d.drawId)).toEqual(winners)
        }),
      )

      it.effect("an annulment needs a reason and a time after the draw; it re-opens the pool once", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("annul")
          const pool = poolOf(tag)
          const first = recordOf(pool, `D-${tag}-1`)
          yield* store.recordDraw(first)
          const later = at(T0 + 60_000)
          expect(
            reasonOf(
              yield* Effect.exit(store.annulDraw(first.drawId, { reason: " 作废 ", annulledAt: later })),
            ),
          ).toMatchObject({ _tag: "Rejected" })
          expect(
            reasonOf(
              yield* Effect.exit(
                store.annulDraw(first.drawId, { reason: "公证员未到场", annulledAt: at(T0 - 1) }),
              ),
            ),
          ).toMatchObject({ _tag: "Rejected" })
          expect(
            reasonOf(
              yield* Effect.exit(
                store.annulDraw(`D-${tag}-missing`, { reason: "公证员未到场", annulledAt: later }),
              ),
            ),
          ).toMatchObject({ _tag: "NotFound" })
          const annulled = yield* store.annulDraw(first.drawId, {
            reason: "  公证员未到场，依规作废 ",
            annulledAt: later,
          })
          expect(plain(annulled).annulment).toEqual({
            reason: "公证员未到场，依规作废",
            annulledAt: T0 + 60_000,
          })
          expect(plain(Option.getOrThrow(yield* store.getDraw(first.drawId)))).toEqual(plain(annulled))
          expect(
            reasonOf(
              yield* Effect.exit(
                store.annulDraw(first.drawId, { reason: "再次作废申请", annulledAt: later }),
              ),
            ),
          ).toMatchObject({ _tag: "AlreadyAnnulled" })
          // Re-opened: a new draw (here under the other hash) is recorded; a third one is refused again.
          const second = recordOf(pool, `D-${tag}-2`, { hash: "SHA-256", at: T0 + 120_000 })
          yield* store.recordDraw(second)
          expect(
            reasonOf(
              yield* Effect.exit(store.recordDraw(recordOf(pool, `D-${tag}-3`, { at: T0 + 180_000 }))),
            ),
          ).toMatchObject({
            _tag: "AlreadyDrawn",
            drawId: second.drawId,
          })
          const history = yield* store.drawsOfPool(first.poolRoot)
          expect(history.map((d) => [d.drawId, d.annulment === null])).toEqual([
            [first.drawId, false],
            [second.drawId, true],
          ])
        }),
      )

      it.effect("of concurrent annulments of one draw exactly one succeeds", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("annul-race")
          const rec = recordOf(poolOf(tag), `D-${tag}`)
          yield* store.recordDraw(rec)
          const exits = yield* Effect.all(
            Array.from({ length: 5 }, (_, i) =>
              Effect.exit(
                store.annulDraw(rec.drawId, { reason: `设备故障，第${i}次申请`, annulledAt: at(T0 + i) }),
              ),
            ),
            { concurrency: "unbounded" },
          )
          expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
          for (const e of exits)
            if (Exit.isFailure(e)) expect(reasonOf(e)).toMatchObject({ _tag: "AlreadyAnnulled" })
        }),
      )

      it.effect("rejects malformed records and stores nothing", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("bad")
          const good = recordOf(poolOf(tag), `D-${tag}`)
          for (const bad of [
            { ...good, drawId: "-bad id" },
            { ...good, poolRoot: good.poolRoots["SHA-256"] },
            { ...good, resultDigest: good.resultDigest.toUpperCase() },
            { ...good, seed: "12" },
            { ...good, entrants: 0 },
            { ...good, seedSources: [] },
          ])
            expect(reasonOf(yield* Effect.exit(store.recordDraw(bad)))).toMatchObject({ _tag: "Rejected" })
          expect(yield* store.drawsOfPool(good.poolRoot)).toEqual([])
          expect(Option.isNone(yield* store.getDraw(good.drawId))).toBe(true)
        }),
      )

      it.effect(
        "opens a round with its committed pool, idempotently; other content under the id conflicts",
        () =>
          Effect.gen(function* () {
            const store = yield* LotteryStore
            const tag = freshTag("round")
            const pool = poolOf(tag, 4)
            const round = roundOf(pool, `R-${tag}`)
            const opened = yield* store.openRound(round)
            expect(opened.entrants).toEqual(pool.entrants)
            expect(opened.poolRoots).toEqual(round.poolRoots)
            expect(DateTime.toEpochMillis(opened.openedAt)).toBe(T0 - 60_000)
            expect(opened.draws).toEqual([])
            expect((yield* store.openRound(round)).roundId).toBe(round.roundId)
            const other = roundOf(poolOf(`${tag}-x`, 2), round.roundId)
            expect(reasonOf(yield* Effect.exit(store.openRound(other)))).toMatchObject({ _tag: "Conflict" })
            const got = Option.getOrThrow(yield* store.getRound(round.roundId))
            expect(got.entrants).toEqual(pool.entrants)
            expect(got.unitTypes).toEqual(["1R", "2R"])
            expect(Option.isNone(yield* store.getRound(`R-${tag}-missing`))).toBe(true)
            for (const bad of [
              { ...round, roundId: "-bad" },
              { ...round, roundId: `R-${tag}-e`, entrants: [] },
              { ...round, roundId: `R-${tag}-u`, unitTypes: [] },
              { ...round, roundId: `R-${tag}-h`, poolRoots: { ...round.poolRoots, SM3: "ab" } },
            ])
              expect(reasonOf(yield* Effect.exit(store.openRound(bad)))).toMatchObject({ _tag: "Rejected" })
            expect(Option.isNone(yield* store.getRound(`R-${tag}-e`))).toBe(true)
          }),
      )

      it.effect("draws a round once with its result; annulment re-opens it; only its own pool and hash", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("rdraw")
          const pool = poolOf(tag, 5)
          const round = roundOf(pool, `R-${tag}`)
          yield* store.openRound(round)
          const foreign = recordOf(poolOf(`${tag}-f`, 3), `D-${tag}-f`)
          expect(
            reasonOf(
              yield* Effect.exit(store.drawRound(round.roundId, foreign, resultOf(poolOf(`${tag}-f`, 3)))),
            ),
          ).toMatchObject({ _tag: "Rejected" })
          const sha = recordOf(pool, `D-${tag}-sha`, { hash: "SHA-256" })
          expect(
            reasonOf(
              yield* Effect.exit(store.drawRound(round.roundId, sha, resultOf(pool, { hash: "SHA-256" }))),
            ),
          ).toMatchObject({ _tag: "Rejected" })
          const early = recordOf(pool, `D-${tag}-early`, { at: T0 - 120_000 })
          expect(
            reasonOf(
              yield* Effect.exit(store.drawRound(round.roundId, early, resultOf(pool, { at: T0 - 120_000 }))),
            ),
          ).toMatchObject({ _tag: "Rejected" })
          expect(
            reasonOf(yield* Effect.exit(store.drawRound(`R-${tag}-none`, recordOf(pool, `D-${tag}-n`), "x"))),
          ).toMatchObject({ _tag: "RoundNotFound", roundId: `R-${tag}-none` })
          expect(yield* store.drawsOfPool(round.poolRoots.SM3)).toEqual([])

          const first = recordOf(pool, `D-${tag}-1`)
          const drawn = yield* store.drawRound(round.roundId, first, resultOf(pool))
          expect(drawn.draws.map((d) => [d.draw.drawId, d.resultCsv, d.draw.annulment])).toEqual([
            [first.drawId, resultOf(pool), null],
          ])
          // Replay of the same draw: unchanged.
          expect((yield* store.drawRound(round.roundId, first, resultOf(pool))).draws).toHaveLength(1)
          const second = recordOf(pool, `D-${tag}-2`, { seed: "7", at: T0 + 1000 })
          expect(
            reasonOf(
              yield* Effect.exit(
                store.drawRound(round.roundId, second, resultOf(pool, { seed: "7", at: T0 + 1000 })),
              ),
            ),
          ).toMatchObject({ _tag: "AlreadyDrawn", drawId: first.drawId })
          yield* store.annulDraw(first.drawId, { reason: "公证员未到场，依规作废", annulledAt: at(T0 + 500) })
          const redrawn = yield* store.drawRound(
            round.roundId,
            second,
            resultOf(pool, { seed: "7", at: T0 + 1000 }),
          )
          expect(redrawn.draws.map((d) => [d.draw.drawId, d.draw.annulment === null])).toEqual([
            [first.drawId, false],
            [second.drawId, true],
          ])
          expect(redrawn.draws[0]!.draw.annulment?.reason).toBe("公证员未到场，依规作废")
          expect(Option.getOrThrow(yield* store.getRound(round.roundId)).draws[1]!.resultCsv).toBe(
            resultOf(pool, { seed: "7", at: T0 + 1000 }),
          )
        }),
      )

      it.effect("concurrent draws of one round: exactly one wins", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("rconc")
          const pool = poolOf(tag, 4)
          const round = roundOf(pool, `R-${tag}`)
          yield* store.openRound(round)
          const exits = yield* Effect.all(
            Array.from({ length: 4 }, (_, i) =>
              Effect.exit(
                store.drawRound(
                  round.roundId,
                  recordOf(pool, `D-${tag}-${i}`, { seed: `${i + 1}` }),
                  resultOf(pool, { seed: `${i + 1}` }),
                ),
              ),
            ),
            { concurrency: "unbounded" },
          )
          expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
          for (const e of exits)
            if (Exit.isFailure(e)) expect(reasonOf(e)).toMatchObject({ _tag: "AlreadyDrawn" })
          expect(Option.getOrThrow(yield* store.getRound(round.roundId)).draws).toHaveLength(1)
        }),
      )

      it.effect("lists rounds newest first", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const tag = freshTag("rlist")
          // Far in the future so that rounds of other tests sort after these.
          const base = Date.UTC(2090, 0, 1)
          yield* store.openRound(roundOf(poolOf(`${tag}-a`), `R-${tag}-a`, base))
          yield* store.openRound(roundOf(poolOf(`${tag}-b`), `R-${tag}-b`, base + 1000))
          const ids = (yield* store.listRounds()).map((r) => r.roundId)
          expect(ids.slice(0, 2)).toEqual([`R-${tag}-b`, `R-${tag}-a`])
        }),
      )

      it.effect("a random sequence of draws and annulments agrees with the run-once model", () =>
        Effect.gen(function* () {
          const store = yield* LotteryStore
          const op = fc.oneof(
            fc.record({ kind: fc.constant("draw" as const), pool: fc.nat(2), sha: fc.boolean() }),
            fc.record({ kind: fc.constant("annul" as const), pool: fc.nat(2) }),
          )
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
                const tag = freshTag("model")
                const pools = [0, 1, 2].map((i) => poolOf(`${tag}-p${i}`, 2 + i))
                const standing = new Map<number, string>()
                let n = 0
                for (const o of ops) {
                  n++
                  const when = T0 + n * 1000
                  if (o.kind === "draw") {
                    const rec = recordOf(pools[o.pool]!, `D-${tag}-${n}`, {
                      hash: o.sha ? "SHA-256" : "SM3",
                      at: when,
                    })
                    const exit = await Effect.runPromiseExit(store.recordDraw(rec))
                    const holder = standing.get(o.pool)
                    if (holder === undefined) {
                      expect(Exit.isSuccess(exit)).toBe(true)
                      standing.set(o.pool, rec.drawId)
                    } else expect(reasonOf(exit)).toMatchObject({ _tag: "AlreadyDrawn", drawId: holder })
                  } else {
                    const holder = standing.get(o.pool)
                    if (holder === undefined) continue
                    await Effect.runPromise(
                      store.annulDraw(holder, { reason: "模型测试作废", annulledAt: at(when) }),
                    )
                    standing.delete(o.pool)
                  }
                }
                for (const [i, p] of pools.entries()) {
                  const draws = await Effect.runPromise(store.drawsOfPool(commitPool(p, pureSm3).poolRoot))
                  expect(draws.filter((d) => d.annulment === null).map((d) => d.drawId)).toEqual(
                    standing.has(i) ? [standing.get(i)] : [],
                  )
                }
              }),
              { numRuns: 15 },
            ),
          )
        }),
      )
    })
  })
