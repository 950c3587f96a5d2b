/**
 * Offline verifier of a lottery draw (R53, R55): recomputes everything from the pool and the transcript
 * (and result.csv when given) and returns the first mismatch as a typed error, checked in this order:
 * algorithm/hash, signature, pool root, strata, seed, start number, result digest, result rows.
 * Needs nothing but the published files; native digests may be injected, results are identical.
 */
import { Data, Result } from "effect"
import { type Digests, selectDigest, toHex, utf8 } from "./Digest.js"
import { bytesEqual } from "./MerkleTree.js"
import { checkStartNumber, type LotteryDraw, shuffleStrata } from "./Draw.js"
import { ALGORITHM, freezePool, type Pool } from "./Pool.js"
import { cellsOf, renderResultCsv } from "./ResultCsv.js"
import { combineSeed } from "./Seed.js"
import { type SignatureInvalid, type Transcript, verifyTranscriptSignature } from "./Transcript.js"

export class AlgorithmUnsupported extends Data.TaggedError("AlgorithmUnsupported")<{
  readonly algorithm: string
  readonly hash: string
  readonly message: string
}> {}

/** The pool given does not hash to the transcript's root (entrant added, dropped or changed). */
export class PoolRootMismatch extends Data.TaggedError("PoolRootMismatch")<{
  readonly expected: string
  readonly actual: string
}> {}

export class StrataMismatch extends Data.TaggedError("StrataMismatch")<{
  readonly stratum: string
  readonly field: "strata" | "entrants" | "winners"
  readonly expected: string
  readonly actual: string
  readonly message: string
}> {}

/** The seed sources do not yield the recorded seed (or a source is invalid). */
export class SeedMismatch extends Data.TaggedError("SeedMismatch")<{
  readonly expected: string
  readonly actual: string
  readonly message: string
}> {}

export class ResultDigestMismatch extends Data.TaggedError("ResultDigestMismatch")<{
  readonly expected: string
  readonly actual: string
}> {}

/** result.csv differs from the recomputed draw; `line` is 1-based, `rank` 0 when the line is not a row. */
export class ResultMismatch extends Data.TaggedError("ResultMismatch")<{
  readonly line: number
  readonly stratum: string
  readonly rank: number
  readonly expected: string
  readonly actual: string
  readonly message: string
}> {}

export type VerificationFailure =
  | AlgorithmUnsupported
  | SignatureInvalid
  | PoolRootMismatch
  | StrataMismatch
  | SeedMismatch
  | ResultDigestMismatch
  | ResultMismatch

export interface VerifyInput {
  readonly pool: Pool
  readonly transcript: Transcript
  /** result.csv (bytes as read, or text); compared line by line (a BOM and CRLF line ends are tolerated). */
  readonly resultCsv?: Uint8Array | string
  /** Native digests to use instead of the pure ones. */
  readonly digests?: Digests
  /** Require an SM2 signature made with this public key. A signature present is always checked. */
  readonly expectedPublicKey?: string
}

const decoder = new TextDecoder()

/** Drops a UTF-8 BOM and turns CRLF into LF (a spreadsheet may re-save the file so). */
const normalizeLines = (b: Uint8Array): Uint8Array => {
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0
  if (b.indexOf(13) < 0) return b.subarray(start)
  const out = new Uint8Array(b.length - start)
  let n = 0
  for (let i = start; i < b.length; i++) if (!(b[i] === 13 && b[i + 1] === 10)) out[n++] = b[i]!
  return out.subarray(0, n)
}

const firstDifference = (expected: string, actual: string): ResultMismatch => {
  const e = expected.split("\n")
  const a = actual.split("\n")
  let i = 0
  while (i < e.length && i < a.length && e[i] === a[i]) i++
  const exp = e[i] ?? ""
  const act = a[i] ?? ""
  const cells = cellsOf(exp === "" ? act : exp)
  const rank = i === 0 ? 0 : Number(cells[1] ?? 0) || 0
  return new ResultMismatch({
    line: i + 1,
    stratum: i === 0 ? "" : (cells[0] ?? ""),
    rank,
    expected: exp,
    actual: act,
    message:
      i === 0
        ? "result.csv header differs"
        : `result.csv line ${i + 1} differs (stratum "${cells[0] ?? ""}", rank ${rank})`,
  })
}

/** Recomputes the draw and compares; on success returns the recomputed draw. */
export const verify = (input: VerifyInput): Result.Result<LotteryDraw, VerificationFailure> => {
  const t = input.transcript
  const d = selectDigest(t.hash, input.digests)
  if (t.algorithm !== ALGORITHM || Result.isFailure(d))
    return Result.fail(
      new AlgorithmUnsupported({
        algorithm: t.algorithm,
        hash: t.hash,
        message: `this verifier implements ${ALGORITHM} with SM3 or SHA-256`,
      }),
    )
  const digest = d.success
  if (t.signature !== undefined || input.expectedPublicKey !== undefined) {
    const s = verifyTranscriptSignature(t, input.expectedPublicKey)
    if (Result.isFailure(s)) return Result.fail(s.failure)
  }
  const frozen = freezePool(input.pool, digest)
  const root = toHex(frozen.root)
  if (root !== t.poolRoot) return Result.fail(new PoolRootMismatch({ expected: t.poolRoot, actual: root }))
  const names = (xs: ReadonlyArray<{ readonly stratum: string }>) => JSON.stringify(xs.map((x) => x.stratum))
  if (names(frozen.strata) !== names(t.strata) || t.entrants !== frozen.size)
    return Result.fail(
      new StrataMismatch({
        stratum: "",
        field: "strata",
        expected: names(t.strata),
        actual: names(frozen.strata),
        message: "strata differ",
      }),
    )
  for (let i = 0; i < frozen.strata.length; i++) {
    const f = frozen.strata[i]!
    const s = t.strata[i]!
    if (f.members.length !== s.entrants)
      return Result.fail(
        new StrataMismatch({
          stratum: s.stratum,
          field: "entrants",
          expected: String(s.entrants),
          actual: String(f.members.length),
          message: "entrant count differs",
        }),
      )
    const winners = s.units === undefined ? 0 : Math.min(s.units, s.entrants)
    if (winners !== s.winners)
      return Result.fail(
        new StrataMismatch({
          stratum: s.stratum,
          field: "winners",
          expected: String(s.winners),
          actual: String(winners),
          message: "winners ≠ min(units, entrants)",
        }),
      )
  }
  const seeded = combineSeed(digest, t.seed.sources)
  if (Result.isFailure(seeded))
    return Result.fail(
      new SeedMismatch({ expected: t.seed.value, actual: "", message: seeded.failure.message }),
    )
  const seed = toHex(seeded.success.seed)
  if (seed !== t.seed.value)
    return Result.fail(
      new SeedMismatch({
        expected: t.seed.value,
        actual: seed,
        message: "seed sources do not combine to the recorded seed",
      }),
    )
  const largest = frozen.strata.reduce((m, s) => Math.max(m, s.members.length), 0)
  if (Result.isFailure(checkStartNumber(t.startNumber, largest)))
    return Result.fail(
      new StrataMismatch({
        stratum: "",
        field: "entrants",
        expected: "",
        actual: String(t.startNumber),
        message: "start number out of range",
      }),
    )
  const unitsOf = new Map(t.strata.map((s) => [s.stratum, s.units]))
  const strata = shuffleStrata(digest, input.pool, frozen, seeded.success.seed, (s) => unitsOf.get(s))
  const resultCsv = renderResultCsv(strata, t.startNumber)
  const resultDigest = toHex(digest.hash(resultCsv))
  if (resultDigest !== t.resultDigest)
    return Result.fail(new ResultDigestMismatch({ expected: t.resultDigest, actual: resultDigest }))
  if (input.resultCsv !== undefined) {
    const given = normalizeLines(
      typeof input.resultCsv === "string" ? utf8(input.resultCsv) : input.resultCsv,
    )
    if (!bytesEqual(given, resultCsv))
      return Result.fail(firstDifference(decoder.decode(resultCsv), decoder.decode(given)))
  }
  return Result.succeed({ transcript: t, strata, resultCsv })
}
