/**
 * Income allocation (增值收益分配), M62/M180/M182: interest and other income allocated to household
 * sub-accounts pro rata to balance × days (积数, i.e. average daily balance over the period) or to the
 * balance at the period end. Exact to the fen with the same largest-remainder policy as apportionment
 * (M176): Σ allocations = income, each within one fen of exact, independent of input order.
 * Balances are end-of-day: a change dated d counts for day d. The period includes both end dates.
 */
import { Result } from "effect"
import { type CivilDate, toDayNumber } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"
import { largestRemainder } from "./Apportionment.js"

/** `balance-days`: Σ over the period's days of the end-of-day balance; `period-end`: the balance at `to`. */
export type IncomeBasis = "balance-days" | "period-end"

export interface BalanceChange {
  readonly date: CivilDate
  /** Signed change of the household's balance, in fen. */
  readonly amount: Money
}

export interface BalanceHistory<Id extends string = string> {
  readonly householdId: Id
  /** Balance before every listed change (default 0). */
  readonly opening?: Money
  /** Dated changes in any order; those after the period end are ignored. */
  readonly changes: ReadonlyArray<BalanceChange>
}

export interface Period {
  readonly from: CivilDate
  readonly to: CivilDate
}

export interface IncomeShare<Id extends string = string> {
  readonly householdId: Id
  /** balance × days (fen·days) or the period-end balance (fen), per the basis. */
  readonly weight: bigint
  readonly amount: Money
}

export interface IncomeAllocation<Id extends string = string> {
  readonly income: Money
  readonly basis: IncomeBasis
  readonly period: Period
  readonly days: number
  readonly totalWeight: bigint
  /** One share per household, in input order. */
  readonly shares: ReadonlyArray<IncomeShare<Id>>
}

/**
 * The allocation weight of one household over `period`. Fails (`M180.non-negative-balance`) when an
 * end-of-day balance inside the period is negative, or when the period is reversed.
 */
export const weightOf = <Id extends string>(
  h: BalanceHistory<Id>,
  period: Period,
  basis: IncomeBasis,
  field = "households",
): Result.Result<bigint, InvalidValue> => {
  const fromDay = toDayNumber(period.from)
  const toDay = toDayNumber(period.to)
  if (toDay < fromDay)
    return Result.fail(
      invalid(
        "period",
        "M180.period-order",
        `${period.from}..${period.to}`,
        "the period ends before it starts",
      ),
    )
  const dated = h.changes
    .map((c) => ({ day: toDayNumber(c.date), amount: BigInt(c.amount) }))
    .filter((c) => c.day <= toDay)
    .sort((a, b) => a.day - b.day)
  let balance = BigInt(h.opening ?? 0)
  let k = 0
  while (k < dated.length && dated[k]!.day < fromDay) balance += dated[k++]!.amount
  const negative = () =>
    Result.fail(
      invalid(
        `${field}.${h.householdId}`,
        "M180.non-negative-balance",
        balance,
        `household ${h.householdId} has a negative balance in the period`,
      ),
    )
  let weight = 0n
  let day = fromDay
  while (k < dated.length) {
    const d = dated[k]!.day
    if (d > day) {
      if (balance < 0n) return negative()
      weight += balance * BigInt(d - day)
      day = d
    }
    balance += dated[k++]!.amount
  }
  if (balance < 0n) return negative()
  weight += balance * BigInt(toDay - day + 1)
  return Result.succeed(basis === "balance-days" ? weight : balance)
}

/**
 * Allocates `income` over households (M180). Failures: negative income, duplicate household, a negative
 * balance in the period, zero total weight (no household held a balance), reversed period.
 */
export const allocateIncome = <Id extends string>(
  income: Money,
  households: ReadonlyArray<BalanceHistory<Id>>,
  period: Period,
  basis: IncomeBasis,
): Result.Result<IncomeAllocation<Id>, InvalidValue> => {
  if (!Number.isSafeInteger(income))
    return Result.fail(invalid("income", "M180.integer-fen", income, "income must be a whole number of fen"))
  const items = new Array<{ id: Id; weight: bigint }>(households.length)
  let totalWeight = 0n
  for (let i = 0; i < households.length; i++) {
    const h = households[i]!
    const w = weightOf(h, period, basis)
    if (Result.isFailure(w)) return Result.fail(w.failure)
    items[i] = { id: h.householdId, weight: w.success }
    totalWeight += w.success
  }
  const split = largestRemainder(BigInt(income), items, {
    rule: "M180",
    field: "households",
    totalField: "income",
  })
  if (Result.isFailure(split)) return Result.fail(split.failure)
  const s = split.success
  return Result.succeed({
    income,
    basis,
    period,
    days: toDayNumber(period.to) - toDayNumber(period.from) + 1,
    totalWeight,
    shares: items.map((it, i) => ({ householdId: it.id, weight: it.weight, amount: Number(s[i]!) as Money })),
  })
}
