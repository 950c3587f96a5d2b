/**
 * Basic-data use-cases of the maintenance fund (基础数据, M11–M27) on the FundRegistry: register areas,
 * buildings, entrances and households with their owners (personal data sealed by FieldCipher, M26),
 * organisations (M20–M22), the facilities catalogue and facility records (M17–M19); split and merge (M15,
 * area conserved, balances moved by A18 in the same commit) and loss (M16, A4 refund approved). Rules are
 * the domain's (FundStructure, BasicData); every write leaves its change record (M12) and is scope-checked.
 */
import { Clock, Effect, Option, type Result } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import {
  type Facility,
  type FacilityCategory,
  type FacilityRecord,
  type FundOwner,
  type Organisation,
  type RegistryChange,
  checkCategory,
  checkId,
  checkOrganisation,
  totalArea,
} from "../../domain/fund/BasicData.js"
import type { Book } from "../../domain/fund/ChartOfAccounts.js"
import type { BuildingType } from "../../domain/fund/Deposits.js"
import * as Structure from "../../domain/fund/FundStructure.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import type { Area } from "../../domain/values/Area.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import type { Money } from "../../domain/values/Money.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { FundRegistry, type RegistryWrite } from "../ports/FundRegistry.js"
import { Ledger } from "../ports/Ledger.js"
import { FundRecordNotFound, requireArea, requireFundCentre, requireHousehold } from "./FundScope.js"

export const changeOf = Effect.fn("Fund.changeOf")(function* (
  actor: Actor,
  action: string,
  subject: string,
  areaId: string | undefined,
  detail: Record<string, unknown>,
  id?: string,
) {
  const at = yield* Clock.currentTimeMillis
  return {
    id: id ?? `${action}:${subject}:${at}`,
    at,
    actor: actor.id,
    action,
    subject,
    ...(areaId === undefined ? {} : { areaId }),
    detail,
  } satisfies RegistryChange
})

const fromResult = <A, E>(r: Result.Result<A, E>) => Effect.fromResult(r)

export const findArea = Effect.fn("Fund.findArea")(function* (id: string) {
  const reg = yield* FundRegistry
  const a = yield* reg.area(id)
  if (Option.isNone(a)) return yield* new FundRecordNotFound({ what: "area", id })
  return a.value
})

/** The household with its entrance, building and area, checked against the actor's scope. */
export const placeOf = Effect.fn("Fund.placeOf")(function* (
  actor: Actor,
  permission: "fund.read" | "fund.write",
  id: string,
) {
  const reg = yield* FundRegistry
  const p = yield* reg.householdPlace(id)
  if (Option.isNone(p)) return yield* new FundRecordNotFound({ what: "household", id })
  yield* requireHousehold(actor, permission, p.value)
  return p.value
})

/** M13: a property management area (stage 代管 or 自管) of a district. */
export const registerArea = Effect.fn("Fund.registerArea")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly name: string
    readonly district: string
    readonly stage: Structure.Stage
  },
) {
  const reg = yield* FundRegistry
  const area: Structure.PropertyArea = { ...input }
  yield* fromResult(checkId("id", input.id))
  if (!/^[0-9]{6}$/u.test(input.district))
    return yield* invalid(
      "district",
      "M13.district",
      input.district,
      "a district is a 6-digit GB/T 2260 code",
    )
  yield* requireArea(actor, "fund.write", area)
  if (Option.isSome(yield* reg.area(input.id)))
    return yield* invalid("id", "M13.unique-id", input.id, `area ${input.id} exists`)
  yield* fromResult(Structure.addArea(Structure.emptyStructure, area))
  yield* reg.commit({
    change: yield* changeOf(actor, "area.add", `area:${area.id}`, area.id, { ...area }),
    put: { areas: [area] },
  })
  return area
})

/** Writes a structure change of one area after the domain accepted it. */
const commitArea = Effect.fn("Fund.commitArea")(function* (
  actor: Actor,
  areaId: string,
  write: Omit<RegistryWrite, "change">,
  action: string,
  subject: string,
  detail: Record<string, unknown>,
) {
  const reg = yield* FundRegistry
  yield* reg.commit({ ...write, change: yield* changeOf(actor, action, subject, areaId, detail) })
})

const loadArea = Effect.fn("Fund.loadArea")(function* (actor: Actor, areaId: string) {
  const reg = yield* FundRegistry
  const area = yield* findArea(areaId)
  yield* requireArea(actor, "fund.write", area)
  return yield* reg.structureOf(areaId)
})

export const registerBuilding = Effect.fn("Fund.registerBuilding")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly areaId: string
    readonly name: string
    readonly type: BuildingType
    readonly hasLift: boolean
  },
) {
  yield* fromResult(checkId("id", input.id))
  const s = yield* loadArea(actor, input.areaId)
  const next = yield* fromResult(Structure.addBuilding(s, input))
  const b = next.buildings.get(input.id)!
  yield* commitArea(actor, input.areaId, { put: { buildings: [b] } }, "building.add", `building:${b.id}`, {
    ...b,
  })
  return b
})

export const registerEntrance = Effect.fn("Fund.registerEntrance")(function* (
  actor: Actor,
  input: { readonly id: string; readonly buildingId: string; readonly name: string; readonly areaId: string },
) {
  yield* fromResult(checkId("id", input.id))
  const areaId = input.areaId
  const s = yield* loadArea(actor, areaId)
  const e = { id: input.id, buildingId: input.buildingId, name: input.name }
  yield* fromResult(Structure.addEntrance(s, e))
  yield* commitArea(actor, areaId, { put: { entrances: [e] } }, "entrance.add", `entrance:${e.id}`, { ...e })
  return e
})

export interface OwnerInput {
  readonly id: string
  readonly kind: "person" | "organisation"
  readonly name: string
  readonly idNumber?: string
  readonly phone?: string
}

/** Seals an owner's personal data (M26): only ciphertexts and the ID number's blind index are stored. */
export const sealOwner = Effect.fn("Fund.sealOwner")(function* (o: OwnerInput) {
  const cipher = yield* FieldCipher
  yield* fromResult(checkId("owners.id", o.id))
  if (o.name.trim() === "") return yield* invalid("owners.name", "M14.owner-name", "", "an owner has a name")
  const owner: FundOwner = {
    id: o.id,
    kind: o.kind,
    name: yield* cipher.seal("name", o.name),
    ...(o.idNumber === undefined
      ? {}
      : {
          idNumber: yield* cipher.seal("idNumber", o.idNumber),
          idIndex: yield* cipher.blindIndex("idNumber", o.idNumber),
        }),
    ...(o.phone === undefined ? {} : { phone: yield* cipher.seal("phone", o.phone) }),
  }
  return owner
})

/** M13/M14: a household (area in 0.01 m², book) with its owners, sealed. */
export const registerHousehold = Effect.fn("Fund.registerHousehold")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly entranceId: string
    readonly areaId: string
    readonly area: number
    readonly book: Book
    readonly owners: ReadonlyArray<OwnerInput>
  },
) {
  yield* fromResult(checkId("id", input.id))
  const s = yield* loadArea(actor, input.areaId)
  const next = yield* fromResult(
    Structure.addHousehold(s, {
      id: input.id as HouseholdId,
      entranceId: input.entranceId,
      area: input.area as Area,
      owners: input.owners.map((o) => o.id),
      book: input.book,
    }),
  )
  const h = next.households.get(input.id)!
  const owners: FundOwner[] = []
  for (const o of input.owners) owners.push(yield* sealOwner(o))
  yield* commitArea(
    actor,
    input.areaId,
    { put: { households: [h], owners } },
    "household.add",
    `household:${h.id}`,
    {
      entranceId: h.entranceId,
      area: h.area,
      owners: h.owners,
      book: h.book,
    },
  )
  return h
})

const balanceOf = Effect.fn("Fund.balanceOf")(function* (book: Book, household: string) {
  const ledger = yield* Ledger
  const b = (yield* ledger.householdBalances(book)).find((x) => x.household === household)
  return { principal: (b?.principal ?? 0) as Money, income: (b?.income ?? 0) as Money }
})

/** M15 split: the parts' areas must sum to the source's (area conserved); balances move by A18. */
export const splitHouseholdAs = Effect.fn("Fund.splitHousehold")(function* (
  actor: Actor,
  input: {
    readonly household: string
    readonly date: CivilDate
    readonly into: ReadonlyArray<{ readonly id: string; readonly area: number }>
  },
) {
  const place = yield* placeOf(actor, "fund.write", input.household)
  const s = yield* loadArea(actor, place.area.id)
  for (const p of input.into) yield* fromResult(checkId("into.id", p.id))
  if (totalArea(input.into) !== place.household.area)
    return yield* invalid(
      "into",
      "M15.area-conserved",
      totalArea(input.into),
      `the parts must sum to ${place.household.area} (0.01 m²)`,
    )
  const r = yield* fromResult(
    Structure.splitHousehold(s, {
      entryId: `split-${input.household}`,
      date: input.date,
      household: input.household,
      balance: yield* balanceOf(place.household.book, input.household),
      into: input.into.map((p) => ({ id: p.id as HouseholdId, area: p.area as Area })),
    }),
  )
  const changed = [input.household, ...input.into.map((p) => p.id)].map(
    (id) => r.structure.households.get(id)!,
  )
  yield* commitArea(
    actor,
    place.area.id,
    { put: { households: changed }, entries: Option.toArray(r.entry) },
    "household.split",
    `household:${input.household}`,
    { into: input.into, parts: r.parts },
  )
  return r.parts
})

/** M15 merge of households of one area into a new one (area summed, balances moved by A18). */
export const mergeHouseholdsAs = Effect.fn("Fund.mergeHouseholds")(function* (
  actor: Actor,
  input: { readonly households: ReadonlyArray<string>; readonly into: string; readonly date: CivilDate },
) {
  yield* fromResult(checkId("into", input.into))
  const first = yield* placeOf(actor, "fund.write", input.households[0] ?? "")
  const s = yield* loadArea(actor, first.area.id)
  const hs: Array<{ id: string; balance: { principal: Money; income: Money } }> = []
  for (const id of input.households) {
    if (!s.households.has(id)) return yield* new FundRecordNotFound({ what: "household", id })
    hs.push({ id, balance: yield* balanceOf(first.household.book, id) })
  }
  const r = yield* fromResult(
    Structure.mergeHouseholds(s, {
      entryId: `merge-${input.into}`,
      date: input.date,
      households: hs,
      into: { id: input.into as HouseholdId },
    }),
  )
  const changed = [...input.households, input.into].map((id) => r.structure.households.get(id)!)
  yield* commitArea(
    actor,
    first.area.id,
    { put: { households: changed }, entries: Option.toArray(r.entry) },
    "household.merge",
    `household:${input.into}`,
    {
      households: input.households,
    },
  )
  return r.structure.households.get(input.into)!
})

/** M16 loss (灭失) of a household: marked lost, its whole balance approved for refund (A4). */
export const loseHouseholdAs = Effect.fn("Fund.loseHousehold")(function* (
  actor: Actor,
  input: { readonly household: string; readonly date: CivilDate },
) {
  const place = yield* placeOf(actor, "fund.write", input.household)
  const s = yield* loadArea(actor, place.area.id)
  const balance = yield* balanceOf(place.household.book, input.household)
  const r = yield* fromResult(
    Structure.loseHousehold(s, {
      entryId: `loss-${input.household}`,
      date: input.date,
      household: input.household,
      balance,
    }),
  )
  yield* commitArea(
    actor,
    place.area.id,
    { put: { households: [r.structure.households.get(input.household)!] }, entries: Option.toArray(r.entry) },
    "household.lose",
    `household:${input.household}`,
    { balance },
  )
  return { household: input.household, refundApproved: (balance.principal + balance.income) as Money }
})

/** M20–M22: an organisation; one serving areas needs scope over each of them. */
export const registerOrganisation = Effect.fn("Fund.registerOrganisation")(function* (
  actor: Actor,
  o: Organisation,
) {
  const reg = yield* FundRegistry
  yield* fromResult(checkOrganisation(o))
  if (o.areaIds.length === 0) yield* requireFundCentre(actor, "fund.write")
  for (const id of o.areaIds) yield* requireArea(actor, "fund.write", yield* findArea(id))
  yield* reg.commit({
    change: yield* changeOf(actor, "organisation.put", `organisation:${o.id}`, o.areaIds[0], { ...o }),
    put: { organisations: [o] },
  })
  return o
})

/** M17: a catalogue category (city-wide, fund centre). */
export const registerCategory = Effect.fn("Fund.registerCategory")(function* (
  actor: Actor,
  c: FacilityCategory,
) {
  const reg = yield* FundRegistry
  yield* requireFundCentre(actor, "fund.write")
  const existing = new Map((yield* reg.categories()).map((x) => [x.id, x]))
  yield* fromResult(checkCategory(existing, c))
  yield* reg.commit({
    change: yield* changeOf(actor, "category.put", `category:${c.id}`, undefined, { ...c }),
    put: { categories: [c] },
  })
  return c
})

/** M18: a facility of an area (and building), in a catalogue category. */
export const registerFacility = Effect.fn("Fund.registerFacility")(function* (actor: Actor, f: Facility) {
  const reg = yield* FundRegistry
  yield* fromResult(checkId("id", f.id))
  yield* requireArea(actor, "fund.write", yield* findArea(f.areaId))
  yield* reg.commit({
    change: yield* changeOf(actor, "facility.put", `facility:${f.id}`, f.areaId, { ...f }),
    put: { facilities: [f] },
  })
  return f
})

/** M19: a maintenance, servicing or inspection record of a facility of the area. */
export const recordFacilityWork = Effect.fn("Fund.recordFacilityWork")(function* (
  actor: Actor,
  areaId: string,
  r: FacilityRecord,
) {
  const reg = yield* FundRegistry
  yield* fromResult(checkId("id", r.id))
  yield* requireArea(actor, "fund.write", yield* findArea(areaId))
  if (!(yield* reg.facilities(areaId)).some((f) => f.id === r.facilityId))
    return yield* new FundRecordNotFound({ what: "facility", id: r.facilityId })
  yield* reg.commit({
    change: yield* changeOf(actor, "facility.record", `facility:${r.facilityId}`, areaId, { ...r }),
    put: { facilityRecords: [r] },
  })
  return r
})

/** M12: the change trail of an area, in commit order. */
export const changeTrail = Effect.fn("Fund.changeTrail")(function* (actor: Actor, areaId: string) {
  const reg = yield* FundRegistry
  const area = yield* findArea(areaId)
  yield* requireArea(actor, "fund.read", area)
  return yield* reg.changes({ areaId })
})

/** The structure of an area as the caller may see it. */
export const areaStructure = Effect.fn("Fund.areaStructure")(function* (actor: Actor, areaId: string) {
  const reg = yield* FundRegistry
  const area = yield* findArea(areaId)
  yield* requireArea(actor, "fund.read", area)
  return yield* reg.structureOf(areaId)
})
