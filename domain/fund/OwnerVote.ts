/**
 * Owner vote (业主表决) on the maintenance fund, catalog §4 (V1–V14): Civil Code art. 278 with the
 * judicial interpretation's counting rules, or the older double-2/3 rule of Ministerial Order 165
 * (V5/V6), chosen per jurisdiction. All comparisons are exact (bigint cross-multiplication, V11/V13).
 * Heads (V10): one head per distinct owner id — several units of one owner, and all of a developer's
 * unsold units (given under one developer owner id), count once. An owner participates when at least one
 * of their units cast a ballot (yes, no or abstain); an owner approves only when every ballot cast on
 * their units is yes (a split or abstaining owner participates but does not approve). Area counts per unit.
 */
import { Result } from "effect"
import type { Area } from "../values/Area.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

export type Vote = "yes" | "no" | "abstain"
/** V1: item (5) use of the fund, item (6) raising or re-raising it. */
export type Matter = "use" | "raise"
/** `civil-code`: Civil Code art. 278 (V2–V4); `order165`: Ministerial Order 165 art. 22 double 2/3 of total (V6). */
export type RuleSet = "civil-code" | "order165"

export interface VotingUnit {
  readonly unitId: string
  /** Exclusive area in 0.01 m² (V9). */
  readonly area: Area
  readonly ownerId: string
}

export interface Ballot {
  readonly unitId: string
  readonly vote: Vote
}

export interface Fraction {
  readonly numerator: number
  readonly denominator: number
}

export interface ThresholdCheck {
  /** Catalog rule (`V2`, `V3`, `V4`, `V6`). */
  readonly rule: string
  readonly measure: "area" | "heads"
  /** What is counted (`participating`, `approving`) over which base (`total`, `participating`). */
  readonly counted: "participating" | "approving"
  readonly base: "total" | "participating"
  /** `>=` for 以上 (inclusive), `>` for 过半数 (strictly more than half, V11). */
  readonly comparison: ">=" | ">"
  readonly threshold: Fraction
  /** The counted figure over the base (area in 0.01 m², heads in owners). */
  readonly actual: Fraction
  readonly met: boolean
}

export interface VoteOutcome {
  readonly rules: RuleSet
  readonly matter: Matter
  readonly totalArea: number
  readonly totalHeads: number
  readonly participatingArea: number
  readonly participatingHeads: number
  readonly approvingArea: number
  readonly approvingHeads: number
  /** Every threshold the rule set applies, in order; `passed` iff all are met. */
  readonly thresholds: ReadonlyArray<ThresholdCheck>
  readonly passed: boolean
}

export interface VoteInput {
  readonly units: ReadonlyArray<VotingUnit>
  readonly ballots: ReadonlyArray<Ballot>
  readonly matter: Matter
  readonly rules: RuleSet
}

const VOTES: ReadonlySet<string> = new Set(["yes", "no", "abstain"])

const check = (
  rule: string,
  measure: ThresholdCheck["measure"],
  counted: ThresholdCheck["counted"],
  base: ThresholdCheck["base"],
  comparison: ThresholdCheck["comparison"],
  threshold: Fraction,
  num: bigint,
  den: bigint,
): ThresholdCheck => {
  const lhs = num * BigInt(threshold.denominator)
  const rhs = BigInt(threshold.numerator) * den
  const met = den > 0n && (comparison === ">=" ? lhs >= rhs : lhs > rhs)
  return {
    rule,
    measure,
    counted,
    base,
    comparison,
    threshold,
    actual: { numerator: Number(num), denominator: Number(den) },
    met,
  }
}

const TWO_THIRDS: Fraction = { numerator: 2, denominator: 3 }
const HALF: Fraction = { numerator: 1, denominator: 2 }
const THREE_QUARTERS: Fraction = { numerator: 3, denominator: 4 }

/**
 * Counts a vote and decides it. Failures (InvalidValue): empty voting base, duplicate unit, missing owner,
 * zero total area (V9), ballot for an unknown unit, two ballots for one unit, unknown vote, matter or rules.
 */
export const tallyVote = (input: VoteInput): Result.Result<VoteOutcome, InvalidValue> => {
  const { units, ballots, matter, rules } = input
  if (matter !== "use" && matter !== "raise")
    return Result.fail(invalid("matter", "V1.matter", matter, "matter must be use or raise"))
  if (rules !== "civil-code" && rules !== "order165")
    return Result.fail(invalid("rules", "V7.rule-set", rules, "rules must be civil-code or order165"))
  if (units.length === 0)
    return Result.fail(invalid("units", "V13.non-empty-base", 0, "the voting base has no units"))
  const byUnit = new Map<string, VotingUnit>()
  let totalArea = 0n
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!
    if (byUnit.has(u.unitId))
      return Result.fail(
        invalid(`units[${i}].unitId`, "V10.unique-unit", u.unitId, `unit ${u.unitId} is listed twice`),
      )
    if (u.ownerId === "")
      return Result.fail(
        invalid(`units[${i}].ownerId`, "V10.owner-required", "", "every unit needs an owner id"),
      )
    if (!Number.isSafeInteger(u.area) || u.area < 0)
      return Result.fail(
        invalid(
          `units[${i}].area`,
          "V9.non-negative-area",
          u.area,
          "areas must be non-negative whole 0.01 m²",
        ),
      )
    byUnit.set(u.unitId, u)
    totalArea += BigInt(u.area)
  }
  if (totalArea === 0n)
    return Result.fail(invalid("units", "V9.positive-total-area", 0, "the voting base has zero total area"))
  const cast = new Map<string, Vote>()
  for (let i = 0; i < ballots.length; i++) {
    const b = ballots[i]!
    if (!byUnit.has(b.unitId))
      return Result.fail(
        invalid(`ballots[${i}].unitId`, "V13.known-unit", b.unitId, `ballot for unknown unit ${b.unitId}`),
      )
    if (cast.has(b.unitId))
      return Result.fail(
        invalid(`ballots[${i}].unitId`, "V13.one-ballot-per-unit", b.unitId, `unit ${b.unitId} voted twice`),
      )
    if (!VOTES.has(b.vote))
      return Result.fail(
        invalid(`ballots[${i}].vote`, "V13.vote-choice", b.vote, "a vote is yes, no or abstain"),
      )
    cast.set(b.unitId, b.vote)
  }
  // Per owner: did any unit vote, and were all cast ballots yes?
  const owners = new Map<string, { voted: boolean; allYes: boolean }>()
  let participatingArea = 0n
  let approvingArea = 0n
  for (const u of units) {
    const o = owners.get(u.ownerId) ?? { voted: false, allYes: true }
    const v = cast.get(u.unitId)
    if (v !== undefined) {
      o.voted = true
      if (v !== "yes") o.allYes = false
      participatingArea += BigInt(u.area)
      if (v === "yes") approvingArea += BigInt(u.area)
    }
    owners.set(u.ownerId, o)
  }
  let participatingHeads = 0n
  let approvingHeads = 0n
  for (const o of owners.values())
    if (o.voted) {
      participatingHeads += 1n
      if (o.allYes) approvingHeads += 1n
    }
  const totalHeads = BigInt(owners.size)
  const thresholds: ThresholdCheck[] =
    rules === "order165"
      ? [
          check("V6", "area", "approving", "total", ">=", TWO_THIRDS, approvingArea, totalArea),
          check("V6", "heads", "approving", "total", ">=", TWO_THIRDS, approvingHeads, totalHeads),
        ]
      : [
          check("V2", "area", "participating", "total", ">=", TWO_THIRDS, participatingArea, totalArea),
          check("V2", "heads", "participating", "total", ">=", TWO_THIRDS, participatingHeads, totalHeads),
          ...(matter === "use"
            ? [
                check(
                  "V3",
                  "area",
                  "approving",
                  "participating",
                  ">",
                  HALF,
                  approvingArea,
                  participatingArea,
                ),
                check(
                  "V3",
                  "heads",
                  "approving",
                  "participating",
                  ">",
                  HALF,
                  approvingHeads,
                  participatingHeads,
                ),
              ]
            : [
                check(
                  "V4",
                  "area",
                  "approving",
                  "participating",
                  ">=",
                  THREE_QUARTERS,
                  approvingArea,
                  participatingArea,
                ),
                check(
                  "V4",
                  "heads",
                  "approving",
                  "participating",
                  ">=",
                  THREE_QUARTERS,
                  approvingHeads,
                  participatingHeads,
                ),
              ]),
        ]
  return Result.succeed({
    rules,
    matter,
    totalArea: Number(totalArea),
    totalHeads: Number(totalHeads),
    participatingArea: Number(participatingArea),
    participatingHeads: Number(participatingHeads),
    approvingArea: Number(approvingArea),
    approvingHeads: Number(approvingHeads),
    thresholds,
    passed: thresholds.every((t) => t.met),
  })
}
