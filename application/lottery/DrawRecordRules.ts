/**
 * The invariants every LotteryStore adapter enforces on what it records (R53): well-formed draw id and
 * hex, the draw's own root among its per-hash roots, at least one entrant and one seed source; an
 * annulment with a reason of ANNULMENT_REASON_MIN_LENGTH code points, not before its draw. Pure, shared by
 * the memory and SQL adapters so they refuse the same records (the SQL schema repeats them as checks).
 * Rounds: well-formed ids and roots, a non-empty pool; a round's draw is of its committed pool and hash.
 */
import { DateTime, Result } from "effect"
import { makeAnnulment } from "../../domain/lottery/Annulment.js"
import { canonicalJson, type Json } from "../../domain/lottery/CanonicalJson.js"
import { DRAW_ID_PATTERN, type DrawAnnulment, type NewDraw, type NewRound } from "../ports/LotteryStore.js"

const HEX64 = /^[0-9a-f]{64}$/u

/** Why `draw` cannot be recorded, or undefined when it can. */
export const newDrawViolation = (draw: NewDraw): string | undefined => {
  if (!DRAW_ID_PATTERN.test(draw.drawId)) return `draw id ${JSON.stringify(draw.drawId)} is malformed`
  for (const [name, v] of [
    ["pool root", draw.poolRoot],
    ["SM3 pool root", draw.poolRoots.SM3],
    ["SHA-256 pool root", draw.poolRoots["SHA-256"]],
    ["seed", draw.seed],
    ["result digest", draw.resultDigest],
  ] as const)
    if (!HEX64.test(v)) return `${name} must be 64 lower-case hex characters`
  if (draw.poolRoots[draw.hash] !== draw.poolRoot) return `pool root is not the ${draw.hash} root of the pool`
  if (!Number.isSafeInteger(draw.entrants) || draw.entrants < 1) return "a draw has at least one entrant"
  if (draw.seedSources.length === 0) return "a draw has at least one seed source"
  if (draw.transcript.length === 0) return "the transcript is empty"
  return undefined
}

/** The annulment as stored (reason trimmed), or why it is refused. */
export const checkAnnulment = (
  draw: NewDraw,
  annulment: DrawAnnulment,
): Result.Result<DrawAnnulment, string> => {
  const r = makeAnnulment(
    { drawId: draw.drawId, hash: draw.hash, poolRoot: draw.poolRoot, drawnAt: draw.drawnAt },
    annulment,
  )
  return Result.isFailure(r)
    ? Result.fail(r.failure.message)
    : Result.succeed({ reason: r.success.reason, annulledAt: r.success.annulledAt })
}

/** Same draw content (annulment ignored): for idempotent replay of `recordDraw`. */
export const sameDraw = (a: NewDraw, b: NewDraw): boolean =>
  a.drawId === b.drawId &&
  a.algorithm === b.algorithm &&
  a.hash === b.hash &&
  a.poolRoot === b.poolRoot &&
  a.poolRoots.SM3 === b.poolRoots.SM3 &&
  a.poolRoots["SHA-256"] === b.poolRoots["SHA-256"] &&
  a.entrants === b.entrants &&
  a.seed === b.seed &&
  canonicalJson(a.seedSources as unknown as Json) === canonicalJson(b.seedSources as unknown as Json) &&
  a.transcript === b.transcript &&
  a.resultDigest === b.resultDigest &&
  DateTime.toEpochMillis(a.drawnAt) === DateTime.toEpochMillis(b.drawnAt)

const TEXT = /^\P{Cc}{1,128}$/u

/** Why `round` cannot be opened (R53), or undefined when it can: ids, roots, a non-empty pool, unit types. */
export const newRoundViolation = (round: NewRound): string | undefined => {
  if (!DRAW_ID_PATTERN.test(round.roundId)) return `round id ${JSON.stringify(round.roundId)} is malformed`
  if (!TEXT.test(round.projectId)) return "project id must be 1–128 printable characters"
  if (!TEXT.test(round.district)) return "district must be 1–128 printable characters"
  if (!TEXT.test(round.title)) return "title must be 1–128 printable characters"
  if (round.unitTypes.length === 0 || !round.unitTypes.every((t) => TEXT.test(t)))
    return "a round names at least one unit type"
  if (!HEX64.test(round.poolRoots.SM3) || !HEX64.test(round.poolRoots["SHA-256"]))
    return "pool roots must be 64 lower-case hex characters"
  if (round.entrants.length === 0) return "a round's pool has at least one entrant"
  if (!round.units.every((u) => Number.isSafeInteger(u.units) && u.units >= 0))
    return "units per stratum are non-negative integers"
  return undefined
}

/** Same round content (draws ignored): for idempotent replay of `openRound`. */
export const sameRound = (a: NewRound, b: NewRound): boolean =>
  canonicalJson(roundJson(a)) === canonicalJson(roundJson(b))

const roundJson = (r: NewRound): Json =>
  ({
    roundId: r.roundId,
    projectId: r.projectId,
    district: r.district,
    unitTypes: [...r.unitTypes],
    title: r.title,
    entrants: r.entrants.map((e) => ({ id: e.id, stratum: e.stratum })),
    units: r.units.map((u) => ({ stratum: u.stratum, units: u.units })),
    hash: r.hash,
    poolRoots: { SM3: r.poolRoots.SM3, "SHA-256": r.poolRoots["SHA-256"] },
    openedAt: DateTime.toEpochMillis(r.openedAt),
  }) as unknown as Json

/** Why `draw` is not a draw of `round`'s pool, or undefined. */
export const roundDrawViolation = (round: NewRound, draw: NewDraw): string | undefined =>
  draw.poolRoots.SM3 !== round.poolRoots.SM3 || draw.poolRoots["SHA-256"] !== round.poolRoots["SHA-256"]
    ? `the draw is not of round ${round.roundId}'s committed pool`
    : draw.hash !== round.hash
      ? `round ${round.roundId} is drawn with ${round.hash}`
      : DateTime.toEpochMillis(draw.drawnAt) < DateTime.toEpochMillis(round.openedAt)
        ? "a round is drawn after its pool is committed"
        : undefined
