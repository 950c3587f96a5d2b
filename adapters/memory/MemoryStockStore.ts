/**
 * In-memory StockStore: the reference implementation the contract suite is written against. Each call
 * validates the whole batch against the current state before mutating anything, so every write is
 * atomic; JavaScript's single thread makes each call serialisable.
 */
import { Effect, Layer, Option } from "effect"
import type { StockStore as Port } from "../../application/ports/StockStore.js"
import {
  type StockBatch,
  StockStore,
  type UnitCountQuery,
  StockStoreError,
  type UnitQuery,
  type UnitUpdate,
} from "../../application/ports/StockStore.js"
import { countUnits } from "../../domain/inventory/Inventory.js"
import type { Building, Project, Unit } from "../../domain/stock/Stock.js"
import { buildingInvariantViolation, unitInvariantViolation } from "../../domain/stock/StockRules.js"

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const fail = (reason: StockStoreError["reason"]) => Effect.fail(new StockStoreError({ reason }))
const slotOf = (u: Pick<Unit, "buildingId" | "floor" | "roomNo">) => `${u.buildingId}|${u.floor}|${u.roomNo}`

export const make = Effect.sync((): Port["Service"] => {
  const projects = new Map<string, Project>()
  const buildings = new Map<string, Building>()
  const units = new Map<string, Unit>()
  const byCode = new Map<string, string>()
  const bySlot = new Map<string, string>()

  const write = (batch: StockBatch) =>
    Effect.suspend(() => {
      const newP = new Map<string, Project>()
      const newB = new Map<string, Building>()
      const newU = new Map<string, Unit>()
      let unchangedP = 0
      let unchangedB = 0
      let unchangedU = 0
      for (const p of batch.projects) {
        const old = projects.get(p.id) ?? newP.get(p.id)
        if (old === undefined) newP.set(p.id, p)
        else if (same(old, p)) unchangedP += projects.has(p.id) ? 1 : 0
        else
          return fail({
            _tag: "Conflict",
            entity: "project",
            id: p.id,
            detail: "a project with this id has other attributes",
          })
      }
      for (const b of batch.buildings) {
        if (!projects.has(b.projectId) && !newP.has(b.projectId))
          return fail({ _tag: "MissingReference", entity: "project", id: b.projectId })
        const brokenB = buildingInvariantViolation(b)
        if (brokenB !== undefined)
          return fail({ _tag: "Rejected", entity: "building", id: b.id, detail: brokenB })
        const old = buildings.get(b.id) ?? newB.get(b.id)
        if (old === undefined) newB.set(b.id, b)
        else if (same(old, b)) unchangedB += buildings.has(b.id) ? 1 : 0
        else
          return fail({
            _tag: "Conflict",
            entity: "building",
            id: b.id,
            detail: "a building with this id has other attributes",
          })
      }
      const codes = new Map<string, string>()
      const slots = new Map<string, string>()
      for (const u of batch.units) {
        const building = buildings.get(u.buildingId) ?? newB.get(u.buildingId)
        if (building === undefined)
          return fail({ _tag: "MissingReference", entity: "building", id: u.buildingId })
        if (!projects.has(u.projectId) && !newP.has(u.projectId))
          return fail({ _tag: "MissingReference", entity: "project", id: u.projectId })
        if (building.projectId !== u.projectId)
          return fail({
            _tag: "Rejected",
            entity: "unit",
            id: u.id,
            detail: `unit names project ${u.projectId} but its building belongs to ${building.projectId}`,
          })
        const brokenU = unitInvariantViolation(u)
        if (brokenU !== undefined)
          return fail({ _tag: "Rejected", entity: "unit", id: u.id, detail: brokenU })
        const old = units.get(u.id) ?? newU.get(u.id)
        if (old !== undefined) {
          if (same(old, u)) {
            unchangedU += units.has(u.id) ? 1 : 0
            continue
          }
          return fail({
            _tag: "Conflict",
            entity: "unit",
            id: u.id,
            detail: "a unit with this id has other attributes",
          })
        }
        const codeOwner = byCode.get(u.code) ?? codes.get(u.code)
        if (codeOwner !== undefined)
          return fail({
            _tag: "Conflict",
            entity: "unit",
            id: u.id,
            detail: `public code already used by ${codeOwner}`,
          })
        const slotOwner = bySlot.get(slotOf(u)) ?? slots.get(slotOf(u))
        if (slotOwner !== undefined)
          return fail({
            _tag: "Conflict",
            entity: "unit",
            id: u.id,
            detail: `floor ${u.floor} room ${u.roomNo} of building ${u.buildingId} is unit ${slotOwner}`,
          })
        codes.set(u.code, u.id)
        slots.set(slotOf(u), u.id)
        newU.set(u.id, u)
      }
      for (const p of newP.values()) projects.set(p.id, p)
      for (const b of newB.values()) buildings.set(b.id, b)
      for (const u of newU.values()) {
        units.set(u.id, u)
        byCode.set(u.code, u.id)
        bySlot.set(slotOf(u), u.id)
      }
      return Effect.succeed({
        inserted: { projects: newP.size, buildings: newB.size, units: newU.size },
        unchanged: { projects: unchangedP, buildings: unchangedB, units: unchangedU },
      })
    })

  const updateUnits = (updates: ReadonlyArray<UnitUpdate>) =>
    Effect.suspend(() => {
      const seen = new Set<string>()
      for (const { unit, expectedVersion } of updates) {
        const cur = units.get(unit.id)
        if (cur === undefined || cur.version !== expectedVersion || seen.has(unit.id))
          return fail({
            _tag: "StaleVersion",
            id: unit.id,
            expected: expectedVersion,
            actual: cur?.version ?? null,
          })
        if (
          unit.version !== expectedVersion + 1 ||
          unit.code !== cur.code ||
          unit.buildingId !== cur.buildingId ||
          unit.floor !== cur.floor ||
          unit.roomNo !== cur.roomNo
        )
          return fail({
            _tag: "Conflict",
            entity: "unit",
            id: unit.id,
            detail: "an update must bump the version by one and keep code and location",
          })
        const brokenU = unitInvariantViolation(unit)
        if (brokenU !== undefined)
          return fail({ _tag: "Rejected", entity: "unit", id: unit.id, detail: brokenU })
        seen.add(unit.id)
      }
      for (const { unit } of updates) units.set(unit.id, unit)
      return Effect.void
    })

  const listUnits = (q: UnitQuery) =>
    Effect.sync(() => {
      const matches = [...units.values()]
        .filter((u) => {
          if (q.projectId !== undefined && u.projectId !== q.projectId) return false
          if (q.buildingId !== undefined && u.buildingId !== q.buildingId) return false
          if (q.kind !== undefined && u.kind !== q.kind) return false
          if (q.status !== undefined && u.status !== q.status) return false
          if (q.bedrooms !== undefined && u.bedrooms !== q.bedrooms) return false
          if (q.minArea !== undefined && u.area < q.minArea) return false
          if (q.maxArea !== undefined && u.area > q.maxArea) return false
          if (q.district !== undefined && projects.get(u.projectId)?.district !== q.district) return false
          if (q.inProjects !== undefined && !q.inProjects.includes(u.projectId)) return false
          const d = projects.get(u.projectId)?.district
          if (q.inDistricts !== undefined && (d === undefined || !q.inDistricts.includes(d))) return false
          return true
        })
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const start = q.after === undefined ? matches : matches.filter((u) => u.id > q.after!)
      const items = start.slice(0, q.limit)
      const last = items.at(-1)
      return {
        items,
        total: matches.length,
        next: start.length > q.limit && last !== undefined ? last.id : null,
      }
    })

  // Inventory counts are the pure derivation over the stored units (the reference the databases match).
  const count = (q: UnitCountQuery) =>
    Effect.sync(() =>
      countUnits(
        [...units.values()].filter((u) => {
          if (q.projectId !== undefined && u.projectId !== q.projectId) return false
          if (q.inProjects !== undefined && !q.inProjects.includes(u.projectId)) return false
          const d = projects.get(u.projectId)?.district
          if (q.inDistricts !== undefined && (d === undefined || !q.inDistricts.includes(d))) return false
          return true
        }),
      ),
    )

  return {
    write,
    getProjects: (ids) => Effect.sync(() => ids.flatMap((id) => projects.get(id) ?? [])),
    getBuildings: (ids) => Effect.sync(() => ids.flatMap((id) => buildings.get(id) ?? [])),
    getUnits: (ids) => Effect.sync(() => ids.flatMap((id) => units.get(id) ?? [])),
    findUnitByCode: (code) => Effect.sync(() => Option.fromUndefinedOr(units.get(byCode.get(code) ?? ""))),
    findPlacedUnitByCode: (code) =>
      Effect.sync(() => {
        const unit = units.get(byCode.get(code) ?? "")
        const building = unit === undefined ? undefined : buildings.get(unit.buildingId)
        const project = unit === undefined ? undefined : projects.get(unit.projectId)
        return unit === undefined || building === undefined || project === undefined
          ? Option.none()
          : Option.some({ unit, building, project })
      }),
    updateUnits,
    listUnits,
    countUnits: count,
  }
})

export const layer = Layer.effect(StockStore, make)
