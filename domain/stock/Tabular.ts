/**
 * Tabular text (CSV, RFC 4180) parsing shared by every import: quoted fields, doubled quotes, CRLF or
 * LF, a UTF-8 BOM (Excel's CSV export writes one), trailing empty lines. Pure: text in, rows out.
 * Each row keeps its 1-based record number so reports can name spreadsheet rows (header = row 1).
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

export interface TabularRow {
  /** Spreadsheet row number (the header is row 1). */
  readonly row: number
  readonly cells: ReadonlyArray<string>
}

export const parseCsv = (text: string): Result.Result<ReadonlyArray<TabularRow>, InvalidValue> => {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const rows: Array<TabularRow> = []
  let cells: Array<string> = []
  let cell = ""
  let quoted = false
  let i = 0
  let recordStart = true
  const endRecord = () => {
    cells.push(cell)
    if (!(cells.length === 1 && cells[0] === "")) rows.push({ row: rows.length + 1, cells })
    cells = []
    cell = ""
    recordStart = true
  }
  while (i < s.length) {
    const ch = s[i]!
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        continue
      }
      cell += ch
      i++
      continue
    }
    if (ch === '"' && cell === "") {
      quoted = true
      recordStart = false
      i++
    } else if (ch === ",") {
      cells.push(cell)
      cell = ""
      recordStart = false
      i++
    } else if (ch === "\r" || ch === "\n") {
      endRecord()
      i += ch === "\r" && s[i + 1] === "\n" ? 2 : 1
    } else {
      cell += ch
      recordStart = false
      i++
    }
  }
  if (quoted)
    return Result.fail(
      invalid("file", "csv.unterminated-quote", `row ${rows.length + 1}`, "a quoted field is not closed"),
    )
  if (!recordStart || cell !== "" || cells.length > 0) endRecord()
  return Result.succeed(rows)
}

const needsQuote = /[",\r\n]/u
/** One CSV line (no line break), quoting only where needed; stable output for byte-identical files. */
export const toCsvLine = (cells: ReadonlyArray<string | number>): string =>
  cells
    .map((c) => (typeof c === "number" ? String(c) : needsQuote.test(c) ? `"${c.replaceAll('"', '""')}"` : c))
    .join(",")
