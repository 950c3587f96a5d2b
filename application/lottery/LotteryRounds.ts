/**
 * Lottery rounds (摇号批次, R53, R55): open a round for a project and unit types with its pool committed
 * (both roots kept and published before any seed exists), draw it once with run-once (the LotteryStore links
 * the draw and its result.csv to the round atomically), annul the standing draw with a reason (the round
 * re-opens). Managing needs `lottery.manage` and a data scope covering the round's project (district or
 * operating company). Drawing and annulling write the waiting numbers back onto the project's queue
 * (QueueWriteBack.applyDrawToQueue). The publication (pool.csv, transcript.json, result.csv, inclusion proofs) needs no
 * login: it carries application numbers and strata only — the pool is given as such, never names or IDs.
 */
import { Data, DateTime, Effect, Option, Result } from "effect"
import { type Actor, coversStock } from "../../domain/access/Access.js"
import { makeAnnulment, PoolAlreadyDrawn } from "../../domain/lottery/Annulment.js"
import { csvField, forEachRecord } from "../../domain/lottery/Csv.js"
import { type Digests, type HashName, selectDigest, toHex } from "../../domain/lottery/Digest.js"
import { draw } from "../../domain/lottery/Draw.js"
import {
  type EntrantNotInPool,
  type InclusionProof,
  inclusionProof,
} from "../../domain/lottery/InclusionProof.js"
import { commitPool, makePool, type Pool } from "../../domain/lottery/Pool.js"
import type { ResultRow } from "../../domain/lottery/ResultCsv.js"
import type { SeedSource } from "../../domain/lottery/Seed.js"
import { encodeTranscript } from "../../domain/lottery/Transcript.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"
import { LotteryStore, type RoundDraw, type StoredRound } from "../ports/LotteryStore.js"
import { SecureRandom } from "../ports/SecureRandom.js"
import { LotteryInputRejected } from "./LotteryErrors.js"
import { applyDrawToQueue } from "./QueueWriteBack.js"

export class RoundNotFound extends Data.TaggedError("RoundNotFound")<{ readonly roundId: string }> {
  override get message(): string {
    return `no lottery round ${this.roundId}`
  }
}

/** Annulment asked for a round without a standing draw. */
export class RoundNotDrawn extends Data.TaggedError("RoundNotDrawn")<{ readonly roundId: string }> {
  override get message(): string {
    return `lottery round ${this.roundId} has no standing draw`
  }
}

export type RoundStatus = "committed" | "drawn"

/** The standing draw of a round, or undefined (never drawn, or its draws annulled). */
export const standingDraw = (round: StoredRound): RoundDraw | undefined =>
  round.draws.find((d) => d.draw.annulment === null)

export const roundStatus = (round: StoredRound): RoundStatus =>
  standingDraw(round) === undefined ? "committed" : "drawn"

/** The round's pool as a domain value (validated when the round was opened). */
export const poolOfRound = (round: StoredRound): Pool => ({ entrants: round.entrants })

/** pool.csv of a round, exactly as `anju lottery verify --pool` reads it: `id,stratum`, one line per entrant. */
export const renderPoolCsv = (round: StoredRound): string =>
  ["id,stratum", ...round.entrants.map((e) => `${csvField(e.id)},${csvField(e.stratum)}`)].join("\n") + "\n"

const scopeOf = (round: { readonly district: string; readonly projectId: string }) => ({
  district: round.district,
  projectId: round.projectId,
})

const requireScope = (actor: Actor, round: { readonly district: string; readonly projectId: string }) =>
  coversStock(actor, scopeOf(round))
    ? Effect.void
    : Effect.fail(
        new AccessDenied({
          actorId: actor.id,
          permission: "lottery.manage",
          object: `project:${round.projectId}`,
        }),
      )

export interface OpenRoundInput {
  /** Default: `LR-` + 16 hex characters from SecureRandom. */
  readonly roundId?: string
  readonly projectId: string
  readonly district: string
  readonly unitTypes: ReadonlyArray<string>
  readonly title: string
  /** Application numbers and strata (project × unit type), nothing personal. */
  readonly entrants: ReadonlyArray<{ readonly id: string; readonly stratum: string }>
  readonly units: ReadonlyArray<{ readonly stratum: string; readonly units: number }>
  /** Default SM3. */
  readonly hash?: HashName
  readonly digests?: Digests
}

/** Opens a round and commits its pool (the root is public from now on). Idempotent under a given roundId. */
export const openRound = Effect.fn("Lottery.openRound")(function* (actor: Actor, input: OpenRoundInput) {
  yield* requirePermission(actor, "lottery.manage")
  yield* requireScope(actor, input)
  const pool = makePool(input.entrants)
  if (Result.isFailure(pool)) return yield* new LotteryInputRejected({ issue: pool.failure })
  const hash = input.hash ?? "SM3"
  const sm3 = selectDigest("SM3", input.digests)
  const sha = selectDigest("SHA-256", input.digests)
  if (Result.isFailure(sm3)) return yield* new LotteryInputRejected({ issue: sm3.failure })
  if (Result.isFailure(sha)) return yield* new LotteryInputRejected({ issue: sha.failure })
  const roundId = input.roundId ?? `LR-${toHex(yield* (yield* SecureRandom).bytes(8))}`
  return yield* (yield* LotteryStore).openRound({
    roundId,
    projectId: input.projectId,
    district: input.district,
    unitTypes: input.unitTypes,
    title: input.title,
    entrants: pool.success.entrants,
    units: input.units,
    hash,
    poolRoots: {
      SM3: commitPool(pool.success, sm3.success).poolRoot,
      "SHA-256": commitPool(pool.success, sha.success).poolRoot,
    },
    openedAt: yield* DateTime.now,
  })
})

const findRound = (roundId: string) =>
  Effect.gen(function* () {
    const found = yield* (yield* LotteryStore).getRound(roundId)
    if (Option.isNone(found)) return yield* new RoundNotFound({ roundId })
    return found.value
  })

/**
 * Draws a round once (run-once: PoolAlreadyDrawn while a draw stands). The seed sources are fixed now,
 * after the commitment; the time comes from the Clock and the draw id from SecureRandom.
 */
export const drawRound = Effect.fn("Lottery.drawRound")(function* (
  actor: Actor,
  input: { readonly roundId: string; readonly seed: ReadonlyArray<SeedSource>; readonly digests?: Digests },
) {
  yield* requirePermission(actor, "lottery.manage")
  const round = yield* findRound(input.roundId)
  yield* requireScope(actor, round)
  const standing = standingDraw(round)
  if (standing !== undefined) {
    // A repeated draw request is refused, but first finishes a write-back an earlier request left undone.
    yield* applyDrawToQueue(round.roundId)
    return yield* new PoolAlreadyDrawn({ poolRoot: standing.draw.poolRoot, drawId: standing.draw.drawId })
  }
  const digest = selectDigest(round.hash, input.digests)
  if (Result.isFailure(digest)) return yield* new LotteryInputRejected({ issue: digest.failure })
  const now = yield* DateTime.now
  const drawn = draw({
    pool: poolOfRound(round),
    seed: input.seed,
    digest: digest.success,
    drawnAt: DateTime.formatIso(now),
    units: new Map(round.units.map((u) => [u.stratum, u.units])),
    title: round.title,
  })
  if (Result.isFailure(drawn)) return yield* new LotteryInputRejected({ issue: drawn.failure })
  const t = drawn.success.transcript
  const drawId = `LD-${toHex(yield* (yield* SecureRandom).bytes(10))}`
  const drawnRound = yield* (yield* LotteryStore)
    .drawRound(
      round.roundId,
      {
        drawId,
        algorithm: t.algorithm,
        hash: round.hash,
        poolRoot: t.poolRoot,
        poolRoots: round.poolRoots,
        entrants: t.entrants,
        seedSources: t.seed.sources,
        seed: t.seed.value,
        transcript: encodeTranscript(t),
        resultDigest: t.resultDigest,
        drawnAt: now,
      },
      new TextDecoder().decode(drawn.success.resultCsv),
    )
    .pipe(
      Effect.mapError((e) =>
        e.reason._tag === "AlreadyDrawn"
          ? new PoolAlreadyDrawn({ poolRoot: e.reason.poolRoot, drawId: e.reason.drawId })
          : e,
      ),
    )
  // Waiting numbers onto the project's queue entries (idempotent; re-run by applyDrawToQueue if this fails).
  yield* applyDrawToQueue(round.roundId)
  return drawnRound
})

/** Annuls the round's standing draw (作废) with a reason; the round re-opens for one new draw. */
export const annulRound = Effect.fn("Lottery.annulRound")(function* (
  actor: Actor,
  input: { readonly roundId: string; readonly reason: string },
) {
  yield* requirePermission(actor, "lottery.manage")
  const round = yield* findRound(input.roundId)
  yield* requireScope(actor, round)
  const standing = standingDraw(round)
  if (standing === undefined) return yield* new RoundNotDrawn({ roundId: round.roundId })
  const d = standing.draw
  const annulment = makeAnnulment(
    { drawId: d.drawId, hash: d.hash, poolRoot: d.poolRoot, drawnAt: d.drawnAt },
    { reason: input.reason, annulledAt: yield* DateTime.now },
  )
  if (Result.isFailure(annulment)) return yield* new LotteryInputRejected({ issue: annulment.failure })
  const store = yield* LotteryStore
  yield* store.annulDraw(d.drawId, {
    reason: annulment.success.reason,
    annulledAt: annulment.success.annulledAt,
  })
  // The annulled draw's waiting numbers leave the queue (a redraw writes the new ones).
  yield* applyDrawToQueue(round.roundId)
  return yield* findRound(round.roundId)
})

// --- public queries (no login: the publication carries no personal data) ---------------------------

/** Every round, newest first. */
export const listRounds = Effect.fn("Lottery.listRounds")(function* () {
  return yield* (yield* LotteryStore).listRounds()
})

/** One round (RoundNotFound). */
export const getRound = Effect.fn("Lottery.getRound")(function* (roundId: string) {
  return yield* findRound(roundId)
})

/** The entrant's row in a result.csv, or undefined. */
export const resultRowOf = (resultCsv: string, id: string): ResultRow | undefined => {
  let found: ResultRow | undefined
  let header = true
  forEachRecord<true>(
    resultCsv,
    (r) => {
      if (header) {
        header = false
        return undefined
      }
      if (r.cell(3) !== id) return undefined
      const [stratum, rank, number, rid, outcome] = r.cells()
      found = {
        stratum: stratum!,
        rank: Number(rank),
        number: Number(number),
        id: rid!,
        outcome: outcome === "winner" ? "winner" : "waiting",
      }
      return true
    },
    () => true,
  )
  return found
}

export interface EntrantPlace {
  readonly proof: InclusionProof
  /** The entrant's row of the standing draw's result, or null when the round is not drawn. */
  readonly result: ResultRow | null
}

/** "Check my number": the entrant's inclusion proof against the committed root and place in the result. */
export const entrantPlace = Effect.fn("Lottery.entrantPlace")(function* (roundId: string, id: string) {
  const round = yield* findRound(roundId)
  const digest = selectDigest(round.hash)
  if (Result.isFailure(digest)) return yield* new LotteryInputRejected({ issue: digest.failure })
  const proof: Result.Result<InclusionProof, EntrantNotInPool> = inclusionProof(
    poolOfRound(round),
    id,
    digest.success,
  )
  if (Result.isFailure(proof)) return yield* proof.failure
  const standing = standingDraw(round)
  return {
    proof: proof.success,
    result: standing === undefined ? null : (resultRowOf(standing.resultCsv, id) ?? null),
  } satisfies EntrantPlace
})
