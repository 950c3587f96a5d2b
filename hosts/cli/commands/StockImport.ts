/**
 * `anju stock import <file.csv|file.xlsx> [--partial] [--json]`: bulk import of housing stock with the
 * per-row report (row, field, rule, value). Without `--partial` nothing is written when any row fails.
 * Exit 0 when every row is accepted, 1 when rows were rejected, 2 on usage errors.
 */
import { Exit, Layer, ManagedRuntime, Result } from "effect"
import { Argument } from "effect/cli"
import { importStock, type ImportReport } from "../../../application/stock/ImportStock.js"
import { LOCAL_AUTHORITY } from "../../../application/stock/StockAccess.js"
import { parseCsv, type TabularRow } from "../../../domain/stock/Tabular.js"
import { readXlsx } from "../../../adapters/xlsx/XlsxTable.js"
import { describeStorage, storesLayer } from "../../StoreSelection.js"
import { storageFlags, storageOf, switchFlag } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

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
    const progress = io.progress("stock import", 3)
    try {
      const bytes = await io.readFile(file)
      progress.tick(1, "parsing")
      let table: ReadonlyArray<TabularRow>
      if (/\.xlsx$/iu.test(file)) table = await readXlsx(bytes)
      else {
        const parsed = parseCsv(new TextDecoder("utf-8").decode(bytes))
        if (Result.isFailure(parsed)) {
          progress.stop()
          io.err(`${file}: ${parsed.failure.message} (${parsed.failure.value}) [${parsed.failure.rule}]`)
          return 1
        }
        table = parsed.success
      }
      progress.tick(1, `importing ${table.length} rows`)
      const storage = storageOf(input.storage, io.env)
      const runtime = ManagedRuntime.make(storesLayer(storage).pipe(Layer.orDie))
      try {
        const exit = await runtime.runPromiseExit(
          importStock(LOCAL_AUTHORITY, table, { partial: input.partial }),
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
