/**
 * Qualification case (资格案件) of the four security kinds — 公租 gongzu, 保租 baozu, 廉租 lianzu,
 * 共有产权 gongyou — as an immutable value (R163, R164). `version` counts accepted changes (optimistic
 * concurrency in every store). Personal data (ID numbers, phones, bank cards) lives only in `members`;
 * stores receive it sealed through the FieldCipher port, never in plain text. Instants are epoch ms.
 */
import { Schema } from "effect"
import { CivilDate } from "../values/CivilDate.js"

export const CASE_KINDS = ["gongzu", "baozu", "lianzu", "gongyou"] as const
export const CaseKind = Schema.Literals(CASE_KINDS).annotate({
  description: "gongzu 公租 | baozu 保租 | lianzu 廉租 | gongyou 共有产权",
})
export type CaseKind = typeof CaseKind.Type

/** Case ids are chosen by the caller (or seeded in replays): letters, digits, `.`, `_`, `-`; 1–64. */
export const CaseId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u)),
  Schema.brand("CaseId"),
)
export type CaseId = typeof CaseId.Type

/**
 * Case states. Open intake: draft 暂存, awaiting_pre_review 待预审, awaiting_sign_in 待签收.
 * In review (hold the family's 资格在审名额, R12): awaiting_acceptance 待受理, supplementing 待补件,
 * verifying 核查, first_review 初审, first_review_notice 初审公示, second_review 复审,
 * online_notice 网上公示, awaiting_admission 待准入. Holding: admitted 准入 (证书有效), expiring_soon 临期.
 * Terminal (R163): rejected 不予受理办结, first_review_failed 初审不通过办结, second_review_failed
 * 复审不通过办结, review_failed 审核不通过办结 (incl. 核查不通过), abandoned 办结后自愿放弃,
 * deleted 删除, cancelled 注销, expired 资格到期.
 */
export const CASE_STATES = [
  "draft",
  "awaiting_pre_review",
  "awaiting_sign_in",
  "awaiting_acceptance",
  "supplementing",
  "verifying",
  "first_review",
  "first_review_notice",
  "second_review",
  "online_notice",
  "awaiting_admission",
  "admitted",
  "expiring_soon",
  "rejected",
  "first_review_failed",
  "second_review_failed",
  "review_failed",
  "abandoned",
  "deleted",
  "cancelled",
  "expired",
] as const
export const CaseState = Schema.Literals(CASE_STATES)
export type CaseState = typeof CaseState.Type

export const TERMINAL_STATES: ReadonlyArray<CaseState> = [
  "rejected",
  "first_review_failed",
  "second_review_failed",
  "review_failed",
  "abandoned",
  "deleted",
  "cancelled",
  "expired",
]
/** States holding the family's in-review slot (资格在审名额, R12). */
export const IN_REVIEW_STATES: ReadonlyArray<CaseState> = [
  "awaiting_pre_review",
  "awaiting_sign_in",
  "awaiting_acceptance",
  "supplementing",
  "verifying",
  "first_review",
  "first_review_notice",
  "second_review",
  "online_notice",
  "awaiting_admission",
]
/** Failure closures (R12, R76): closing into one frees the in-review slot and counts as invalid (R1). */
export const FAILURE_CLOSURES: ReadonlyArray<CaseState> = [
  "rejected",
  "first_review_failed",
  "second_review_failed",
  "review_failed",
]
/**
 * R1: 不予受理办结、审核不通过办结 … 属于无效案件. 初审/复审不通过办结 are 审核不通过 variants; 放弃, 删除,
 * 注销 and 到期 are invalid by interpretation (the same reading as domain/guard/CaseHistory).
 */
export const INVALID_STATES: ReadonlyArray<CaseState> = TERMINAL_STATES

export const isTerminal = (s: CaseState): boolean => TERMINAL_STATES.includes(s)
export const holdsReviewSlot = (s: CaseState): boolean => IN_REVIEW_STATES.includes(s)
export const isValidState = (s: CaseState): boolean => !INVALID_STATES.includes(s)

/** Intake paths (R163): 办件库 online pull, street one-window push (一窗通办), operator offline entry. */
export const IntakeChannel = Schema.Literals(["online", "window", "offline"])
export type IntakeChannel = typeof IntakeChannel.Type

export const MemberRole = Schema.Literals(["applicant", "co_applicant", "co_resident"])
export type MemberRole = typeof MemberRole.Type

/** A household member. `idNumber` is checked (GB 11643) by the use-case before it reaches the domain. */
export const Member = Schema.Struct({
  role: MemberRole,
  name: Schema.String,
  idNumber: Schema.String,
  phone: Schema.NullOr(Schema.String),
  bankCard: Schema.NullOr(Schema.String),
})
export type Member = typeof Member.Type

/** Verification sources (核查, R68–R88). */
export const CHECK_SOURCES = [
  "social_insurance",
  "marriage",
  "household_registration",
  "public_housing",
  "real_estate",
  "resettlement_housing",
  "economic",
  "dibao",
  "death",
  "criminal",
  "bank_card",
  "person_id",
] as const
export const CheckSource = Schema.Literals(CHECK_SOURCES)
export type CheckSource = typeof CheckSource.Type

/** One agency answer kept as evidence: source, time, request digest, result (R68, R87). */
export const Evidence = Schema.Struct({
  source: CheckSource,
  at: Schema.Number,
  requestDigest: Schema.String,
  result: Schema.Literals(["pass", "fail", "pending"]),
  detail: Schema.String,
})
export type Evidence = typeof Evidence.Type

export const Notice = Schema.Struct({
  startsOn: CivilDate,
  endsOn: CivilDate,
  location: Schema.String,
  objection: Schema.NullOr(Schema.Boolean),
  opinion: Schema.NullOr(Schema.String),
})
export type Notice = typeof Notice.Type

/** 准入资格证 / 登录证明 (R72): number and inclusive validity. */
export const Certificate = Schema.Struct({
  number: Schema.String,
  validFrom: CivilDate,
  validUntil: CivilDate,
})
export type Certificate = typeof Certificate.Type

export const Case = Schema.Struct({
  id: CaseId,
  kind: CaseKind,
  state: CaseState,
  version: Schema.Int,
  channel: IntakeChannel,
  /** Acceptance district (GB/T 2260); a district officer sees only its own (data scope). */
  district: Schema.String,
  /** Project applied for (保租/公租 operators see only their projects); null when none. */
  projectId: Schema.NullOr(Schema.String),
  members: Schema.Array(Member),
  materials: Schema.Struct({ required: Schema.Array(Schema.String), received: Schema.Array(Schema.String) }),
  /** 复核: the case this one re-reviews (R78). */
  predecessorId: Schema.NullOr(CaseId),
  /** R58: 自动预审 tag. */
  tags: Schema.Array(Schema.String),
  /** State to return to after 补件. */
  resumeTo: Schema.NullOr(CaseState),
  evidence: Schema.Array(Evidence),
  firstNotice: Schema.NullOr(Notice),
  onlineNotice: Schema.NullOr(Notice),
  certificate: Schema.NullOr(Certificate),
  closure: Schema.NullOr(Schema.Struct({ at: Schema.Number, reason: Schema.String })),
  /** Declared household economy for the guard's R18 (廉租): yuan amounts as text. */
  economy: Schema.NullOr(
    Schema.Struct({
      householdSize: Schema.Int,
      annualDisposableIncome: Schema.String,
      property: Schema.String,
      illnessPoverty: Schema.Boolean,
    }),
  ),
  receivedAt: Schema.Number,
  updatedAt: Schema.Number,
})
export type Case = typeof Case.Type

export const mainApplicant = (c: Pick<Case, "members">): Member | undefined =>
  c.members.find((m) => m.role === "applicant")

/** Checks whose latest answer failed (R68): they force a failure closure. */
export const failedChecks = (c: Pick<Case, "evidence">): ReadonlyArray<CheckSource> => {
  const latest = new Map<CheckSource, Evidence>()
  for (const e of c.evidence) latest.set(e.source, e)
  return [...latest.values()].filter((e) => e.result === "fail").map((e) => e.source)
}

export const missingMaterials = (c: Pick<Case, "materials">): ReadonlyArray<string> =>
  c.materials.required.filter((m) => !c.materials.received.includes(m))
