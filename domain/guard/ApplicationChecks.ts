/**
 * Fairness-guard checks at the application step (申请环节) that compare the new application with the
 * history: same-kind duplicates R13, 共有产权 abandonment within the 注销期 R14, rental-kind cases
 * under review R15, rental beneficiaries applying for 共有产权 R16(1), co-resident reuse R20, 共有产权
 * queuers applying for rental kinds R22. Pure; parameters come only through the reader.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as CivilDate from "../values/CivilDate.js"
import {
  type CaseHistory,
  type CaseRecord,
  RENTAL_KINDS,
  isApplicantIn,
  isEnjoying,
  isMemberOf,
  isValidCase,
  mainApplicant,
} from "./CaseHistory.js"
import type { ApplicationEvent } from "./GuardEvent.js"
import { GuardParameters } from "./GuardParameters.js"
import type { Evidence, GuardWarning, WarningLevel } from "./GuardWarning.js"

export const makeWarning = (
  reader: ParameterReader,
  rule: string,
  level: WarningLevel,
  person: string,
  message: string,
  evidence: Evidence,
  related?: ReadonlyArray<string>,
): GuardWarning => ({
  rule,
  level,
  block: level === "red",
  person,
  message,
  evidence,
  ...(related === undefined ? {} : { related }),
  parameters: reader.trace(),
})

/** Main and co-applicants of the new application: the persons R13–R16 and R22 look up. */
export const applicantsOf = (event: ApplicationEvent): ReadonlyArray<string> =>
  event.members.filter((m) => m.role === "applicant" || m.role === "co_applicant").map((m) => m.id)

const others = (history: CaseHistory, event: ApplicationEvent): ReadonlyArray<CaseRecord> =>
  history.cases.filter((c) => c.caseId !== event.caseId)

/** R13: a valid (未注销, R1) case of the same kind — 廉租, 公租 or 共有产权 — blocks a new one: red. */
export const r13SameKindDuplicate = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  if (event.kind === "baozu") return []
  return applicantsOf(event).flatMap((id) =>
    others(history, event)
      .filter((c) => c.kind === event.kind && isApplicantIn(c, id) && isValidCase(c))
      .map((c) =>
        makeWarning(
          reader,
          "R13",
          "red",
          id,
          `同品种重复申请: an open ${c.kind} case ${c.caseId} (${c.status}) exists`,
          {
            existingCase: c.caseId,
            existingStatus: c.status,
            kind: c.kind,
          },
        ),
      ),
  )
}

/** R14: 共有产权 abandoned (放弃) and the 注销期 not over → brown. The period ends `N` months after the abandonment, exclusive. */
export const r14AbandonedWithinPeriod = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    if (event.kind !== "gongyou") return []
    const candidates = applicantsOf(event).flatMap((id) =>
      others(history, event)
        .filter(
          (c) =>
            c.kind === "gongyou" &&
            c.status === "abandoned" &&
            c.abandonedOn !== undefined &&
            isApplicantIn(c, id),
        )
        .map((c) => [id, c] as const),
    )
    if (candidates.length === 0) return []
    const r = reader.child()
    const months = yield* r.read(GuardParameters.r14CancellationPeriodMonths)
    return candidates.flatMap(([id, c]) => {
      const ends = CivilDate.addMonths(c.abandonedOn!, months)
      return event.on < ends
        ? [
            makeWarning(
              r,
              "R14",
              "brown",
              id,
              `共有产权 abandoned on ${c.abandonedOn} and the 注销期 runs until ${ends} (exclusive)`,
              {
                abandonedCase: c.caseId,
                abandonedOn: c.abandonedOn!,
                periodEndsOn: ends,
              },
            ),
          ]
        : []
    })
  })

/** R15: a 廉租 or 公租 case still under review (审核过程中) when applying for 共有产权 → red. */
export const r15RentalUnderReview = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  if (event.kind !== "gongyou") return []
  return applicantsOf(event).flatMap((id) =>
    others(history, event)
      .filter((c) => RENTAL_KINDS.includes(c.kind) && c.status === "under_review" && isApplicantIn(c, id))
      .map((c) =>
        makeWarning(
          reader,
          "R15",
          "red",
          id,
          `${c.kind} case ${c.caseId} is under review; 共有产权 application blocked`,
          {
            reviewCase: c.caseId,
            kind: c.kind,
          },
        ),
      ),
  )
}

/** Cases through which the person enjoys rental-kind housing (R16/R17); 保租 only if the policy says so. */
export const rentalEnjoyed = (
  history: CaseHistory,
  id: string,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<CaseRecord>, ParameterNotFound> =>
  Result.gen(function* () {
    const baozu = yield* reader.read(GuardParameters.r16BaozuCountsAsRental)
    return history.cases.filter(
      (c) =>
        (RENTAL_KINDS.includes(c.kind) || (baozu && c.kind === "baozu")) &&
        isEnjoying(c) &&
        isMemberOf(c, id),
    )
  })

/** R16 (1): a rental-kind beneficiary applies for 共有产权 → yellow. */
export const r16RentalBeneficiaryApplies = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    if (event.kind !== "gongyou") return []
    const out: Array<GuardWarning> = []
    for (const id of applicantsOf(event)) {
      const r = reader.child()
      const enjoyed = yield* rentalEnjoyed(history, id, r)
      if (enjoyed.length > 0)
        out.push(
          makeWarning(r, "R16", "yellow", id, "租赁型保障房享受对象申请共有产权: application step", {
            rentalCases: enjoyed.map((c) => c.caseId).join(","),
            stage: "application",
          }),
        )
    }
    return out
  })

/**
 * R20: someone who was once a co-resident (同住人) in another household's 廉租/共有产权 case appears
 * again, as applicant or co-resident, in a 廉租/共有产权 application → yellow. "Another household" =
 * a case whose main applicant differs from the new application's.
 */
export const r20CoResidentReuse = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  if (event.kind !== "lianzu" && event.kind !== "gongyou") return []
  const main = mainApplicant(event)
  return event.members.flatMap((m) =>
    others(history, event)
      .filter(
        (c) =>
          (c.kind === "lianzu" || c.kind === "gongyou") &&
          mainApplicant(c) !== main &&
          c.members.some((x) => x.id === m.id && x.role === "co_resident"),
      )
      .map((c) =>
        makeWarning(
          reader,
          "R20",
          "yellow",
          m.id,
          `同住人再申请: was co-resident in ${c.kind} case ${c.caseId} of another household`,
          {
            earlierCase: c.caseId,
            earlierKind: c.kind,
            roleNow: m.role,
          },
        ),
      ),
  )
}

/** R22: a 共有产权 applicant still queued (轮候) applies for a rental kind → yellow. */
export const r22QueuedGongyouAppliesRental = (
  history: CaseHistory,
  event: ApplicationEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  if (event.kind === "gongyou") return []
  return applicantsOf(event).flatMap((id) =>
    others(history, event)
      .filter((c) => c.kind === "gongyou" && c.status === "queued" && isApplicantIn(c, id))
      .map((c) =>
        makeWarning(
          reader,
          "R22",
          "yellow",
          id,
          `共有产权 applicant in the queue (case ${c.caseId}) applies for ${event.kind}`,
          {
            queueCase: c.caseId,
            appliedKind: event.kind,
          },
        ),
      ),
  )
}
