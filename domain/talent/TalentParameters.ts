/**
 * Parameters of talent apartments (人才公寓, R129–R130) as typed keys; values in policy/talent.yaml,
 * all taken from the seed (序号104, 105).
 */
import { type AnyParameterKey, key } from "../policy/PolicyParameter.js"

export const TalentParameters = {
  classAMinArea: key("talent.class_a.min_area", "m2_hundredths", ["R129"]),
  classBMinArea: key("talent.class_b.min_area", "m2_hundredths", ["R129"]),
  classBMaxArea: key("talent.class_b.max_area", "m2_hundredths", ["R129"]),
  classCRentRatioMin: key("talent.class_c.rent_ratio_min", "ratio", ["R129"]),
  classCRentRatioMax: key("talent.class_c.rent_ratio_max", "ratio", ["R129"]),
  quotaDistrictCount: key("talent.quota.district_count", "count", ["R130"]),
} as const

export const allTalentParameters: ReadonlyArray<AnyParameterKey> = Object.values(TalentParameters)
