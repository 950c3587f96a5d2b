/**
 * R121 ledger (台账) compare: the district downloads a template of its allocation for a pay month (实发年-月),
 * fills in what was actually paid and imports it; each row is compared with the allocation (the sum of the
 * case's payout lines of that month, special payouts included). Pure: CSV text and allocation in, counts and
 * named errors out. Invariant: correct + errors-on-rows + missing = every case of file ∪ allocation, once.
 */
import { Result } from "effect"
import { parseCsv, toCsvLine } from "../stock/Tabular.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"

export const LEDGER_HEADER = ["pay_month", "case_id", "allocated_yuan", "paid_yuan"] as const

export interface LedgerError {
  /** Spreadsheet row (header = 1); null for an allocated case missing from the file. */
  readonly row: number | null
  readonly caseId: string
  readonly rule: string
  readonly message: string
  /** Fen. */
  readonly allocated: number | null
  readonly paid: number | null
}

export interface LedgerComparison {
  readonly month: string
  readonly district: string
  readonly rows: number
  readonly correct: number
  readonly errorCount: number
  readonly errors: ReadonlyArray<LedgerError>
}

/** The template: one row per allocated case (amounts in yuan), `paid_yuan` left for the district. */
export const ledgerTemplate = (month: string, allocation: ReadonlyMap<string, number>): string =>
  [
    toCsvLine([...LEDGER_HEADER]),
    ...[...allocation.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([caseId, fen]) => toCsvLine([month, caseId, Money.toYuanString(fen as Money.Money), ""])),
  ].join("\r\n")

/** Compares an imported 实发 file with the district's allocation of `month` (R121). */
export const compareLedger = (
  csv: string,
  month: string,
  district: string,
  allocation: ReadonlyMap<string, number>,
): Result.Result<LedgerComparison, InvalidValue> =>
  Result.gen(function* () {
    const rows = yield* parseCsv(csv)
    const header = rows[0]?.cells.map((c) => c.trim())
    if (header === undefined || LEDGER_HEADER.some((h, i) => header[i] !== h))
      return yield* Result.fail(
        invalid(
          "file",
          "R121.template",
          header?.join(",") ?? "",
          `the header must be ${LEDGER_HEADER.join(",")}`,
        ),
      )
    const errors: Array<LedgerError> = []
    const seen = new Set<string>()
    let correct = 0
    for (const r of rows.slice(1)) {
      const [rowMonth = "", caseIdRaw = "", , paidText = ""] = r.cells.map((c) => c.trim())
      const caseId = caseIdRaw
      const allocated = allocation.get(caseId) ?? null
      const fail = (rule: string, message: string, paid: number | null = null) =>
        errors.push({ row: r.row, caseId, rule, message, allocated, paid })
      if (rowMonth !== month) {
        fail("R121.month", `the row is for ${rowMonth || "no month"}, the import is for ${month}`)
        continue
      }
      if (seen.has(caseId)) {
        fail("R121.duplicate", "the case appears twice in the file")
        continue
      }
      seen.add(caseId)
      const paid = Money.parseYuan(paidText, "paid_yuan")
      if (Result.isFailure(paid)) {
        fail("R121.amount-format", "paid_yuan is not an amount in yuan such as 1234.50")
        continue
      }
      if (allocated === null)
        fail("R121.not-allocated", "no allocation for this case in the district's month", paid.success)
      else if (paid.success !== allocated)
        fail(
          "R121.amount-mismatch",
          `paid ${Money.format(paid.success)}, allocated ${Money.format(allocated as Money.Money)}`,
          paid.success,
        )
      else correct += 1
    }
    for (const [caseId, fen] of allocation)
      if (!seen.has(caseId))
        errors.push({
          row: null,
          caseId,
          rule: "R121.missing",
          message: "allocated but not in the file",
          allocated: fen,
          paid: null,
        })
    return { month, district, rows: rows.length - 1, correct, errorCount: errors.length, errors }
  })
