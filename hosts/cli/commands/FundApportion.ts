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
import { choice, text, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { orUsage, readTable, usageOf } from "./FundInput.js"

const WEIGHT = /^(\d+)(?:\.(\d{1,4}))?$/u

export const fundApportion = defineCommand({
  words: ["fund", "apportion"],
  description: "apportion an amount over units by area, household or weight, exact to the fen (M175)",
  examples: [
    {
      command:
        "anju fund apportion --amount 120000.00 --units contracts-tests/cases/samples/fund-units.csv --by area",
      description: "CSV unit_id,share; the shares sum exactly to the amount",
    },
  ],
  config: {
    amount: text("amount", "yuan", "the amount in yuan, at most 2 decimals"),
    units: text("units", "units.csv", "unit_id,area[,weight]"),
    by: choice("by", ["area", "household", "weight"], "the apportionment basis"),
  },
  run: async (input, io) => {
    const amountText = input.amount
    const amount = orUsage("--amount", parseYuan(amountText, "amount"))
    if (amount < 0)
      throw new UsageError(`--amount must not be negative (got ${amountText}) [M175.non-negative-amount]`)
    const by = input.by
    const basis: ApportionBasis = by
    const table = await readTable(io, input.units, ["unit_id", "area"], ["weight"])
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
  },
})
