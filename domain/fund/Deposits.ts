/**
 * Deposits (资金交存), M28–M40/M169–M172: the due amount determined by rule from dated policy parameters
 * (area × rate per m² by building type and lift, or area × construction cost per m² × a percentage,
 * rounded once, half-up, to the fen or the yuan); deposit kinds (首次, 续交, 补建, 续筹, 资金转入, 补交) and
 * refunds (退款), each supplementary payment and refund with a preset reason category (M38/M40); the
 * top-up check (M171: balance < 30 % of the first deposit, exact) and the shortfall to collect at transfer.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import type { Ratio } from "../policy/Ratio.js"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Money, divideRounded } from "../values/Money.js"
import type { Book } from "./ChartOfAccounts.js"
import { FundParameters } from "./FundParameters.js"
import type { HouseholdId } from "./HouseholdId.js"
import type { JournalEntry } from "./JournalEntry.js"
import { type DepositKind, deposit, refundCurrentYear, refundPriorYear } from "./PostingRules.js"

/** 多层 (multi-storey) or 高层 (high-rise); high-rise buildings always have lifts. */
export type BuildingType = "multi-storey" | "high-rise"

export interface DepositStandard {
  readonly basis: "area-rate" | "cost-percentage"
  /** Fen due per m² of building area, before rounding (exact: numerator / denominator fen). */
  readonly perM2: Ratio
  readonly roundTo: "fen" | "yuan"
}

/**
 * The deposit standard (交存标准) for a building on the reader's date (M169). Fails when a parameter has
 * no value on that date. Every parameter read is in the reader's trace.
 */
export const depositStandard = (
  reader: ParameterReader,
  building: { readonly type: BuildingType; readonly hasLift: boolean },
): Result.Result<DepositStandard, ParameterNotFound> =>
  Result.gen(function* () {
    const basis = yield* reader.read(FundParameters.depositBasis)
    const roundToYuan = yield* reader.read(FundParameters.roundToYuan)
    const roundTo = roundToYuan ? ("yuan" as const) : ("fen" as const)
    if (basis === "cost-percentage") {
      const cost = yield* reader.read(FundParameters.constructionCostPerM2)
      const pct = yield* reader.read(FundParameters.costPercentage)
      return { basis, perM2: { numerator: cost * pct.numerator, denominator: pct.denominator }, roundTo }
    }
    const rate = yield* reader.read(
      building.type === "high-rise"
        ? FundParameters.rateHighRise
        : building.hasLift
          ? FundParameters.rateMultiStoreyWithLift
          : FundParameters.rateMultiStoreyWithoutLift,
    )
    return { basis, perM2: { numerator: rate, denominator: 1 }, roundTo }
  })

/**
 * Due deposit (核定金额) of a household of `area` (0.01 m²) under `standard`: area × perM2, rounded once,
 * half-up, to the fen or to the yuan (M34, M169). Exact in bigint.
 */
export const dueAmount = (area: Area, standard: DepositStandard): Money => {
  const num = BigInt(area) * BigInt(standard.perM2.numerator)
  const den = 100n * BigInt(standard.perM2.denominator)
  if (standard.roundTo === "yuan") return Number(divideRounded(num, den * 100n, "half-up") * 100n) as Money
  return Number(divideRounded(num, den, "half-up")) as Money
}

/** Preset reason categories of a supplementary payment (补交款: 续交 or 补齐), M38/M153. */
export const supplementaryReasons = [
  "shortfall",
  "area-change",
  "arrears",
  "transfer-shortfall",
  "other",
] as const
export type SupplementaryReason = (typeof supplementaryReasons)[number]

/** Preset reason categories of a refund (退款), M40/M172. */
export const refundReasons = [
  "over-payment",
  "cancelled-sale",
  "house-loss",
  "batch-refund",
  "other",
] as const
export type RefundReason = (typeof refundReasons)[number]

export interface DepositRequest {
  readonly id: string
  readonly book: Book
  readonly date: CivilDate
  readonly kind: DepositKind
  /** Required for `supplementary`, refused for other kinds. */
  readonly reason?: SupplementaryReason
  readonly households: ReadonlyArray<{ readonly household: HouseholdId; readonly amount: Money }>
}

/** A1 entry of a deposit (M29/M38). Failures: a supplementary payment without a preset reason, a reason on another kind, bad amounts. */
export const depositEntry = (r: DepositRequest): Result.Result<JournalEntry, InvalidValue> => {
  if (r.kind === "supplementary" && (r.reason === undefined || !supplementaryReasons.includes(r.reason)))
    return Result.fail(
      invalid(
        "reason",
        "M38.reason-category",
        r.reason ?? "",
        "a supplementary payment needs a preset reason",
      ),
    )
  if (r.kind !== "supplementary" && r.reason !== undefined)
    return Result.fail(
      invalid("reason", "M38.reason-only-supplementary", r.reason, "only 补交 carries a reason"),
    )
  return deposit({
    id: r.id,
    book: r.book,
    date: r.date,
    kind: r.kind,
    memo: r.reason === undefined ? `交存 (${r.kind})` : `交存 (${r.kind}: ${r.reason})`,
    households: r.households,
  })
}

export interface RefundRequest {
  readonly id: string
  readonly book: Book
  readonly date: CivilDate
  readonly reason: RefundReason
  readonly household: HouseholdId
  readonly amount: Money
  /**
   * Whether the refunded money was deposited in the current, not yet closed year (A2 reverses deposit
   * income) or earlier (A3 refund expenditure, drawing principal first, then income).
   */
  readonly currentYear: boolean
  /** The household's sub-account now. */
  readonly balance: { readonly principal: Money; readonly income: Money }
}

/**
 * A2/A3 refund entry (M30/M40/M172) with its reason category. Failures: unknown reason, amount not
 * positive, amount above what the sub-account holds (a current-year refund only from principal).
 */
export const refundEntry = (r: RefundRequest): Result.Result<JournalEntry, InvalidValue> => {
  if (!refundReasons.includes(r.reason))
    return Result.fail(invalid("reason", "M40.reason-category", r.reason, "a refund needs a preset reason"))
  if (!Number.isSafeInteger(r.amount) || r.amount <= 0)
    return Result.fail(invalid("amount", "M40.positive-amount", r.amount, "a refund is a positive amount"))
  const available = r.currentYear ? r.balance.principal : r.balance.principal + r.balance.income
  if (r.amount > available)
    return Result.fail(
      invalid(
        "amount",
        "M40.within-balance",
        r.amount,
        `the sub-account holds only ${available} fen to refund`,
      ),
    )
  const header = { id: r.id, book: r.book, date: r.date, memo: `退款 (${r.reason})` }
  if (r.currentYear)
    return refundCurrentYear({
      ...header,
      reason: r.reason,
      households: [{ household: r.household, amount: r.amount }],
    })
  const principal = Math.min(r.amount, r.balance.principal)
  return refundPriorYear({
    ...header,
    reason: r.reason,
    households: [
      { household: r.household, principal: principal as Money, income: (r.amount - principal) as Money },
    ],
  })
}

export interface TopUpCheck {
  readonly balance: Money
  readonly firstDeposit: Money
  readonly threshold: Ratio
  /** balance < threshold × firstDeposit (exact; never with a zero first deposit). */
  readonly due: boolean
  /** Amount that restores the balance to the first deposit (proposal: Haikou 2023 tops up at the first-deposit standard). */
  readonly suggestedTopUp: Money
}

/** M171 top-up check (Measures art. 17): is the balance below `threshold` of the first deposit? */
export const topUpCheck = (balance: Money, firstDeposit: Money, threshold: Ratio): TopUpCheck => {
  const due =
    firstDeposit > 0 &&
    BigInt(balance) * BigInt(threshold.denominator) < BigInt(firstDeposit) * BigInt(threshold.numerator)
  return {
    balance,
    firstDeposit,
    threshold,
    due,
    suggestedTopUp: (due ? Math.max(0, firstDeposit - balance) : 0) as Money,
  }
}

/**
 * Shortfall to collect on an ownership transfer (过户, M44/M174): what the due deposit exceeds the
 * deposits made so far (never negative).
 */
export const transferShortfall = (due: Money, deposited: Money): Money =>
  Math.max(0, due - deposited) as Money

/**
 * A stored deposit or refund (交存/退款 record, M33): one household, one amount (positive fen), the journal
 * entry that moved the money and, for a deposit taken at a counter, the bill (票据) that receipts it.
 */
export interface DepositRecord {
  readonly id: string
  readonly household: HouseholdId
  readonly book: Book
  readonly direction: "deposit" | "refund"
  readonly kind: DepositKind | "refund"
  readonly reason?: SupplementaryReason | RefundReason
  readonly amount: Money
  readonly date: CivilDate
  readonly entryId: string
  readonly billNo?: string
  /** The payment notice it settles (once). */
  readonly noticeId?: string
  /** Staff member who recorded it. */
  readonly recordedBy: string
}

/** A payment notice (交款通知书, M35/M28): the determined amount a household is to deposit by `dueOn`. */
export interface PaymentNotice {
  readonly id: string
  readonly household: HouseholdId
  readonly book: Book
  readonly kind: DepositKind
  readonly reason?: SupplementaryReason
  readonly amount: Money
  readonly issuedOn: CivilDate
  readonly dueOn: CivilDate
  /** The standard it was determined by (M34), for the voucher and the trail. */
  readonly basis: string
  readonly status: "open" | "paid" | "cancelled"
  readonly depositId?: string
}

/** Net deposited principal of a household from its records (deposits − refunds). */
export const netDeposited = (records: ReadonlyArray<DepositRecord>): Money =>
  records.reduce((t, r) => t + (r.direction === "deposit" ? r.amount : -r.amount), 0) as Money

export interface DepositStatus {
  readonly household: HouseholdId
  readonly due: Money
  readonly deposited: Money
  readonly shortfall: Money
  /** M32: may the house change hands without a collection first? */
  readonly settled: boolean
}

/** Deposit status of a household for a house transaction (M32): due now vs. deposited so far. */
export const depositStatus = (household: HouseholdId, due: Money, deposited: Money): DepositStatus => {
  const shortfall = transferShortfall(due, deposited)
  return { household, due, deposited, shortfall, settled: shortfall === 0 }
}
