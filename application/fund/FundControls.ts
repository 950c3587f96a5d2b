/**
 * Fund controls: bank reconciliation from a statement file (M65/M189) and warning evaluation (M77,
 * M183) — periodic over the stored sub-accounts, deposits due, disbursements and the latest
 * reconciliation. Thresholds come from the rules the caller built (`warningRules(reader)`).
 */
import { Effect } from "effect"
import { bankBookLines, parseStatement, reconcile } from "../../domain/fund/BankReconciliation.js"
import type { Book } from "../../domain/fund/ChartOfAccounts.js"
import type { FundStructure } from "../../domain/fund/FundStructure.js"
import { type FundFact, type WarningRules, evaluatePeriodic } from "../../domain/fund/Warnings.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import type { Money } from "../../domain/values/Money.js"
import { Ledger } from "../ports/Ledger.js"

/** Reconciles a statement (CSV text) with the book's demand-deposit account 100101. */
export const reconcileBank = Effect.fn("Fund.reconcileBank")(function* (input: {
  readonly book: Book
  readonly statementCsv: string
  readonly windowDays: number
  readonly from?: CivilDate
  readonly to?: CivilDate
}) {
  const ledger = yield* Ledger
  const statement = yield* Effect.fromResult(parseStatement(input.statementCsv))
  const bookLines = bankBookLines(yield* ledger.journal(), input.book)
  return yield* Effect.fromResult(
    reconcile({
      statement,
      bookLines,
      windowDays: input.windowDays,
      ...(input.from === undefined ? {} : { from: input.from }),
      ...(input.to === undefined ? {} : { to: input.to }),
    }),
  )
})

/** Periodic evaluation (M77) on `on`: household balances from the Ledger plus the given facts. */
export const evaluateWarnings = Effect.fn("Fund.evaluateWarnings")(function* (input: {
  readonly rules: WarningRules
  readonly on: CivilDate
  readonly book: Book
  readonly structure: FundStructure
  readonly facts: ReadonlyArray<FundFact>
}) {
  const ledger = yield* Ledger
  const balances = new Map(
    (yield* ledger.householdBalances(input.book)).map((b) => [b.household as string, b]),
  )
  const householdFacts: FundFact[] = []
  for (const h of input.structure.households.values()) {
    if (h.book !== input.book || h.status !== "active") continue
    const b = balances.get(h.id)
    householdFacts.push({
      _tag: "HouseholdBalance",
      household: h.id,
      balance: ((b?.principal ?? 0) + (b?.income ?? 0)) as Money,
      ...(h.firstDeposit === undefined ? {} : { firstDeposit: h.firstDeposit }),
    })
  }
  return evaluatePeriodic(input.rules, [...householdFacts, ...input.facts], input.on)
})
