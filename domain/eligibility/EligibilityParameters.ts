/**
 * Parameters of the eligibility rules (准入资格), as typed keys; values live in policy/eligibility.yaml
 * (and, for 廉租's R18/R19 limits, policy/guard.yaml — shared with the fairness guard so the two never
 * disagree). Rules read them only through a ParameterReader, so every decision lists what it used.
 */
import { GuardParameters } from "../guard/GuardParameters.js"
import { type AnyParameterKey, key } from "../policy/PolicyParameter.js"

export const EligibilityParameters = {
  gongzuSocialInsuranceMonths: key("eligibility.gongzu.social_insurance_months", "months", [
    "gongzu.employment",
  ]),
  gongzuPerCapitaAreaLimit: key("eligibility.gongzu.per_capita_area_limit", "m2_hundredths", [
    "gongzu.housing",
  ]),
  baozuMaxOwnedHomes: key("eligibility.baozu.max_owned_homes", "count", ["baozu.housing"]),
  baozuSocialInsuranceMonths: key("eligibility.baozu.social_insurance_months", "months", [
    "baozu.employment",
  ]),
  lianzuHukouYears: key("eligibility.lianzu.hukou_years", "years", ["lianzu.hukou"]),
  lianzuPerCapitaLivingAreaLimit: key("eligibility.lianzu.per_capita_living_area_limit", "m2_hundredths", [
    "lianzu.housing",
    "R123",
  ]),
  /** R123: living area = building area ÷ this divisor (shared with the 廉租 subsidy). */
  r123BuildingToLivingDivisor: key("subsidy.r123.building_to_living_divisor", "count", ["R123"]),
  gongyouHukouYears: key("eligibility.gongyou.hukou_years", "years", ["gongyou.residence"]),
  gongyouResidencePermitPoints: key("eligibility.gongyou.residence_permit_points", "count", [
    "gongyou.residence",
  ]),
  gongyouSocialInsuranceMonths: key("eligibility.gongyou.social_insurance_months", "months", [
    "gongyou.residence",
  ]),
  gongyouDisposalLookbackYears: key("eligibility.gongyou.disposal_lookback_years", "years", [
    "gongyou.disposal",
  ]),
  gongyouLargeHouseholdMinSize: key("eligibility.gongyou.large_household_min_size", "count", [
    "gongyou.income",
  ]),
  gongyouIncomeLimitLarge: key("eligibility.gongyou.income_per_head_limit.large_household", "fen", [
    "gongyou.income",
  ]),
  gongyouIncomeLimitSmall: key("eligibility.gongyou.income_per_head_limit.small_household", "fen", [
    "gongyou.income",
  ]),
  gongyouPropertyLimitLarge: key("eligibility.gongyou.property_per_head_limit.large_household", "fen", [
    "gongyou.property",
  ]),
  gongyouPropertyLimitSmall: key("eligibility.gongyou.property_per_head_limit.small_household", "fen", [
    "gongyou.property",
  ]),
  gongyouPerCapitaAreaLimit: key("eligibility.gongyou.per_capita_area_limit", "m2_hundredths", [
    "gongyou.housing",
  ]),
} as const

/** Every key the eligibility rules may read (for `requireParameters` at load time). */
export const allEligibilityParameters: ReadonlyArray<AnyParameterKey> = [
  ...Object.values(EligibilityParameters),
  GuardParameters.r18LargeHouseholdMinSize,
  GuardParameters.r18IncomeLimitLarge,
  GuardParameters.r18IncomeLimitSmall,
  GuardParameters.r18PropertyLimitLarge,
  GuardParameters.r18PropertyLimitSmall,
  GuardParameters.r19MarriedYears,
  GuardParameters.r19DivorcedYears,
]
