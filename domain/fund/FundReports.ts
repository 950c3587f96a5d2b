/**
 * The three fund reports (M67, catalog §2.4), computed from ledger balances of one book:
 * balance sheet (资产负债表), income and expenditure statement (收支表), statement of changes in net
 * assets (净资产变动表). Identities checked, not assumed: assets = liabilities + net assets (net assets
 * include the period's unclosed surplus); per net-asset column opening + movements = closing; in total
 * opening net assets + income − expenditure + other changes = closing net assets = the balance sheet's.
 */
import { type CivilDate, addDays } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { type AccountCode, type Book, account, accountsOf, fundAccount } from "./ChartOfAccounts.js"
import type { JournalEntry } from "./JournalEntry.js"
import { type LedgerState, type SubLedgerCheck, asOf, balance, journal, subLedgerCheck } from "./Ledger.js"

export interface ReportLine {
  readonly code: AccountCode | "unclosed"
  readonly name: string
  readonly amount: Money
}

export interface BalanceSheet {
  readonly book: Book
  readonly asOf: CivilDate
  readonly assets: ReadonlyArray<ReportLine>
  readonly totalAssets: Money
  readonly liabilities: ReadonlyArray<ReportLine>
  readonly totalLiabilities: Money
  /** Fund account (3001|3002), 3101, and the unclosed surplus (本期收支差额, zero after closing). */
  readonly netAssets: ReadonlyArray<ReportLine>
  readonly totalNetAssets: Money
  /** totalAssets = totalLiabilities + totalNetAssets. */
  readonly balanced: boolean
}

const line = (state: LedgerState, book: Book, code: AccountCode): ReportLine => ({
  code,
  name: account(code).name,
  amount: balance(state, book, code),
})

const sumLines = (xs: ReadonlyArray<ReportLine>): Money => xs.reduce((t, x) => t + x.amount, 0) as Money

const unclosedSurplus = (state: LedgerState, book: Book): Money => {
  let t = 0
  for (const a of accountsOf(book))
    if (a.type === "income") t += balance(state, book, a.code)
    else if (a.type === "expense") t -= balance(state, book, a.code)
  return t as Money
}

/** Balance sheet at the end of `date` (entries dated on or before it). */
export const balanceSheet = (state: LedgerState, book: Book, date: CivilDate): BalanceSheet => {
  const s = asOf(state, date)
  const top = (t: "asset" | "liability") =>
    accountsOf(book).filter((a) => a.type === t && a.parent === undefined)
  const assets = top("asset").map((a) => line(s, book, a.code))
  const liabilities = top("liability").map((a) => line(s, book, a.code))
  const netAssets: ReportLine[] = [
    line(s, book, fundAccount(book)),
    line(s, book, "3101"),
    { code: "unclosed", name: "本期收支差额(未结转)", amount: unclosedSurplus(s, book) },
  ]
  const totalAssets = sumLines(assets)
  const totalLiabilities = sumLines(liabilities)
  const totalNetAssets = sumLines(netAssets)
  return {
    book,
    asOf: date,
    assets,
    totalAssets,
    liabilities,
    totalLiabilities,
    netAssets,
    totalNetAssets,
    balanced: totalAssets === totalLiabilities + totalNetAssets,
  }
}

export interface IncomeExpenditure {
  readonly book: Book
  readonly from: CivilDate
  readonly to: CivilDate
  readonly income: ReadonlyArray<ReportLine>
  readonly totalIncome: Money
  readonly expenditure: ReadonlyArray<ReportLine>
  readonly totalExpenditure: Money
  /** 收支差额 = totalIncome − totalExpenditure. */
  readonly surplus: Money
}

const inPeriod = (
  state: LedgerState,
  book: Book,
  from: CivilDate,
  to: CivilDate,
): ReadonlyArray<JournalEntry> =>
  journal(state).filter((e) => e.book === book && e.date >= from && e.date <= to)

/** Credit-positive movement per account over entries. */
const movements = (entries: ReadonlyArray<JournalEntry>): Map<AccountCode, number> => {
  const m = new Map<AccountCode, number>()
  for (const e of entries)
    for (const l of e.lines)
      m.set(l.account, (m.get(l.account) ?? 0) + (l.side === "credit" ? l.amount : -l.amount))
  return m
}

/** Income and expenditure statement for `from`..`to` inclusive; closing entries are not income or expenditure. */
export const incomeAndExpenditure = (
  state: LedgerState,
  book: Book,
  from: CivilDate,
  to: CivilDate,
): IncomeExpenditure => {
  const m = movements(inPeriod(state, book, from, to).filter((e) => !e.closing))
  const rows = (t: "income" | "expense", sign: 1 | -1) =>
    accountsOf(book)
      .filter((a) => a.type === t)
      .map((a) => ({ code: a.code, name: a.name, amount: (sign * (m.get(a.code) ?? 0)) as Money }))
  const income = rows("income", 1)
  const expenditure = rows("expense", -1)
  const totalIncome = sumLines(income)
  const totalExpenditure = sumLines(expenditure)
  return {
    book,
    from,
    to,
    income,
    totalIncome,
    expenditure,
    totalExpenditure,
    surplus: (totalIncome - totalExpenditure) as Money,
  }
}

export interface NetAssetColumn {
  readonly column: "fund" | "3101" | "unclosed" | "total"
  readonly opening: Money
  /** The period's income − expenditure (only in `unclosed` and `total`). */
  readonly surplus: Money
  /** Closing transfers (A13/A14/A16): into 3001|3002 and 3101, out of `unclosed`; zero in total. */
  readonly closedIn: Money
  /** Allocation of pooled income (A15): out of 3101 into the fund; zero in total. */
  readonly allocations: Money
  /** Other direct changes of net assets (stage conversion A17, direct refunds of fund balances, …). */
  readonly otherChanges: Money
  readonly closing: Money
  /** opening + surplus + closedIn + allocations + otherChanges = closing. */
  readonly holds: boolean
}

export interface NetAssetChanges {
  readonly book: Book
  readonly from: CivilDate
  readonly to: CivilDate
  readonly columns: ReadonlyArray<NetAssetColumn>
  /** The total column's closing equals the balance sheet's total net assets at `to`. */
  readonly agreesWithBalanceSheet: boolean
  readonly holds: boolean
}

/** Statement of changes in net assets for `from`..`to` inclusive. */
export const netAssetChanges = (
  state: LedgerState,
  book: Book,
  from: CivilDate,
  to: CivilDate,
): NetAssetChanges => {
  const fund = fundAccount(book)
  const open = asOf(state, addDays(from, -1))
  const close = asOf(state, to)
  const entries = inPeriod(state, book, from, to)
  const ie = incomeAndExpenditure(state, book, from, to)
  const closingMoves = movements(entries.filter((e) => e.closing))
  const allocationMoves = movements(entries.filter((e) => !e.closing && e.rule === "A15"))
  const otherMoves = movements(entries.filter((e) => !e.closing && e.rule !== "A15"))
  const incomeExpense = accountsOf(book).filter((a) => a.type === "income" || a.type === "expense")
  const closedOut = incomeExpense.reduce((t, a) => t + (closingMoves.get(a.code) ?? 0), 0)
  const col = (
    column: NetAssetColumn["column"],
    opening: number,
    surplus: number,
    closedIn: number,
    allocations: number,
    otherChanges: number,
    closing: number,
  ): NetAssetColumn => ({
    column,
    opening: opening as Money,
    surplus: surplus as Money,
    closedIn: closedIn as Money,
    allocations: allocations as Money,
    otherChanges: otherChanges as Money,
    closing: closing as Money,
    holds: opening + surplus + closedIn + allocations + otherChanges === closing,
  })
  const c = (code: AccountCode, m: Map<AccountCode, number>) => m.get(code) ?? 0
  const fundCol = col(
    "fund",
    balance(open, book, fund),
    0,
    c(fund, closingMoves),
    c(fund, allocationMoves),
    c(fund, otherMoves),
    balance(close, book, fund),
  )
  const pendingCol = col(
    "3101",
    balance(open, book, "3101"),
    0,
    c("3101", closingMoves),
    c("3101", allocationMoves),
    c("3101", otherMoves),
    balance(close, book, "3101"),
  )
  const unclosedCol = col(
    "unclosed",
    unclosedSurplus(open, book),
    ie.surplus,
    closedOut,
    0,
    0,
    unclosedSurplus(close, book),
  )
  const sum = (k: keyof Omit<NetAssetColumn, "column" | "holds">) =>
    fundCol[k] + pendingCol[k] + unclosedCol[k]
  const total = col(
    "total",
    sum("opening"),
    sum("surplus"),
    sum("closedIn"),
    sum("allocations"),
    sum("otherChanges"),
    sum("closing"),
  )
  const columns = [fundCol, pendingCol, unclosedCol, total]
  const agrees = total.closing === balanceSheet(state, book, to).totalNetAssets
  return {
    book,
    from,
    to,
    columns,
    agreesWithBalanceSheet: agrees,
    holds: agrees && columns.every((x) => x.holds) && total.closedIn === 0 && total.allocations === 0,
  }
}

export interface FundReports {
  readonly balanceSheet: BalanceSheet
  readonly incomeAndExpenditure: IncomeExpenditure
  readonly netAssetChanges: NetAssetChanges
  readonly subLedger: SubLedgerCheck
  /** Every identity of §2.4 and the §2.2 sub-ledger control hold. */
  readonly consistent: boolean
}

/** All three reports for a period, with the identities and the sub-ledger control (at `to`). */
export const fundReports = (state: LedgerState, book: Book, from: CivilDate, to: CivilDate): FundReports => {
  const bs = balanceSheet(state, book, to)
  const ie = incomeAndExpenditure(state, book, from, to)
  const na = netAssetChanges(state, book, from, to)
  const sl = subLedgerCheck(asOf(state, to), book)
  return {
    balanceSheet: bs,
    incomeAndExpenditure: ie,
    netAssetChanges: na,
    subLedger: sl,
    consistent: bs.balanced && na.holds && sl.holds,
  }
}
