/**
 * Importing a selection result into the stored stock (R54 over R37): bound units become let and supplied,
 * the counts come from the store; one binding that cannot apply (unit not available, unknown, or outside
 * the actor's scope) leaves every unit as it was; a unit bound once cannot be bound again.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Result } from "effect"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import { estate } from "../../contracts-tests/StockFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import * as Inventory from "../../domain/inventory/Inventory.js"
import { encodeResult, RESULT_FORMAT, type SelectionResult } from "../../domain/selection/SelectionResult.js"
import type { Unit } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { StockStore } from "../ports/StockStore.js"
import { importSelectionResult, SelectionImportFailed } from "./ImportSelectionResult.js"

const city: Actor = { role: "city", id: "city" }
const otherOperator: Actor = { role: "operator", id: "op", projectIds: ["P-elsewhere"] }

const payload = (bindings: ReadonlyArray<{ family: string; unit: string }>): Uint8Array =>
  encodeResult({
    format: RESULT_FORMAT,
    title: "第1批",
    exportedAt: 0,
    families: bindings.length,
    units: bindings.length,
    bindings: bindings.map((b, i) => ({ ...b, stratum: "s", rank: i + 1, at: i })),
    skipped: [],
    released: [],
  } satisfies SelectionResult)

/** An estate of 4 units: 0–2 published, 1 of them then locked; 3 left in draft. */
const seed = Effect.gen(function* () {
  const store = yield* StockStore
  const batch = estate("sel", 4)
  yield* store.write(batch)
  const [u0, u1, u2] = batch.units as [Unit, Unit, Unit, Unit]
  const published = [u0, u1, u2].map((u) => Result.getOrThrow(Rules.publish(u)))
  yield* store.updateUnits(published.map((unit) => ({ unit, expectedVersion: 1 })))
  const locked = Result.getOrThrow(Rules.lock(published[2]!))
  yield* store.updateUnits([{ unit: locked, expectedVersion: 2 }])
  return batch
})

const statuses = (units: ReadonlyArray<Unit>) => units.map((u) => u.status)

describe("importSelectionResult", () => {
  it.effect("lets every bound unit in the store and returns the derived counts", () =>
    Effect.gen(function* () {
      const batch = yield* seed
      const [u0, u1] = batch.units
      const out = yield* importSelectionResult(
        city,
        payload([
          { family: "F1", unit: u0!.id },
          { family: "F2", unit: u1!.id },
        ]),
      )
      expect(out.bindings.map((b) => [b.family, b.unit.status, b.unit.supplied])).toEqual([
        ["F1", "let", true],
        ["F2", "let", true],
      ])
      const store = yield* StockStore
      const stored = yield* store.getUnits(batch.units.map((u) => u.id))
      expect(statuses(stored)).toEqual(["let", "let", "locked", "draft"])
      expect(out.counts).toEqual(Inventory.countUnits(stored))
      // once only: a second import of the same result is refused, nothing changes
      const again = yield* Effect.exit(importSelectionResult(city, payload([{ family: "F1", unit: u0!.id }])))
      expect(Exit.isFailure(again) && JSON.stringify(again.cause)).toContain("R37.let-available-only")
    }).pipe(Effect.provide(MemoryStockStore.layer)),
  )

  it.effect("all or nothing: a locked, draft, unknown or out-of-scope unit fails the whole import", () =>
    Effect.gen(function* () {
      const batch = yield* seed
      const store = yield* StockStore
      const before = yield* store.getUnits(batch.units.map((u) => u.id))
      const [u0, , u2, u3] = batch.units
      const cases: ReadonlyArray<[Actor, string, string]> = [
        [city, u2!.id, "R37.let-available-only"], // locked (R37): never let directly
        [city, u3!.id, "R37.let-available-only"], // draft
        [city, "U-sel-missing", "no such unit"],
        [otherOperator, u2!.id, "no such unit"], // out of scope looks like missing
      ]
      for (const [actor, second, text] of cases) {
        const exit = yield* Effect.exit(
          importSelectionResult(
            actor,
            payload([
              { family: "F1", unit: u0!.id },
              { family: "F2", unit: second },
            ]),
          ),
        )
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        const failure = error?._tag === "Fail" ? error.error : undefined
        if (actor === city) expect(failure).toBeInstanceOf(SelectionImportFailed)
        if (actor === city) expect((failure as SelectionImportFailed).message).toContain(text)
        expect(yield* store.getUnits(batch.units.map((u) => u.id))).toEqual(before)
      }
    }).pipe(Effect.provide(MemoryStockStore.layer)),
  )
})
