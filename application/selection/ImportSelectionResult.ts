/**
 * Importing a selection result (导入选房结果, R54) into the stored stock: the opened (decrypted,
 * signature-checked) bytes become person–house bindings (人房关系), and each bound unit goes available →
 * let through the stock model (StockRules.letUnit, R37: never from locked). All or nothing: one atomic,
 * optimistic `updateUnits`; if one binding cannot apply (unknown or out-of-scope unit, unit not available)
 * nothing changes and the failure names family, unit and rule. Inventory counts are then derived from the
 * store (R26–R42). Needs `stock.write` and a data scope covering every bound unit's project.
 */
import { Data, Effect, Result } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import type { StatusCount } from "../../domain/inventory/Inventory.js"
import { type SelectionResult, decodeResult } from "../../domain/selection/SelectionResult.js"
import type { ProjectId, Unit, UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { StockStore } from "../ports/StockStore.js"
import { coversProject, requirePermission } from "../stock/StockAccess.js"

export class SelectionImportFailed extends Data.TaggedError("SelectionImportFailed")<{
  /** `malformed`: the bytes are not a result; `unit`: a binding names no unit in scope or one that cannot be let. */
  readonly reason: "malformed" | "unit"
  /** The family whose binding failed, when there is one. */
  readonly family?: string
  /** The rule a refused transition names (`R37.let-available-only`, …). */
  readonly rule?: string
  readonly message: string
}> {}

export interface SelectionImport {
  readonly result: SelectionResult
  /** The bindings with the stored unit as it is now (let, supplied). */
  readonly bindings: ReadonlyArray<{ readonly family: string; readonly unit: Unit }>
  /** Inventory counts of the bound units' projects after the import, from the store. */
  readonly counts: ReadonlyArray<StatusCount>
}

export const importSelectionResult = Effect.fn("Selection.importResult")(function* (
  actor: Actor,
  payload: Uint8Array,
) {
  yield* requirePermission(actor, "stock.write")
  const decoded = decodeResult(payload)
  if (Result.isFailure(decoded))
    return yield* new SelectionImportFailed({ reason: "malformed", message: decoded.failure.message })
  const result = decoded.success
  const store = yield* StockStore
  const stored = yield* store.getUnits(result.bindings.map((b) => b.unit as UnitId))
  const projects = yield* store.getProjects([...new Set(stored.map((u) => u.projectId))])
  const inScope = new Set(projects.filter((p) => coversProject(actor, p)).map((p) => p.id as string))
  const units = new Map(stored.filter((u) => inScope.has(u.projectId)).map((u) => [u.id as string, u]))
  const updates = []
  for (const b of result.bindings) {
    const u = units.get(b.unit)
    if (u === undefined)
      return yield* new SelectionImportFailed({
        reason: "unit",
        family: b.family,
        message: `family ${b.family} → unit ${b.unit}: no such unit in the stock`,
      })
    const let_ = Rules.letUnit(u)
    if (Result.isFailure(let_))
      return yield* new SelectionImportFailed({
        reason: "unit",
        family: b.family,
        rule: let_.failure.rule,
        message: `family ${b.family} → unit ${b.unit}: ${let_.failure.message} [${let_.failure.rule}]`,
      })
    updates.push({ family: b.family, unit: let_.success, expectedVersion: u.version })
  }
  yield* store.updateUnits(updates.map(({ unit, expectedVersion }) => ({ unit, expectedVersion })))
  const touched = [...new Set(updates.map((x) => x.unit.projectId))] as Array<ProjectId>
  const counts = touched.length === 0 ? [] : yield* store.countUnits({ inProjects: touched })
  return {
    result,
    bindings: updates.map(({ family, unit }) => ({ family, unit })),
    counts,
  } satisfies SelectionImport
})
