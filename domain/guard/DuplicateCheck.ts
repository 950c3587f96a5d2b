/**
 * Duplicate checks across kinds (重复申请校验), R2–R12, built on R1's valid-case lookup. R2 公租: any
 * valid case of any kind → review (复核). R3/R4/R6 保租: an open 保租 application or queue entry →
 * block (at application and again at acceptance). R7–R10 共有产权 five-year: unfinished case → block,
 * 复审通过未签约未付款 → refer to district, paid-and-closed → block for good, members changed → refer,
 * house not 共有产权 or not the signing applicant → block. R11/R12 hold because rejected and failed
 * cases are invalid (R1) and so never match.
 */
import { type CaseHistory, validCasesOf } from "./CaseHistory.js"
import type { ApplicationEvent, FiveYearApplicationEvent } from "./GuardEvent.js"
import { applicantsOf } from "./ApplicationChecks.js"
import type { DuplicateFinding } from "./GuardWarning.js"

export const duplicateOnApplication = (
  history: CaseHistory,
  event: ApplicationEvent,
): ReadonlyArray<DuplicateFinding> => {
  const out: Array<DuplicateFinding> = []
  const stage = event.stage ?? "application"
  for (const id of applicantsOf(event)) {
    const valid = validCasesOf(history, id).filter((c) => c.caseId !== event.caseId)
    if (event.kind === "gongzu" && valid.length > 0)
      out.push({
        rule: "R2",
        outcome: "review",
        person: id,
        message: "在办或现实有效案件: create a re-review (复核) case",
        evidence: { cases: valid.map((c) => `${c.caseId}:${c.kind}:${c.status}`).join(","), stage },
      })
    if (event.kind === "baozu") {
      const open = valid.filter(
        (c) => c.kind === "baozu" && (c.status === "under_review" || c.status === "queued"),
      )
      if (open.length > 0)
        out.push({
          rule: stage === "acceptance" ? "R6" : "R4",
          outcome: "block",
          person: id,
          message: "已存在当前申请或当前轮候 (保租)",
          evidence: { cases: open.map((c) => `${c.caseId}:${c.status}`).join(","), stage },
        })
    }
  }
  return out
}

export const duplicateOnFiveYear = (
  history: CaseHistory,
  event: FiveYearApplicationEvent,
): ReadonlyArray<DuplicateFinding> => {
  const out: Array<DuplicateFinding> = []
  const id = event.applicant
  const mine = (history.fiveYearCases ?? []).filter((c) => c.applicantId === id)
  const unfinished = mine.filter((c) => c.status === "in_review")
  const unsigned = mine.filter((c) => c.status === "review_passed_unsigned")
  const paid = mine.filter((c) => c.status === "paid_closed")
  if (unfinished.length > 0)
    out.push({
      rule: "R10",
      outcome: "block",
      person: id,
      message: "存在再审案件, 不可重复发起转让产权申请",
      evidence: { cases: unfinished.map((c) => c.caseId).join(",") },
    })
  if (unsigned.length > 0)
    out.push({
      rule: "R7",
      outcome: "refer",
      person: id,
      message: "复审通过但未签约、未付款: go to the district office",
      evidence: { cases: unsigned.map((c) => c.caseId).join(",") },
    })
  if (paid.length > 0)
    out.push({
      rule: "R7",
      outcome: "block",
      person: id,
      message: "缴纳价款办结后不允许再次申请",
      evidence: { cases: paid.map((c) => c.caseId).join(",") },
    })
  const now = new Set(event.members)
  const before = new Set(event.originalMembers)
  if (now.size !== before.size || [...now].some((m) => !before.has(m)))
    out.push({
      rule: "R8",
      outcome: "refer",
      person: id,
      message: "家庭成员与原申请不一致: online application not allowed",
      evidence: { now: [...now].join(","), original: [...before].join(",") },
    })
  if (event.house.kind !== "gongyou")
    out.push({
      rule: "R9",
      outcome: "block",
      person: id,
      message: "房屋不是共有产权保障住房",
      evidence: { houseKind: event.house.kind },
    })
  else if (event.house.signingApplicantId !== id)
    out.push({
      rule: "R9",
      outcome: "block",
      person: id,
      message: "申请人不是该房屋的签约申请人",
      evidence: { signingApplicant: event.house.signingApplicantId },
    })
  return out
}
