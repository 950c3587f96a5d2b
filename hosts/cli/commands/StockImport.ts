/**
 * `anju stock import <file.csv|file.xlsx> [--partial] [--json]`: bulk import of housing stock with the
 * per-row report (row, field, rule, value). Without `--partial` nothing is written when any row fails.
 * Exit 0 when every row is accepted, 1 when rows were rejected, 2 on usage errors.
 */
import { Exit, Layer, ManagedRuntime, Result } from "effect"
import { importStock, type ImportReport } from "../../../application/stock/ImportStock.js"
import { parseCsv, type TabularRow } from "../../../domain/stock/Tabular.js"
import { readXlsx } from "../../../adapters/xlsx/XlsxTable.js"
import { chooseStorage, describeStorage, STORAGE_FLAGS, storesLayer } from "../../StoreSelection.js"
import { parseArgs, UsageError } from "../Args.js"
import type { Command } from "../Io.js"

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

export const stockImport: Command = {
  words: ["stock", "import"],
  usage: "stock import <file.csv|file.xlsx> [--partial] [--json] [--database-url URL | --data-dir DIR]",
  run: async (argv, io) => {
    const args = parseArgs(argv, {
      values: [...STORAGE_FLAGS.values],
      switches: [...STORAGE_FLAGS.switches, "partial", "json"],
    })
    const file = args.positionals[0]
    if (file === undefined || args.positionals.length > 1) throw new UsageError("expected one file to import")
    const bytes = await io.readFile(file)
    let table: ReadonlyArray<TabularRow>
    if (/\.xlsx$/iu.test(file)) table = await readXlsx(bytes)
    else {
      const parsed = parseCsv(new TextDecoder("utf-8").decode(bytes))
      if (Result.isFailure(parsed)) {
        io.err(`${file}: ${parsed.failure.message} (${parsed.failure.value}) [${parsed.failure.rule}]`)
        return 1
      }
      table = parsed.success
    }
    const storage = chooseStorage(args, io.env)
    const runtime = ManagedRuntime.make(storesLayer(storage).pipe(Layer.orDie))
    try {
      const exit = await runtime.runPromiseExit(importStock(table, { partial: args.switches.has("partial") }))
      if (Exit.isFailure(exit)) {
        io.err(
          `import failed on ${describeStorage(storage)}: ${exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r._tag === "Die" ? r.defect : "interrupted"))).join("; ")}`,
        )
        return 1
      }
      const report = exit.value
      io.out(args.switches.has("json") ? JSON.stringify(report, null, 2) : formatReport(report))
      return report.issues.length === 0 ? 0 : 1
    } finally {
      await runtime.dispose()
    }
  },
}
