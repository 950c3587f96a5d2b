/**
 * Use-case: 共有产权 price quote for buying the government share (R125) with the five-year test and
 * every variable of the computation.
 */
import { Effect, Schema } from "effect"
import { type BuyoutQuote, quoteBuyoutUnknown } from "../../domain/gongyou/BuyoutQuote.js"
import { allGongyouParameters } from "../../domain/gongyou/GongyouParameters.js"
import { CivilDate } from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { loadPolicyTable } from "./LoadPolicyTable.js"

export const quoteGongyouBuyout = Effect.fn("Policy.quoteGongyouBuyout")(function* (input: {
  readonly unit: unknown
  readonly on: unknown
}) {
  const on = yield* Effect.fromResult(Schema.decodeUnknownResult(CivilDate)(input.on)).pipe(
    Effect.mapError(() => invalid("on", "date.format", input.on, "expected a date YYYY-MM-DD")),
  )
  const table = yield* loadPolicyTable(allGongyouParameters)
  const quote: BuyoutQuote = yield* Effect.fromResult(quoteBuyoutUnknown(table, input.unit, on))
  return quote
})
