/**
 * Warnings (预警, M73–M80/M126–M127/M183): indicators with configurable thresholds and levels, evaluated
 * instantly on one business event (M77 immediate) or periodically over a snapshot (M77 scheduled). The
 * periodic evaluation is exactly the union of the instant evaluations of the snapshot's facts, sorted
 * by kind and subject, so both paths always agree. Indicators: low balance (M171, < 30 % of the first
 * deposit), deposit overdue (M170), disbursement without an approved vote (M50/V1), unreconciled bank
 * difference (M65/M189). Pure: the date is an argument.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import type { Ratio } from "../policy/Ratio.js"
import { type CivilDate, addDays } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import type { Reconciliation } from "./BankReconciliation.js"
import { FundParameters } from "./FundParameters.js"
import { compareIds } from "./HouseholdId.js"

export type WarningKind = "low-balance" | "deposit-overdue" | "disbursement-without-vote" | "bank-difference"
/** Warning levels (预警层级, M74): handled by different roles. */
export type WarningLevel = "notice" | "warning" | "critical"

export interface IndicatorRule<T> {
  readonly enabled: boolean
  readonly level: WarningLevel
  readonly threshold: T
}

export interface WarningRules {
  /** Balance below this share of the first deposit. */
  readonly lowBalance: IndicatorRule<Ratio>
  /** Days after the due date before an unpaid deposit warns. */
  readonly depositOverdue: IndicatorRule<number>
  /** No threshold: any disbursement without a passed vote (unless marked emergency, V8). */
  readonly disbursementWithoutVote: IndicatorRule<null>
  /** Largest tolerated |statement − book| difference, fen. */
  readonly bankDifference: IndicatorRule<Money>
}

/** Rules from the policy table on the reader's date (levels are the defaults; override per deployment). */
export const warningRules = (reader: ParameterReader): Result.Result<WarningRules, ParameterNotFound> =>
  Result.gen(function* () {
    return {
      lowBalance: {
        enabled: true,
        level: "warning",
        threshold: yield* reader.read(FundParameters.lowBalanceRatio),
      },
      depositOverdue: {
        enabled: true,
        level: "warning",
        threshold: yield* reader.read(FundParameters.depositOverdueGraceDays),
      },
      disbursementWithoutVote: {
        enabled: yield* reader.read(FundParameters.requireVoteForDisbursement),
        level: "critical",
        threshold: null,
      },
      bankDifference: {
        enabled: true,
        level: "critical",
        threshold: yield* reader.read(FundParameters.bankDifferenceTolerance),
      },
    } satisfies WarningRules
  })

export interface FundWarning {
  readonly kind: WarningKind
  readonly level: WarningLevel
  /** Household id, project id or bank account the warning is about. */
  readonly subject: string
  /** Catalog rule ids behind the indicator. */
  readonly rules: ReadonlyArray<string>
  readonly on: CivilDate
  readonly message: string
}

/** One business fact, as seen when it happens (instant) or in a snapshot (periodic). */
export type FundFact =
  | {
      readonly _tag: "HouseholdBalance"
      readonly household: string
      readonly balance: Money
      readonly firstDeposit?: Money
    }
  | {
      readonly _tag: "DepositDue"
      readonly household: string
      readonly dueDate: CivilDate
      readonly due: Money
      readonly paid: Money
    }
  | {
      readonly _tag: "Disbursement"
      readonly project: string
      readonly amount: Money
      /** The owner vote passed (V3/V4/V6). */
      readonly votePassed: boolean
      /** Emergency repair (V8): no vote needed. */
      readonly emergency?: boolean
    }
  | { readonly _tag: "BankReconciled"; readonly account: string; readonly reconciliation: Reconciliation }

const below = (balance: number, first: number, r: Ratio) =>
  BigInt(balance) * BigInt(r.denominator) < BigInt(first) * BigInt(r.numerator)

/** Instant evaluation (M77) of one fact on `on`: zero or one warning. */
export const evaluateFact = (
  rules: WarningRules,
  fact: FundFact,
  on: CivilDate,
): ReadonlyArray<FundWarning> => {
  switch (fact._tag) {
    case "HouseholdBalance": {
      const r = rules.lowBalance
      if (!r.enabled || fact.firstDeposit === undefined || fact.firstDeposit <= 0) return []
      if (!below(fact.balance, fact.firstDeposit, r.threshold)) return []
      return [
        {
          kind: "low-balance",
          level: r.level,
          subject: fact.household,
          rules: ["M171", "M183"],
          on,
          message: `balance ${fact.balance} fen is below ${r.threshold.numerator}/${r.threshold.denominator} of the first deposit ${fact.firstDeposit} fen: top-up (续交) due`,
        },
      ]
    }
    case "DepositDue": {
      const r = rules.depositOverdue
      if (!r.enabled || fact.paid >= fact.due || on <= addDays(fact.dueDate, r.threshold)) return []
      return [
        {
          kind: "deposit-overdue",
          level: r.level,
          subject: fact.household,
          rules: ["M170", "M183"],
          on,
          message: `deposit due ${fact.dueDate}: ${fact.due - fact.paid} fen of ${fact.due} still unpaid`,
        },
      ]
    }
    case "Disbursement": {
      const r = rules.disbursementWithoutVote
      if (!r.enabled || fact.votePassed || fact.emergency === true) return []
      return [
        {
          kind: "disbursement-without-vote",
          level: r.level,
          subject: fact.project,
          rules: ["M50", "M183", "V1"],
          on,
          message: `disbursement of ${fact.amount} fen for project ${fact.project} has no approved owner vote`,
        },
      ]
    }
    case "BankReconciled": {
      const r = rules.bankDifference
      const d = Math.abs(fact.reconciliation.difference)
      if (!r.enabled || d <= r.threshold) return []
      return [
        {
          kind: "bank-difference",
          level: fact.reconciliation.unexplained === 0 ? "notice" : r.level,
          subject: fact.account,
          rules: ["M65", "M183", "M189"],
          on,
          message: `bank ${fact.reconciliation.statementBalance} fen vs book ${fact.reconciliation.bookBalance} fen: difference ${fact.reconciliation.difference}, unexplained ${fact.reconciliation.unexplained}`,
        },
      ]
    }
  }
}

const KIND_ORDER: ReadonlyArray<WarningKind> = [
  "bank-difference",
  "disbursement-without-vote",
  "deposit-overdue",
  "low-balance",
]

/** Periodic evaluation (M77) of a snapshot: every fact's warnings, sorted by kind then subject. */
export const evaluatePeriodic = (
  rules: WarningRules,
  facts: ReadonlyArray<FundFact>,
  on: CivilDate,
): ReadonlyArray<FundWarning> =>
  facts
    .flatMap((f) => evaluateFact(rules, f, on))
    .sort(
      (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareIds(a.subject, b.subject),
    )
