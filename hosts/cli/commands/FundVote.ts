/**
 * `anju fund vote --units units.csv --ballots ballots.csv --matter use|raise [--rules civil-code|order165]`
 * (Civil Code art. 278 / Order 165, catalog §4): units.csv `unit_id,area,owner_id`, ballots.csv
 * `unit_id,vote` (yes|no|abstain). Prints JSON with participating and approving area (m²) and heads,
 * every threshold checked and `passed`. Exit 0 whether or not the vote passed; 2 on bad input.
 */
import { Result } from "effect"
import { type Ballot, type Vote, type VotingUnit, tallyVote } from "../../../domain/fund/OwnerVote.js"
import { type Area, parseSquareMetres, toDecimalString } from "../../../domain/values/Area.js"
import { parseArgs, required, UsageError } from "../Args.js"
import type { Command } from "../Io.js"
import { orUsage, readTable, usageOf, withUsage } from "./FundInput.js"

const USAGE =
  "fund vote --units units.csv --ballots ballots.csv --matter use|raise [--rules civil-code|order165]"

export const fundVote: Command = {
  words: ["fund", "vote"],
  usage: USAGE,
  run: (argv, io) =>
    withUsage(io, USAGE, async () => {
      const args = parseArgs(argv, { values: ["units", "ballots", "matter", "rules"] })
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
      const matter = required(args, "matter")
      if (matter !== "use" && matter !== "raise")
        throw new UsageError(`--matter must be use or raise (got ${matter})`)
      const rules = args.values.get("rules") ?? "civil-code"
      if (rules !== "civil-code" && rules !== "order165")
        throw new UsageError(`--rules must be civil-code or order165 (got ${rules})`)
      const unitsTable = await readTable(io, required(args, "units"), ["unit_id", "area", "owner_id"])
      const ballotsTable = await readTable(io, required(args, "ballots"), ["unit_id", "vote"])
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
    }),
}
