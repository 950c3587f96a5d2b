/**
 * R23 rental-kind expiry ladder (租赁型保障房期满控制). `endsOn` is the last valid day of the term.
 * 公租 lease: from endsOn − 3 months → yellow (no later level given). 廉租 subsidy agreement: from
 * endsOn − 4 months → yellow (re-review starts); after endsOn (有效期届满) → orange. 廉租 contract: from
 * endsOn − 1 month → yellow; after endsOn → orange. Only open cases (admitted / contracted) are watched.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as CivilDate from "../values/CivilDate.js"
import { makeWarning } from "./ApplicationChecks.js"
import { type CaseHistory, isEnjoying, isMemberOf } from "./CaseHistory.js"
import { GuardParameters } from "./GuardParameters.js"
import type { GuardWarning } from "./GuardWarning.js"

export const r23ExpiryLadder = (
  history: CaseHistory,
  person: string,
  on: CivilDate.CivilDate,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    const out: Array<GuardWarning> = []
    for (const c of history.cases) {
      if (c.term === undefined || !isEnjoying(c) || !isMemberOf(c, person)) continue
      const r = reader.child()
      const { type, endsOn } = c.term
      const notice = yield* r.read(
        type === "gongzu_lease"
          ? GuardParameters.r23GongzuLeaseNoticeMonths
          : type === "lianzu_subsidy_agreement"
            ? GuardParameters.r23LianzuSubsidyNoticeMonths
            : GuardParameters.r23LianzuContractNoticeMonths,
      )
      const noticeFrom = CivilDate.addMonths(endsOn, -notice)
      const evidence = { case: c.caseId, term: type, endsOn, noticeFrom }
      if (type !== "gongzu_lease" && on > endsOn)
        out.push(
          makeWarning(r, "R23", "orange", person, `${type} expired on ${endsOn} (有效期届满)`, evidence),
        )
      else if (on >= noticeFrom)
        out.push(
          makeWarning(
            r,
            "R23",
            "yellow",
            person,
            `${type} ends on ${endsOn}; ${CivilDate.daysBetween(on, endsOn)} days left`,
            {
              ...evidence,
              daysLeft: String(CivilDate.daysBetween(on, endsOn)),
            },
          ),
        )
    }
    return out
  })
