/**
 * Minimal RFC 4180 reader for the lottery's CSV files (pool.csv, units.csv, result.csv; R53): comma
 * separated, optional double quotes with "" escapes (quoted fields may span lines), LF or CRLF, a leading
 * UTF-8 BOM ignored, empty lines skipped. Reports the 1-based line where each record starts. Pure text in.
 */

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  readonly line: number
  /** All cells (allocates them). */
  readonly cells: () => ReadonlyArray<string>
  /** Cell `i` (0-based), `undefined` past the end; cheap for unquoted lines (no split). */
  readonly cell: (i: number) => string | undefined
}

/** A record of an unquoted line: cells are found with indexOf on demand. */
class PlainRecord implements CsvRecord {
  line = 0
  raw = ""
  readonly cells = (): ReadonlyArray<string> => this.raw.split(",")
  readonly cell = (i: number): string | undefined => {
    const raw = this.raw
    let start = 0
    for (let k = 0; k < i; k++) {
      const c = raw.indexOf(",", start)
      if (c < 0) return undefined
      start = c + 1
    }
    const end = raw.indexOf(",", start)
    return end < 0 ? raw.slice(start) : raw.slice(start, end)
  }
}

const parsedRecord = (line: number, cells: ReadonlyArray<string>): CsvRecord => ({
  line,
  cells: () => cells,
  cell: (i) => cells[i],
})

export type CsvProblem = { readonly line: number; readonly message: string }

/** Calls `f` for each non-empty record; stops at the first problem `f` (or the reader) returns. */
export const forEachRecord = <E>(
  text: string,
  f: (r: CsvRecord) => E | undefined,
  malformed: (p: CsvProblem) => E,
): E | undefined => {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const len = text.length
  let line = 1
  const plain = new PlainRecord()
  while (pos < len) {
    let end = text.indexOf("\n", pos)
    if (end < 0) end = len
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    const raw = text.slice(pos, lineEnd)
    if (raw.indexOf('"') < 0) {
      if (raw.length > 0) {
        plain.line = line
        plain.raw = raw
        const e = f(plain)
        if (e !== undefined) return e
      }
      pos = end + 1
      line++
      continue
    }
    // Quoted fields: a small state machine from `pos`, possibly across lines.
    const startLine = line
    const cells: Array<string> = []
    let cell = ""
    let i = pos
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        i++
        for (;;) {
          if (i >= len) return malformed({ line: startLine, message: "unterminated quoted field" })
          const q = text.indexOf('"', i)
          if (q < 0) return malformed({ line: startLine, message: "unterminated quoted field" })
          const chunk = text.slice(i, q)
          for (let k = chunk.indexOf("\n"); k >= 0; k = chunk.indexOf("\n", k + 1)) line++
          cell += chunk
          if (text.charCodeAt(q + 1) === 34) {
            cell += '"'
            i = q + 2
          } else {
            i = q + 1
            break
          }
        }
        const c = text.charCodeAt(i)
        if (!(i >= len || c === 44 || c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)))
          return malformed({ line, message: "text after a closing quote" })
      } else {
        let j = i
        while (j < len) {
          const c = text.charCodeAt(j)
          if (c === 44 || c === 10 || (c === 13 && text.charCodeAt(j + 1) === 10)) break
          j++
        }
        cell += text.slice(i, j)
        i = j
      }
      cells.push(cell)
      cell = ""
      const c = text.charCodeAt(i)
      if (c === 44) {
        i++
        continue
      }
      i = i >= len ? len : c === 13 ? i + 2 : i + 1
      break
    }
    const e = f(parsedRecord(startLine, cells))
    if (e !== undefined) return e
    pos = i
    line++
  }
  return undefined
}

/** One CSV field: quoted (with "" escapes) only when it contains a comma, quote, CR or LF. */
export const csvField = (s: string): string => (/[",\r\n]/u.test(s) ? `"${s.replaceAll('"', '""')}"` : s)
