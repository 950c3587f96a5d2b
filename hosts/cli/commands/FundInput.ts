/**
 * Shared input handling of the `anju fund …` commands: reading a CSV file into named columns, and the
 * rule that every bad input is a usage error (exit 2, CliCommand.ts) with its reason on stderr. Pure parsing is the
 * domain's (Tabular.parseCsv, Money.parseYuan, Area.parseSquareMetres).
 */
import { Result } from "effect"
import { parseCsv } from "../../../domain/stock/Tabular.js"
import type { InvalidValue } from "../../../domain/values/InvalidValue.js"
import { UsageError } from "../Args.js"
import type { CliIo } from "../Io.js"

export interface CsvTable {
  readonly file: string
  readonly rows: ReadonlyArray<{ readonly row: number; readonly get: (column: string) => string }>
}

/** A usage error naming the rule of an InvalidValue. */
export const usageOf = (where: string, e: InvalidValue): UsageError =>
  new UsageError(`${where}: ${e.message} (${e.field} = ${JSON.stringify(e.value)}) [${e.rule}]`)

export const orUsage = <A>(where: string, r: Result.Result<A, InvalidValue>): A => {
  if (Result.isFailure(r)) throw usageOf(where, r.failure)
  return r.success
}

/** Reads a CSV file with a header; `required` columns must exist, no column outside `allowed`. */
export const readTable = async (
  io: CliIo,
  file: string,
  required: ReadonlyArray<string>,
  optional: ReadonlyArray<string> = [],
): Promise<CsvTable & { readonly columns: ReadonlySet<string> }> => {
  let bytes: Uint8Array
  try {
    bytes = await io.readFile(file)
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const parsed = orUsage(file, parseCsv(new TextDecoder("utf-8").decode(bytes)))
  const [header, ...data] = parsed
  if (header === undefined) throw new UsageError(`${file}: the file is empty`)
  const names = header.cells.map((c) => c.trim().toLowerCase())
  const index = new Map<string, number>()
  for (const [i, n] of names.entries()) {
    if (!required.includes(n) && !optional.includes(n)) throw new UsageError(`${file}: unknown column ${n}`)
    if (index.has(n)) throw new UsageError(`${file}: column ${n} appears twice`)
    index.set(n, i)
  }
  for (const r of required) if (!index.has(r)) throw new UsageError(`${file}: missing column ${r}`)
  return {
    file,
    columns: new Set(index.keys()),
    rows: data.map((r) => ({
      row: r.row,
      get: (c: string) => {
        const i = index.get(c)
        return i === undefined ? "" : (r.cells[i] ?? "").trim()
      },
    })),
  }
}
