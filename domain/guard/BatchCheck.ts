/**
 * R25 annual inspection of 共有产权 qualifications (资格案件年检, 三级核查): (1) an ID number appearing
 * in two applications of the current batch → red + block for each; (2) an ID number of the current
 * batch matching an applicant holding a 登录证明 from an earlier batch → red + block. (3), the yearly
 * review of disposals, is a report over the warning list, not a per-event check.
 */
import type { ParameterReader } from "../policy/ParameterReader.js"
import { makeWarning } from "./ApplicationChecks.js"
import { type CaseHistory, isApplicantIn } from "./CaseHistory.js"
import type { BatchCheckEvent } from "./GuardEvent.js"
import type { GuardWarning } from "./GuardWarning.js"

export const r25BatchCheck = (
  history: CaseHistory,
  event: BatchCheckEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  const casesById = new Map<string, Array<string>>()
  for (const a of event.applications)
    for (const id of new Set(a.applicants)) casesById.set(id, [...(casesById.get(id) ?? []), a.caseId])
  const out: Array<GuardWarning> = []
  for (const [id, cases] of casesById) {
    if (cases.length > 1)
      out.push(
        makeWarning(reader, "R25", "red", id, "本批次身份证号码重复", {
          check: "within-batch",
          batch: event.batchId,
          cases: cases.join(","),
        }),
      )
    const holders = history.cases.filter(
      (c) =>
        c.kind === "gongyou" &&
        c.batchId !== undefined &&
        c.batchId !== event.batchId &&
        c.loginCertificateOn !== undefined &&
        isApplicantIn(c, id),
    )
    for (const h of holders)
      out.push(
        makeWarning(reader, "R25", "red", id, `与前批次已取得登录证明的申请人重复 (batch ${h.batchId})`, {
          check: "cross-batch",
          batch: event.batchId,
          cases: cases.join(","),
          earlierCase: h.caseId,
          earlierBatch: h.batchId!,
        }),
      )
  }
  return out
}
