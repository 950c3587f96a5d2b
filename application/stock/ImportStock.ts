/**
 * Bulk import of housing stock (房源批量导入) from a parsed table (CSV or XLSX, read by the host).
 * Default is all-or-nothing: any issue means nothing is written and the report lists every issue by row,
 * field and rule. With `partial`, valid rows are written and invalid ones reported. Re-importing the
 * same file is idempotent: stored identical units count as unchanged.
 */
import { Effect, Result } from "effect"
import {
  type ExistingStock,
  planImport,
  readImportTable,
  referencedIds,
  type RowIssue,
} from "../../domain/stock/StockImport.js"
import { makeUnit } from "../../domain/stock/StockRules.js"
import type { TabularRow } from "../../domain/stock/Tabular.js"
import { StockStore } from "../ports/StockStore.js"
import { mintCodes } from "./RegisterStock.js"

export interface ImportReport {
  /** Data rows read (header excluded). */
  readonly rows: number
  /** True when something was written (or everything was already stored). */
  readonly committed: boolean
  readonly written: { readonly projects: number; readonly buildings: number; readonly units: number }
  readonly unchanged: number
  readonly issues: ReadonlyArray<RowIssue>
}

export const importStock = Effect.fn("Stock.import")(function* (
  table: ReadonlyArray<TabularRow>,
  options: { readonly partial: boolean },
) {
  const parsed = readImportTable(table)
  const none = { projects: 0, buildings: 0, units: 0 }
  if (Result.isFailure(parsed))
    return {
      rows: Math.max(0, table.length - 1),
      committed: false,
      written: none,
      unchanged: 0,
      issues: parsed.failure,
    } satisfies ImportReport
  const rows = parsed.success
  const store = yield* StockStore
  const ids = referencedIds(rows)
  const [projects, buildings, units] = yield* Effect.all([
    store.getProjects(ids.projects),
    store.getBuildings(ids.buildings),
    store.getUnits(ids.units),
  ])
  const existing: ExistingStock = {
    projects: new Map(projects.map((p) => [p.id, p])),
    buildings: new Map(buildings.map((b) => [b.id, b])),
    units: new Map(units.map((u) => [u.id, u])),
  }
  const plan = planImport(rows, existing)
  if (plan.issues.length > 0 && !options.partial)
    return {
      rows: plan.rowCount,
      committed: false,
      written: none,
      unchanged: 0,
      issues: plan.issues,
    } satisfies ImportReport
  const codes = yield* mintCodes(plan.units.length)
  const newUnits = plan.units.map((u, i) => makeUnit(u.draft, u.project, codes[i]!))
  const summary = yield* store.write({ projects: plan.projects, buildings: plan.buildings, units: newUnits })
  return {
    rows: plan.rowCount,
    committed: true,
    written: summary.inserted,
    unchanged: plan.unchangedRows.length + summary.unchanged.units,
    issues: plan.issues,
  } satisfies ImportReport
})
