/**
 * `anju fund apportion --amount <yuan> --units units.csv --by area|household|weight` (M49/M175/M176):
 * prints CSV `unit_id,share` (yuan, 2 decimals), one row per unit in input order; shares sum exactly to
 * the amount, each within one fen of its exact proportion, independent of row order. units.csv has
 * `unit_id,area` (m², ≤ 2 decimals) and optional `weight` (≤ 4 decimals). Every bad input exits 2.
 */
import { Result } from "effect"
import { type ApportionBasis, type ScopeUnit, apportion } from "../../../domain/fund/Apportionment.js"
import { parseSquareMetres } from "../../../domain/values/Area.js"
import { parseYuan, toYuanString } from "../../../domain/values/Money.js"
import { parseArgs, required, UsageError } from "../Args.js"
import type { Command } from "../Io.js"
import { orUsage, readTable, usageOf, withUsage } from "./FundInput.js"

const USAGE = "fund apportion --amount <yuan> --units units.csv --by area|household|weight"
const WEIGHT = /^(\d+)(?:\.(\d{1,4}))?$/u

export const fundApportion: Command = {
  words: ["fund", "apportion"],
  usage: USAGE,
  run: (argv, io) =>
    withUsage(io, USAGE, async () => {
      const args = parseArgs(argv, { values: ["amount", "units", "by"] })
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
      const amountText = required(args, "amount")
      const amount = orUsage("--amount", parseYuan(amountText, "amount"))
      if (amount < 0)
        throw new UsageError(`--amount must not be negative (got ${amountText}) [M175.non-negative-amount]`)
      const by = required(args, "by")
      if (by !== "area" && by !== "household" && by !== "weight")
        throw new UsageError(`--by must be area, household or weight (got ${by})`)
      const basis: ApportionBasis = by
      const table = await readTable(io, required(args, "units"), ["unit_id", "area"], ["weight"])
      if (basis === "weight" && !table.columns.has("weight"))
        throw new UsageError(`${table.file}: --by weight needs a weight column`)
      const units: Array<ScopeUnit> = []
      for (const r of table.rows) {
        const unitId = r.get("unit_id")
        if (unitId === "") throw new UsageError(`${table.file} row ${r.row}: unit_id is empty`)
        const area = orUsage(`${table.file} row ${r.row}`, parseSquareMetres(r.get("area"), "area"))
        let weight: bigint | undefined
        if (basis === "weight") {
          const m = WEIGHT.exec(r.get("weight"))
          if (!m)
            throw new UsageError(
              `${table.file} row ${r.row}: weight must be a non-negative number with at most 4 decimals (got ${JSON.stringify(r.get("weight"))})`,
            )
          weight = BigInt(m[1]!) * 10_000n + BigInt((m[2] ?? "").padEnd(4, "0"))
        }
        units.push({ unitId, area, ...(weight === undefined ? {} : { weight }) })
      }
      const result = apportion(amount, units, basis)
      if (Result.isFailure(result)) throw usageOf(table.file, result.failure)
      io.out(
        ["unit_id,share", ...result.success.shares.map((s) => `${s.unitId},${toYuanString(s.share)}`)].join(
          "\n",
        ),
      )
      return 0
    }),
}
