/**
 * Housing stock (房源): project (项目) → building (楼栋) → unit (房屋). Records are immutable values;
 * `version` counts accepted changes of a unit (optimistic concurrency in every store). A unit's `kind`
 * starts as its project's kind and changes only through `convertKind` (R40).
 */
import { Schema } from "effect"
import { Area } from "../values/Area.js"
import { CivilDate } from "../values/CivilDate.js"
import { MobileNumber } from "../values/MobileNumber.js"
import { Money } from "../values/Money.js"
import { UnifiedSocialCreditCode } from "../values/UnifiedSocialCreditCode.js"
import { HousingKind } from "./HousingKind.js"
import { PublicCode } from "./PublicCode.js"
import { LockableStatus, UnitStatus } from "./UnitStatus.js"

/** Client-chosen identifiers: letters, digits, `-`, `_`, `.`; 1–64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u
const Identifier = Schema.String.pipe(Schema.check(Schema.isPattern(ID_PATTERN)))

export const ProjectId = Identifier.pipe(Schema.brand("ProjectId"))
export type ProjectId = typeof ProjectId.Type
export const BuildingId = Identifier.pipe(Schema.brand("BuildingId"))
export type BuildingId = typeof BuildingId.Type
export const UnitId = Identifier.pipe(Schema.brand("UnitId"))
export type UnitId = typeof UnitId.Type

/** A district code (GB/T 2260, six digits), checked against the dictionary by R132. */
export const DistrictCode = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^\d{6}$/u)),
  Schema.brand("DistrictCode"),
)
export type DistrictCode = typeof DistrictCode.Type

/** Service phone (服务电话, J2): a mobile number or a landline such as 021-12345678 or 12345. */
export const ServicePhone = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^(\d{3,4}-?\d{7,8}|1[3-9]\d{9}|\d{5,6})$/u)),
)

export const Project = Schema.Struct({
  id: ProjectId,
  name: Schema.String,
  kind: HousingKind,
  district: DistrictCode,
  address: Schema.String,
  operatorUscc: UnifiedSocialCreditCode,
  operatorName: Schema.String,
  servicePhone: Schema.Union([ServicePhone, MobileNumber]),
})
export type Project = typeof Project.Type

export const Building = Schema.Struct({
  id: BuildingId,
  projectId: ProjectId,
  name: Schema.String,
  totalFloors: Schema.Int,
  unitsPerFloor: Schema.Int,
  hasLift: Schema.Boolean,
  completionDate: CivilDate,
})
export type Building = typeof Building.Type

export const Unit = Schema.Struct({
  id: UnitId,
  code: PublicCode,
  projectId: ProjectId,
  buildingId: BuildingId,
  floor: Schema.Int,
  /** Position on the floor (室号), 1 … units per floor. */
  roomNo: Schema.Int,
  bedrooms: Schema.Int,
  halls: Schema.Int,
  area: Area,
  orientation: Schema.NullOr(Schema.String),
  decoration: Schema.NullOr(Schema.String),
  /** Actual monthly rent (实际月租金), fen. */
  rent: Money,
  /** Market monthly rent (市场月租金), fen. */
  marketRent: Money,
  kind: HousingKind,
  status: UnitStatus,
  /** The status a lock interrupted (draft or available), restored by unlock (R37); null unless locked. */
  lockedFrom: Schema.NullOr(LockableStatus),
  /** True once the unit has been let or selected: its kind is then frozen (R40). */
  supplied: Schema.Boolean,
  version: Schema.Int,
})
export type Unit = typeof Unit.Type

/** Room label as printed on doors: floor and two-digit room number (`1203`; basement `B102`). */
export const roomLabel = (u: Pick<Unit, "floor" | "roomNo">): string =>
  `${u.floor < 0 ? `B${-u.floor}` : u.floor}${String(u.roomNo).padStart(2, "0")}`

/** What the public page and QR of a unit show (J2): no personal data, no internal ids. */
export interface UnitPublicRecord {
  readonly code: PublicCode
  readonly kind: HousingKind
  readonly status: UnitStatus
  readonly projectName: string
  readonly district: DistrictCode
  readonly districtName: string
  readonly address: string
  readonly buildingName: string
  readonly totalFloors: number
  readonly hasLift: boolean
  readonly floor: number
  readonly room: string
  readonly bedrooms: number
  readonly halls: number
  readonly area: Area
  readonly orientation: string | null
  readonly decoration: string | null
  readonly rent: Money
  readonly servicePhone: string
}
