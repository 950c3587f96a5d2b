/**
 * Parameters of the qualification-case machine, as typed keys (values in `policy/cases.yaml`), and
 * `readCasePolicy`, which reads them all through one tracing reader into the plain `CasePolicy` the
 * pure transitions take. Paths are stable identifiers (R58, R68, R69, R72).
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import { type AnyParameterKey, key } from "../policy/PolicyParameter.js"
import type { CaseKind } from "./Case.js"

export const CaseParameters = {
  validityYears: {
    gongzu: key("cases.certificate.validity_years.gongzu", "years", ["R72"]),
    baozu: key("cases.certificate.validity_years.baozu", "years", ["R164"]),
    lianzu: key("cases.certificate.validity_years.lianzu", "years", ["R72"]),
    gongyou: key("cases.certificate.validity_years.gongyou", "years", ["R72"]),
  },
  expiringSoonDays: key("cases.certificate.expiring_soon_days", "days", ["R72", "R77"]),
  baozuPreReviewTimeoutDays: key("cases.baozu.pre_review_timeout_days", "days", ["R58"]),
  minReasonChars: key("cases.closure.min_reason_chars", "count", ["R68"]),
  firstNoticeDays: key("cases.notice.first_review_days", "days", ["R69"]),
  onlineNoticeDays: key("cases.notice.online_days", "days", ["R69"]),
} as const

export const allCaseParameters: ReadonlyArray<AnyParameterKey> = [
  ...Object.values(CaseParameters.validityYears),
  CaseParameters.expiringSoonDays,
  CaseParameters.baozuPreReviewTimeoutDays,
  CaseParameters.minReasonChars,
  CaseParameters.firstNoticeDays,
  CaseParameters.onlineNoticeDays,
]

export interface CasePolicy {
  readonly validityYears: Readonly<Record<CaseKind, number>>
  readonly expiringSoonDays: number
  readonly baozuPreReviewTimeoutDays: number
  readonly minReasonChars: number
  readonly firstNoticeDays: number
  readonly onlineNoticeDays: number
}

export const readCasePolicy = (reader: ParameterReader): Result.Result<CasePolicy, ParameterNotFound> =>
  Result.gen(function* () {
    const v = CaseParameters.validityYears
    return {
      validityYears: {
        gongzu: yield* reader.read(v.gongzu),
        baozu: yield* reader.read(v.baozu),
        lianzu: yield* reader.read(v.lianzu),
        gongyou: yield* reader.read(v.gongyou),
      },
      expiringSoonDays: yield* reader.read(CaseParameters.expiringSoonDays),
      baozuPreReviewTimeoutDays: yield* reader.read(CaseParameters.baozuPreReviewTimeoutDays),
      minReasonChars: yield* reader.read(CaseParameters.minReasonChars),
      firstNoticeDays: yield* reader.read(CaseParameters.firstNoticeDays),
      onlineNoticeDays: yield* reader.read(CaseParameters.onlineNoticeDays),
    }
  })

/** The shipped values, for tests and property runs that do not load the YAML. */
export const DEFAULT_CASE_POLICY: CasePolicy = {
  validityYears: { gongzu: 2, baozu: 2, lianzu: 3, gongyou: 3 },
  expiringSoonDays: 90,
  baozuPreReviewTimeoutDays: 3,
  minReasonChars: 15,
  firstNoticeDays: 7,
  onlineNoticeDays: 7,
}
