/**
 * Use-case: 廉租 rent subsidy (租金补贴, R118–R123) for a household over a date range — per-month
 * amounts and total in fen, or a back-pay (补发) / recovery (追回) statement (R120).
 */
import { Effect, Schema } from "effect"
import { decodeSubsidyCase } from "../../domain/subsidy/LianzuSubsidyCase.js"
import { type SubsidyStatement, prorate } from "../../domain/subsidy/LianzuSubsidy.js"
import { allSubsidyParameters } from "../../domain/subsidy/SubsidyParameters.js"
import { CivilDate } from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { loadPolicyTable } from "./LoadPolicyTable.js"

const date = (value: unknown, field: string) =>
  Effect.fromResult(Schema.decodeUnknownResult(CivilDate)(value)).pipe(
    Effect.mapError(() => invalid(field, "date.format", value, "expected a date YYYY-MM-DD")),
  )

export const computeLianzuSubsidy = Effect.fn("Policy.computeLianzuSubsidy")(function* (input: {
  readonly household: unknown
  readonly from: unknown
  readonly to: unknown
  readonly kind?: SubsidyStatement["kind"]
}) {
  const c = yield* Effect.fromResult(decodeSubsidyCase(input.household))
  const from = yield* date(input.from, "from")
  const to = yield* date(input.to, "to")
  const table = yield* loadPolicyTable(allSubsidyParameters)
  const statement: SubsidyStatement = yield* Effect.fromResult(
    prorate(table, c, from, to, input.kind ?? "entitlement"),
  )
  return statement
})
