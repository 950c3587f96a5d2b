/**
 * Expected failures of the stock use-cases besides the port's own `StockStoreError`: rejected input
 * (every violated rule, nothing written) and unknown units. Domain refusals (`UnitTransitionRefused`)
 * pass through unchanged.
 */
import { Data } from "effect"
import type { InvalidValue } from "../../domain/values/InvalidValue.js"

export class StockInputRejected extends Data.TaggedError("StockInputRejected")<{
  readonly issues: ReadonlyArray<InvalidValue>
}> {
  override get message(): string {
    return this.issues.map((i) => `${i.field}: ${i.message} [${i.rule}]`).join("; ")
  }
}

export class UnitNotFound extends Data.TaggedError("UnitNotFound")<{ readonly key: string }> {
  override get message(): string {
    return `no unit ${this.key}`
  }
}
