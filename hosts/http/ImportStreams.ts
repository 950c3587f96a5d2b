/**
 * Streamed reading of an uploaded import table into chunks of rows, with bounded memory: CSV through
 * `csv-parse` (RFC 4180; BOM, CRLF/LF, blank lines skipped, a record at most MAX_RECORD_BYTES), XLSX
 * through exceljs' streaming WorkbookReader (first worksheet only). Text is UTF-8 unless declared
 * otherwise, and GB18030 when the bytes are not valid UTF-8 (Excel in zh-CN). Row numbers are those a
 * spreadsheet shows (header = 1). Malformed input ends the stream with ImportTableUnreadable.
 */
import { Readable } from "node:stream"
import { CsvError, parse } from "csv-parse"
import { Stream } from "effect"
import ExcelJS from "exceljs"
import { ImportTableUnreadable } from "../../application/stock/ImportStock.js"
import type { TabularRow } from "../../domain/stock/Tabular.js"
import { cellText } from "../../adapters/xlsx/XlsxTable.js"

/** Rows per chunk handed to the import (each chunk is checked in one step between yields). */
export const ROWS_PER_CHUNK = 500
/** Longest CSV record accepted (one line of an import is a few hundred bytes). */
export const MAX_RECORD_BYTES = 1024 * 1024

const unreadable = (row: number, rule: string, message: string) =>
  new ImportTableUnreadable({ issue: { row, field: "file", rule, value: `row ${row}`, message } })

/** Whether every chunk is valid UTF-8 (checked chunk by chunk, nothing kept). */
const isUtf8 = async (bytes: ReadonlyArray<Uint8Array>): Promise<boolean> => {
  const decoder = new TextDecoder("utf-8", { fatal: true })
  try {
    for (let i = 0; i < bytes.length; i++) {
      decoder.decode(bytes[i], { stream: true })
      if (i % 64 === 63) await new Promise<void>((r) => setImmediate(r))
    }
    decoder.decode()
    return true
  } catch {
    return false
  }
}

async function* decodedText(bytes: ReadonlyArray<Uint8Array>, charset: string | undefined) {
  let label = "utf-8"
  if (charset !== undefined && !/^utf-?8$/iu.test(charset)) {
    try {
      new TextDecoder(charset)
      label = charset
    } catch {
      // an unknown label falls through to detection
    }
  }
  if (label === "utf-8" && !(await isUtf8(bytes))) label = "gb18030"
  const decoder = new TextDecoder(label)
  for (const b of bytes) yield decoder.decode(b, { stream: true })
  yield decoder.decode()
}

async function* csvChunks(
  bytes: ReadonlyArray<Uint8Array>,
  charset: string | undefined,
): AsyncGenerator<ReadonlyArray<TabularRow>> {
  const parser = Readable.from(decodedText(bytes, charset)).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
    }),
  )
  let chunk: Array<TabularRow> = []
  let row = 0
  try {
    for await (const cells of parser as AsyncIterable<Array<string>>) {
      chunk.push({ row: ++row, cells })
      if (chunk.length >= ROWS_PER_CHUNK) {
        yield chunk
        chunk = []
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e
    throw e.code === "CSV_QUOTE_NOT_CLOSED"
      ? unreadable(row + 1, "csv.unterminated-quote", "a quoted field is not closed")
      : unreadable(row + 1, "csv.malformed", e.message.replace(/^Invalid[^:]*:\s*/u, ""))
  }
  if (chunk.length > 0) yield chunk
}

async function* xlsxChunks(bytes: ReadonlyArray<Uint8Array>): AsyncGenerator<ReadonlyArray<TabularRow>> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    entries: "ignore",
  })
  let chunk: Array<TabularRow> = []
  let width = 0
  try {
    for await (const sheet of reader) {
      for await (const r of sheet) {
        const values = (Array.isArray(r.values) ? r.values : []) as Array<ExcelJS.CellValue>
        width = Math.max(width, values.length - 1)
        const cells = Array.from({ length: width }, (_, i) => cellText(values[i + 1]).trim())
        if (cells.some((c) => c !== "")) chunk.push({ row: r.number, cells })
        if (chunk.length >= ROWS_PER_CHUNK) {
          yield chunk
          chunk = []
        }
      }
      break // the first worksheet only
    }
  } catch (e) {
    throw unreadable(1, "xlsx.unreadable", e instanceof Error ? e.message : "the workbook cannot be read")
  }
  if (chunk.length > 0) yield chunk
}

const asStream = (rows: () => AsyncIterable<ReadonlyArray<TabularRow>>) =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(rows(), (e) =>
      e instanceof ImportTableUnreadable
        ? e
        : unreadable(1, "file.unreadable", e instanceof Error ? e.message : "the file cannot be read"),
    ),
  )

/** The rows of an uploaded CSV (received bytes, in order), in chunks of ROWS_PER_CHUNK. */
export const csvRows = (bytes: ReadonlyArray<Uint8Array>, charset: string | undefined) =>
  asStream(() => csvChunks(bytes, charset))

/** The rows of the first worksheet of an uploaded XLSX workbook, in chunks of ROWS_PER_CHUNK. */
export const xlsxRows = (bytes: ReadonlyArray<Uint8Array>) => asStream(() => xlsxChunks(bytes))
