/**
 * Result exports of a draw besides result.csv (R53 公示): result.xlsx (sheet `result`, the same header and
 * rows as result.csv — ids as text, rank and number as numbers — continued on `result (2)`, … past Excel's
 * 1,048,576-row limit) and result.xml (hand-written, every attribute escaped; characters XML 1.0 cannot
 * carry are refused, never altered). result.csv stays the authoritative, digested form.
 */
import { PassThrough } from "node:stream"
import ExcelJS from "exceljs"
import { type DrawnStratum, RESULT_HEADER, resultRows } from "../../../domain/lottery/ResultCsv.js"
import type { Transcript } from "../../../domain/lottery/Transcript.js"

/** Data rows per sheet: Excel's limit minus the header row. */
export const XLSX_ROWS_PER_SHEET = 1_048_575

/**
 * result.xlsx through exceljs's streaming writer (rows committed as they are added, inline strings, no
 * styles), so a million-row result needs neither a million row objects nor a shared-string table.
 */
export const resultXlsx = async (
  strata: ReadonlyArray<DrawnStratum>,
  startNumber: number,
): Promise<Uint8Array> => {
  const chunks: Array<Buffer> = []
  const sink = new PassThrough()
  sink.on("data", (c: Buffer) => chunks.push(c))
  const ended = new Promise<void>((resolve, reject) => {
    sink.on("end", resolve)
    sink.on("error", reject)
  })
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useSharedStrings: false,
    useStyles: false,
  })
  const header = RESULT_HEADER.split(",")
  let ws: ExcelJS.Worksheet | undefined
  let inSheet = XLSX_ROWS_PER_SHEET
  let sheets = 0
  const open = () => {
    ws?.commit()
    sheets++
    ws = wb.addWorksheet(sheets === 1 ? "result" : `result (${sheets})`)
    ws.addRow(header).commit()
    inSheet = 0
  }
  for (const r of resultRows(strata, startNumber)) {
    if (inSheet === XLSX_ROWS_PER_SHEET) open()
    ws!.addRow([r.stratum, r.rank, r.number, r.id, r.outcome]).commit()
    inSheet++
  }
  if (ws === undefined) open()
  ws!.commit()
  await wb.commit()
  await ended
  return new Uint8Array(Buffer.concat(chunks))
}

/** Escapes text for an XML attribute value; throws on characters XML 1.0 cannot represent. */
export const xmlAttribute = (s: string): string => {
  let out = ""
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
      c === 0xfffe ||
      c === 0xffff ||
      (c >= 0xd800 && c <= 0xdfff)
    )
      throw new RangeError(`U+${c.toString(16).toUpperCase().padStart(4, "0")} cannot be written to XML`)
    out +=
      ch === "&"
        ? "&amp;"
        : ch === "<"
          ? "&lt;"
          : ch === ">"
            ? "&gt;"
            : ch === '"'
              ? "&quot;"
              : ch === "'"
                ? "&apos;"
                : c === 0x09
                  ? "&#9;"
                  : c === 0x0a
                    ? "&#10;"
                    : c === 0x0d
                      ? "&#13;"
                      : ch
  }
  return out
}

/**
 * result.xml: `<lotteryResult>` with the transcript's identifying values, one `<stratum>` per stratum and one
 * `<entry rank number id outcome/>` per row, in result.csv order. UTF-8, LF line ends.
 */
export const resultXml = (transcript: Transcript, strata: ReadonlyArray<DrawnStratum>): Uint8Array => {
  const a = xmlAttribute
  const parts: Array<string> = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<lotteryResult algorithm="${a(transcript.algorithm)}" hash="${a(transcript.hash)}" poolRoot="${transcript.poolRoot}" seed="${transcript.seed.value}" resultDigest="${transcript.resultDigest}" entrants="${transcript.entrants}" startNumber="${transcript.startNumber}">\n`,
  ]
  const outcomes = new Map(transcript.strata.map((s) => [s.stratum, s]))
  for (const s of strata) {
    const o = outcomes.get(s.stratum)
    const units = o?.units === undefined ? "" : ` units="${o.units}"`
    parts.push(
      `  <stratum name="${a(s.stratum)}" entrants="${s.order.length}"${units} winners="${s.winners}">\n`,
    )
    let chunk = ""
    for (let r = 0; r < s.order.length; r++) {
      chunk += `    <entry rank="${r + 1}" number="${transcript.startNumber + r}" id="${a(s.order[r]!)}" outcome="${r < s.winners ? "winner" : "waiting"}"/>\n`
      if (chunk.length > 1 << 16) {
        parts.push(chunk)
        chunk = ""
      }
    }
    parts.push(chunk, "  </stratum>\n")
  }
  parts.push("</lotteryResult>\n")
  return new TextEncoder().encode(parts.join(""))
}
