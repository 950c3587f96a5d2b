/**
 * result.csv of a draw (R53, R55): header `stratum,rank,number,id,outcome`, then for each stratum in
 * canonical order one row per rank; number = startNumber + rank − 1 (起始编号, restarting per stratum),
 * outcome `winner` for the first N (N = min(units, entrants)) and `waiting` for the rest. LF line ends,
 * no BOM, RFC 4180 quoting only where needed: same draw → byte-identical text; its digest is in the transcript.
 */
import { csvField, forEachRecord } from "./Csv.js"

export const RESULT_HEADER = "stratum,rank,number,id,outcome"

export type Outcome = "winner" | "waiting"

export interface ResultRow {
  readonly stratum: string
  readonly rank: number
  readonly number: number
  readonly id: string
  readonly outcome: Outcome
}

/** One stratum of a draw: ids in draw order (rank 1 first). */
export interface DrawnStratum {
  readonly stratum: string
  readonly units?: number
  readonly winners: number
  readonly order: ReadonlyArray<string>
}

const encoder = new TextEncoder()

/** A growable byte buffer (the CSV of a million rows is ~40 MB; strings would churn the GC). */
class Bytes {
  buf: Uint8Array
  len = 0
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(capacity, 64))
  }
  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + extra) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    const buf = this.buf
    const at = this.len
    if (b.length > 32) buf.set(b, at)
    else for (let i = 0; i < b.length; i++) buf[at + i] = b[i]!
    this.len = at + b.length
  }
  /** A CSV field: ASCII without , or " copied directly, anything else through csvField + UTF-8. */
  field(s: string): void {
    this.ensure(s.length)
    const buf = this.buf
    const at = this.len
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c > 0x7e || c === 0x2c || c === 0x22 || c < 0x20) {
        this.len = at
        this.bytes(encoder.encode(csvField(s)))
        return
      }
      buf[at + i] = c
    }
    this.len = at + s.length
  }
  /** A non-negative safe integer in decimal. */
  uint(n: number): void {
    this.ensure(16)
    if (n < 10) {
      this.buf[this.len++] = 0x30 + n
      return
    }
    let digits = 1
    for (let p = 10; p <= n; p *= 10) digits++
    const buf = this.buf
    let x = n
    for (let i = this.len + digits - 1; i >= this.len; i--) {
      const q = Math.floor(x / 10)
      buf[i] = 0x30 + (x - 10 * q)
      x = q
    }
    this.len += digits
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b
  }
}

const WINNER = encoder.encode(",winner\n")
const WAITING = encoder.encode(",waiting\n")

/** The exact bytes of result.csv (UTF-8, LF, header first). */
const decimalLength = (n: number): number => {
  let d = 1
  for (let p = 10; p <= n; p *= 10) d++
  return d
}

/** Exact byte size of result.csv, so the buffer is allocated once (fewer external-memory GCs). */
const resultCsvSize = (strata: ReadonlyArray<DrawnStratum>, startNumber: number): number => {
  let size = RESULT_HEADER.length + 1
  for (const s of strata) {
    const n = s.order.length
    size += n * (encoder.encode(`${csvField(s.stratum)},`).length + 3) + s.winners * 7 + (n - s.winners) * 8
    for (let r = 0; r < n; r++) {
      const id = s.order[r]!
      size += decimalLength(r + 1) + decimalLength(startNumber + r)
      let plain = true
      for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i)
        if (c > 0x7e || c === 0x2c || c === 0x22 || c < 0x20) {
          plain = false
          break
        }
      }
      size += plain ? id.length : encoder.encode(csvField(id)).length
    }
  }
  return size
}

export const renderResultCsv = (strata: ReadonlyArray<DrawnStratum>, startNumber: number): Uint8Array => {
  const out = new Bytes(resultCsvSize(strata, startNumber))
  out.bytes(encoder.encode(`${RESULT_HEADER}\n`))
  for (const s of strata) {
    const st = encoder.encode(`${csvField(s.stratum)},`)
    const order = s.order
    for (let r = 0; r < order.length; r++) {
      out.bytes(st)
      out.uint(r + 1)
      out.byte(0x2c)
      out.uint(startNumber + r)
      out.byte(0x2c)
      out.field(order[r]!)
      out.bytes(r < s.winners ? WINNER : WAITING)
    }
  }
  return out.len === out.buf.length ? out.buf : out.buf.slice(0, out.len)
}

/** Result rows of a draw, in file order (for XLSX/XML exports and the selection session). */
export function* resultRows(strata: ReadonlyArray<DrawnStratum>, startNumber: number): Generator<ResultRow> {
  for (const s of strata)
    for (let r = 0; r < s.order.length; r++)
      yield {
        stratum: s.stratum,
        rank: r + 1,
        number: startNumber + r,
        id: s.order[r]!,
        outcome: r < s.winners ? "winner" : "waiting",
      }
}

/** The first record of `text` as cells (used to explain a mismatching result line). */
export const cellsOf = (text: string): ReadonlyArray<string> => {
  let cells: ReadonlyArray<string> = [text]
  forEachRecord(
    text,
    (r) => {
      cells = r.cells()
      return true
    },
    () => true,
  )
  return cells
}
