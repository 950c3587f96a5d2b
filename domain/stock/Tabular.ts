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

interface Scan {
  readonly rows: Array<TabularRow>
  /** Where the first record not yet read starts (the whole text when `final`). */
  readonly consumed: number
  readonly unterminated: boolean
}

/**
 * Reads the complete records of `s` from `from` on, numbering them after `rows` already read. A line with
 * no quote and no lone CR is split on commas (the common case, several times faster); any other record
 * goes through the RFC 4180 state machine. Unless `final`, a record is complete only at its line break.
 */
const scanCsv = (s: string, from: number, rows: Array<TabularRow>, final: boolean): Scan => {
  let i = from
  const n = s.length
  // The next quote and CR at or after i (searched again only once passed: no quadratic rescans).
  let quote = -2
  let cr = -2
  while (i < n) {
    const nl = s.indexOf("\n", i)
    if (nl < 0 && !final) return { rows, consumed: i, unterminated: false }
    const lineEnd = nl < 0 ? n : nl
    const contentEnd = lineEnd > i && s.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd
    if (quote !== -1 && quote < i) quote = s.indexOf('"', i)
    if (cr !== -1 && cr < i) cr = s.indexOf("\r", i)
    if ((quote < 0 || quote >= lineEnd) && (cr < 0 || cr >= contentEnd)) {
      if (contentEnd > i) rows.push({ row: rows.length + 1, cells: s.slice(i, contentEnd).split(",") })
      i = lineEnd + 1
      continue
    }
    // One record through the state machine (it may span lines inside quotes).
    let cells: Array<string> = []
    let cell = ""
    let quoted = false
    let k = i
    let ended = false
    while (k < n && !ended) {
      const ch = s[k]!
      if (quoted) {
        if (ch === '"') {
          if (s[k + 1] === '"') {
            cell += '"'
            k += 2
            continue
          }
          quoted = false
          k++
          continue
        }
        cell += ch
        k++
        continue
      }
      if (ch === '"' && cell === "") {
        quoted = true
        k++
      } else if (ch === ",") {
        cells.push(cell)
        cell = ""
        k++
      } else if (ch === "\r" || ch === "\n") {
        k += ch === "\r" && s[k + 1] === "\n" ? 2 : 1
        ended = true
      } else {
        cell += ch
        k++
      }
    }
    if (!ended && !final) return { rows, consumed: i, unterminated: false }
    if (quoted) return { rows, consumed: i, unterminated: true }
    cells.push(cell)
    if (!(cells.length === 1 && cells[0] === "")) rows.push({ row: rows.length + 1, cells })
    cells = []
    i = k
  }
  return { rows, consumed: n, unterminated: false }
}

const unterminatedQuote = (rows: ReadonlyArray<TabularRow>) =>
  invalid("file", "csv.unterminated-quote", `row ${rows.length + 1}`, "a quoted field is not closed")

export const parseCsv = (text: string): Result.Result<ReadonlyArray<TabularRow>, InvalidValue> => {
  const scan = scanCsv(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, [], true)
  return scan.unterminated ? Result.fail(unterminatedQuote(scan.rows)) : Result.succeed(scan.rows)
}

/**
 * Incremental CSV reading for streamed text: `push` a piece, get the records completed so far (numbered as
 * `parseCsv` numbers them over the whole text); `end` returns the last ones or the unterminated-quote
 * issue. Only the unfinished tail is kept between pieces.
 */
export interface CsvReader {
  readonly push: (text: string) => ReadonlyArray<TabularRow>
  readonly end: () => Result.Result<ReadonlyArray<TabularRow>, InvalidValue>
}

export const makeCsvReader = (): CsvReader => {
  let tail = ""
  let count = 0
  let started = false
  const take = (text: string, final: boolean): Scan => {
    let s = tail + text
    if (!started && s.length > 0) {
      started = true
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1)
    }
    // Row numbers continue from the records already handed out.
    const scan = scanCsv(s, 0, [], final)
    for (const r of scan.rows) (r as { row: number }).row += count
    count += scan.rows.length
    tail = s.slice(scan.consumed)
    return scan
  }
  return {
    push: (text) => take(text, false).rows,
    end: () => {
      const scan = take("", true)
      return scan.unterminated
        ? Result.fail(
            invalid("file", "csv.unterminated-quote", `row ${count + 1}`, "a quoted field is not closed"),
          )
        : Result.succeed(scan.rows)
    },
  }
}

const needsQuote = /[",\r\n]/u
/** One CSV line (no line break), quoting only where needed; stable output for byte-identical files. */
export const toCsvLine = (cells: ReadonlyArray<string | number>): string =>
  cells
    .map((c) => (typeof c === "number" ? String(c) : needsQuote.test(c) ? `"${c.replaceAll('"', '""')}"` : c))
    .join(",")
