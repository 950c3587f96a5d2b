/**
 * `anju fund report --as-of <date> [--from <date>] [--book commodity|public] [--json]`: the three fund
 * reports (M67, catalog §2.4) — balance sheet at the date, income and expenditure and changes in net
 * assets from `--from` (default 1 January of the same year) — for each book, with their identities and
 * the sub-ledger control. Exit 0 when every identity holds, 1 when one does not, 2 on usage errors.
 */
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { fundReport } from "../../../application/fund/FundLedger.js"
import type { Book } from "../../../domain/fund/ChartOfAccounts.js"
import type { FundReports, ReportLine } from "../../../domain/fund/FundReports.js"
import { parse as parseDate } from "../../../domain/values/CivilDate.js"
import { type Money, toYuanString } from "../../../domain/values/Money.js"
import { ledgerLayer } from "../../FundStores.js"
import { describeStorage } from "../../StoreSelection.js"
import {
  optionalChoice,
  optionalText,
  storageFlags,
  storageOf,
  switchFlag,
  text,
  UsageError,
} from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { orUsage } from "./FundInput.js"

const y = (m: Money) => toYuanString(m).padStart(16)
const lines = (xs: ReadonlyArray<ReportLine>) =>
  xs.map((l) => `  ${l.code.padEnd(9)}${l.name.padEnd(14, "　")}${y(l.amount)}`)

/** Plain-text rendering of the three reports of one book. */
export const formatReports = (r: FundReports): string => {
  const bs = r.balanceSheet
  const ie = r.incomeAndExpenditure
  const na = r.netAssetChanges
  return [
    `== ${bs.book} book ==`,
    `资产负债表 balance sheet at ${bs.asOf}`,
    ...lines(bs.assets),
    `  total assets${y(bs.totalAssets)}`,
    ...lines(bs.liabilities),
    `  total liabilities${y(bs.totalLiabilities)}`,
    ...lines(bs.netAssets),
    `  total net assets${y(bs.totalNetAssets)}`,
    `  assets = liabilities + net assets: ${bs.balanced ? "yes" : "NO"}`,
    `收支表 income and expenditure ${ie.from}..${ie.to}`,
    ...lines(ie.income),
    `  total income${y(ie.totalIncome)}`,
    ...lines(ie.expenditure),
    `  total expenditure${y(ie.totalExpenditure)}`,
    `  surplus (收支差额)${y(ie.surplus)}`,
    `净资产变动表 changes in net assets ${na.from}..${na.to}`,
    "  column      opening   surplus  closed-in  allocated    other   closing",
    ...na.columns.map(
      (c) =>
        `  ${c.column.padEnd(9)}${[c.opening, c.surplus, c.closedIn, c.allocations, c.otherChanges, c.closing].map((m) => toYuanString(m).padStart(10)).join("")} ${c.holds ? "" : "NO"}`,
    ),
    `  agrees with the balance sheet: ${na.agreesWithBalanceSheet ? "yes" : "NO"}`,
    `Σ household sub-accounts ${toYuanString(r.subLedger.households)} + pending ${toYuanString(r.subLedger.pendingAllocation)} = net assets ${toYuanString(r.subLedger.netAssets)}: ${r.subLedger.holds ? "yes" : "NO"}`,
    `identities hold: ${r.consistent ? "yes" : "NO"}`,
  ].join("\n")
}

export const fundReportCommand = defineCommand({
  words: ["fund", "report"],
  description: "the three fund reports (M67) per book, with their identities and the sub-ledger control",
  examples: [
    { command: "anju fund report --as-of 2026-12-31", description: "both books, from 1 January" },
    { command: "anju fund report --memory --as-of 2026-12-31 --book commodity --json", description: "JSON" },
  ],
  config: {
    asOf: text("as-of", "YYYY-MM-DD", "balance sheet date and end of the period"),
    from: optionalText("from", "YYYY-MM-DD", "start of the period (default: 1 January of --as-of's year)"),
    book: optionalChoice("book", ["commodity", "public"], "one book (default: both)"),
    json: switchFlag("json", "print JSON"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const to = orUsage("--as-of", parseDate(input.asOf, "as-of"))
    const from = orUsage("--from", parseDate(input.from ?? `${to.slice(0, 4)}-01-01`, "from"))
    if (from > to) throw new UsageError(`--from ${from} is after --as-of ${to}`)
    const bookFlag = input.book
    const books: ReadonlyArray<Book> = bookFlag === undefined ? ["commodity", "public"] : [bookFlag]
    const storage = storageOf(input.storage, io.env)
    const runtime = ManagedRuntime.make(ledgerLayer(storage).pipe(Layer.orDie))
    try {
      const exit = await runtime.runPromiseExit(
        Effect.forEach(books, (book) => fundReport({ book, from, to })),
      )
      if (Exit.isFailure(exit)) {
        io.err(`fund report failed on ${describeStorage(storage)}: ${String(exit.cause)}`)
        return 1
      }
      const reports = exit.value
      io.out(input.json ? JSON.stringify(reports, null, 2) : reports.map(formatReports).join("\n\n"))
      return reports.every((r) => r.consistent) ? 0 : 1
    } finally {
      await runtime.dispose()
    }
  },
})
