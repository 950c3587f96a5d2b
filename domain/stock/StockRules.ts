/**
 * Stock-data validation (R132) and unit life-cycle rules (R36–R40). Validators take loosely typed input
 * (JSON bodies, spreadsheet cells) and return either the typed record or every violated rule, each
 * naming field, rule and value. Transitions are pure functions returning the next unit or a refusal.
 */
import { Data, Result } from "effect"
import * as AreaM from "../values/Area.js"
import * as CivilDateM from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as MobileNumberM from "../values/MobileNumber.js"
import * as MoneyM from "../values/Money.js"
import * as UsccM from "../values/UnifiedSocialCreditCode.js"
import { DECORATIONS, ORIENTATIONS, R132_LIMITS, SHANGHAI_DISTRICTS } from "./Dictionaries.js"
import { type HousingKind, housingKindFromText } from "./HousingKind.js"
import type { PublicCode } from "./PublicCode.js"
import {
  type Building,
  type BuildingId,
  type DistrictCode,
  ID_PATTERN,
  type Project,
  type ProjectId,
  type Unit,
  type UnitId,
} from "./Stock.js"
import { isLockable, type UnitStatus } from "./UnitStatus.js"

type Cell = string | number | boolean | null | undefined

export interface ProjectInput {
  readonly id?: Cell
  readonly name?: Cell
  readonly kind?: Cell
  readonly district?: Cell
  readonly address?: Cell
  readonly operatorUscc?: Cell
  readonly operatorName?: Cell
  readonly servicePhone?: Cell
}
export interface BuildingInput {
  readonly id?: Cell
  readonly projectId?: Cell
  readonly name?: Cell
  readonly totalFloors?: Cell
  readonly unitsPerFloor?: Cell
  readonly hasLift?: Cell
  readonly completionDate?: Cell
}
export interface UnitInput {
  readonly id?: Cell
  readonly buildingId?: Cell
  readonly floor?: Cell
  readonly roomNo?: Cell
  readonly bedrooms?: Cell
  readonly halls?: Cell
  /** m², decimal text or number with at most two decimals. */
  readonly area?: Cell
  readonly orientation?: Cell
  readonly decoration?: Cell
  /** Yuan per month, decimal text or number with at most two decimals. */
  readonly rent?: Cell
  readonly marketRent?: Cell
  /** Optional; defaults to the project's kind. */
  readonly kind?: Cell
}

/** Collects issues while reading fields of one record; `prefix` makes paths like `unit.bedrooms`. */
class FieldReader {
  readonly issues: Array<InvalidValue> = []
  constructor(private readonly prefix: string) {}
  private path(f: string) {
    return this.prefix ? `${this.prefix}.${f}` : f
  }
  private blank(v: Cell) {
    return v === undefined || v === null || (typeof v === "string" && v.trim() === "")
  }
  fail(f: string, rule: string, v: unknown, message: string) {
    this.issues.push(invalid(this.path(f), rule, v, message))
  }
  required(f: string, v: Cell): string | undefined {
    if (this.blank(v)) {
      this.fail(f, "R132.non-null", "", "required field is empty")
      return undefined
    }
    return String(v).trim()
  }
  optional(v: Cell): string | undefined {
    return this.blank(v) ? undefined : String(v).trim()
  }
  id<B>(f: string, v: Cell): B | undefined {
    const s = this.required(f, v)
    if (s === undefined) return undefined
    if (!ID_PATTERN.test(s)) {
      this.fail(f, "id.format", s, "identifiers are 1–64 letters, digits, '.', '_' or '-'")
      return undefined
    }
    return s as B
  }
  int(f: string, v: Cell, min: number, max: number, rule: string, message: string): number | undefined {
    const s = this.required(f, v)
    if (s === undefined) return undefined
    if (!/^[+-]?\d+$/u.test(s)) {
      this.fail(f, "R132.numeric", s, "must be a whole number")
      return undefined
    }
    const n = Number(s)
    if (n < min || n > max) {
      this.fail(f, rule, s, message)
      return undefined
    }
    return n
  }
  fromResult<A>(
    f: string,
    v: Cell,
    parse: (s: string, field: string) => Result.Result<A, InvalidValue>,
  ): A | undefined {
    const s = this.required(f, v)
    if (s === undefined) return undefined
    const r = parse(s, this.path(f))
    if (Result.isFailure(r)) {
      this.issues.push(r.failure)
      return undefined
    }
    return r.success
  }
  dictionary<T extends string>(
    f: string,
    v: Cell,
    values: ReadonlyArray<T>,
    optional: boolean,
  ): T | null | undefined {
    const s = optional ? this.optional(v) : this.required(f, v)
    if (s === undefined) return optional ? null : undefined
    if (!values.includes(s as T)) {
      this.fail(f, "R132.dictionary", s, `not in the dictionary (${values.join(", ")})`)
      return undefined
    }
    return s as T
  }
  kind(f: string, v: Cell, optional: boolean): HousingKind | null | undefined {
    const s = optional ? this.optional(v) : this.required(f, v)
    if (s === undefined) return optional ? null : undefined
    const k = housingKindFromText(s)
    if (k === undefined)
      this.fail(
        f,
        "R132.dictionary",
        s,
        "unknown housing kind (gongzu, baozu, lianzu, gongyou, anzhi, rencai)",
      )
    return k
  }
  boolean(f: string, v: Cell): boolean | undefined {
    if (typeof v === "boolean") return v
    const s = this.required(f, v)
    if (s === undefined) return undefined
    const t = s.toLowerCase()
    if (["true", "yes", "y", "1", "是", "有"].includes(t)) return true
    if (["false", "no", "n", "0", "否", "无"].includes(t)) return false
    this.fail(f, "R132.dictionary", s, "expected yes/no (是/否)")
    return undefined
  }
}

const done = <A>(r: FieldReader, value: () => A): Result.Result<A, ReadonlyArray<InvalidValue>> =>
  r.issues.length > 0 ? Result.fail(r.issues) : Result.succeed(value())

export const validateProject = (
  input: ProjectInput,
  prefix = "project",
): Result.Result<Project, ReadonlyArray<InvalidValue>> => {
  const r = new FieldReader(prefix)
  const id = r.id<ProjectId>("id", input.id)
  const name = r.required("name", input.name)
  const kind = r.kind("kind", input.kind, false)
  const district = r.required("district", input.district)
  if (district !== undefined && SHANGHAI_DISTRICTS[district] === undefined)
    r.fail("district", "R132.dictionary", district, "not a district code of the dictionary (GB/T 2260)")
  const address = r.required("address", input.address)
  const operatorUscc = r.fromResult("operatorUscc", input.operatorUscc, UsccM.parse)
  const operatorName = r.required("operatorName", input.operatorName)
  const phone = r.required("servicePhone", input.servicePhone)
  let servicePhone = phone
  if (phone !== undefined) {
    const mobile = MobileNumberM.parse(phone)
    if (Result.isSuccess(mobile)) servicePhone = mobile.success
    else if (!/^(\d{3,4}-?\d{7,8}|\d{5,6})$/u.test(phone)) {
      r.fail(
        "servicePhone",
        "phone.format",
        phone,
        "expected a mobile number, a landline such as 021-12345678, or a hotline",
      )
    }
  }
  return done(r, () => ({
    id: id!,
    name: name!,
    kind: kind!,
    district: district as DistrictCode,
    address: address!,
    operatorUscc: operatorUscc!,
    operatorName: operatorName!,
    servicePhone: servicePhone!,
  }))
}

export const validateBuilding = (
  input: BuildingInput,
  prefix = "building",
): Result.Result<Building, ReadonlyArray<InvalidValue>> => {
  const r = new FieldReader(prefix)
  const id = r.id<BuildingId>("id", input.id)
  const projectId = r.id<ProjectId>("projectId", input.projectId)
  const name = r.required("name", input.name)
  // R132: "总层数 … 不能大于合理楼层高度阈值100"; "每层户数 … 不能大于合理每层户数阈值30".
  const totalFloors = r.int(
    "totalFloors",
    input.totalFloors,
    1,
    R132_LIMITS.maxTotalFloors,
    "R132.total-floors-max",
    `total floors must be 1..${R132_LIMITS.maxTotalFloors}`,
  )
  const unitsPerFloor = r.int(
    "unitsPerFloor",
    input.unitsPerFloor,
    1,
    R132_LIMITS.maxUnitsPerFloor,
    "R132.units-per-floor-max",
    `units per floor must be 1..${R132_LIMITS.maxUnitsPerFloor}`,
  )
  const hasLift = r.boolean("hasLift", input.hasLift)
  const completionDate = r.fromResult("completionDate", input.completionDate, CivilDateM.parse)
  return done(r, () => ({
    id: id!,
    projectId: projectId!,
    name: name!,
    totalFloors: totalFloors!,
    unitsPerFloor: unitsPerFloor!,
    hasLift: hasLift!,
    completionDate: completionDate!,
  }))
}

/** A unit before it has a public code, a status and a version (what a caller registers). */
export type UnitDraft = Omit<
  Unit,
  "code" | "projectId" | "status" | "lockedFrom" | "supplied" | "version" | "kind"
> & {
  readonly kind: HousingKind | null
}

export const validateUnit = (
  input: UnitInput,
  prefix = "unit",
): Result.Result<UnitDraft, ReadonlyArray<InvalidValue>> => {
  const r = new FieldReader(prefix)
  const id = r.id<UnitId>("id", input.id)
  const buildingId = r.id<BuildingId>("buildingId", input.buildingId)
  const floor = r.int(
    "floor",
    input.floor,
    -5,
    R132_LIMITS.maxTotalFloors,
    "R132.floor-range",
    "floor must be -5..100 and not 0",
  )
  if (floor === 0) r.fail("floor", "R132.floor-range", 0, "floor 0 does not exist (basements are -1, -2, …)")
  const roomNo = r.int(
    "roomNo",
    input.roomNo,
    1,
    R132_LIMITS.maxUnitsPerFloor,
    "R132.room-no-range",
    `room number on the floor must be 1..${R132_LIMITS.maxUnitsPerFloor}`,
  )
  // R132: "卧室数为0或正整数，且不能大于5；厅数为0或正整数，且不能大于5".
  const bedrooms = r.int(
    "bedrooms",
    input.bedrooms,
    0,
    R132_LIMITS.maxBedrooms,
    "R132.bedrooms-range",
    "bedrooms must be an integer 0..5",
  )
  const halls = r.int(
    "halls",
    input.halls,
    0,
    R132_LIMITS.maxHalls,
    "R132.halls-range",
    "halls must be an integer 0..5",
  )
  const area = r.fromResult("area", input.area, (s, f) => AreaM.parseSquareMetres(s, f))
  if (area === 0) r.fail("area", "R132.area-positive", "0", "area must be greater than zero")
  const orientation = r.dictionary("orientation", input.orientation, ORIENTATIONS, true)
  const decoration = r.dictionary("decoration", input.decoration, DECORATIONS, true)
  const rent = r.fromResult("rent", input.rent, (s, f) => MoneyM.parseYuan(s, f))
  const marketRent = r.fromResult("marketRent", input.marketRent, (s, f) => MoneyM.parseYuan(s, f))
  if (rent !== undefined && rent < 0)
    r.fail("rent", "money.non-negative", input.rent, "rent cannot be negative")
  if (marketRent !== undefined && marketRent < 0)
    r.fail("marketRent", "money.non-negative", input.marketRent, "rent cannot be negative")
  const kind = r.kind("kind", input.kind, true)
  return done(r, () => ({
    id: id!,
    buildingId: buildingId!,
    floor: floor!,
    roomNo: roomNo!,
    bedrooms: bedrooms!,
    halls: halls!,
    area: area!,
    orientation: orientation ?? null,
    decoration: decoration ?? null,
    rent: rent!,
    marketRent: marketRent!,
    kind: kind ?? null,
  }))
}

/**
 * R132 legality across a building and its units: "总层数不能小于最高楼层数" and "每层户数不能小于最大室号".
 * Returns one issue per offending unit, so an import report can point at the row.
 */
export const checkUnitsFitBuilding = (
  building: Pick<Building, "id" | "totalFloors" | "unitsPerFloor">,
  units: ReadonlyArray<Pick<Unit, "id" | "floor" | "roomNo">>,
): ReadonlyArray<{ readonly unitId: UnitId; readonly issue: InvalidValue }> => {
  const out: Array<{ unitId: UnitId; issue: InvalidValue }> = []
  for (const u of units) {
    if (u.floor > building.totalFloors)
      out.push({
        unitId: u.id,
        issue: invalid(
          "building.totalFloors",
          "R132.total-floors-below-highest-floor",
          building.totalFloors,
          `building ${building.id} has ${building.totalFloors} floors but unit ${u.id} is on floor ${u.floor}`,
        ),
      })
    if (u.roomNo > building.unitsPerFloor)
      out.push({
        unitId: u.id,
        issue: invalid(
          "building.unitsPerFloor",
          "R132.units-per-floor-below-max-room",
          building.unitsPerFloor,
          `building ${building.id} has ${building.unitsPerFloor} units per floor but unit ${u.id} is room ${u.roomNo}`,
        ),
      })
  }
  return out
}

/**
 * Invariants every stored unit satisfies (stores enforce them even against a buggy caller; PostgreSQL
 * mirrors them as CHECK constraints). Returns a description of the first violation, if any.
 */
export const unitInvariantViolation = (u: Unit): string | undefined => {
  if (!ID_PATTERN.test(u.id)) return "id format"
  if (!Number.isInteger(u.bedrooms) || u.bedrooms < 0 || u.bedrooms > R132_LIMITS.maxBedrooms)
    return "R132 bedrooms 0..5"
  if (!Number.isInteger(u.halls) || u.halls < 0 || u.halls > R132_LIMITS.maxHalls) return "R132 halls 0..5"
  if (!Number.isInteger(u.floor) || u.floor === 0 || u.floor < -5 || u.floor > R132_LIMITS.maxTotalFloors)
    return "R132 floor -5..100, not 0"
  if (!Number.isInteger(u.roomNo) || u.roomNo < 1 || u.roomNo > R132_LIMITS.maxUnitsPerFloor)
    return "R132 room 1..30"
  if (!(u.area > 0)) return "area > 0"
  if (u.rent < 0 || u.marketRent < 0) return "rents ≥ 0"
  if (!Number.isInteger(u.version) || u.version < 1) return "version ≥ 1"
  if ((u.status === "locked") !== (u.lockedFrom !== null)) return "lockedFrom is set exactly when locked"
  if (u.lockedFrom !== null && !isLockable(u.lockedFrom))
    return "R37 a lock interrupts draft or available only"
  if (u.status === "let" && !u.supplied) return "R40 a let unit is supplied"
  return undefined
}

/** Invariants every stored building satisfies (R132 limits). */
export const buildingInvariantViolation = (b: Building): string | undefined => {
  if (!Number.isInteger(b.totalFloors) || b.totalFloors < 1 || b.totalFloors > R132_LIMITS.maxTotalFloors)
    return "R132 total floors 1..100"
  if (
    !Number.isInteger(b.unitsPerFloor) ||
    b.unitsPerFloor < 1 ||
    b.unitsPerFloor > R132_LIMITS.maxUnitsPerFloor
  )
    return "R132 units per floor 1..30"
  return undefined
}

/** Completes a validated draft into a new unit in 待发布 with version 1. */
export const makeUnit = (
  draft: UnitDraft,
  project: Pick<Project, "id" | "kind">,
  code: PublicCode,
): Unit => ({
  ...draft,
  code,
  projectId: project.id,
  kind: draft.kind ?? project.kind,
  status: "draft",
  lockedFrom: null,
  supplied: false,
  version: 1,
})

// ---------------------------------------------------------------------------------------------
// Transitions

export type UnitCommand =
  | "publish"
  | "recall"
  | "lock"
  | "unlock"
  | "let"
  | "release"
  | "markUnusable"
  | "restore"
  | "convertKind"

export class UnitTransitionRefused extends Data.TaggedError("UnitTransitionRefused")<{
  readonly unitId: UnitId
  readonly command: UnitCommand
  readonly status: UnitStatus
  readonly rule: string
  readonly message: string
}> {}

const refuse = (u: Unit, command: UnitCommand, rule: string, message: string) =>
  Result.fail(new UnitTransitionRefused({ unitId: u.id, command, status: u.status, rule, message }))

const next = (u: Unit, patch: Partial<Unit>): Result.Result<Unit, UnitTransitionRefused> =>
  Result.succeed({ ...u, ...patch, version: u.version + 1 })

/** 发布: a draft unit becomes available. */
export const publish = (u: Unit) =>
  u.status === "draft"
    ? next(u, { status: "available" })
    : refuse(
        u,
        "publish",
        "unit.publish-from-draft",
        `only a draft (待发布) unit can be published; it is ${u.status}`,
      )

/** 撤回 (R36): an available, unlet unit goes back to draft; rentable counts follow immediately. */
export const recall = (u: Unit) =>
  u.status === "available"
    ? next(u, { status: "draft" })
    : refuse(
        u,
        "recall",
        "R36.recall-available-only",
        `only an available unit can be recalled; it is ${u.status}`,
      )

/**
 * 锁定 (R37, seed 003 #70 "锁定和解锁管理"): "锁定后的房源无法进行出租操作 … 若需出租，必须先解锁房源". A lock
 * exists to stop a letting, so only a unit that could still be let is locked: draft (待发布) or available
 * (可租). A let unit is refused (its tenancy follow-ups, R35 exchange and R38 exit, must stay possible), an
 * unusable one too (it awaits its R38 handling), and a locked one is not locked twice. The stored unit
 * remembers the interrupted status in `lockedFrom`.
 */
export const lock = (u: Unit) =>
  isLockable(u.status)
    ? next(u, { status: "locked", lockedFrom: u.status })
    : refuse(
        u,
        "lock",
        "R37.lock-draft-or-available",
        `only a draft or available unit can be locked; it is ${u.status}`,
      )

/** 解锁 (R37): restores exactly the status the lock interrupted (draft or available). */
export const unlock = (u: Unit) =>
  u.status === "locked" && u.lockedFrom !== null
    ? next(u, { status: u.lockedFrom, lockedFrom: null })
    : refuse(u, "unlock", "R37.unlock-locked-only", `only a locked unit can be unlocked; it is ${u.status}`)

/** 出租/选定: an available unit is let or selected; from now on it counts as supplied (R40). */
export const letUnit = (u: Unit) =>
  u.status === "available"
    ? next(u, { status: "let", supplied: true })
    : refuse(u, "let", "R37.let-available-only", `only an available unit can be let; it is ${u.status}`)

/** R35: after an exchange or exit handling the unit is rentable again. */
export const release = (u: Unit) =>
  u.status === "let" || u.status === "unusable"
    ? next(u, { status: "available" })
    : refuse(u, "release", "R35.release", `only a let or unusable unit can be released; it is ${u.status}`)

/** R38: exiting a registration makes the unit unusable until the follow-up is done. */
export const markUnusable = (u: Unit) =>
  u.status === "let"
    ? next(u, { status: "unusable" })
    : refuse(
        u,
        "markUnusable",
        "R38.unusable-after-exit",
        `only a let unit becomes unusable on exit; it is ${u.status}`,
      )

/** R40: "已供应且已使用的房源禁止转换，仅未供应房源可操作". */
export const convertKind = (u: Unit, kind: HousingKind) => {
  if (u.supplied || u.status === "let" || u.status === "unusable")
    return refuse(
      u,
      "convertKind",
      "R40.unsupplied-only",
      "a unit that has been supplied cannot change kind (R40)",
    )
  if (u.kind === kind) return refuse(u, "convertKind", "R40.different-kind", `the unit is already ${kind}`)
  return next(u, { kind })
}
