/**
 * Bulk import of housing stock (房源批量导入) from one flat table: one row per unit carrying its
 * building and project columns. Produces a per-row report (row, field, rule, value) covering R132
 * field rules, cross-row consistency, R132 legality across a building, and conflicts with records that
 * already exist. Pure: the caller supplies the existing records and decides what to write. Large tables
 * are planned in steps (`startImportPlan` → `addImportRows` per chunk → `finishImportPlan`, a generator
 * yielding every FINISH_STEP rows) so a host can interleave other work; `planImport` is the one-go form
 * and gives the same plan.
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { KeyIndex } from "./KeyIndex.js"
import type { Building, BuildingId, Project, ProjectId, Unit, UnitId } from "./Stock.js"
import {
  type BuildingInput,
  checkUnitsFitBuilding,
  type ProjectInput,
  type UnitDraft,
  type UnitInput,
  validateBuilding,
  validateProject,
  validateUnit,
} from "./StockRules.js"
import type { TabularRow } from "./Tabular.js"

/** Import columns: canonical snake_case name, the record field it fills, and accepted header aliases. */
export const IMPORT_COLUMNS = [
  ["project_id", "project.id", ["项目编号", "项目ID"]],
  ["project_name", "project.name", ["项目名称"]],
  ["kind", "project.kind", ["房源类别", "项目类别", "保障房品种"]],
  ["district", "project.district", ["区县代码", "行政区划代码"]],
  ["address", "project.address", ["项目地址", "坐落"]],
  ["operator_uscc", "project.operatorUscc", ["运营机构统一社会信用代码"]],
  ["operator_name", "project.operatorName", ["运营机构名称"]],
  ["service_phone", "project.servicePhone", ["服务电话"]],
  ["building_id", "building.id", ["楼栋编号", "楼栋ID"]],
  ["building_name", "building.name", ["楼栋名称", "楼号"]],
  ["total_floors", "building.totalFloors", ["总层数"]],
  ["units_per_floor", "building.unitsPerFloor", ["每层户数"]],
  ["has_lift", "building.hasLift", ["有无电梯", "电梯"]],
  ["completion_date", "building.completionDate", ["竣工日期"]],
  ["unit_id", "unit.id", ["房屋编号", "房屋ID"]],
  ["floor", "unit.floor", ["楼层", "所在层"]],
  ["room_no", "unit.roomNo", ["室号"]],
  ["bedrooms", "unit.bedrooms", ["卧室数", "室"]],
  ["halls", "unit.halls", ["厅数", "厅"]],
  ["area", "unit.area", ["面积", "建筑面积"]],
  ["orientation", "unit.orientation", ["朝向"]],
  ["decoration", "unit.decoration", ["装修情况", "装修"]],
  ["rent", "unit.rent", ["实际月租金", "租金"]],
  ["market_rent", "unit.marketRent", ["市场月租金"]],
  ["unit_kind", "unit.kind", ["房屋类别"]],
] as const

const REQUIRED = ["project_id", "building_id", "unit_id"] as const

export interface RowIssue {
  readonly row: number
  readonly field: string
  readonly rule: string
  readonly value: string
  readonly message: string
}

export interface ImportPlan {
  /** Rows read (data rows, header excluded). */
  readonly rowCount: number
  readonly issues: ReadonlyArray<RowIssue>
  /** New records that valid rows would create; records already stored identically are left out. */
  readonly projects: ReadonlyArray<Project>
  readonly buildings: ReadonlyArray<Building>
  readonly units: ReadonlyArray<{
    readonly row: number
    readonly draft: UnitDraft
    readonly project: Project
  }>
  /** Rows whose unit already exists exactly as given (an idempotent re-import). */
  readonly unchangedRows: ReadonlyArray<number>
}

export interface ExistingStock {
  readonly projects: ReadonlyMap<string, Project>
  readonly buildings: ReadonlyMap<string, Building>
  readonly units: ReadonlyMap<string, Unit>
}

export interface ParsedRow {
  readonly row: number
  readonly project: ProjectInput
  readonly building: BuildingInput
  readonly unit: UnitInput
}

const lookupHeader = (h: string) => {
  const t = h.trim().replace(/^\uFEFF/u, "")
  const lower = t.toLowerCase()
  return IMPORT_COLUMNS.find(
    ([name, , aliases]) => name === lower || (aliases as ReadonlyArray<string>).includes(t),
  )
}

/** The columns of an import header, by position (undefined: an ignored column). */
export type ImportHeader = ReadonlyArray<(typeof IMPORT_COLUMNS)[number] | undefined>

export const EMPTY_FILE_ISSUE: RowIssue = {
  row: 1,
  field: "header",
  rule: "import.header",
  value: "",
  message: "the file is empty",
}

/** Maps a header row to the import columns, or lists the required columns it lacks. */
export const readImportHeader = (
  header: TabularRow,
): Result.Result<ImportHeader, ReadonlyArray<RowIssue>> => {
  const mapping = header.cells.map(lookupHeader)
  const missing = REQUIRED.filter((c) => !mapping.some((m) => m?.[0] === c))
  if (missing.length > 0)
    return Result.fail(
      missing.map((c) => ({
        row: 1,
        field: c,
        rule: "import.header-required",
        value: "",
        message: `the header has no ${c} column`,
      })),
    )
  return Result.succeed(mapping)
}

/** One data row as the three loosely typed inputs, through a mapped header. */
export const readImportRow = (mapping: ImportHeader, r: TabularRow): ParsedRow => {
  const rec: Record<"project" | "building" | "unit", Record<string, string>> = {
    project: {},
    building: {},
    unit: {},
  }
  mapping.forEach((m, i) => {
    if (m === undefined) return
    const [entity, field] = m[1].split(".") as ["project" | "building" | "unit", string]
    rec[entity][field] = r.cells[i] ?? ""
  })
  rec.building["projectId"] = rec.project["id"] ?? ""
  rec.unit["buildingId"] = rec.building["id"] ?? ""
  return { row: r.row, project: rec.project, building: rec.building, unit: rec.unit }
}

/** Maps the header and turns each data row into the three loosely typed inputs. */
export const readImportTable = (
  rows: ReadonlyArray<TabularRow>,
): Result.Result<ReadonlyArray<ParsedRow>, ReadonlyArray<RowIssue>> => {
  const header = rows[0]
  if (header === undefined) return Result.fail([EMPTY_FILE_ISSUE])
  const mapping = readImportHeader(header)
  if (Result.isFailure(mapping)) return Result.fail(mapping.failure)
  return Result.succeed(rows.slice(1).map((r) => readImportRow(mapping.success, r)))
}

const COLUMN_OF: Record<string, string> = Object.fromEntries(
  IMPORT_COLUMNS.map(([name, path]) => [path, name]),
)
const toRowIssue = (row: number, e: InvalidValue): RowIssue => ({
  row,
  field: COLUMN_OF[e.field] ?? e.field,
  rule: e.rule,
  value: e.value,
  message: e.message,
})

const sameProject = (a: Project, b: Project) =>
  a.name === b.name &&
  a.kind === b.kind &&
  a.district === b.district &&
  a.address === b.address &&
  a.operatorUscc === b.operatorUscc &&
  a.operatorName === b.operatorName &&
  a.servicePhone === b.servicePhone
const sameBuilding = (a: Building, b: Building) =>
  a.projectId === b.projectId &&
  a.name === b.name &&
  a.totalFloors === b.totalFloors &&
  a.unitsPerFloor === b.unitsPerFloor &&
  a.hasLift === b.hasLift &&
  a.completionDate === b.completionDate
/** Whether a stored unit is what a draft would register (status, code and version aside). */
export const unitMatchesDraft = (u: Unit, d: UnitDraft, projectKind: Project["kind"]) =>
  u.buildingId === d.buildingId &&
  u.floor === d.floor &&
  u.roomNo === d.roomNo &&
  u.bedrooms === d.bedrooms &&
  u.halls === d.halls &&
  u.area === d.area &&
  u.orientation === d.orientation &&
  u.decoration === d.decoration &&
  u.rent === d.rent &&
  u.marketRent === d.marketRent &&
  (u.supplied || u.kind === (d.kind ?? projectKind))

/** The ids a table refers to, so the caller can fetch exactly the existing records it needs. */
export const referencedIds = (rows: ReadonlyArray<ParsedRow>) => ({
  projects: [
    ...new Set(rows.map((r) => String(r.project.id ?? "").trim()).filter((s) => s !== "")),
  ] as Array<ProjectId>,
  buildings: [
    ...new Set(rows.map((r) => String(r.building.id ?? "").trim()).filter((s) => s !== "")),
  ] as Array<BuildingId>,
  units: [
    ...new Set(rows.map((r) => String(r.unit.id ?? "").trim()).filter((s) => s !== "")),
  ] as Array<UnitId>,
})

interface TypedRow {
  readonly row: number
  readonly project: Project
  readonly building: Building
  readonly draft: UnitDraft
}

/** The state of a plan in progress (opaque to callers; owned by one import). */
export interface ImportPlanState {
  rowCount: number
  readonly issues: Array<RowIssue>
  readonly bad: Set<number>
  readonly projects: Map<string, { value: Project; row: number }>
  readonly buildings: Map<string, { value: Building; row: number }>
  /** Row of each unit id, and of each building|floor|room slot (KeyIndex: no one-step rehash of 2^18 keys). */
  readonly unitsById: KeyIndex<number>
  readonly slots: KeyIndex<number>
  readonly typed: Array<TypedRow>
  readonly projectCache: Map<string, ReturnType<typeof validateProject>>
  readonly buildingCache: Map<string, ReturnType<typeof validateBuilding>>
}

export const startImportPlan = (): ImportPlanState => ({
  rowCount: 0,
  issues: [],
  bad: new Set(),
  projects: new Map(),
  buildings: new Map(),
  unitsById: new KeyIndex(),
  slots: new KeyIndex(),
  typed: [],
  projectCache: new Map(),
  buildingCache: new Map(),
})

const flagIn = (state: ImportPlanState, row: number, e: InvalidValue) => {
  state.issues.push(toRowIssue(row, e))
  state.bad.add(row)
}

/** Field rules and in-file consistency of some more rows (in file order); updates `state`. */
export const addImportRows = (state: ImportPlanState, rows: ReadonlyArray<ParsedRow>): void => {
  const { projects, buildings, unitsById, slots, typed, projectCache, buildingCache } = state
  const flag = (row: number, e: InvalidValue) => flagIn(state, row, e)
  state.rowCount += rows.length
  for (const r of rows) {
    // Project and building columns repeat on every row of a building: validate each distinct text once.
    const pKey = JSON.stringify(r.project)
    const p = projectCache.get(pKey) ?? validateProject(r.project)
    projectCache.set(pKey, p)
    const bKey = JSON.stringify(r.building)
    const b = buildingCache.get(bKey) ?? validateBuilding(r.building)
    buildingCache.set(bKey, b)
    const u = validateUnit(r.unit)
    const failures = [p, b, u].flatMap((res: Result.Result<unknown, ReadonlyArray<InvalidValue>>) =>
      Result.isFailure(res) ? res.failure : [],
    )
    for (const e of failures) flag(r.row, e)
    if (Result.isFailure(p) || Result.isFailure(b) || Result.isFailure(u)) continue
    const project = p.success
    const building = b.success
    const draft = u.success

    const seenP = projects.get(project.id)
    if (seenP === undefined) projects.set(project.id, { value: project, row: r.row })
    else if (!sameProject(seenP.value, project))
      flag(
        r.row,
        invalid(
          "project.id",
          "import.consistent-project",
          project.id,
          `project ${project.id} has different attributes than on row ${seenP.row}`,
        ),
      )
    const seenB = buildings.get(building.id)
    if (seenB === undefined) buildings.set(building.id, { value: building, row: r.row })
    else if (!sameBuilding(seenB.value, building))
      flag(
        r.row,
        invalid(
          "building.id",
          "import.consistent-building",
          building.id,
          `building ${building.id} has different attributes than on row ${seenB.row}`,
        ),
      )

    const dupRow = unitsById.get(draft.id)
    if (dupRow !== undefined)
      flag(
        r.row,
        invalid(
          "unit.id",
          "import.duplicate-unit",
          draft.id,
          `unit ${draft.id} already appears on row ${dupRow}`,
        ),
      )
    else unitsById.set(draft.id, r.row)
    const slot = `${building.id}|${draft.floor}|${draft.roomNo}`
    const slotRow = slots.get(slot)
    if (slotRow !== undefined && slotRow !== dupRow)
      flag(
        r.row,
        invalid(
          "unit.roomNo",
          "import.duplicate-room",
          `${draft.floor}/${draft.roomNo}`,
          `floor ${draft.floor} room ${draft.roomNo} of building ${building.id} already appears on row ${slotRow}`,
        ),
      )
    else slots.set(slot, r.row)
    typed.push({ row: r.row, project, building, draft })
  }
}

/** The stored records a plan must be compared with (the valid rows' project, building and unit ids). */
export const planReferences = (state: ImportPlanState) => ({
  projects: [...state.projects.keys()] as Array<ProjectId>,
  buildings: [...state.buildings.keys()] as Array<BuildingId>,
  units: [...state.unitsById.keys()] as Array<UnitId>,
})

/** Rows between two yields of `finishImportPlan`. */
export const FINISH_STEP = 5000

/**
 * Conflicts with stored records, R132 legality across each building, and the records to write. A
 * generator: it yields the number of rows finished so far every FINISH_STEP rows and returns the plan.
 */
export function* finishImportPlan(
  state: ImportPlanState,
  existing: ExistingStock,
): Generator<number, ImportPlan, unknown> {
  const { typed, bad, projects, buildings } = state
  const flag = (row: number, e: InvalidValue) => flagIn(state, row, e)
  const total = typed.length
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % FINISH_STEP === 0) yield Math.floor(i / 3)
    const { row, project, building } = typed[i]!
    const ex = existing.projects.get(project.id)
    if (ex !== undefined && !sameProject(ex, project))
      flag(
        row,
        invalid(
          "project.id",
          "import.conflicts-with-stored",
          project.id,
          `project ${project.id} is already registered with different attributes`,
        ),
      )
    const exB = existing.buildings.get(building.id)
    if (exB !== undefined && !sameBuilding(exB, building))
      flag(
        row,
        invalid(
          "building.id",
          "import.conflicts-with-stored",
          building.id,
          `building ${building.id} is already registered with different attributes`,
        ),
      )
  }

  // R132 legality across each building, reported on the rows of the offending units.
  const byBuilding = new Map<string, Array<TypedRow>>()
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % FINISH_STEP === 0) yield Math.floor(total / 3)
    const t = typed[i]!
    const list = byBuilding.get(t.building.id)
    if (list === undefined) byBuilding.set(t.building.id, [t])
    else list.push(t)
  }
  let done = 0
  for (const [, list] of byBuilding) {
    const building = list[0]!.building
    const rowOf = new Map(list.map((t) => [t.draft.id as string, t.row]))
    for (const { unitId, issue } of checkUnitsFitBuilding(
      building,
      list.map((t) => t.draft),
    ))
      flag(rowOf.get(unitId)!, issue)
    done += list.length
    if (done >= FINISH_STEP) {
      done = 0
      yield Math.floor(total / 3)
    }
  }

  const outUnits: Array<{ row: number; draft: UnitDraft; project: Project }> = []
  const unchanged: Array<number> = []
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % FINISH_STEP === 0) yield Math.floor((2 * total) / 3 + i / 3)
    const t = typed[i]!
    if (bad.has(t.row)) continue
    const stored = existing.units.get(t.draft.id)
    if (stored === undefined) outUnits.push({ row: t.row, draft: t.draft, project: t.project })
    else if (unitMatchesDraft(stored, t.draft, t.project.kind)) unchanged.push(t.row)
    else
      flag(
        t.row,
        invalid(
          "unit.id",
          "import.conflicts-with-stored",
          t.draft.id,
          `unit ${t.draft.id} is already registered with different attributes`,
        ),
      )
  }
  yield total
  const validUnits = outUnits.filter((u) => !bad.has(u.row))
  yield total
  const neededBuildings = new Set<string>()
  const neededProjects = new Set<string>()
  for (let i = 0; i < validUnits.length; i++) {
    if (i > 0 && i % FINISH_STEP === 0) yield total
    neededBuildings.add(validUnits[i]!.draft.buildingId)
    neededProjects.add(validUnits[i]!.project.id)
  }
  const issues = [...state.issues].sort((a, b) => a.row - b.row)
  return {
    rowCount: state.rowCount,
    issues,
    projects: [...projects.values()]
      .map((p) => p.value)
      .filter((p) => neededProjects.has(p.id) && !existing.projects.has(p.id)),
    buildings: [...buildings.values()]
      .map((b) => b.value)
      .filter((b) => neededBuildings.has(b.id) && !existing.buildings.has(b.id)),
    units: validUnits,
    unchangedRows: unchanged,
  }
}

export const planImport = (rows: ReadonlyArray<ParsedRow>, existing: ExistingStock): ImportPlan => {
  const state = startImportPlan()
  addImportRows(state, rows)
  const steps = finishImportPlan(state, existing)
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}
