/**
 * A person's case history (案件历史) across the four housing kinds — 公租 gongzu, 保租 baozu, 廉租
 * lianzu, 共有产权 gongyou — as the fairness guard sees it: cases with members and status, landlord
 * leases, and 共有产权 five-year cases. `isValidCase` is R1 (有效案件); `overviewByKind` is R5.
 * Invariant: every date is a CivilDate, every person an ID number checked by GB 11643.
 */
import { Schema } from "effect"
import { CivilDate } from "../values/CivilDate.js"
import { ResidentIdNumber } from "../values/ResidentIdNumber.js"

export const HousingKind = Schema.Literals(["gongzu", "baozu", "lianzu", "gongyou"])
export type HousingKind = typeof HousingKind.Type

/** 租赁型保障房 in the narrow sense of R15 (廉租 and 公租). */
export const RENTAL_KINDS: ReadonlyArray<HousingKind> = ["gongzu", "lianzu"]

/**
 * Case states. The first four are open; the next six are R1's invalid closures (无效案件); the last
 * two (放弃, 注销) are not named by R1 and are treated as invalid by interpretation (see docs/policy.md).
 */
export const CaseStatus = Schema.Literals([
  "under_review", // 在办: 受理 … 复审, before 准入 (申请审核过程中)
  "queued", // 轮候中 / 待申请 / 待审核
  "admitted", // 准入 / 登录资格: qualification valid
  "contracted", // 签约 / 在租 / 已购: enjoying the housing
  "rejected", // 不予受理办结 (R1, R11)
  "review_failed", // 审核不通过办结 (R1, R12)
  "contract_exited", // 合同退出
  "queue_released", // 轮候解除
  "contract_revoked", // 合同撤销
  "contract_expired", // 合同到期
  "abandoned", // 自愿放弃 / 超时放弃 (interpretation: invalid)
  "cancelled", // 注销 (interpretation: invalid)
])
export type CaseStatus = typeof CaseStatus.Type

/** R1: "不予受理办结、审核不通过办结、合同退出、轮候解除、合同撤销、合同到期的案件属于无效案件". */
export const R1_INVALID: ReadonlyArray<CaseStatus> = [
  "rejected",
  "review_failed",
  "contract_exited",
  "queue_released",
  "contract_revoked",
  "contract_expired",
]
const CLOSED_BY_INTERPRETATION: ReadonlyArray<CaseStatus> = ["abandoned", "cancelled"]

export const MemberRole = Schema.Literals(["applicant", "co_applicant", "co_resident"])
export type MemberRole = typeof MemberRole.Type

export const CaseMember = Schema.Struct({ id: ResidentIdNumber, role: MemberRole })
export type CaseMember = typeof CaseMember.Type

export const TermType = Schema.Literals(["gongzu_lease", "lianzu_subsidy_agreement", "lianzu_contract"])
export type TermType = typeof TermType.Type

export const CaseRecord = Schema.Struct({
  caseId: Schema.NonEmptyString,
  kind: HousingKind,
  status: CaseStatus,
  members: Schema.Array(CaseMember),
  appliedOn: CivilDate,
  district: Schema.optionalKey(Schema.String),
  street: Schema.optionalKey(Schema.String),
  /** R14: date of the abandonment (放弃) that starts the 注销期. */
  abandonedOn: Schema.optionalKey(CivilDate),
  /** R16/R17: handover (交付) date per the presale contract, chapter 3, article 9. */
  handoverOn: Schema.optionalKey(CivilDate),
  /** R23: the lease / subsidy agreement / contract and its last valid day (inclusive). */
  term: Schema.optionalKey(Schema.Struct({ type: TermType, endsOn: CivilDate })),
  /** R25: 共有产权 batch and the date its 登录证明 was issued. */
  batchId: Schema.optionalKey(Schema.String),
  loginCertificateOn: Schema.optionalKey(CivilDate),
})
export type CaseRecord = typeof CaseRecord.Type

/** A lease entered for a 廉租 rent subsidy (R21): landlord, tenant case, inclusive period. */
export const LeaseRecord = Schema.Struct({
  leaseId: Schema.NonEmptyString,
  landlordId: ResidentIdNumber,
  tenantCaseId: Schema.NonEmptyString,
  from: CivilDate,
  to: CivilDate,
})
export type LeaseRecord = typeof LeaseRecord.Type

/** A 共有产权 five-year case (购买政府产权 / 政府回购), R7–R10. */
export const FiveYearCase = Schema.Struct({
  caseId: Schema.NonEmptyString,
  applicantId: ResidentIdNumber,
  status: Schema.Literals(["in_review", "review_passed_unsigned", "paid_closed", "cancelled", "rejected"]),
})
export type FiveYearCase = typeof FiveYearCase.Type

export const CaseHistory = Schema.Struct({
  cases: Schema.Array(CaseRecord),
  leases: Schema.optionalKey(Schema.Array(LeaseRecord)),
  fiveYearCases: Schema.optionalKey(Schema.Array(FiveYearCase)),
})
export type CaseHistory = typeof CaseHistory.Type

/** R1 (plus the documented interpretation for 放弃/注销). */
export const isValidCase = (c: Pick<CaseRecord, "status">): boolean =>
  !R1_INVALID.includes(c.status) && !CLOSED_BY_INTERPRETATION.includes(c.status)

/** Open and enjoying states: the household holds or uses the qualification. */
export const isEnjoying = (c: Pick<CaseRecord, "status">): boolean =>
  c.status === "admitted" || c.status === "contracted"

/** The person is the main or a co-applicant (the roles R1's lookup matches). */
export const isApplicantIn = (c: CaseRecord, id: string): boolean =>
  c.members.some((m) => m.id === id && (m.role === "applicant" || m.role === "co_applicant"))

export const isMemberOf = (c: CaseRecord, id: string): boolean => c.members.some((m) => m.id === id)

export const mainApplicant = (c: { readonly members: ReadonlyArray<CaseMember> }): string | undefined =>
  c.members.find((m) => m.role === "applicant")?.id

/** R1: the valid cases where the person is main or co-applicant. */
export const validCasesOf = (history: CaseHistory, id: string): ReadonlyArray<CaseRecord> =>
  history.cases.filter((c) => isApplicantIn(c, id) && isValidCase(c))

export interface KindOverview {
  readonly inProgress: ReadonlyArray<string>
  readonly qualifications: ReadonlyArray<string>
  readonly exited: ReadonlyArray<string>
}

/** R5: the person's cases per kind: in progress, held qualifications, exited/closed (case ids). */
export const overviewByKind = (
  history: CaseHistory,
  id: string,
): Readonly<Record<HousingKind, KindOverview>> => {
  const of = (kind: HousingKind): KindOverview => {
    const mine = history.cases.filter((c) => c.kind === kind && isMemberOf(c, id))
    return {
      inProgress: mine
        .filter((c) => c.status === "under_review" || c.status === "queued")
        .map((c) => c.caseId),
      qualifications: mine.filter(isEnjoying).map((c) => c.caseId),
      exited: mine.filter((c) => !isValidCase(c)).map((c) => c.caseId),
    }
  }
  return { gongzu: of("gongzu"), baozu: of("baozu"), lianzu: of("lianzu"), gongyou: of("gongyou") }
}
