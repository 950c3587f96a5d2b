/**
 * `COPY … FROM STDIN` of rows already in memory, in PostgreSQL's text format, over one `pg` client
 * (pg-copy-streams). Values are escaped exactly (backslash, tab, line feed, carriage return); `null`
 * and `undefined` are SQL NULL, booleans `t`/`f`. Lines go out in parts of COPY_PART rows with a
 * macrotask turn between parts, so a large copy neither builds one huge string nor blocks the host.
 */
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type pg from "pg"
import { from as copyFrom } from "pg-copy-streams"

export type CopyValue = string | number | bigint | boolean | null | undefined

/** Rows per written part (one string of a few hundred KiB). */
export const COPY_PART = 2000

const SPECIAL = /[\\\t\n\r]/u
const escapeText = (s: string): string =>
  SPECIAL.test(s)
    ? s.replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
    : s

/** One value in COPY text format. */
export const copyText = (v: CopyValue): string =>
  v === null || v === undefined
    ? "\\N"
    : typeof v === "boolean"
      ? v
        ? "t"
        : "f"
      : typeof v === "string"
        ? escapeText(v)
        : String(v)

/**
 * Copies `rows` into `table` (an already quoted name) with `columns` (plain lower-case names) on `client`.
 * Resolves with the number of rows PostgreSQL took.
 */
export const copyRows = async <A>(
  client: pg.PoolClient,
  table: string,
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<A>,
  line: (row: A, index: number) => ReadonlyArray<CopyValue>,
): Promise<number> => {
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`))
  async function* parts() {
    for (let i = 0; i < rows.length; i += COPY_PART) {
      let text = ""
      const end = Math.min(rows.length, i + COPY_PART)
      for (let k = i; k < end; k++) text += `${line(rows[k]!, k).map(copyText).join("\t")}\n`
      yield text
      if (end < rows.length) await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  await pipeline(Readable.from(parts()), stream)
  return Number(stream.rowCount)
}
