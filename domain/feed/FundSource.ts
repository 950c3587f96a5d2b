/**
 * Feed detail from the stored fund journal (M122: collected from the business system), as of a day:
 * household sub-accounts (分户账) become `household-account` records, journal lines of the period become
 * business records (4001 deposit income → `deposit`, 5001 expenditure → `use`, 4101/4102/4201 → `income`),
 * and every postable account's balance an `accounting` record. Until the fund's basic data (area →
 * building → household) is stored, each book's households hang under one placeholder area and building
 * per book (`UNPLACED-<book>`, custody stage, floor areas 0), so references and area sums still hold. Pure.
 */
import { Result } from "effect"
import { type AccountCode, accountsOf, books } from "../fund/ChartOfAccounts.js"
import type { JournalEntry } from "../fund/JournalEntry.js"
import * as Ledger from "../fund/Ledger.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { FeedRecord } from "./FeedRecord.js"

const INCOME_TYPES: Partial<Record<AccountCode, string>> = {
  "4101": "interest",
  "4102": "bond",
  "4201": "operating",
}

/** Detail records of the fund as of `asOf` (business records only from the month of `asOf`). */
export const detailFromJournal = (
  entries: ReadonlyArray<JournalEntry>,
  asOf: CivilDate,
  county: string,
): Result.Result<ReadonlyArray<FeedRecord>, Ledger.PostError> => {
  const posted = Ledger.postAll(Ledger.empty, entries)
  if (Result.isFailure(posted)) return Result.fail(posted.failure)
  const state = Ledger.asOf(posted.success, asOf)
  const period = asOf.slice(0, 7)
  const out: Array<FeedRecord> = []
  for (const book of books) {
    const households = Ledger.householdBalances(state, book)
    const area = `UNPLACED-${book}`
    const building = `${area}-B`
    let balance = 0
    if (households.length > 0 || entries.some((e) => e.book === book)) {
      out.push({ kind: "area", id: area, county, name: `${book} (unplaced)`, stage: "custody", floorArea: 0 })
      out.push({ kind: "building", id: building, area, name: "unplaced" })
    }
    for (const h of households) {
      out.push({ kind: "household", id: h.household, building, floorArea: 0 })
      out.push({ kind: "household-account", id: h.household, book, principal: h.principal, income: h.income })
      balance += h.principal + h.income
    }
    if (households.length > 0 || entries.some((e) => e.book === book))
      out.push({ kind: "area-account", id: area, balance })
    for (const a of accountsOf(book))
      if (a.postable) {
        const amount = Ledger.balance(state, book, a.code)
        if (amount !== 0)
          out.push({ kind: "balance", id: `${book}:${a.code}`, book, account: a.code, amount })
      }
  }
  for (const e of Ledger.journal(state)) {
    if (!e.date.startsWith(`${period}-`)) continue
    const area = `UNPLACED-${e.book}`
    const household = e.lines.find((l) => l.subAccount !== undefined)?.subAccount?.household
    const sum = (code: AccountCode, side: "debit" | "credit") =>
      e.lines.filter((l) => l.account === code && l.side === side).reduce((s, l) => s + l.amount, 0)
    const deposit = sum("4001", "credit")
    if (deposit > 0)
      out.push({
        kind: "deposit",
        id: e.id,
        area,
        date: e.date,
        due: deposit,
        paid: deposit,
        ...(household === undefined ? {} : { household }),
      })
    const use = sum("5001", "debit")
    if (use > 0) out.push({ kind: "use", id: e.id, area, date: e.date, amount: use, category: "other" })
    for (const [code, type] of Object.entries(INCOME_TYPES)) {
      const amount = sum(code as AccountCode, "credit")
      if (amount > 0) out.push({ kind: "income", id: `${e.id}:${code}`, area, date: e.date, amount, type })
    }
  }
  return Result.succeed(out)
}
