/**
 * 低保 (minimum-living-allowance) duration from monthly payment records (R82): a household whose 低保
 * has lasted a full year needs no economic check. Interpretation of "以13个月为判定标准" (the seed is
 * vague): at least 13 consecutive paid months, the run ending in the application month or the month
 * before it. Gaps break the run; duplicate or unordered records are tolerated (anomaly handling).
 */
import * as CivilDate from "../values/CivilDate.js"

export const DIBAO_MONTHS = 13

const monthIndex = (d: CivilDate.CivilDate): number => {
  const { year, month } = CivilDate.toYmd(d)
  return year * 12 + (month - 1)
}

/** Longest run of consecutive paid months ending at the application month or the month before. */
export const currentRunMonths = (
  payments: ReadonlyArray<CivilDate.CivilDate>,
  applicationDate: CivilDate.CivilDate,
): number => {
  const months = new Set(payments.map(monthIndex))
  const app = monthIndex(applicationDate)
  const end = months.has(app) ? app : months.has(app - 1) ? app - 1 : undefined
  if (end === undefined) return 0
  let n = 0
  while (months.has(end - n)) n++
  return n
}

/** R82: true → 低保满一年, the economic check is not required. */
export const dibaoFullYear = (
  payments: ReadonlyArray<CivilDate.CivilDate>,
  applicationDate: CivilDate.CivilDate,
): boolean => currentRunMonths(payments, applicationDate) >= DIBAO_MONTHS
