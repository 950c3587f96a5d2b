/**
 * Use-cases that register housing stock one record set at a time: projects, buildings, units (each unit
 * gets its public code, 一房一码). Validation (R132) happens before any write and reports every issue;
 * re-sending an identical registration succeeds without change (idempotent by client-chosen id).
 * Needs `stock.write`, and the project must lie in the actor's data scope (a district officer registers
 * only in their district, an operator only their projects); a building or unit naming a project outside
 * the scope is told the same as when that project does not exist.
 */
import { Effect, Result } from "effect"
import type { Actor } from "../../domain/access/Access.js"
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
import { coversProject, requirePermission, STOCK_LIMITS } from "./StockAccess.js"
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

/** Issues for values beyond STOCK_LIMITS (money and area sanity), naming the field. */
export const limitIssues = (d: UnitDraft, prefix: string): ReadonlyArray<InvalidValue> => [
  ...(d.area > STOCK_LIMITS.maxUnitAreaHundredths
    ? [invalid(`${prefix}.area`, "stock.area-limit", String(d.area), "area exceeds 10,000 m²")]
    : []),
  ...(["rent", "marketRent"] as const).flatMap((f) =>
    d[f] > STOCK_LIMITS.maxMonthlyRentFen
      ? [invalid(`${prefix}.${f}`, "stock.rent-limit", String(d[f]), "monthly rent exceeds ¥1,000,000")]
      : [],
  ),
]

export const registerProject = Effect.fn("Stock.registerProject")(function* (
  actor: Actor,
  input: ProjectInput,
) {
  yield* requirePermission(actor, "stock.write")
  const project = yield* orReject(validateProject(input))
  if (!coversProject(actor, project))
    return yield* new StockInputRejected({
      issues: [
        invalid(
          "project.district",
          "access.data-scope",
          project.district,
          "outside this identity's data scope",
        ),
      ],
    })
  const store = yield* StockStore
  const summary = yield* store.write({ projects: [project], buildings: [], units: [] })
  return { project, created: summary.inserted.projects === 1 }
})

export const registerBuilding = Effect.fn("Stock.registerBuilding")(function* (
  actor: Actor,
  input: BuildingInput,
) {
  yield* requirePermission(actor, "stock.write")
  const building = yield* orReject(validateBuilding(input))
  const store = yield* StockStore
  const [project] = yield* store.getProjects([building.projectId])
  if (project === undefined || !coversProject(actor, project))
    return yield* new StockInputRejected({
      issues: [
        invalid(
          "building.projectId",
          "stock.reference-registered",
          building.projectId,
          `project ${building.projectId} is not registered`,
        ),
      ],
    })
  const summary = yield* store.write({ projects: [], buildings: [building], units: [] })
  return { building, created: summary.inserted.buildings === 1 }
})

/**
 * Registers units into existing buildings. All-or-nothing: any invalid unit rejects the call.
 * Units already stored with the same attributes are reported as unchanged (and keep their codes).
 */
export const registerUnits = Effect.fn("Stock.registerUnits")(function* (
  actor: Actor,
  inputs: ReadonlyArray<UnitInput>,
) {
  yield* requirePermission(actor, "stock.write")
  const issues: Array<InvalidValue> = []
  /** Valid drafts with their position in `inputs`, so every issue names the caller's index. */
  const drafts: Array<{ readonly at: number; readonly d: UnitDraft }> = []
  inputs.forEach((input, at) => {
    const r = validateUnit(input, `units[${at}]`)
    if (Result.isFailure(r)) issues.push(...r.failure)
    else {
      const beyond = limitIssues(r.success, `units[${at}]`)
      if (beyond.length === 0) drafts.push({ at, d: r.success })
      else issues.push(...beyond)
    }
  })
  // Field errors do not stop the checks valid units can still get: the caller sees every issue at once.
  const store = yield* StockStore
  const storedBuildings = yield* store.getBuildings([...new Set(drafts.map(({ d }) => d.buildingId))])
  // Only projects in scope are visible: a building of another scope's project reads as unregistered.
  const projects = new Map<string, Project>(
    (yield* store.getProjects([...new Set(storedBuildings.map((b) => b.projectId))]))
      .filter((p) => coversProject(actor, p))
      .map((p) => [p.id, p]),
  )
  const buildings = new Map<string, Building>(
    storedBuildings.filter((b) => projects.has(b.projectId)).map((b) => [b.id, b]),
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
