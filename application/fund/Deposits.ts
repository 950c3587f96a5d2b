/**
 * Deposit use-cases (资金交存, M28–M40/M169–M171): determine each household's due amount from the
 * dated policy parameters of its building (M34), post first/continued/补建/续筹/transfer-in/supplementary
 * deposits (A1) and refunds with reason categories (A2/A3), and check the top-up rule (M171) over the
 * stored sub-accounts. The structure and the policy reader are inputs; the money goes through the Ledger.
 */
import { Effect, Option } from "effect"
import type { Book } from "../../domain/fund/ChartOfAccounts.js"
import {
  type DepositRequest,
  type RefundRequest,
  type TopUpCheck,
  depositEntry,
  depositStandard,
  dueAmount,
  refundEntry,
  topUpCheck,
} from "../../domain/fund/Deposits.js"
import { FundParameters } from "../../domain/fund/FundParameters.js"
import { type FundStructure, locate } from "../../domain/fund/FundStructure.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import type { ParameterReader } from "../../domain/policy/ParameterReader.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import type { Money } from "../../domain/values/Money.js"
import { Ledger } from "../ports/Ledger.js"
import { postEntries } from "./FundLedger.js"

/** Due deposits (核定金额) of households on the reader's date, by their building's standard (M34/M169). */
export const determineDeposits = Effect.fn("Fund.determineDeposits")(function* (
  structure: FundStructure,
  reader: ParameterReader,
  households: ReadonlyArray<string>,
) {
  const out: Array<{ household: HouseholdId; amount: Money }> = []
  for (const id of households) {
    const where = locate(structure, id)
    if (Option.isNone(where))
      return yield* Effect.fail(invalid("household", "M13.known-household", id, `unknown household ${id}`))
    const { household, building } = where.value
    const standard = yield* Effect.fromResult(depositStandard(reader, building))
    out.push({ household: household.id, amount: dueAmount(household.area, standard) })
  }
  return out
})

export const recordDeposit = Effect.fn("Fund.recordDeposit")(function* (request: DepositRequest) {
  const entry = yield* Effect.fromResult(depositEntry(request))
  yield* postEntries([entry])
  return entry
})

export const recordRefund = Effect.fn("Fund.recordRefund")(function* (
  request: Omit<RefundRequest, "balance">,
) {
  const ledger = yield* Ledger
  const b = (yield* ledger.householdBalances(request.book)).find((x) => x.household === request.household)
  const entry = yield* Effect.fromResult(
    refundEntry({ ...request, balance: b ?? { principal: 0 as Money, income: 0 as Money } }),
  )
  yield* postEntries([entry])
  return entry
})

/** M171 over every household with a first deposit: those whose balance fell below the threshold. */
export const topUpsDue = Effect.fn("Fund.topUpsDue")(function* (
  structure: FundStructure,
  reader: ParameterReader,
  book: Book,
) {
  const ledger = yield* Ledger
  const threshold = yield* Effect.fromResult(reader.read(FundParameters.topUpThreshold))
  const balances = new Map((yield* ledger.householdBalances(book)).map((b) => [b.household as string, b]))
  const out: Array<TopUpCheck & { household: HouseholdId }> = []
  for (const h of structure.households.values()) {
    if (h.book !== book || h.status !== "active" || h.firstDeposit === undefined) continue
    const b = balances.get(h.id)
    const check = topUpCheck(((b?.principal ?? 0) + (b?.income ?? 0)) as Money, h.firstDeposit, threshold)
    if (check.due) out.push({ ...check, household: h.id })
  }
  return out
})
