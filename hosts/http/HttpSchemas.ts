/**
 * Wire shapes of the HTTP API as Effect Schemas: request bodies and query strings (decoded exactly, with
 * STRICT: unknown fields refused), responses (typed against the same schemas) and the OpenAPI
 * components. Request schemas check shape and sanity (ids as the database enforces them, text without
 * NUL or lone surrogates, numbers within named ranges); the R132 rules stay in the domain and surface as
 * 422. Money is integer fen and area integer 0.01 m² in both directions; responses add a `…Text` beside each.
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
import { STOCK_LIMITS } from "../../application/stock/StockAccess.js"

/** Parse options of every request decode: all issues at once, unknown fields refused. */
export const STRICT = { errors: "all", onExcessProperty: "error" } as const

/** Text a request may carry: no NUL, no lone surrogate (with `u`, a pair is one code point). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse NUL
export const SAFE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u
/** Default bound of one text field, in UTF-16 code units. */
export const MAX_TEXT = 500
/** The id pattern the database enforces (adapters/postgres/Migrations.ts ID_CHECK). */
export const ID_TEXT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u
/** Sanity range of small counts (floors, rooms, versions are bounded separately). */
export const SMALL_INT = { minimum: -1000, maximum: 1000 } as const
export const MAX_VERSION = 2_147_483_647

export const SafeText = (description: string, maxLength = MAX_TEXT) =>
  Schema.String.check(Schema.isPattern(SAFE_TEXT), Schema.isMaxLength(maxLength)).annotate({ description })
export const IdText = (description: string) =>
  Schema.String.check(Schema.isPattern(ID_TEXT)).annotate({
    description: `${description}: 1–64 of A-Z a-z 0-9 . _ -`,
  })
const SmallInt = (description: string) =>
  Schema.Int.check(Schema.isBetween(SMALL_INT)).annotate({ description })
export const Version = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: MAX_VERSION })).annotate({
  description: "The unit version the caller read; a stale one is 409",
})

const Fen = (description: string) =>
  Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: STOCK_LIMITS.maxMonthlyRentFen })).annotate({
    description: `${description}, integer fen (分), at most ${STOCK_LIMITS.maxMonthlyRentFen}`,
  })
const Hundredths = (description: string) =>
  Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: STOCK_LIMITS.maxUnitAreaHundredths })).annotate({
    description: `${description}, integer 0.01 m², at most ${STOCK_LIMITS.maxUnitAreaHundredths}`,
  })
const OutFen = (description: string) =>
  Schema.Int.annotate({ description: `${description}, integer fen (分)` })
const OutHundredths = (description: string) =>
  Schema.Int.annotate({ description: `${description}, integer 0.01 m²` })
const Id = IdText
const Text = (description: string) => SafeText(description)
const OutText = (description: string) => Schema.String.annotate({ description })

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
  totalFloors: SmallInt("总层数, 1..100 (R132)"),
  unitsPerFloor: SmallInt("每层户数, 1..30 (R132)"),
  hasLift: Schema.Boolean,
  completionDate: Text("竣工日期, YYYY-MM-DD"),
}).annotate({ identifier: "BuildingInput" })

export const UnitInput = Schema.Struct({
  id: Id("Client-chosen unit id"),
  buildingId: Id("Registered building id"),
  floor: SmallInt("Floor; basements are -1 … -5, there is no floor 0"),
  roomNo: SmallInt("Position on the floor (室号), 1 … units per floor"),
  bedrooms: SmallInt("室, 0..5 (R132)"),
  halls: SmallInt("厅, 0..5 (R132)"),
  area: Hundredths("Floor area (面积)"),
  orientation: Schema.optional(Schema.NullOr(Text("朝向 from the dictionary (南, 南北, …)"))),
  decoration: Schema.optional(Schema.NullOr(Text("装修 from the dictionary (毛坯, 简装, 精装)"))),
  rent: Fen("Actual monthly rent (实际月租金)"),
  marketRent: Fen("Market monthly rent (市场月租金)"),
  kind: Schema.optional(Schema.NullOr(Text("Housing kind; defaults to the project's kind"))),
}).annotate({ identifier: "UnitInput" })

export const UnitsInput = Schema.Array(UnitInput).check(Schema.isMaxLength(1000))

export const VersionInput = Schema.Struct({
  version: Schema.optionalKey(Version),
}).annotate({ identifier: "VersionInput" })

export const ConvertKindInput = Schema.Struct({
  kind: HousingKind,
  version: Schema.optionalKey(Version),
}).annotate({ identifier: "ConvertKindInput" })

export const UnitTargetInput = Schema.Union([
  UnitId,
  Schema.Struct({ id: UnitId, version: Schema.optionalKey(Version) }),
]).annotate({ identifier: "UnitTarget", description: "A unit id, or an id with the version the caller read" })

export const BulkPublishInput = Schema.Struct({
  units: Schema.Array(UnitTargetInput).check(Schema.isMinLength(1), Schema.isMaxLength(1000)),
}).annotate({ identifier: "BulkPublishInput" })

const IntFromString = (range: { readonly minimum: number; readonly maximum: number }) =>
  Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween(range))
const AREA_RANGE = { minimum: 0, maximum: STOCK_LIMITS.maxUnitAreaHundredths } as const

/** Query parameters of `GET /units`, each with its documented (decoded) type. */
export const UnitsQueryFields = {
  projectId: { schema: ProjectId, doc: ProjectId, description: "Only units of this project" },
  buildingId: { schema: BuildingId, doc: BuildingId, description: "Only units of this building" },
  district: { schema: DistrictCode, doc: DistrictCode, description: "District code (GB/T 2260)" },
  kind: { schema: HousingKind, doc: HousingKind, description: "Housing kind" },
  status: { schema: UnitStatus, doc: UnitStatus, description: "Unit status" },
  bedrooms: {
    schema: IntFromString(SMALL_INT),
    doc: Schema.Int.check(Schema.isBetween(SMALL_INT)),
    description: "Exact number of bedrooms",
  },
  minArea: {
    schema: IntFromString(AREA_RANGE),
    doc: Schema.Int.check(Schema.isBetween(AREA_RANGE)),
    description: "Minimum area, 0.01 m² (inclusive)",
  },
  maxArea: {
    schema: IntFromString(AREA_RANGE),
    doc: Schema.Int.check(Schema.isBetween(AREA_RANGE)),
    description: "Maximum area, 0.01 m² (inclusive)",
  },
  after: { schema: UnitId, doc: UnitId, description: "Keyset cursor: the `next` of the previous page" },
  limit: {
    schema: IntFromString({ minimum: 1, maximum: 1000 }),
    doc: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })),
    description: "Page size 1..1000 (default 50)",
  },
} as const

export const UnitsQuery = Schema.Struct({
  projectId: Schema.optionalKey(UnitsQueryFields.projectId.schema),
  buildingId: Schema.optionalKey(UnitsQueryFields.buildingId.schema),
  district: Schema.optionalKey(UnitsQueryFields.district.schema),
  kind: Schema.optionalKey(UnitsQueryFields.kind.schema),
  status: Schema.optionalKey(UnitsQueryFields.status.schema),
  bedrooms: Schema.optionalKey(UnitsQueryFields.bedrooms.schema),
  minArea: Schema.optionalKey(UnitsQueryFields.minArea.schema),
  maxArea: Schema.optionalKey(UnitsQueryFields.maxArea.schema),
  after: Schema.optionalKey(UnitsQueryFields.after.schema),
  limit: Schema.optionalKey(UnitsQueryFields.limit.schema),
})

export const ImportQuery = Schema.Struct({ partial: Schema.optionalKey(Schema.Literals(["true", "false"])) })

/** `Idempotency-Key`: 1–128 visible ASCII characters (an empty key would be shared by everyone). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,128}$/u

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
  area: OutHundredths("Floor area"),
  rent: OutFen("Actual monthly rent"),
  marketRent: OutFen("Market monthly rent"),
  room: OutText("Door label: floor and two-digit room (1203, B102)"),
  areaText: OutText("Area formatted as `85.50 m²`"),
  rentText: OutText("Rent formatted as `¥1,234.56`"),
  marketRentText: OutText("Market rent formatted as `¥1,234.56`"),
  kindLabel: OutText("Housing kind in Chinese"),
  statusLabel: OutText("Status in Chinese"),
  publicUrl: OutText("The public page the unit's QR code points at"),
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
  kindLabel: OutText("Housing kind in Chinese"),
  status: UnitStatus,
  statusLabel: OutText("Status in Chinese"),
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
  layout: OutText("室/厅 layout such as 2室1厅"),
  area: OutHundredths("Floor area"),
  areaText: OutText("Area formatted as `85.50 m²`"),
  orientation: Schema.NullOr(Schema.String),
  decoration: Schema.NullOr(Schema.String),
  rent: OutFen("Monthly rent"),
  rentText: OutText("Rent formatted as `¥1,234.56`"),
  servicePhone: Schema.String,
  pageUrl: OutText("Public page of the unit"),
  qrPngUrl: Schema.String,
  qrSvgUrl: Schema.String,
}).annotate({
  identifier: "PublicUnit",
  description: "What the unit's public page and QR show (J2): no personal data",
})

const ReportIssue = Schema.Struct({
  row: Schema.Int.annotate({ description: "Spreadsheet row (header = 1)" }),
  field: OutText("Import column"),
  rule: OutText("Stable rule id such as R132.bedrooms-range"),
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

export const ImportJob = Schema.Struct({
  id: OutText("Job id (poll `GET /api/v1/imports/{id}`)"),
  state: Schema.Literals(["queued", "running", "succeeded", "failed"]).annotate({
    description:
      "succeeded: written (see the report); failed: nothing written (the report says why, row by row) or `problem`",
  }),
  partial: Schema.Boolean,
  location: OutText("Where to poll this job"),
  progress: Schema.Struct({
    rowsRead: Schema.Int.annotate({ description: "Data rows read so far" }),
    rowsChecked: Schema.Int.annotate({ description: "Rows checked against the rules" }),
    rowsWritten: Schema.Int.annotate({ description: "Rows written or already stored (after commit)" }),
  }),
  report: Schema.optionalKey(ImportReport),
  problem: Schema.optionalKey(
    Schema.Struct({ error: Schema.String, message: Schema.String, retryable: Schema.Boolean }),
  ),
}).annotate({ identifier: "ImportJob" })

const Issue = Schema.Struct({
  field: OutText("Dotted path of the offending field (units[0].bedrooms)"),
  rule: OutText("Stable rule id (R132.bedrooms-range)"),
  value: OutText("The rejected value as text"),
  message: Schema.String,
}).annotate({ identifier: "Issue" })
export type Issue = typeof Issue.Type

export const InvalidInput = Schema.Struct({
  error: Schema.Literal("invalid_input"),
  message: Schema.String,
  issues: Schema.Array(Issue),
}).annotate({ identifier: "InvalidInput", description: "422: the input breaks a domain rule" })

const RequestIssue = Schema.Struct({
  field: OutText("Path of the offending field"),
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
  ImportJob,
  InvalidInput,
  BadRequest,
  Problem,
  Health,
] as const
