/**
 * Wire shapes of the HTTP API as Effect Schemas: request bodies and query strings (validated through
 * Standard Schema), responses (typed against the same schemas) and the OpenAPI components. Request
 * schemas check JSON types only; the R132 rules stay in the domain and surface as 422. Money is integer
 * fen and area integer 0.01 m² in both directions; responses add a formatted `…Text` beside each.
 */
import { Schema } from "effect"
import { HOUSING_KIND_LABELS, HousingKind } from "../../domain/stock/HousingKind.js"
import { PublicCode } from "../../domain/stock/PublicCode.js"
import {
  Building,
  BuildingId,
  DistrictCode,
  Project,
  ProjectId,
  roomLabel,
  Unit,
  UnitId,
  type UnitPublicRecord,
} from "../../domain/stock/Stock.js"
import { UNIT_STATUS_LABELS, UnitStatus } from "../../domain/stock/UnitStatus.js"
import * as AreaM from "../../domain/values/Area.js"
import * as MoneyM from "../../domain/values/Money.js"

const Fen = (description: string) => Schema.Int.annotate({ description: `${description}, integer fen (分)` })
const Hundredths = (description: string) =>
  Schema.Int.annotate({ description: `${description}, integer 0.01 m²` })
const Id = (description: string) =>
  Schema.String.annotate({ description: `${description}: 1–64 of A-Z a-z 0-9 . _ -` })
const Text = (description: string) => Schema.String.annotate({ description })

// ---------------------------------------------------------------------------------------------
// Requests

export const ProjectInput = Schema.Struct({
  id: Id("Client-chosen project id"),
  name: Text("项目名称"),
  kind: Text("Housing kind code (gongzu, baozu, lianzu, gongyou, anzhi, rencai) or its Chinese name"),
  district: Text("District code (GB/T 2260, six digits)"),
  address: Text("项目地址 / 坐落"),
  operatorUscc: Text("Operator's unified social credit code (GB 32100-2015)"),
  operatorName: Text("运营机构名称"),
  servicePhone: Text("服务电话: mobile, landline (021-12345678) or hotline"),
}).annotate({ identifier: "ProjectInput" })

export const BuildingInput = Schema.Struct({
  id: Id("Client-chosen building id"),
  projectId: Id("Registered project id"),
  name: Text("楼栋名称"),
  totalFloors: Schema.Int.annotate({ description: "总层数, 1..100 (R132)" }),
  unitsPerFloor: Schema.Int.annotate({ description: "每层户数, 1..30 (R132)" }),
  hasLift: Schema.Boolean,
  completionDate: Text("竣工日期, YYYY-MM-DD"),
}).annotate({ identifier: "BuildingInput" })

export const UnitInput = Schema.Struct({
  id: Id("Client-chosen unit id"),
  buildingId: Id("Registered building id"),
  floor: Schema.Int.annotate({ description: "Floor; basements are -1 … -5, there is no floor 0" }),
  roomNo: Schema.Int.annotate({ description: "Position on the floor (室号), 1 … units per floor" }),
  bedrooms: Schema.Int.annotate({ description: "室, 0..5 (R132)" }),
  halls: Schema.Int.annotate({ description: "厅, 0..5 (R132)" }),
  area: Hundredths("Floor area (面积)"),
  orientation: Schema.optional(Schema.NullOr(Text("朝向 from the dictionary (南, 南北, …)"))),
  decoration: Schema.optional(Schema.NullOr(Text("装修 from the dictionary (毛坯, 简装, 精装)"))),
  rent: Fen("Actual monthly rent (实际月租金)"),
  marketRent: Fen("Market monthly rent (市场月租金)"),
  kind: Schema.optional(Schema.NullOr(Text("Housing kind; defaults to the project's kind"))),
}).annotate({ identifier: "UnitInput" })

export const UnitsInput = Schema.Array(UnitInput).check(Schema.isMaxLength(1000))

export const VersionInput = Schema.Struct({
  version: Schema.optional(
    Schema.Int.annotate({ description: "The unit version the caller read; a stale one is 409" }),
  ),
}).annotate({ identifier: "VersionInput" })

export const ConvertKindInput = Schema.Struct({
  kind: HousingKind,
  version: Schema.optional(
    Schema.Int.annotate({ description: "The unit version the caller read; a stale one is 409" }),
  ),
}).annotate({ identifier: "ConvertKindInput" })

export const UnitTargetInput = Schema.Union([
  UnitId,
  Schema.Struct({ id: UnitId, version: Schema.optional(Schema.Int) }),
]).annotate({ identifier: "UnitTarget", description: "A unit id, or an id with the version the caller read" })

export const BulkPublishInput = Schema.Struct({
  units: Schema.Array(UnitTargetInput).check(Schema.isMaxLength(1000)),
}).annotate({ identifier: "BulkPublishInput" })

const IntFromString = Schema.NumberFromString.check(Schema.isInt())

/** Query parameters of `GET /units`, each with its documented (decoded) type. */
export const UnitsQueryFields = {
  projectId: { schema: ProjectId, doc: ProjectId, description: "Only units of this project" },
  buildingId: { schema: BuildingId, doc: BuildingId, description: "Only units of this building" },
  district: { schema: DistrictCode, doc: DistrictCode, description: "District code (GB/T 2260)" },
  kind: { schema: HousingKind, doc: HousingKind, description: "Housing kind" },
  status: { schema: UnitStatus, doc: UnitStatus, description: "Unit status" },
  bedrooms: { schema: IntFromString, doc: Schema.Int, description: "Exact number of bedrooms" },
  minArea: { schema: IntFromString, doc: Schema.Int, description: "Minimum area, 0.01 m² (inclusive)" },
  maxArea: { schema: IntFromString, doc: Schema.Int, description: "Maximum area, 0.01 m² (inclusive)" },
  after: { schema: UnitId, doc: UnitId, description: "Keyset cursor: the `next` of the previous page" },
  limit: { schema: IntFromString, doc: Schema.Int, description: "Page size 1..1000 (default 50)" },
} as const

export const UnitsQuery = Schema.Struct({
  projectId: Schema.optional(UnitsQueryFields.projectId.schema),
  buildingId: Schema.optional(UnitsQueryFields.buildingId.schema),
  district: Schema.optional(UnitsQueryFields.district.schema),
  kind: Schema.optional(UnitsQueryFields.kind.schema),
  status: Schema.optional(UnitsQueryFields.status.schema),
  bedrooms: Schema.optional(UnitsQueryFields.bedrooms.schema),
  minArea: Schema.optional(UnitsQueryFields.minArea.schema),
  maxArea: Schema.optional(UnitsQueryFields.maxArea.schema),
  after: Schema.optional(UnitsQueryFields.after.schema),
  limit: Schema.optional(UnitsQueryFields.limit.schema),
})

export const ImportQuery = Schema.Struct({ partial: Schema.optional(Schema.Literals(["true", "false"])) })

// ---------------------------------------------------------------------------------------------
// Responses

export const ProjectOutput = Project.annotate({ identifier: "Project" })
export const BuildingOutput = Building.annotate({ identifier: "Building" })

export const ProjectRegistered = Schema.Struct({
  project: ProjectOutput,
  created: Schema.Boolean.annotate({ description: "False when an identical project was already registered" }),
}).annotate({ identifier: "ProjectRegistered" })

export const BuildingRegistered = Schema.Struct({
  building: BuildingOutput,
  created: Schema.Boolean.annotate({
    description: "False when an identical building was already registered",
  }),
}).annotate({ identifier: "BuildingRegistered" })

export const UnitOutput = Schema.Struct({
  ...Unit.fields,
  area: Hundredths("Floor area"),
  rent: Fen("Actual monthly rent"),
  marketRent: Fen("Market monthly rent"),
  room: Text("Door label: floor and two-digit room (1203, B102)"),
  areaText: Text("Area formatted as `85.50 m²`"),
  rentText: Text("Rent formatted as `¥1,234.56`"),
  marketRentText: Text("Market rent formatted as `¥1,234.56`"),
  kindLabel: Text("Housing kind in Chinese"),
  statusLabel: Text("Status in Chinese"),
  publicUrl: Text("The public page the unit's QR code points at"),
}).annotate({ identifier: "Unit" })
export type UnitOutput = typeof UnitOutput.Type

export const UnitsRegistered = Schema.Struct({
  units: Schema.Array(UnitOutput),
  created: Schema.Int,
  unchanged: Schema.Int,
}).annotate({ identifier: "UnitsRegistered" })

export const UnitList = Schema.Struct({
  items: Schema.Array(UnitOutput),
  total: Schema.Int.annotate({ description: "Units matching the filters, ignoring `after` and `limit`" }),
  next: Schema.NullOr(Schema.String).annotate({
    description: "Pass as `after` for the next page; null on the last",
  }),
}).annotate({ identifier: "UnitList" })

export const UnitsChanged = Schema.Struct({ units: Schema.Array(UnitOutput) }).annotate({
  identifier: "UnitsChanged",
})

export const PublicUnit = Schema.Struct({
  code: PublicCode,
  kind: HousingKind,
  kindLabel: Text("Housing kind in Chinese"),
  status: UnitStatus,
  statusLabel: Text("Status in Chinese"),
  projectName: Schema.String,
  district: DistrictCode,
  districtName: Schema.String,
  address: Schema.String,
  buildingName: Schema.String,
  totalFloors: Schema.Int,
  hasLift: Schema.Boolean,
  floor: Schema.Int,
  room: Schema.String,
  bedrooms: Schema.Int,
  halls: Schema.Int,
  layout: Text("室/厅 layout such as 2室1厅"),
  area: Hundredths("Floor area"),
  areaText: Text("Area formatted as `85.50 m²`"),
  orientation: Schema.NullOr(Schema.String),
  decoration: Schema.NullOr(Schema.String),
  rent: Fen("Monthly rent"),
  rentText: Text("Rent formatted as `¥1,234.56`"),
  servicePhone: Schema.String,
  pageUrl: Text("Public page of the unit"),
  qrPngUrl: Schema.String,
  qrSvgUrl: Schema.String,
}).annotate({
  identifier: "PublicUnit",
  description: "What the unit's public page and QR show (J2): no personal data",
})

const ReportIssue = Schema.Struct({
  row: Schema.Int.annotate({ description: "Spreadsheet row (header = 1)" }),
  field: Text("Import column"),
  rule: Text("Stable rule id such as R132.bedrooms-range"),
  value: Schema.String,
  message: Schema.String,
}).annotate({ identifier: "ImportIssue" })

const Counts = Schema.Struct({ projects: Schema.Int, buildings: Schema.Int, units: Schema.Int })

export const ImportReport = Schema.Struct({
  error: Schema.optionalKey(Schema.Literal("invalid_input")),
  rows: Schema.Int.annotate({ description: "Data rows read (header excluded)" }),
  committed: Schema.Boolean.annotate({
    description: "True when something was written (or everything was stored)",
  }),
  written: Counts,
  unchanged: Schema.Int,
  issues: Schema.Array(ReportIssue),
}).annotate({ identifier: "ImportReport" })

const Issue = Schema.Struct({
  field: Text("Dotted path of the offending field (units[0].bedrooms)"),
  rule: Text("Stable rule id (R132.bedrooms-range)"),
  value: Text("The rejected value as text"),
  message: Schema.String,
}).annotate({ identifier: "Issue" })
export type Issue = typeof Issue.Type

export const InvalidInput = Schema.Struct({
  error: Schema.Literal("invalid_input"),
  message: Schema.String,
  issues: Schema.Array(Issue),
}).annotate({ identifier: "InvalidInput", description: "422: the input breaks a domain rule" })

const RequestIssue = Schema.Struct({
  field: Text("Path of the offending field"),
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String,
}).annotate({ identifier: "RequestIssue" })

export const BadRequest = Schema.Struct({
  error: Schema.Literals([
    "malformed_json",
    "invalid_request",
    "unsupported_media_type",
    "payload_too_large",
  ]),
  message: Schema.String,
  issues: Schema.optionalKey(Schema.Array(RequestIssue)),
}).annotate({
  identifier: "BadRequest",
  description: "400/413/415: the request does not have the documented shape",
})

export const Problem = Schema.Struct({
  error: Schema.String.annotate({
    description: "not_found | conflict | stale_version | transition_refused | unavailable | internal",
  }),
  message: Schema.String,
  rule: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(UnitStatus),
  command: Schema.optionalKey(Schema.String),
  unitId: Schema.optionalKey(Schema.String),
  entity: Schema.optionalKey(Schema.String),
  id: Schema.optionalKey(Schema.String),
  expected: Schema.optionalKey(Schema.Int),
  actual: Schema.optionalKey(Schema.NullOr(Schema.Int)),
  retryable: Schema.optionalKey(Schema.Boolean),
}).annotate({ identifier: "Problem", description: "404/409/503/500 with a machine-readable `error`" })

export const Health = Schema.Struct({ status: Schema.Literals(["ok", "ready", "unavailable"]) }).annotate({
  identifier: "Health",
})

// ---------------------------------------------------------------------------------------------
// Conversions

/** Decimal text of an integer number of hundredths (`8550` → `85.50`, `-5` → `-0.05`). */
export const hundredthsText = (n: number): string =>
  `${n < 0 ? "-" : ""}${Math.trunc(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, "0")}`

export const unitOutput = (u: Unit, publicUrl: string): UnitOutput => ({
  ...u,
  room: roomLabel(u),
  areaText: AreaM.format(u.area),
  rentText: MoneyM.format(u.rent),
  marketRentText: MoneyM.format(u.marketRent),
  kindLabel: HOUSING_KIND_LABELS[u.kind],
  statusLabel: UNIT_STATUS_LABELS[u.status],
  publicUrl,
})

export const publicUnit = (
  r: UnitPublicRecord,
  urls: { readonly pageUrl: string; readonly qrPngUrl: string; readonly qrSvgUrl: string },
): typeof PublicUnit.Type => ({
  ...r,
  kindLabel: HOUSING_KIND_LABELS[r.kind],
  statusLabel: UNIT_STATUS_LABELS[r.status],
  layout: `${r.bedrooms}室${r.halls}厅`,
  areaText: AreaM.format(r.area),
  rentText: MoneyM.format(r.rent),
  ...urls,
})

/** Every schema that appears in the OpenAPI components, by identifier. */
export const COMPONENTS = [
  ProjectInput,
  BuildingInput,
  UnitInput,
  VersionInput,
  ConvertKindInput,
  BulkPublishInput,
  ProjectRegistered,
  BuildingRegistered,
  UnitOutput,
  UnitsRegistered,
  UnitList,
  UnitsChanged,
  PublicUnit,
  ImportReport,
  InvalidInput,
  BadRequest,
  Problem,
  Health,
] as const
