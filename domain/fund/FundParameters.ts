/**
 * Parameters of the maintenance fund (维修资金) as typed policy keys; values in policy/fund.yaml. Deposit
 * standards (M34/M169: area × rate by building type and lift, or a percentage of the construction cost),
 * the top-up threshold (M171, Measures art. 17), warning thresholds (M76/M183), the draw order (M175),
 * the income basis (M180), the vote rule set (V7) and the bank-matching window (M189). Every read is traced.
 */
import { type AnyParameterKey, choiceKey, key } from "../policy/PolicyParameter.js"

export const FundParameters = {
  depositBasis: choiceKey("fund.deposit.basis", ["area-rate", "cost-percentage"], ["M34", "M169"]),
  rateMultiStoreyWithoutLift: key("fund.deposit.rate_per_m2.multi_storey_without_lift", "fen", ["M169"]),
  rateMultiStoreyWithLift: key("fund.deposit.rate_per_m2.multi_storey_with_lift", "fen", ["M169"]),
  rateHighRise: key("fund.deposit.rate_per_m2.high_rise", "fen", ["M169"]),
  constructionCostPerM2: key("fund.deposit.construction_cost_per_m2", "fen", ["M169"]),
  costPercentage: key("fund.deposit.cost_percentage", "ratio", ["M169"]),
  roundToYuan: key("fund.deposit.round_to_yuan", "flag", ["M169"]),
  noticeDueDays: key("fund.deposit.notice_due_days", "days", ["M28", "M35"]),
  topUpThreshold: key("fund.topup.threshold", "ratio", ["M171"]),
  lowBalanceRatio: key("fund.warning.low_balance_ratio", "ratio", ["M171", "M183"]),
  depositOverdueGraceDays: key("fund.warning.deposit_overdue_grace_days", "days", ["M170", "M183"]),
  bankDifferenceTolerance: key("fund.warning.bank_difference_tolerance", "fen", ["M65", "M183"]),
  requireVoteForDisbursement: key("fund.warning.require_vote_for_disbursement", "flag", ["M50", "M183"]),
  drawOrder: choiceKey("fund.use.draw_order", ["principal-first", "income-first"], ["M175"]),
  incomeBasis: choiceKey("fund.income.basis", ["balance-days", "period-end"], ["M180"]),
  voteRules: choiceKey("fund.vote.rules", ["civil-code", "order165"], ["V7"]),
  matchWindowDays: key("fund.reconciliation.match_window_days", "days", ["M189"]),
} as const

export const allFundParameters: ReadonlyArray<AnyParameterKey> = Object.values(FundParameters)
