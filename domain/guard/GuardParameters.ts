/**
 * Parameters of the fairness guard (公平卫士), as typed keys. Values live in `policy/guard.yaml`; the
 * guard reads them only through a `ParameterReader`, so every warning lists what it used. Paths are
 * stable identifiers: renaming one is a breaking change of the policy files.
 */
import { type AnyParameterKey, choiceKey, key } from "../policy/PolicyParameter.js"

export const GuardParameters = {
  /** R14: length of the 注销期 after a 共有产权 abandonment (the seed gives none). */
  r14CancellationPeriodMonths: key("guard.r14.cancellation_period_months", "months", ["R14"]),
  /** R16/R17: months after handover (交付) of the 共有产权 house that trigger the exit signal. */
  r16DeliveryMonths: key("guard.r16.delivery_months", "months", ["R16", "R17"]),
  /** R16 says red + hard block, R17 says brown for the same event: the policy chooses. */
  r16r17DeliveryLevel: choiceKey("guard.r16_r17.delivery_level", ["red", "brown"] as const, ["R16", "R17"]),
  /** R16: does an enjoyed 保租 house count as rental-kind housing (租赁型保障房)? */
  r16BaozuCountsAsRental: key("guard.r16.baozu_counts_as_rental", "flag", ["R16", "R17"]),
  r18IncomeLimitLarge: key("guard.r18.income_per_head_limit.large_household", "fen", ["R18"]),
  r18IncomeLimitSmall: key("guard.r18.income_per_head_limit.small_household", "fen", ["R18"]),
  r18PropertyLimitLarge: key("guard.r18.property_per_head_limit.large_household", "fen", ["R18"]),
  r18PropertyLimitSmall: key("guard.r18.property_per_head_limit.small_household", "fen", ["R18"]),
  /** R18: smallest household size that uses the "large household" limits (3人及以上). */
  r18LargeHouseholdMinSize: key("guard.r18.large_household_min_size", "count", ["R18"]),
  r19MarriedYears: key("guard.r19.married_years", "years", ["R19"]),
  r19DivorcedYears: key("guard.r19.divorced_years", "years", ["R19"]),
  r23GongzuLeaseNoticeMonths: key("guard.r23.gongzu_lease_notice_months", "months", ["R23"]),
  r23LianzuSubsidyNoticeMonths: key("guard.r23.lianzu_subsidy_notice_months", "months", ["R23"]),
  r23LianzuContractNoticeMonths: key("guard.r23.lianzu_contract_notice_months", "months", ["R23"]),
  /** R24: does a brown signal put the person on the 警示名单 (#203 names only red/orange/yellow)? */
  r24BrownEntersWarningList: key("guard.r24.brown_enters_warning_list", "flag", ["R24"]),
} as const

export const allGuardParameters: ReadonlyArray<AnyParameterKey> = Object.values(GuardParameters)
