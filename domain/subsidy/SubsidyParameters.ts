/**
 * Parameters of the 廉租 rent subsidy (租金配租, R118–R123) as typed keys; values in policy/subsidy.yaml.
 * The district is the value's jurisdiction, the 文件号 its source, the period its from/to (R119).
 */
import { type AnyParameterKey, key } from "../policy/PolicyParameter.js"

export const SubsidyParameters = {
  standardPerM2: key("subsidy.lianzu.standard_per_m2", "fen", ["R118", "R119"]),
  guaranteeLivingAreaPerHead: key("subsidy.lianzu.guarantee_living_area_per_head", "m2_hundredths", ["R119"]),
  band1MaxSize: key("subsidy.lianzu.gap_ratio.band_1_max_size", "count", ["R119"]),
  band2MaxSize: key("subsidy.lianzu.gap_ratio.band_2_max_size", "count", ["R119"]),
  band1Ratio: key("subsidy.lianzu.gap_ratio.band_1", "ratio", ["R119"]),
  band2Ratio: key("subsidy.lianzu.gap_ratio.band_2", "ratio", ["R119"]),
  band3Ratio: key("subsidy.lianzu.gap_ratio.band_3", "ratio", ["R119"]),
  transitionRatio: key("subsidy.lianzu.transition_ratio", "ratio", ["R118"]),
  transitionLeadMonths: key("subsidy.lianzu.transition_lead_months", "months", ["R118"]),
  transitionMonths: key("subsidy.lianzu.transition_months", "months", ["R118"]),
  buildingToLivingDivisor: key("subsidy.r123.building_to_living_divisor", "count", ["R123"]),
  /** Term of a rent-subsidy agreement (租金补贴协议) from the admission date: its end drives R23. */
  agreementTermMonths: key("subsidy.lianzu.agreement_term_months", "months", ["R23", "R120"]),
} as const

export const allSubsidyParameters: ReadonlyArray<AnyParameterKey> = Object.values(SubsidyParameters)
