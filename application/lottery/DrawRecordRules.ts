/**
 * The invariants every LotteryStore adapter enforces on what it records (R53): well-formed draw id and
 * hex, the draw's own root among its per-hash roots, at least one entrant and one seed source; an
 * annulment with a reason of ANNULMENT_REASON_MIN_LENGTH code points, not before its draw. Pure, shared by
 * the memory and SQL adapters so they refuse the same records (the SQL schema repeats them as checks).
 */
import { DateTime, Result } from "effect"
import { makeAnnulment } from "../../domain/lottery/Annulment.js"
import { canonicalJson, type Json } from "../../domain/lottery/CanonicalJson.js"
import { DRAW_ID_PATTERN, type DrawAnnulment, type NewDraw } from "../ports/LotteryStore.js"

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
