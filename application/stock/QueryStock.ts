/**
 * Read side of the housing stock: the public record behind a unit's code (一房一码, J2/J4), a unit by id,
 * and filtered, keyset-paged unit lists for officers. The code look-up is public (J2); the rest needs
 * `stock.read`, and an actor sees only units of projects its data scope covers (others are `UnitNotFound`
 * or absent from lists, exactly as missing ones).
 */
import { Effect, Option } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import { SHANGHAI_DISTRICTS } from "../../domain/stock/Dictionaries.js"
import type { PublicCode } from "../../domain/stock/PublicCode.js"
import {
  type DistrictCode,
  type ProjectId,
  roomLabel,
  type UnitId,
  type UnitPublicRecord,
} from "../../domain/stock/Stock.js"
import { StockStore, type UnitQuery } from "../ports/StockStore.js"
import { coversProject, requirePermission } from "./StockAccess.js"
import { UnitNotFound } from "./StockErrors.js"

export const lookupUnitByCode = Effect.fn("Stock.lookupUnitByCode")(function* (code: PublicCode) {
  const store = yield* StockStore
  // One read for unit, building and project (issue 16: the public look-up is the hottest route).
  const placed = yield* store.findPlacedUnitByCode(code)
  if (Option.isNone(placed)) return yield* new UnitNotFound({ key: code })
  const { unit: u, building, project } = placed.value
  return {
    code: u.code,
    kind: u.kind,
    status: u.status,
    projectName: project.name,
    district: project.district,
    districtName: SHANGHAI_DISTRICTS[project.district] ?? project.district,
    address: project.address,
    buildingName: building.name,
    totalFloors: building.totalFloors,
    hasLift: building.hasLift,
    floor: u.floor,
    room: roomLabel(u),
    bedrooms: u.bedrooms,
    halls: u.halls,
    area: u.area,
    orientation: u.orientation,
    decoration: u.decoration,
    rent: u.rent,
    servicePhone: project.servicePhone,
  } satisfies UnitPublicRecord
})

export const getUnit = Effect.fn("Stock.getUnit")(function* (actor: Actor, id: UnitId) {
  yield* requirePermission(actor, "stock.read")
  const store = yield* StockStore
  const [u] = yield* store.getUnits([id])
  if (u === undefined) return yield* new UnitNotFound({ key: id })
  const [p] = yield* store.getProjects([u.projectId])
  if (p === undefined || !coversProject(actor, p)) return yield* new UnitNotFound({ key: id })
  return u
})

/** The store query narrowed to the actor's data scope (city: unchanged). */
const scoped = (actor: Actor, q: UnitQuery): UnitQuery => {
  switch (actor.role) {
    case "city":
      return q
    case "district":
      return { ...q, inDistricts: [actor.district as DistrictCode] }
    case "system":
      return actor.districts === "all" ? q : { ...q, inDistricts: actor.districts as Array<DistrictCode> }
    case "operator":
      return { ...q, inProjects: actor.projectIds as Array<ProjectId> }
    case "propertyArea":
    case "household":
    case "applicant":
      return { ...q, inProjects: [] }
  }
}

export const listUnits = Effect.fn("Stock.listUnits")(function* (actor: Actor, query: UnitQuery) {
  yield* requirePermission(actor, "stock.read")
  const store = yield* StockStore
  return yield* store.listUnits(
    scoped(actor, { ...query, limit: Math.min(Math.max(1, Math.trunc(query.limit)), 1000) }),
  )
})
