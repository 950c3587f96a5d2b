/**
 * Reads the first worksheet of an XLSX workbook (exceljs) into tabular rows for the import use-cases.
 * Cells become text as a person sees them: numbers without exponent, dates as YYYY-MM-DD (Asia/Shanghai
 * civil dates are stored by Excel as wall-clock values, read here in UTC), booleans as true/false.
 */
import ExcelJS from "exceljs"
import type { TabularRow } from "../../domain/stock/Tabular.js"

/** Text of a cell as a person sees it (also used by the streamed import reader). */
export const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return ""
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(10)))
  if (typeof v === "string" || typeof v === "boolean") return String(v)
  if (typeof v === "object") {
    if ("result" in v && v.result !== undefined) return cellText(v.result as ExcelJS.CellValue)
    if ("richText" in v) return v.richText.map((t) => t.text).join("")
    if ("text" in v) return String(v.text)
  }
  return String(v)
}

export const readXlsx = async (bytes: Uint8Array): Promise<ReadonlyArray<TabularRow>> => {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]
  if (ws === undefined) return []
  const rows: Array<TabularRow> = []
  const width = ws.columnCount
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells = Array.from({ length: width }, (_, i) => cellText(row.getCell(i + 1).value).trim())
    if (cells.some((c) => c !== "")) rows.push({ row: rowNumber, cells })
  })
  return rows
}

/** Writes rows to a one-sheet workbook (used by tests, demo files and result exports). */
export const writeXlsx = async (
  sheetName: string,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): Promise<Uint8Array> => {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet(sheetName)
  for (const r of rows) ws.addRow([...r])
  return new Uint8Array(await wb.xlsx.writeBuffer())
}
