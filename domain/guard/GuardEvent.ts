/**
 * Events the fairness guard (公平卫士) judges, and the input it decodes: a history plus one event.
 * Kinds of event: a new application (申请/受理), a 共有产权 milestone, a periodic monitor run (R16/R17
 * delivery, R23 expiry), a lease entry (R21), an annual batch check (R25), a five-year application
 * (R7–R10). Money is written as yuan text ("¥118,800.00") and decoded to integer fen.
 */
import { Result, Schema, SchemaGetter } from "effect"
import { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import { ResidentIdNumber } from "../values/ResidentIdNumber.js"
import { CaseHistory, HousingKind, LeaseRecord, MemberRole } from "./CaseHistory.js"

/** Yuan text with at most two decimals → Money (fen). */
export const YuanAmount = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => Result.isSuccess(Money.parseYuan(s)) || "expected an amount in yuan such as 39600.00",
    ),
  ),
  Schema.decodeTo(Money.Money, {
    decode: SchemaGetter.transform((s: string): number => Result.getOrThrow(Money.parseYuan(s))),
    encode: SchemaGetter.transform((fen: number) => Money.toYuanString(fen as Money.Money)),
  }),
)

export const MaritalEvent = Schema.Struct({ event: Schema.Literals(["married", "divorced"]), on: CivilDate })
export type MaritalEvent = typeof MaritalEvent.Type

export const ApplicantMember = Schema.Struct({
  id: ResidentIdNumber,
  role: MemberRole,
  /** R19: marriages and divorces of this person. */
  marital: Schema.optionalKey(Schema.Array(MaritalEvent)),
})
export type ApplicantMember = typeof ApplicantMember.Type

/** R18 inputs: household totals (per-head values are derived exactly, never rounded before comparing). */
export const Economy = Schema.Struct({
  householdSize: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  annualDisposableIncome: YuanAmount,
  property: YuanAmount,
  /** 经认定的因病支出型贫困家庭 */
  illnessPoverty: Schema.optionalKey(Schema.Boolean),
})
export type Economy = typeof Economy.Type

export const ApplicationEvent = Schema.Struct({
  type: Schema.Literal("application"),
  kind: HousingKind,
  on: CivilDate,
  caseId: Schema.optionalKey(Schema.String),
  /** R6: acceptance (受理) re-runs the same checks as the application step. */
  stage: Schema.optionalKey(Schema.Literals(["application", "acceptance"])),
  members: Schema.Array(ApplicantMember),
  economy: Schema.optionalKey(Economy),
})
export type ApplicationEvent = typeof ApplicationEvent.Type

export const GongyouMilestoneEvent = Schema.Struct({
  type: Schema.Literal("gongyou_milestone"),
  milestone: Schema.Literals(["login_qualified", "publicity_submitted", "purchase_signed"]),
  on: CivilDate,
  person: ResidentIdNumber,
  caseId: Schema.optionalKey(Schema.String),
})
export type GongyouMilestoneEvent = typeof GongyouMilestoneEvent.Type

export const MonitorEvent = Schema.Struct({
  type: Schema.Literal("monitor"),
  on: CivilDate,
  person: ResidentIdNumber,
})
export type MonitorEvent = typeof MonitorEvent.Type

export const LeaseEnteredEvent = Schema.Struct({
  type: Schema.Literal("lease_entered"),
  on: CivilDate,
  lease: LeaseRecord,
})
export type LeaseEnteredEvent = typeof LeaseEnteredEvent.Type

export const BatchCheckEvent = Schema.Struct({
  type: Schema.Literal("batch_check"),
  on: CivilDate,
  batchId: Schema.NonEmptyString,
  applications: Schema.Array(
    Schema.Struct({ caseId: Schema.NonEmptyString, applicants: Schema.Array(ResidentIdNumber) }),
  ),
})
export type BatchCheckEvent = typeof BatchCheckEvent.Type

export const FiveYearApplicationEvent = Schema.Struct({
  type: Schema.Literal("five_year_application"),
  on: CivilDate,
  applicant: ResidentIdNumber,
  /** R8: members now and at the original 共有产权 application. */
  members: Schema.Array(ResidentIdNumber),
  originalMembers: Schema.Array(ResidentIdNumber),
  /** R9: the house the application is for. */
  house: Schema.Struct({
    kind: Schema.Literals(["gongzu", "baozu", "lianzu", "gongyou", "other"]),
    signingApplicantId: ResidentIdNumber,
  }),
})
export type FiveYearApplicationEvent = typeof FiveYearApplicationEvent.Type

export const GuardEvent = Schema.Union([
  ApplicationEvent,
  GongyouMilestoneEvent,
  MonitorEvent,
  LeaseEnteredEvent,
  BatchCheckEvent,
  FiveYearApplicationEvent,
])
export type GuardEvent = typeof GuardEvent.Type

export const GuardInput = Schema.Struct({
  /** District whose parameters apply (most specific wins); absent = city-wide values. */
  district: Schema.optionalKey(Schema.String),
  history: CaseHistory,
  event: GuardEvent,
})
export type GuardInput = typeof GuardInput.Type

const decode = Schema.decodeUnknownResult(GuardInput)

/** Decodes JSON/YAML input; unknown keys are errors, so a misspelt field never passes silently. */
export const decodeGuardInput = (input: unknown): Result.Result<GuardInput, InvalidValue> =>
  decode(input, { onExcessProperty: "error" }).pipe(
    Result.mapError((e) => invalid("guardInput", "guard.input-schema", "", e.message.replaceAll("\n", " "))),
  )
