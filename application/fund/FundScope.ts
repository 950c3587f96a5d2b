/**
 * Data scope of the fund's basic data and accounts: fund-centre staff by district (the area's district),
 * property company and owners' committee by property management area, an owner by household, the city
 * everything. Checked in every use-case; an object outside the scope fails like a missing one
 * (AccessDenied with the object, answered 404), a missing permission with AccessDenied without object.
 */
import { Data, Effect } from "effect"
import type { HouseholdPlace } from "../ports/FundRegistry.js"
import type { Actor, Permission } from "../../domain/access/Access.js"
import type { PropertyArea } from "../../domain/fund/FundStructure.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"

/** No such object of the fund's basic data (or outside the caller's reach: answered alike). */
export class FundRecordNotFound extends Data.TaggedError("FundRecordNotFound")<{
  readonly what: string
  readonly id: string
}> {
  override get message(): string {
    return `no ${this.what} ${this.id} within this identity's reach`
  }
}

export const coversArea = (actor: Actor, area: PropertyArea): boolean => {
  switch (actor.role) {
    case "city":
      return true
    case "district":
      return area.district === actor.district
    case "propertyArea":
      return actor.areaIds.includes(area.id)
    case "system":
      return (
        actor.districts === "all" || (area.district !== undefined && actor.districts.includes(area.district))
      )
    default:
      return false
  }
}

export const coversHousehold = (actor: Actor, place: HouseholdPlace): boolean =>
  actor.role === "household" ? actor.householdIds.includes(place.household.id) : coversArea(actor, place.area)

/** Permission, then scope: fails AccessDenied (object `area:<id>` when only the scope refuses). */
export const requireArea = (actor: Actor, permission: Permission, area: PropertyArea) =>
  Effect.flatMap(requirePermission(actor, permission), () =>
    coversArea(actor, area)
      ? Effect.void
      : Effect.fail(new AccessDenied({ actorId: actor.id, permission, object: `area:${area.id}` })),
  )

export const requireHousehold = (actor: Actor, permission: Permission, place: HouseholdPlace) =>
  Effect.flatMap(requirePermission(actor, permission), () =>
    coversHousehold(actor, place)
      ? Effect.void
      : Effect.fail(
          new AccessDenied({ actorId: actor.id, permission, object: `household:${place.household.id}` }),
        ),
  )

/** City-wide fund data (bills, catalogue, banks): fund-centre staff of a district or the city. */
export const requireFundCentre = (actor: Actor, permission: Permission) =>
  Effect.flatMap(requirePermission(actor, permission), () =>
    actor.role === "city" || actor.role === "district"
      ? Effect.void
      : Effect.fail(new AccessDenied({ actorId: actor.id, permission, object: "fund-centre" })),
  )
