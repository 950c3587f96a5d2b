/**
 * The lottery draw (摇号, R53, R55): freeze the pool (Merkle root over canonical leaves), derive the seed from
 * its sources, then per stratum an independent Fisher–Yates shuffle driven by a DRBG keyed by pool root,
 * seed and stratum. First N in draw order win (N = the stratum's units), the rest wait, numbered from the
 * start number (起始编号). Pure: same pool, seed, units and start number → same transcript and result.csv.
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Digest, pureSm3, toHex } from "./Digest.js"
import { HashCounterDrbg, stratumKey } from "./Drbg.js"
import { ALGORITHM, type FrozenPool, freezePool, type Pool, PoolInvalid } from "./Pool.js"
import { type DrawnStratum, renderResultCsv } from "./ResultCsv.js"
import { combineSeed, type SeedSource } from "./Seed.js"
import { shuffleInPlace } from "./Shuffle.js"
import type { StratumOutcome, Transcript } from "./Transcript.js"

export interface DrawInput {
  readonly pool: Pool
  readonly seed: ReadonlyArray<SeedSource>
  /** Units per stratum (R55); when absent nobody wins and every row is `waiting`. Must cover every stratum. */
  readonly units?: ReadonlyMap<string, number>
  /** 起始编号 (R53); default 1. */
  readonly startNumber?: number
  /** Default: pure SM3. */
  readonly digest?: Digest
  readonly title?: string
  /** ISO-8601 instant from the caller's clock; recorded only. */
  readonly drawnAt?: string
}

export interface LotteryDraw {
  readonly transcript: Transcript
  readonly strata: ReadonlyArray<DrawnStratum>
  /** Exactly the bytes of result.csv. */
  readonly resultCsv: Uint8Array
}

/** Draw order of every stratum of a frozen pool (independent streams per stratum). */
export const shuffleStrata = (
  digest: Digest,
  pool: Pool,
  frozen: FrozenPool,
  seed: Uint8Array,
  units: (stratum: string) => number | undefined,
): ReadonlyArray<DrawnStratum> =>
  frozen.strata.map(({ stratum, members }) => {
    const drbg = new HashCounterDrbg(digest, stratumKey(digest, frozen.root, seed, stratum))
    const drawn = shuffleInPlace(drbg, members.slice())
    const order = new Array<string>(drawn.length)
    for (let r = 0; r < drawn.length; r++) order[r] = pool.entrants[drawn[r]!]!.id
    const u = units(stratum)
    return u === undefined
      ? { stratum, winners: 0, order }
      : { stratum, units: u, winners: Math.min(u, order.length), order }
  })

export const checkStartNumber = (
  startNumber: number,
  largestStratum: number,
): Result.Result<number, InvalidValue> =>
  Number.isSafeInteger(startNumber) && startNumber >= 0 && Number.isSafeInteger(startNumber + largestStratum)
    ? Result.succeed(startNumber)
    : Result.fail(
        invalid("startNumber", "R53.start-number", startNumber, "start number is a non-negative integer"),
      )

/** Runs the draw. Fails on invalid seed sources, start number, or units that miss a stratum of the pool. */
export const draw = (input: DrawInput): Result.Result<LotteryDraw, InvalidValue | PoolInvalid> => {
  const digest = input.digest ?? pureSm3
  const seeded = combineSeed(digest, input.seed)
  if (Result.isFailure(seeded)) return Result.fail(seeded.failure)
  const frozen = freezePool(input.pool, digest)
  const largest = frozen.strata.reduce((m, s) => Math.max(m, s.members.length), 0)
  const start = checkStartNumber(input.startNumber ?? 1, largest)
  if (Result.isFailure(start)) return Result.fail(start.failure)
  const units = input.units
  if (units !== undefined) {
    for (const { stratum } of frozen.strata) {
      const u = units.get(stratum)
      if (u === undefined)
        return Result.fail(
          new PoolInvalid({
            file: "units.csv",
            line: 0,
            rule: "R55.units-missing-stratum",
            value: stratum,
            message: `units.csv has no row for stratum "${stratum}"`,
          }),
        )
      if (!Number.isSafeInteger(u) || u < 0)
        return Result.fail(
          new PoolInvalid({
            file: "units.csv",
            line: 0,
            rule: "R55.units-count",
            value: String(u),
            message: "units must be a non-negative integer",
          }),
        )
    }
  }
  const strata = shuffleStrata(digest, input.pool, frozen, seeded.success.seed, (s) => units?.get(s))
  const resultCsv = renderResultCsv(strata, start.success)
  const transcript: Transcript = {
    algorithm: ALGORITHM,
    hash: digest.name,
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.drawnAt === undefined ? {} : { drawnAt: input.drawnAt }),
    poolRoot: toHex(frozen.root),
    entrants: frozen.size,
    startNumber: start.success,
    seed: { sources: seeded.success.sources, value: toHex(seeded.success.seed) },
    strata: strata.map(
      (s): StratumOutcome =>
        s.units === undefined
          ? { stratum: s.stratum, entrants: s.order.length, winners: s.winners }
          : { stratum: s.stratum, entrants: s.order.length, units: s.units, winners: s.winners },
    ),
    resultDigest: toHex(digest.hash(resultCsv)),
  }
  return Result.succeed({ transcript, strata, resultCsv })
}
