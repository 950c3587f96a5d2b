/**
 * Periodic re-checks (定期复核) of households in force against other agencies (R85–R88, R110; 低保 changes,
 * R82): which checks exist, which households a check applies to, their cadence (a dated policy parameter: the seed gives conflicting cadences), the period a civil
 * date falls in, the warning a finding lights (colour levels of the fairness guard), and the stored result
 * of one (case, check, period). Pure: dates and answers are arguments. Invariant: a period label is a
 * function of (cadence, date) and every date of a period maps to the same label.
 */
import type { CaseKind, CheckSource, Evidence } from "../cases/Case.js"
import type { GuardWarning, WarningLevel } from "../guard/GuardWarning.js"
import { type AnyParameterKey, choiceKey } from "../policy/PolicyParameter.js"
import * as CivilDate from "../values/CivilDate.js"

export const CADENCES = ["daily", "dekad", "monthly"] as const
/** daily 每日; dekad 旬 (1–10, 11–20, 21–end: three periods a month, R87 "每月三次"); monthly 每月. */
export type Cadence = (typeof CADENCES)[number]

export const RECHECKS = ["death", "criminal", "bank_card", "real_estate", "dibao"] as const
export type Recheck = (typeof RECHECKS)[number]

export interface RecheckDefinition {
  readonly check: Recheck
  /** The rule a finding is filed under (the warning's category). */
  readonly rule: string
  readonly related: ReadonlyArray<string>
  readonly level: WarningLevel
  /** Case kinds re-checked; all four when the seed names no kind. */
  readonly kinds: ReadonlyArray<CaseKind>
  readonly message: string
}

const ALL_KINDS: ReadonlyArray<CaseKind> = ["gongzu", "baozu", "lianzu", "gongyou"]

/**
 * Levels (reading in docs/supervision.md): a death or criminal-record match asks the officer to re-check the
 * qualification (R110) — orange, not red (no step is blocked); a bank-card failure is a login pop-up (R85) and
 * property found is a prompt for the second check (R88) — yellow. A 廉租 household admitted on 低保 that no
 * longer holds it (低保 change) lost the ground that waived its economic check (R82): orange, re-check the
 * qualification (R110), with the economic check (R18/R83) as the prompt.
 */
export const RECHECK_DEFINITIONS: Readonly<Record<Recheck, RecheckDefinition>> = {
  death: {
    check: "death",
    rule: "R87",
    related: ["R110"],
    level: "orange",
    kinds: ALL_KINDS,
    message: "死亡比对命中：请复核保障资格",
  },
  criminal: {
    check: "criminal",
    rule: "R86",
    related: ["R87", "R110"],
    level: "orange",
    kinds: ALL_KINDS,
    message: "犯罪记录比对命中：请按罪犯编号查询矫正类型与状态并复核保障资格",
  },
  bank_card: {
    check: "bank_card",
    rule: "R85",
    related: ["R110"],
    level: "yellow",
    kinds: ["lianzu"],
    message: "银行卡有效性校验未通过：请核实收款银行卡",
  },
  real_estate: {
    check: "real_estate",
    rule: "R88",
    related: [],
    level: "yellow",
    kinds: ALL_KINDS,
    message: "专项核查发现房产：请发起二次核查（全部房产及交易记录）",
  },
  dibao: {
    check: "dibao",
    rule: "R82",
    related: ["R87", "R110", "R18"],
    level: "orange",
    kinds: ["lianzu"],
    message: "低保状态变更：原以低保免经济状况核对，现未查到在保低保记录；请复核保障资格并发起经济状况核对",
  },
}

/** Cadence of each check; values and sources in policy/supervision.yaml. */
export const RecheckParameters = {
  death: choiceKey("supervision.rechecks.death.cadence", CADENCES, ["R87", "R110"]),
  criminal: choiceKey("supervision.rechecks.criminal.cadence", CADENCES, ["R86", "R87", "R110"]),
  bank_card: choiceKey("supervision.rechecks.bank_card.cadence", CADENCES, ["R85", "R87", "R110"]),
  real_estate: choiceKey("supervision.rechecks.real_estate.cadence", CADENCES, ["R88"]),
  dibao: choiceKey("supervision.rechecks.dibao.cadence", CADENCES, ["R82", "R87", "R110"]),
} as const

export const allRecheckParameters: ReadonlyArray<AnyParameterKey> = Object.values(RecheckParameters)

/** The period `date` falls in: `2026-03-14` (daily), `2026-03-D2` (dekad), `2026-03` (monthly). */
export const periodOf = (cadence: Cadence, date: CivilDate.CivilDate): string => {
  if (cadence === "daily") return date
  const { day } = CivilDate.toYmd(date)
  const month = date.slice(0, 7)
  if (cadence === "monthly") return month
  return `${month}-D${day <= 10 ? 1 : day <= 20 ? 2 : 3}`
}

/**
 * Whether the 低保 re-check applies to a household (R82): a 廉租 case whose LATEST 低保 evidence passed — it
 * was admitted on 低保 (满一年, the economic check waived) and no later answer has said otherwise. A household
 * admitted without 低保 has nothing to lose (a later grant of 低保 is no warning); one whose latest 低保 answer
 * already failed has had its change found (its warning stays on the list until resolved). Pure: evidence in
 * the order it was stored (the case's own list, then the re-check results of earlier periods).
 */
export const dibaoRecheckApplies = (
  kind: CaseKind,
  evidence: ReadonlyArray<Pick<Evidence, "source" | "result">>,
): boolean => {
  if (!RECHECK_DEFINITIONS.dibao.kinds.includes(kind)) return false
  let latest: Evidence["result"] | undefined
  for (const e of evidence)
    if (e.source === ("dibao" satisfies CheckSource) && e.result !== "pending") latest = e.result
  return latest === "pass"
}

/** The stored outcome of one re-check: the case evidence model, keyed by (case, check, period). */
export interface RecheckResult {
  readonly caseId: string
  readonly check: Recheck
  readonly period: string
  readonly district: string
  readonly evidence: Evidence
  /** The warning the finding raised (or found already raised); null when nothing was found. */
  readonly warningId: string | null
}

/** The guard warning a finding lights, for the household's main applicant (`person` filled by the caller). */
export const findingWarning = (
  check: Recheck,
  answer: { readonly detail: string },
  context: { readonly caseId: string; readonly period: string; readonly cadence: Cadence },
): Omit<GuardWarning, "person"> => {
  const d = RECHECK_DEFINITIONS[check]
  return {
    rule: d.rule,
    level: d.level,
    block: false,
    message: d.message,
    evidence: {
      check,
      case: context.caseId,
      period: context.period,
      cadence: context.cadence,
      detail: answer.detail,
      ...(check === "real_estate" ? { prompt: "R88 二次核查: 全部房产 + 交易记录" } : {}),
      ...(check === "dibao" ? { prompt: "R82/R83 经济状况核对: 低保不满一年或已停保需核对收入与财产" } : {}),
    },
    related: d.related,
    parameters: [],
  }
}
