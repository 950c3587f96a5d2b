/**
 * `anju fund vote --units units.csv --ballots ballots.csv --matter use|raise [--rules civil-code|order165]`
 * (Civil Code art. 278 / Order 165, catalog §4): units.csv `unit_id,area,owner_id`, ballots.csv
 * `unit_id,vote` (yes|no|abstain). Prints JSON with participating and approving area (m²) and heads,
 * every threshold checked and `passed`. Exit 0 whether or not the vote passed; 2 on bad input.
 */
import { Result } from "effect"
import { type Ballot, type Vote, type VotingUnit, tallyVote } from "../../../domain/fund/OwnerVote.js"
import { type Area, parseSquareMetres, toDecimalString } from "../../../domain/values/Area.js"
import { Flag } from "effect/cli"
import { choice, text, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { orUsage, readTable, usageOf } from "./FundInput.js"

export const fundVote = defineCommand({
  words: ["fund", "vote"],
  description: "tally an owners' vote by area and heads (Civil Code art. 278 / Order 165)",
  examples: [
    {
      command:
        "anju fund vote --units contracts-tests/cases/samples/fund-owners.csv --ballots contracts-tests/cases/samples/fund-ballots.csv --matter use",
      description: "every threshold checked and whether the vote passed, as JSON",
    },
  ],
  config: {
    units: text("units", "units.csv", "unit_id,area,owner_id"),
    ballots: text("ballots", "ballots.csv", "unit_id,vote (yes|no|abstain)"),
    matter: choice("matter", ["use", "raise"], "using the fund, or raising it"),
    rules: choice("rules", ["civil-code", "order165"], "the thresholds").pipe(
      Flag.withDefault("civil-code" as const),
    ),
  },
  run: async (input, io) => {
    const { matter, rules } = input
    const unitsTable = await readTable(io, input.units, ["unit_id", "area", "owner_id"])
    const ballotsTable = await readTable(io, input.ballots, ["unit_id", "vote"])
    const units: VotingUnit[] = unitsTable.rows.map((r) => ({
      unitId: r.get("unit_id"),
      area: orUsage(`${unitsTable.file} row ${r.row}`, parseSquareMetres(r.get("area"), "area")),
      ownerId: r.get("owner_id"),
    }))
    const ballots: Ballot[] = ballotsTable.rows.map((r) => {
      const vote = r.get("vote").toLowerCase()
      if (vote !== "yes" && vote !== "no" && vote !== "abstain")
        throw new UsageError(
          `${ballotsTable.file} row ${r.row}: vote must be yes, no or abstain (got ${r.get("vote")})`,
        )
      return { unitId: r.get("unit_id"), vote: vote as Vote }
    })
    const outcome = tallyVote({ units, ballots, matter, rules })
    if (Result.isFailure(outcome)) throw usageOf("vote", outcome.failure)
    const o = outcome.success
    const m2 = (hundredths: number) => toDecimalString(hundredths as Area)
    io.out(
      JSON.stringify(
        {
          rules: o.rules,
          matter: o.matter,
          totalArea: m2(o.totalArea),
          totalHeads: o.totalHeads,
          participatingArea: m2(o.participatingArea),
          participatingHeads: o.participatingHeads,
          approvingArea: m2(o.approvingArea),
          approvingHeads: o.approvingHeads,
          thresholds: o.thresholds.map((t) => ({
            rule: t.rule,
            measure: t.measure,
            counted: t.counted,
            base: t.base,
            comparison: t.comparison,
            threshold: `${t.threshold.numerator}/${t.threshold.denominator}`,
            actual:
              t.measure === "area"
                ? `${m2(t.actual.numerator)}/${m2(t.actual.denominator)}`
                : `${t.actual.numerator}/${t.actual.denominator}`,
            met: t.met,
          })),
          passed: o.passed,
        },
        null,
        2,
      ),
    )
    return 0
  },
})
