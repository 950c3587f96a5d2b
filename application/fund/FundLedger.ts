/**
 * Use-cases over the fund's books (M65–M67): post entries, rebuild the pure ledger state from the
 * stored journal, the three reports with their identities (§2.4), the hash-chain check, period closing
 * (A13/A14/A16) and interest credited to households by balance × days or period-end balance (A7, M180).
 * Postings go through the Ledger port, so idempotency, atomicity and balance are the port's laws.
 */
import { Effect, Option } from "effect"
import type { Book } from "../../domain/fund/ChartOfAccounts.js"
import { fundReports } from "../../domain/fund/FundReports.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import { type IncomeBasis, type Period, allocateIncome } from "../../domain/fund/IncomeAllocation.js"
import type { JournalEntry } from "../../domain/fund/JournalEntry.js"
import * as DomainLedger from "../../domain/fund/Ledger.js"
import { interest } from "../../domain/fund/PostingRules.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import type { Money } from "../../domain/values/Money.js"
import { Ledger } from "../ports/Ledger.js"

export const postEntries = Effect.fn("Fund.post")(function* (entries: ReadonlyArray<JournalEntry>) {
  const ledger = yield* Ledger
  return yield* ledger.post(entries)
})

/** The pure ledger state of the stored journal (a stored journal always replays: the port's laws). */
export const ledgerState = Effect.fn("Fund.ledgerState")(function* () {
  const ledger = yield* Ledger
  const journal = yield* ledger.journal()
  return yield* Effect.orDie(Effect.fromResult(DomainLedger.postAll(DomainLedger.empty, journal)))
})

/** The three reports of one book for `from`..`to` (M67), with `consistent` = every identity holds. */
export const fundReport = Effect.fn("Fund.report")(function* (input: {
  readonly book: Book
  readonly from: CivilDate
  readonly to: CivilDate
}) {
  const state = yield* ledgerState()
  return fundReports(state, input.book, input.from, input.to)
})

export const verifyLedger = Effect.fn("Fund.verify")(function* () {
  const ledger = yield* Ledger
  return yield* ledger.verify()
})

/** Period-end closing (A13/A14/A16) of entries dated up to `date`; none when nothing is open. */
export const closePeriod = Effect.fn("Fund.closePeriod")(function* (input: DomainLedger.ClosingInput) {
  const state = yield* ledgerState()
  const entry = yield* Effect.fromResult(DomainLedger.closePeriod(state, input))
  if (Option.isSome(entry)) yield* postEntries([entry.value])
  return entry
})

/**
 * Bank interest for a period credited straight to the households' income components (A7 with an
 * allocation from `allocateIncome`, M59/M180). Failures: InvalidValue (no household held money in the
 * period, bad amount), LedgerError.
 */
export const creditInterest = Effect.fn("Fund.creditInterest")(function* (input: {
  readonly id: string
  readonly book: Book
  readonly date: CivilDate
  readonly amount: Money
  readonly period: Period
  readonly basis: IncomeBasis
}) {
  const state = yield* ledgerState()
  const histories = DomainLedger.householdChanges(state, input.book).map((h) => ({
    householdId: h.household,
    changes: h.changes,
  }))
  const allocation = yield* Effect.fromResult(
    allocateIncome(input.amount, histories, input.period, input.basis),
  )
  const entry = yield* Effect.fromResult(
    interest({
      id: input.id,
      book: input.book,
      date: input.date,
      amount: input.amount,
      allocation: allocation.shares
        .filter((s) => s.amount > 0)
        .map((s) => ({ household: s.householdId as HouseholdId, amount: s.amount })),
    }),
  )
  yield* postEntries([entry])
  return { entry, allocation }
})
