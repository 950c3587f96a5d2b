/**
 * Basic data of the maintenance fund beyond the area → building → entrance → household structure
 * (FundStructure): owners (业主, M14) with personal data only sealed (M26), participating organisations
 * (参与单位, M20–M22), the common parts and facilities catalogue (共用部位共用设施设备分类目录, M17) with
 * facilities (M18) and their maintenance/servicing/inspection records (M19), and the change record (变更
 * 记录, M12) every write of basic data leaves. Pure checks; ids, times and actors are arguments.
 */
import { Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

/** A sealed personal-data field (FieldCipher's ciphertext with its key id); never plaintext. */
export interface SealedText {
  readonly keyId: string
  readonly ciphertext: string
}

/** An owner (业主): a person or an organisation; name, ID number and phone sealed, the ID number also as blind index. */
export interface FundOwner {
  readonly id: string
  readonly kind: "person" | "organisation"
  readonly name: SealedText
  readonly idNumber?: SealedText
  /** Blind index of the ID number (look-up without plaintext). */
  readonly idIndex?: string
  readonly phone?: SealedText
}

export const organisationKinds = [
  "developer",
  "public-housing-seller",
  "property-company",
  "owners-committee",
  "price-audit-agency",
  "custodian-bank",
  "other",
] as const
/** M20 (developer … price-audit agency), M21 (custodian bank), M22 (other). */
export type OrganisationKind = (typeof organisationKinds)[number]

export interface Organisation {
  readonly id: string
  readonly kind: OrganisationKind
  readonly name: string
  /** 统一社会信用代码 (GB 32100), when known. */
  readonly uscc?: string
  /** Areas it serves (property company, owners' committee) or holds the account of (bank). */
  readonly areaIds: ReadonlyArray<string>
  /** `cancelled` after 注销 (M20); kept for the trail, never deleted. */
  readonly status: "active" | "cancelled"
}

/** A node of the multi-level catalogue (M17): a category under `parentId` (none: top level). */
export interface FacilityCategory {
  readonly id: string
  readonly parentId?: string
  readonly name: string
  /** 共用部位 (common part) or 共用设施设备 (common facility). */
  readonly kind: "part" | "facility"
}

export interface Facility {
  readonly id: string
  readonly categoryId: string
  readonly areaId: string
  /** The building it belongs to; none: the whole area. */
  readonly buildingId?: string
  readonly name: string
  readonly status: "active" | "cancelled"
}

/** M19: a maintenance (维修), servicing (保养) or inspection (巡检) record of a facility. */
export interface FacilityRecord {
  readonly id: string
  readonly facilityId: string
  readonly kind: "maintenance" | "servicing" | "inspection"
  readonly date: CivilDate
  readonly note: string
}

/**
 * One recorded change of basic data (M12): who did what to which object, when, with the values written.
 * `id` is the client's idempotency key; the store keeps changes in order and never alters them.
 */
export interface RegistryChange {
  readonly id: string
  /** Epoch milliseconds. */
  readonly at: number
  readonly actor: string
  /** e.g. `area.add`, `household.split`, `bill.issue`, `deposit.record`. */
  readonly action: string
  /** The object changed (`household:H-1`, `bill:B0001`, …). */
  readonly subject: string
  /** The area the change belongs to (scope of the trail); none for city-wide data (catalogue, banks). */
  readonly areaId?: string
  /** What was written (no personal data in clear). */
  readonly detail: Readonly<Record<string, unknown>>
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u

/** Checks an id of basic data: 1–64 of `A–Z a–z 0–9 . _ -`, not starting with a symbol (M13). */
export const checkId = (field: string, id: string): Result.Result<string, InvalidValue> =>
  ID.test(id)
    ? Result.succeed(id)
    : Result.fail(invalid(field, "M13.id", id, "an id is 1–64 letters, digits, . _ -"))

const checkName = (field: string, name: string, rule: string): Result.Result<string, InvalidValue> =>
  name.trim().length > 0 && name.length <= 200
    ? Result.succeed(name)
    : Result.fail(invalid(field, rule, name, "a name is 1–200 characters"))

export const checkOrganisation = (o: Organisation): Result.Result<Organisation, InvalidValue> =>
  Result.gen(function* () {
    yield* checkId("organisation.id", o.id)
    if (!organisationKinds.includes(o.kind))
      return yield* Result.fail(invalid("organisation.kind", "M20.kind", o.kind, "unknown organisation kind"))
    yield* checkName("organisation.name", o.name, "M20.name")
    if (o.uscc !== undefined && !/^[0-9A-HJ-NPQRTUWXY]{18}$/u.test(o.uscc))
      return yield* Result.fail(invalid("organisation.uscc", "M20.uscc", o.uscc, "a USCC has 18 characters"))
    return o
  })

/** A category's parent must exist and must not be itself or below it (no cycles in the catalogue, M17). */
export const checkCategory = (
  existing: ReadonlyMap<string, FacilityCategory>,
  c: FacilityCategory,
): Result.Result<FacilityCategory, InvalidValue> =>
  Result.gen(function* () {
    yield* checkId("category.id", c.id)
    yield* checkName("category.name", c.name, "M17.name")
    if (c.parentId === undefined) return c
    let p: string | undefined = c.parentId
    for (let depth = 0; p !== undefined; depth++) {
      if (p === c.id || depth > 16)
        return yield* Result.fail(
          invalid("category.parentId", "M17.no-cycle", c.parentId, "a category cannot be below itself"),
        )
      const parent = existing.get(p)
      if (parent === undefined)
        return yield* Result.fail(
          invalid("category.parentId", "M17.known-parent", p, "unknown parent category"),
        )
      p = parent.parentId
    }
    return c
  })

/** Area of a set of households (0.01 m²): split and merge conserve it (M15). */
export const totalArea = (hs: ReadonlyArray<{ readonly area: number }>): number =>
  hs.reduce((t, h) => t + h.area, 0)
