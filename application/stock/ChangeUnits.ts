/**
 * Unit life-cycle commands: publish, recall (R36), lock/unlock (R37), kind conversion (R40). Each reads
 * the unit, applies the pure transition and writes with the version it read, so a concurrent change
 * fails with `StaleVersion` instead of being overwritten. Several units change atomically or not at all.
 * Needs `stock.write`; a unit outside the actor's data scope is `UnitNotFound`, exactly as a missing one.
 */
import { Effect, Result } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import type { HousingKind } from "../../domain/stock/HousingKind.js"
import type { Unit, UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { StockStore } from "../ports/StockStore.js"
import { coversProject, requirePermission } from "./StockAccess.js"
import { UnitNotFound } from "./StockErrors.js"

export type UnitChange =
  | { readonly command: "publish" }
  | { readonly command: "recall" }
  | { readonly command: "lock" }
  | { readonly command: "unlock" }
  | { readonly command: "let" }
  | { readonly command: "release" }
  | { readonly command: "markUnusable" }
  | { readonly command: "convertKind"; readonly kind: HousingKind }

const apply = (u: Unit, c: UnitChange): Result.Result<Unit, Rules.UnitTransitionRefused> => {
  switch (c.command) {
    case "publish":
      return Rules.publish(u)
    case "recall":
      return Rules.recall(u)
    case "lock":
      return Rules.lock(u)
    case "unlock":
      return Rules.unlock(u)
    case "let":
      return Rules.letUnit(u)
    case "release":
      return Rules.release(u)
    case "markUnusable":
      return Rules.markUnusable(u)
    case "convertKind":
      return Rules.convertKind(u, c.kind)
  }
}

export interface UnitTarget {
  readonly unitId: UnitId
  /** The version the caller last saw; omitted means "whatever is current when read". */
  readonly expectedVersion?: number
}

/** Applies one change to each target atomically; returns the updated units in target order. */
export const changeUnits = Effect.fn("Stock.changeUnits")(function* (
  actor: Actor,
  targets: ReadonlyArray<UnitTarget>,
  change: UnitChange,
) {
  yield* requirePermission(actor, "stock.write")
  const store = yield* StockStore
  const stored = yield* store.getUnits(targets.map((t) => t.unitId))
  const projects = yield* store.getProjects([...new Set(stored.map((u) => u.projectId))])
  const inScope = new Set(projects.filter((p) => coversProject(actor, p)).map((p) => p.id as string))
  const found = new Map(stored.filter((u) => inScope.has(u.projectId)).map((u) => [u.id as string, u]))
  const updates = []
  for (const t of targets) {
    const u = found.get(t.unitId)
    if (u === undefined) return yield* new UnitNotFound({ key: t.unitId })
    const read = t.expectedVersion ?? u.version
    const nextUnit = apply({ ...u, version: read }, change)
    if (Result.isFailure(nextUnit)) return yield* nextUnit.failure
    updates.push({ unit: nextUnit.success, expectedVersion: read })
  }
  yield* store.updateUnits(updates)
  return updates.map((x) => x.unit)
})
