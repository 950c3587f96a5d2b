/**
 * Importing a selection result (导入选房结果, R54): the opened (decrypted, signature-checked) bytes become the
 * person–house bindings (人房关系) and `Bind` events on the unit inventory (R27–R36). All or nothing: if one
 * binding cannot apply (unknown unit, unit not available), nothing is imported and the failure names it.
 */
import { Data, Effect, Result } from "effect"
import * as Inventory from "../../domain/inventory/Inventory.js"
import { type SelectionResult, decodeResult } from "../../domain/selection/SelectionResult.js"

export class SelectionImportFailed extends Data.TaggedError("SelectionImportFailed")<{
  readonly reason: "malformed" | "inventory"
  /** The family whose binding failed, when there is one. */
  readonly family?: string
  readonly message: string
}> {}

export interface SelectionImport {
  readonly result: SelectionResult
  readonly bindings: ReadonlyArray<{
    readonly family: string
    readonly unit: string
    readonly stratum: string
  }>
  readonly inventory: Inventory.Inventory
}

export const importSelectionResult = Effect.fn("Selection.importResult")(function* (
  payload: Uint8Array,
  inventory: Inventory.Inventory,
) {
  const decoded = decodeResult(payload)
  if (Result.isFailure(decoded))
    return yield* new SelectionImportFailed({ reason: "malformed", message: decoded.failure.message })
  const result = decoded.success
  let inv = inventory
  for (const b of result.bindings) {
    const r = Inventory.apply(inv, { _tag: "Bind", application: b.family, unit: b.unit })
    if (Result.isFailure(r))
      return yield* new SelectionImportFailed({
        reason: "inventory",
        family: b.family,
        message: `family ${b.family} → unit ${b.unit}: ${r.failure.message}`,
      })
    inv = r.success
  }
  return {
    result,
    bindings: result.bindings.map((b) => ({ family: b.family, unit: b.unit, stratum: b.stratum })),
    inventory: inv,
  } satisfies SelectionImport
})
