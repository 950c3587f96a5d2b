/**
 * A household waiting in a queue (轮候家庭) as ranking sees it: the pool it waits in, when it entered the
 * pool (入库时间), when it qualified (取得准入资格), and the attributes priority groups test (R48, R50):
 * hardship (特困 / 低保), industry (行业类别), income, housing. Dates are day numbers (CivilDate), the
 * pool-entry time is epoch milliseconds, so ranking a million households does no date parsing.
 */

/** 特困 (extreme hardship, tekun), 低保 (minimum-living-allowance, dibao), or neither. */
export type Hardship = "tekun" | "dibao" | "none"

/** 共有产权 intention mark (意愿标注, R46): 1次标注 first, 2次标注 second, 未标注 none. */
export type IntentionMark = "first" | "second" | "none"

export interface Applicant {
  /** Stable id (application number, 申请编号); the last tie-break of every plan. Unique. */
  readonly id: string
  readonly project: string
  readonly unitType: string
  /** Intended unit, for the per-unit pool mode (项目房源按套建库). */
  readonly unit?: string
  /** Pool-entry time (入库/轮候登记时间), epoch milliseconds. */
  readonly entryAt: number
  /** Qualification (准入) date as a day number (days since 1970-01-01). */
  readonly qualifiedOn: number
  /** Last day (inclusive) the qualification certificate is valid, as a day number. */
  readonly certificateValidUntil?: number
  readonly hardship: Hardship
  readonly industry?: string
  /** Per-capita annual income, CNY. */
  readonly income?: number
  /** Per-capita housing area, m². */
  readonly housingArea?: number
  readonly ownsHome?: boolean
  readonly falseInformation?: boolean
  readonly abandoned?: boolean
  readonly intention: IntentionMark
  readonly familySize?: number
}

export const HARDSHIP_LABELS: Record<Hardship, string> = { tekun: "特困", dibao: "低保", none: "" }
export const INTENTION_LABELS: Record<IntentionMark, string> = { first: "1次", second: "2次", none: "未标注" }
