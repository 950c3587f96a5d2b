/**
 * Use-cases that register housing stock one record set at a time: projects, buildings, units (each unit
 * gets its public code, 一房一码). Validation (R132) happens before any write and reports every issue;
 * re-sending an identical registration succeeds without change (idempotent by client-chosen id).
 */
import { Effect, Result } from "effect"
import { fromRandomBytes, PUBLIC_CODE_BYTES } from "../../domain/stock/PublicCode.js"
import type { Building, BuildingId, Project, ProjectId, Unit } from "../../domain/stock/Stock.js"
import { unitMatchesDraft } from "../../domain/stock/StockImport.js"
import {
  type BuildingInput,
  checkUnitsFitBuilding,
  makeUnit,
  type ProjectInput,
  type UnitDraft,
  type UnitInput,
  validateBuilding,
  validateProject,
  validateUnit,
} from "../../domain/stock/StockRules.js"
import { type InvalidValue, invalid } from "../../domain/values/InvalidValue.js"
import { SecureRandom } from "../ports/SecureRandom.js"
import { StockStore, type WriteSummary } from "../ports/StockStore.js"
import { StockInputRejected } from "./StockErrors.js"

const orReject = <A>(r: Result.Result<A, ReadonlyArray<InvalidValue>>) =>
  Result.isSuccess(r) ? Effect.succeed(r.success) : Effect.fail(new StockInputRejected({ issues: r.failure }))

/** Draws one public code per unit from the secure random source. */
export const mintCodes = Effect.fn("Stock.mintCodes")(function* (count: number) {
  const random = yield* SecureRandom
  const bytes = yield* random.bytes(count * PUBLIC_CODE_BYTES)
  return Array.from({ length: count }, (_, i) =>
    fromRandomBytes(bytes.subarray(i * PUBLIC_CODE_BYTES, (i + 1) * PUBLIC_CODE_BYTES)),
  )
})

export const registerProject = Effect.fn("Stock.registerProject")(function* (input: ProjectInput) {
  const project = yield* orReject(validateProject(input))
  const store = yield* StockStore
  const summary = yield* store.write({ projects: [project], buildings: [], units: [] })
  return { project, created: summary.inserted.projects === 1 }
})

export const registerBuilding = Effect.fn("Stock.registerBuilding")(function* (input: BuildingInput) {
  const building = yield* orReject(validateBuilding(input))
  const store = yield* StockStore
  const summary = yield* store.write({ projects: [], buildings: [building], units: [] })
  return { building, created: summary.inserted.buildings === 1 }
})

/**
 * Registers units into existing buildings. All-or-nothing: any invalid unit rejects the call.
 * Units already stored with the same attributes are reported as unchanged (and keep their codes).
 */
export const registerUnits = Effect.fn("Stock.registerUnits")(function* (inputs: ReadonlyArray<UnitInput>) {
  const issues: Array<InvalidValue> = []
  /** Valid drafts with their position in `inputs`, so every issue names the caller's index. */
  const drafts: Array<{ readonly at: number; readonly d: UnitDraft }> = []
  inputs.forEach((input, at) => {
    const r = validateUnit(input, `units[${at}]`)
    if (Result.isSuccess(r)) drafts.push({ at, d: r.success })
    else issues.push(...r.failure)
  })
  // Field errors do not stop the checks valid units can still get: the caller sees every issue at once.
  const store = yield* StockStore
  const buildings = new Map<string, Building>(
    (yield* store.getBuildings([...new Set(drafts.map(({ d }) => d.buildingId))])).map((b) => [b.id, b]),
  )
  const projects = new Map<string, Project>(
    (yield* store.getProjects([...new Set([...buildings.values()].map((b) => b.projectId))])).map((p) => [
      p.id,
      p,
    ]),
  )
  const seen = new Set<string>()
  for (const { at, d } of drafts) {
    const b = buildings.get(d.buildingId)
    if (b === undefined)
      issues.push(
        invalid(
          `units[${at}].buildingId`,
          "stock.building-registered",
          d.buildingId,
          "building is not registered",
        ),
      )
    else
      for (const { issue } of checkUnitsFitBuilding(b, [d])) {
        const field = issue.rule === "R132.total-floors-below-highest-floor" ? "floor" : "roomNo"
        issues.push(invalid(`units[${at}].${field}`, issue.rule, issue.value, issue.message))
      }
    if (seen.has(d.id))
      issues.push(invalid(`units[${at}].id`, "stock.unique-unit-id", d.id, "unit id appears twice"))
    seen.add(d.id)
  }
  if (issues.length > 0) return yield* new StockInputRejected({ issues })

  const stored = new Map<string, Unit>(
    (yield* store.getUnits(drafts.map(({ d }) => d.id))).map((u) => [u.id, u]),
  )
  const fresh: Array<UnitDraft> = []
  for (const { at, d } of drafts) {
    const s = stored.get(d.id)
    const project = projects.get(buildings.get(d.buildingId)!.projectId)!
    if (s === undefined) fresh.push(d)
    else if (!unitMatchesDraft(s, d, project.kind))
      issues.push(
        invalid(
          `units[${at}].id`,
          "stock.conflicts-with-stored",
          d.id,
          "unit is already registered with different attributes",
        ),
      )
  }
  if (issues.length > 0) return yield* new StockInputRejected({ issues })
  const codes = yield* mintCodes(fresh.length)
  const units = fresh.map((d, i) =>
    makeUnit(d, projects.get(buildings.get(d.buildingId)!.projectId)!, codes[i]!),
  )
  const summary: WriteSummary = yield* store.write({ projects: [], buildings: [], units })
  const created = new Map(units.map((u) => [u.id as string, u]))
  return {
    units: drafts.map(({ d }) => created.get(d.id) ?? stored.get(d.id)!),
    created: summary.inserted.units,
    unchanged: drafts.length - summary.inserted.units,
  }
})

export type { BuildingId, ProjectId }
