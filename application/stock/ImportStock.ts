/**
 * Bulk import of housing stock (房源批量导入) from a parsed table (CSV or XLSX, read by the host).
 * Default is all-or-nothing: any issue means nothing is written and the report lists every issue by row,
 * field and rule. With `partial`, valid rows are written and invalid ones reported. Re-importing the
 * same file is idempotent: stored identical units count as unchanged. Needs `stock.import`; a row whose
 * project lies outside the actor's data scope is an issue of that row (rule `access.data-scope`), and so
 * is a value beyond the sanity limits (STOCK_LIMITS). `importStockStream` takes the table as a stream of
 * row chunks (header first) and plans, mints and reports in bounded steps with a yield between them, so
 * a host stays responsive during a large import; the write is still ONE StockStore.write (one
 * transaction): all-or-nothing holds. `importStock` is the same over a table in memory.
 */
import { Data, Effect, Result, Stream } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import {
  addImportRows,
  EMPTY_FILE_ISSUE,
  type ExistingStock,
  finishImportPlan,
  type ImportHeader,
  type ParsedRow,
  planReferences,
  readImportHeader,
  readImportRow,
  type RowIssue,
  startImportPlan,
} from "../../domain/stock/StockImport.js"
import { makeUnit, validateProject } from "../../domain/stock/StockRules.js"
import type { Unit } from "../../domain/stock/Stock.js"
import type { TabularRow } from "../../domain/stock/Tabular.js"
import { StockStore } from "../ports/StockStore.js"
import { limitIssues, mintCodes } from "./RegisterStock.js"
import { coversProject, requirePermission } from "./StockAccess.js"

export interface ImportReport {
  /** Data rows read (header excluded). */
  readonly rows: number
  /** True when something was written (or everything was already stored). */
  readonly committed: boolean
  readonly written: { readonly projects: number; readonly buildings: number; readonly units: number }
  readonly unchanged: number
  readonly issues: ReadonlyArray<RowIssue>
}

/** How far an import is: data rows read, rows checked against the rules, rows written (after commit). */
export interface ImportProgress {
  readonly rowsRead: number
  readonly rowsChecked: number
  readonly rowsWritten: number
}

/**
 * The table cannot be read any further (malformed CSV, unreadable workbook): the import ends with this
 * issue in its report and nothing written. Raised by the host's stream of rows.
 */
export class ImportTableUnreadable extends Data.TaggedError("ImportTableUnreadable")<{
  readonly issue: RowIssue
}> {
  override get message(): string {
    return `${this.issue.field}: ${this.issue.message} [${this.issue.rule}]`
  }
}

export interface ImportOptions {
  readonly partial: boolean
  /** Called after each step (synchronously; keep it cheap). */
  readonly onProgress?: (progress: ImportProgress) => void
}

/** Rows per step of the in-memory form, and per step of minting and building units. */
export const IMPORT_STEP = 2000

const NONE = { projects: 0, buildings: 0, units: 0 }

const rejected = (rows: number, issues: ReadonlyArray<RowIssue>): ImportReport => ({
  rows,
  committed: false,
  written: NONE,
  unchanged: 0,
  issues,
})

/** Records by id, IMPORT_STEP at a time with a yield between (a re-import reads back every unit). */
const byIdInSteps = <A extends { readonly id: string }>(records: ReadonlyArray<A>) =>
  Effect.gen(function* () {
    const byId = new Map<string, A>()
    for (let i = 0; i < records.length; i += IMPORT_STEP) {
      for (let k = i; k < Math.min(records.length, i + IMPORT_STEP); k++)
        byId.set(records[k]!.id, records[k]!)
      if (i + IMPORT_STEP < records.length) yield* Effect.yieldNow
    }
    return byId as ReadonlyMap<string, A>
  })

/**
 * Imports a table that arrives as chunks of rows (the header is the first row of the first non-empty
 * chunk). Between chunks and planning steps it yields to the runtime. Permission `stock.import`.
 */
export const importStockStream = Effect.fn("Stock.importStream")(function* (
  actor: Actor,
  chunks: Stream.Stream<ReadonlyArray<TabularRow>, ImportTableUnreadable>,
  options: ImportOptions,
) {
  yield* requirePermission(actor, "stock.import")
  let progress: ImportProgress = { rowsRead: 0, rowsChecked: 0, rowsWritten: 0 }
  const report = (p: Partial<ImportProgress>) =>
    Effect.sync(() => {
      progress = { ...progress, ...p }
      options.onProgress?.(progress)
    })

  let header: Result.Result<ImportHeader, ReadonlyArray<RowIssue>> | undefined
  const state = startImportPlan()
  const scopeIssues: Array<RowIssue> = []
  const inScope = new Map<string, RowIssue["value"] | true>()
  const keepInScope = (r: ParsedRow): boolean => {
    const key = JSON.stringify(r.project)
    let verdict = inScope.get(key)
    if (verdict === undefined) {
      const p = validateProject(r.project)
      verdict = Result.isFailure(p) || coversProject(actor, p.success) ? true : p.success.district
      inScope.set(key, verdict)
    }
    if (verdict === true) return true
    scopeIssues.push({
      row: r.row,
      field: "district",
      rule: "access.data-scope",
      value: verdict,
      message: "outside this identity's data scope",
    })
    return false
  }
  let rowsRead = 0
  const unreadable = yield* Stream.runForEach(chunks, (chunk) =>
    Effect.gen(function* () {
      let rows = chunk
      if (header === undefined) {
        if (rows.length === 0) return
        header = readImportHeader(rows[0]!)
        rows = rows.slice(1)
      }
      rowsRead += rows.length
      if (Result.isSuccess(header)) {
        const mapping = header.success
        addImportRows(state, rows.map((r) => readImportRow(mapping, r)).filter(keepInScope))
      }
      yield* report({ rowsRead, rowsChecked: Result.isSuccess(header) ? rowsRead : 0 })
      yield* Effect.yieldNow
    }),
  ).pipe(
    Effect.as(undefined),
    Effect.catchTag("ImportTableUnreadable", (e) => Effect.succeed(e.issue)),
  )
  if (unreadable !== undefined) return rejected(rowsRead, [unreadable])
  if (header === undefined) return rejected(0, [EMPTY_FILE_ISSUE])
  if (Result.isFailure(header)) return rejected(rowsRead, header.failure)

  const store = yield* StockStore
  const ids = planReferences(state)
  const [projects, buildings, units] = yield* Effect.all([
    store.getProjects(ids.projects),
    store.getBuildings(ids.buildings),
    store.getUnits(ids.units),
  ])
  const existing: ExistingStock = {
    projects: yield* byIdInSteps(projects),
    buildings: yield* byIdInSteps(buildings),
    units: yield* byIdInSteps(units),
  }
  const steps = finishImportPlan(state, existing)
  let step = steps.next()
  while (step.done !== true) {
    yield* Effect.yieldNow
    step = steps.next()
  }
  const planned = step.value
  const beyond: Array<RowIssue> = []
  for (let i = 0; i < planned.units.length; i += IMPORT_STEP) {
    for (const u of planned.units.slice(i, i + IMPORT_STEP))
      for (const issue of limitIssues(u.draft, "unit"))
        beyond.push({
          row: u.row,
          field: issue.field.slice("unit.".length),
          rule: issue.rule,
          value: issue.value,
          message: issue.message,
        })
    yield* Effect.yieldNow
  }
  const badRows = new Set(beyond.map((i) => i.row))
  const toWrite = badRows.size === 0 ? planned.units : planned.units.filter((u) => !badRows.has(u.row))
  const issues = [...planned.issues, ...scopeIssues, ...beyond].sort((a, b) => a.row - b.row)
  yield* report({ rowsChecked: rowsRead })
  if (issues.length > 0 && !options.partial) return rejected(rowsRead, issues)

  const newUnits: Array<Unit> = []
  for (let i = 0; i < toWrite.length; i += IMPORT_STEP) {
    const part = toWrite.slice(i, i + IMPORT_STEP)
    const codes = yield* mintCodes(part.length)
    for (const [k, u] of part.entries()) newUnits.push(makeUnit(u.draft, u.project, codes[k]!))
    yield* Effect.yieldNow
  }
  const summary = yield* store.write({
    projects: planned.projects,
    buildings: planned.buildings,
    units: newUnits,
  })
  const unchanged = planned.unchangedRows.length + summary.unchanged.units
  yield* report({ rowsWritten: summary.inserted.units + unchanged })
  return {
    rows: rowsRead,
    committed: true,
    written: summary.inserted,
    unchanged,
    issues,
  } satisfies ImportReport
})

/** Imports a table held in memory (header first); the same rules and report as `importStockStream`. */
export const importStock = Effect.fn("Stock.import")(function* (
  actor: Actor,
  table: ReadonlyArray<TabularRow>,
  options: { readonly partial: boolean },
) {
  const chunks: Array<ReadonlyArray<TabularRow>> = []
  for (let i = 0; i < table.length; i += IMPORT_STEP) chunks.push(table.slice(i, i + IMPORT_STEP))
  return yield* importStockStream(actor, Stream.fromIterable(chunks), options)
})
