/**
 * Talent-apartment quotas (人才公寓筹集指标配额): R130 — per year, the A and B quotas of the 16 districts
 * must add up to the city totals ("自动核验各区指标的分项汇总值与全市总指标是否一致"); R131 — in an
 * adjustment (调剂) houses taken out are replaced by the same class, so the count per class is kept.
 * Pure checks returning every mismatch; the district count is a parameter (talent.quota.district_count).
 */
import { Result } from "effect"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import type { ParameterNotFound, ParameterReader, TraceEntry } from "../policy/ParameterReader.js"
import type { ApartmentClass } from "./ApartmentClass.js"
import { TalentParameters as P } from "./TalentParameters.js"

/** The 16 districts of Shanghai (GB/T 2260): 黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东 金山 松江 青浦 奉贤 崇明. */
export const SHANGHAI_DISTRICTS: ReadonlyArray<string> = [
  "310101",
  "310104",
  "310105",
  "310106",
  "310107",
  "310109",
  "310110",
  "310112",
  "310113",
  "310114",
  "310115",
  "310116",
  "310117",
  "310118",
  "310120",
  "310151",
]

export interface QuotaPlan {
  readonly year: number
  readonly city: { readonly A: number; readonly B: number }
  readonly districts: ReadonlyArray<{ readonly district: string; readonly A: number; readonly B: number }>
}

export interface QuotaProblem {
  readonly problem:
    | "sum-mismatch"
    | "district-count"
    | "duplicate-district"
    | "not-a-district"
    | "negative-quota"
  readonly class?: "A" | "B"
  readonly district?: string
  readonly message: string
}

export interface QuotaCheck {
  readonly year: number
  readonly consistent: boolean
  readonly sums: { readonly A: number; readonly B: number }
  readonly problems: ReadonlyArray<QuotaProblem>
  readonly parameters: ReadonlyArray<TraceEntry>
}

/** R130: district quotas sum to the city total per class; exactly `district_count` distinct Shanghai districts. */
export const checkQuotas = (
  plan: QuotaPlan,
  reader: ParameterReader,
): Result.Result<QuotaCheck, ParameterNotFound> =>
  Result.gen(function* () {
    const r = reader.child()
    const expected = yield* r.read(P.quotaDistrictCount)
    const problems: Array<QuotaProblem> = []
    const seen = new Set<string>()
    for (const d of plan.districts) {
      const j = Jurisdiction.parse(d.district)
      if (Result.isFailure(j) || Jurisdiction.specificity(j.success) !== 2 || !j.success.startsWith("31"))
        problems.push({
          problem: "not-a-district",
          district: d.district,
          message: `${d.district} is not a Shanghai district code`,
        })
      if (seen.has(d.district))
        problems.push({
          problem: "duplicate-district",
          district: d.district,
          message: `${d.district} appears twice`,
        })
      seen.add(d.district)
      for (const c of ["A", "B"] as const)
        if (!Number.isSafeInteger(d[c]) || d[c] < 0)
          problems.push({
            problem: "negative-quota",
            class: c,
            district: d.district,
            message: `${d.district} ${c} quota ${d[c]} is not a whole non-negative number`,
          })
    }
    if (seen.size !== expected)
      problems.push({
        problem: "district-count",
        message: `${seen.size} districts given, ${expected} expected`,
      })
    const sums = {
      A: plan.districts.reduce((t, d) => t + d.A, 0),
      B: plan.districts.reduce((t, d) => t + d.B, 0),
    }
    for (const c of ["A", "B"] as const)
      if (sums[c] !== plan.city[c])
        problems.push({
          problem: "sum-mismatch",
          class: c,
          message: `${plan.year} class ${c}: districts sum to ${sums[c]}, city total is ${plan.city[c]} (difference ${sums[c] - plan.city[c]})`,
        })
    return { year: plan.year, consistent: problems.length === 0, sums, problems, parameters: r.trace() }
  })

/** R131: an adjustment keeps the count per class (houses out are replaced by the same class). */
export const checkAdjustment = (
  removed: ReadonlyArray<ApartmentClass>,
  added: ReadonlyArray<ApartmentClass>,
): ReadonlyArray<{ readonly class: ApartmentClass; readonly removed: number; readonly added: number }> => {
  const classes: ReadonlyArray<ApartmentClass> = ["A", "B", "C", "youth"]
  return classes
    .map((c) => ({
      class: c,
      removed: removed.filter((x) => x === c).length,
      added: added.filter((x) => x === c).length,
    }))
    .filter((x) => x.removed !== x.added)
}
