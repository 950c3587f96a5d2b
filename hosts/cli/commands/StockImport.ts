/**
 * `anju stock import <file.csv|file.xlsx> [--partial] [--json]`: bulk import of housing stock with the
 * per-row report (row, field, rule, value). Without `--partial` nothing is written when any row fails.
 * Exit 0 when every row is accepted, 1 when rows were rejected, 2 on usage errors. A CSV file is decoded
 * and parsed a piece at a time and streamed through the import (checked in one pass); on PostgreSQL the
 * store writes the batch with COPY into staging tables merged in one transaction (issue 16).
 */
import { Effect, Exit, Layer, ManagedRuntime, Result, Stream } from "effect"
import { Argument } from "effect/cli"
import {
  type ImportReport,
  ImportTableUnreadable,
  importStock,
  importStockStream,
} from "../../../application/stock/ImportStock.js"
import { LOCAL_AUTHORITY } from "../../../application/stock/StockAccess.js"
import { makeCsvReader } from "../../../domain/stock/Tabular.js"
import { readXlsx } from "../../../adapters/xlsx/XlsxTable.js"
import { describeStorage, storesLayer } from "../../StoreSelection.js"
import { storageFlags, storageOf, switchFlag } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

/** Bytes decoded and parsed per step of a CSV import (the rows of a piece go to the import as one chunk). */
const PIECE_BYTES = 1 << 20

/**
 * The rows of a UTF-8 CSV file, a piece of PIECE_BYTES at a time (header first); a quote left open ends
 * the table with ImportTableUnreadable. Only the rows of one piece are held at a time.
 */
const csvChunks = (bytes: Uint8Array, onPiece: () => void) =>
  Stream.suspend(() => {
    const decoder = new TextDecoder("utf-8")
    const reader = makeCsvReader()
    let read = 0
    const pieces = Stream.fromIterable(
      Array.from({ length: Math.ceil(bytes.length / PIECE_BYTES) }, (_, i) => i),
    ).pipe(
      Stream.map((i) => {
        const last = (i + 1) * PIECE_BYTES >= bytes.length
        const text = decoder.decode(bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES), { stream: !last })
        onPiece()
        const rows = reader.push(text)
        read += rows.length
        return rows
      }),
    )
    const rest = Stream.fromEffect(
      Effect.suspend(() => {
        const end = reader.end()
        if (Result.isSuccess(end)) return Effect.succeed(end.success)
        const e = end.failure
        return Effect.fail(
          new ImportTableUnreadable({
            issue: { row: read + 1, field: e.field, rule: e.rule, value: e.value, message: e.message },
          }),
        )
      }),
    )
    return Stream.concat(pieces, rest).pipe(Stream.filter((rows) => rows.length > 0))
  })

export const formatReport = (r: ImportReport): string => {
  const lines = [
    `rows read: ${r.rows}`,
    r.committed
      ? `written: ${r.written.projects} projects, ${r.written.buildings} buildings, ${r.written.units} units; unchanged: ${r.unchanged} units`
      : "nothing written",
  ]
  if (r.issues.length > 0) {
    lines.push(`${r.issues.length} issue(s):`, "row\tfield\trule\tvalue\tmessage")
    for (const i of r.issues)
      lines.push(`${i.row}\t${i.field}\t${i.rule}\t${JSON.stringify(i.value)}\t${i.message}`)
  }
  return lines.join("\n")
}

export const stockImport = defineCommand({
  words: ["stock", "import"],
  description: "import housing stock from CSV or XLSX with a per-row report (row, field, rule, value)",
  examples: [
    { command: "anju stock import units.csv", description: "nothing is written if any row fails" },
    {
      command: "anju stock import units.xlsx --partial --json",
      description: "write the valid rows; JSON report",
    },
  ],
  config: {
    file: Argument.String("file").pipe(
      Argument.withMetavar("file.csv|file.xlsx"),
      Argument.withDescription("the stock table (header row, one unit per row)"),
    ),
    partial: switchFlag("partial", "write the valid rows and report the others (default: all or nothing)"),
    json: switchFlag("json", "print the report as JSON"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const file = input.file
    const bytes = await io.readFile(file)
    const xlsx = /\.xlsx$/iu.test(file)
    const pieces = xlsx ? 0 : Math.ceil(bytes.length / PIECE_BYTES)
    const progress = io.progress("stock import", pieces + 3)
    try {
      progress.tick(1, "reading")
      const storage = storageOf(input.storage, io.env)
      const runtime = ManagedRuntime.make(storesLayer(storage).pipe(Layer.orDie))
      try {
        const options = { partial: input.partial }
        const exit = await runtime.runPromiseExit(
          xlsx
            ? Effect.flatMap(
                Effect.promise(() => readXlsx(bytes)),
                (table) => importStock(LOCAL_AUTHORITY, table, options),
              )
            : importStockStream(
                LOCAL_AUTHORITY,
                csvChunks(bytes, () => progress.tick(1, "checking rows")),
                options,
              ),
        )
        progress.tick(1, "done")
        progress.stop()
        if (Exit.isFailure(exit)) {
          io.err(
            `import failed on ${describeStorage(storage)}: ${exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r._tag === "Die" ? r.defect : "interrupted"))).join("; ")}`,
          )
          return 1
        }
        const report = exit.value
        io.out(input.json ? JSON.stringify(report, null, 2) : formatReport(report))
        return report.issues.length === 0 ? 0 : 1
      } finally {
        await runtime.dispose()
      }
    } finally {
      progress.stop()
    }
  },
})
