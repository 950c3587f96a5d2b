/**
 * The qualification-case state machine (R163 公租/廉租/共有产权, R164 保租) as pure functions: `openCase`
 * starts a case on one of the three intake paths, `decide` applies one command at an instant and returns
 * the next case plus domain events, or a `CaseTransitionRefused` naming state, command and rule.
 * Invariants: every result state is in CASE_STATES; a closure out of an in-review state emits
 * `ReviewSlotReleased` (R12); a failed check admits only a failure closure with a reason (R68).
 */
import { Data, Result } from "effect"
import * as CivilDate from "../values/CivilDate.js"
import {
  type Case,
  type CaseId,
  type CaseKind,
  type CaseState,
  type CheckSource,
  type Evidence,
  failedChecks,
  holdsReviewSlot,
  type IntakeChannel,
  isTerminal,
  type Member,
  missingMaterials,
  type Notice,
} from "./Case.js"
import type { CasePolicy } from "./CaseParameters.js"

export type CaseCommand =
  | {
      readonly type: "updateDraft"
      readonly members?: ReadonlyArray<Member>
      readonly materials?: ReadonlyArray<string>
    }
  | { readonly type: "submitDraft" }
  | { readonly type: "signIn" }
  | { readonly type: "passPreReview" }
  | { readonly type: "failPreReview"; readonly reason: string }
  | { readonly type: "accept" }
  | { readonly type: "reject"; readonly reason: string }
  | { readonly type: "requestSupplement"; readonly materials: ReadonlyArray<string> }
  | { readonly type: "submitSupplement"; readonly materials: ReadonlyArray<string> }
  | { readonly type: "recordCheck"; readonly evidence: Evidence }
  | { readonly type: "completeVerification" }
  | { readonly type: "failReview"; readonly reason: string }
  | { readonly type: "approveFirstReview"; readonly location: string }
  | {
      readonly type: "concludeFirstNotice"
      readonly objection: boolean
      readonly upheld?: boolean
      readonly opinion?: string
    }
  | { readonly type: "approveSecondReview"; readonly location: string }
  | {
      readonly type: "concludeOnlineNotice"
      readonly objection: boolean
      readonly upheld?: boolean
      readonly opinion?: string
    }
  | {
      readonly type: "admit"
      readonly certificateNumber: string
      readonly validFrom?: CivilDate.CivilDate
      readonly validUntil?: CivilDate.CivilDate
    }
  | { readonly type: "tick" }
  | { readonly type: "abandon" }
  | { readonly type: "cancel"; readonly reason: string }
  | { readonly type: "delete"; readonly approvedBy: string }

export type CaseCommandType = CaseCommand["type"]

export const COMMAND_TYPES: ReadonlyArray<CaseCommandType> = [
  "updateDraft",
  "submitDraft",
  "signIn",
  "passPreReview",
  "failPreReview",
  "accept",
  "reject",
  "requestSupplement",
  "submitSupplement",
  "recordCheck",
  "completeVerification",
  "failReview",
  "approveFirstReview",
  "concludeFirstNotice",
  "approveSecondReview",
  "concludeOnlineNotice",
  "admit",
  "tick",
  "abandon",
  "cancel",
  "delete",
]

/** Domain events; the outbox carries them to later workers (notifications, 办件库 push, queue entry). */
export type CaseEvent =
  | { readonly type: "CaseOpened"; readonly channel: IntakeChannel; readonly predecessorId: CaseId | null }
  | { readonly type: "PreReviewPassed"; readonly automatic: boolean }
  | { readonly type: "CaseAccepted" }
  | { readonly type: "SupplementRequested"; readonly materials: ReadonlyArray<string> }
  | { readonly type: "CheckRecorded"; readonly source: CheckSource; readonly result: Evidence["result"] }
  | {
      readonly type: "NoticeStarted"
      readonly notice: "first_review" | "online"
      readonly endsOn: CivilDate.CivilDate
    }
  | {
      readonly type: "CaseAdmitted"
      readonly certificateNumber: string
      readonly validUntil: CivilDate.CivilDate
    }
  | { readonly type: "CertificateExpiringSoon"; readonly validUntil: CivilDate.CivilDate }
  | { readonly type: "CaseClosed"; readonly closure: CaseState; readonly reason: string }
  | { readonly type: "ReviewSlotReleased"; readonly closure: CaseState }

export class CaseTransitionRefused extends Data.TaggedError("CaseTransitionRefused")<{
  readonly caseId: string
  readonly state: CaseState
  readonly command: CaseCommandType
  /** Stable rule id: `case.illegal-transition`, `R57.missing-material`, `R68.reason-length`, … */
  readonly rule: string
  readonly message: string
}> {}

export interface Decision {
  readonly case: Case
  readonly events: ReadonlyArray<CaseEvent>
}

export interface Context {
  /** The instant of the command (epoch ms); the civil date is taken in Asia/Shanghai. */
  readonly now: number
  readonly policy: CasePolicy
}

export interface OpenCaseInput {
  readonly id: CaseId
  readonly kind: CaseKind
  readonly channel: IntakeChannel
  readonly district: string
  readonly projectId: string | null
  readonly members: ReadonlyArray<Member>
  readonly requiredMaterials: ReadonlyArray<string>
  readonly receivedMaterials: ReadonlyArray<string>
  readonly predecessorId: CaseId | null
  readonly economy?: Case["economy"]
}

/** Entry state per intake path (R163): online → 待预审, window → 待签收, offline → 暂存 draft. */
export const entryState = (channel: IntakeChannel): CaseState =>
  channel === "online" ? "awaiting_pre_review" : channel === "window" ? "awaiting_sign_in" : "draft"

export const openCase = (
  input: OpenCaseInput,
  now: number,
): Result.Result<Decision, CaseTransitionRefused> => {
  const refuse = (rule: string, message: string) =>
    Result.fail(
      new CaseTransitionRefused({
        caseId: input.id,
        state: entryState(input.channel),
        command: "updateDraft",
        rule,
        message,
      }),
    )
  if (input.members.filter((m) => m.role === "applicant").length !== 1)
    return refuse("case.one-applicant", "a case has exactly one main applicant (主申请人)")
  return Result.succeed({
    case: {
      id: input.id,
      kind: input.kind,
      state: entryState(input.channel),
      version: 1,
      channel: input.channel,
      district: input.district,
      projectId: input.projectId,
      members: [...input.members],
      materials: { required: [...input.requiredMaterials], received: [...new Set(input.receivedMaterials)] },
      predecessorId: input.predecessorId,
      tags: input.predecessorId === null ? [] : ["re_review"],
      resumeTo: null,
      evidence: [],
      firstNotice: null,
      onlineNotice: null,
      certificate: null,
      closure: null,
      economy: input.economy ?? null,
      receivedAt: now,
      updatedAt: now,
    },
    events: [{ type: "CaseOpened", channel: input.channel, predecessorId: input.predecessorId }],
  })
}

/** Checks a kind requires before verification completes (R68–R88); 低保 ≥ 1 year waives economic (R82). */
export const requiredChecks = (c: Pick<Case, "kind" | "evidence">): ReadonlyArray<CheckSource> => {
  const base: Record<CaseKind, ReadonlyArray<CheckSource>> = {
    gongzu: [
      "person_id",
      "social_insurance",
      "marriage",
      "household_registration",
      "public_housing",
      "real_estate",
    ],
    baozu: ["person_id", "real_estate", "public_housing"],
    lianzu: [
      "person_id",
      "household_registration",
      "marriage",
      "public_housing",
      "real_estate",
      "economic",
      "criminal",
    ],
    gongyou: [
      "person_id",
      "household_registration",
      "marriage",
      "public_housing",
      "real_estate",
      "resettlement_housing",
      "economic",
    ],
  }
  const dibaoYear = c.evidence.some((e) => e.source === "dibao" && e.result === "pass")
  return base[c.kind].filter((s) => !(s === "economic" && dibaoYear))
}

/** Checks still without a passing answer. */
export const outstandingChecks = (c: Pick<Case, "kind" | "evidence">): ReadonlyArray<CheckSource> => {
  const latest = new Map<CheckSource, Evidence["result"]>()
  for (const e of c.evidence) latest.set(e.source, e.result)
  return requiredChecks(c).filter((s) => latest.get(s) !== "pass")
}

/** The failure closure out of an in-review state (R76, R163). */
export const failureClosureOf = (state: CaseState): CaseState =>
  state === "first_review" || state === "first_review_notice"
    ? "first_review_failed"
    : state === "second_review" || state === "online_notice"
      ? "second_review_failed"
      : state === "awaiting_pre_review" || state === "awaiting_sign_in" || state === "awaiting_acceptance"
        ? "rejected"
        : "review_failed"

const FORWARD: ReadonlyArray<CaseCommandType> = [
  "accept",
  "completeVerification",
  "approveFirstReview",
  "concludeFirstNotice",
  "approveSecondReview",
  "concludeOnlineNotice",
  "admit",
]

export const decide = (
  c: Case,
  cmd: CaseCommand,
  ctx: Context,
): Result.Result<Decision, CaseTransitionRefused> => {
  const today = CivilDate.fromInstant(ctx.now)
  const refuse = (rule: string, message: string): Result.Result<Decision, CaseTransitionRefused> =>
    Result.fail(new CaseTransitionRefused({ caseId: c.id, state: c.state, command: cmd.type, rule, message }))
  const illegal = () =>
    refuse("case.illegal-transition", `command ${cmd.type} is not allowed in state ${c.state} (${c.kind})`)
  const go = (patch: Partial<Case>, events: ReadonlyArray<CaseEvent> = []) =>
    Result.succeed<Decision>({ case: { ...c, ...patch, version: c.version + 1, updatedAt: ctx.now }, events })
  const close = (to: CaseState, reason: string, patch: Partial<Case> = {}) =>
    go({ ...patch, state: to, resumeTo: null, closure: { at: ctx.now, reason } }, [
      { type: "CaseClosed", closure: to, reason },
      ...(holdsReviewSlot(c.state) ? [{ type: "ReviewSlotReleased", closure: to } as const] : []),
    ])
  const needReason = (reason: string, min: number, rule: string) =>
    [...reason.trim()].length >= min
      ? undefined
      : refuse(rule, `a reason of at least ${min} characters is required (got ${[...reason.trim()].length})`)

  if (isTerminal(c.state)) return illegal()
  // R68: once a check failed, only a failure closure (or a city-approved deletion) may follow.
  const failed = failedChecks(c)
  if (failed.length > 0 && FORWARD.includes(cmd.type))
    return refuse(
      "R68.failed-check",
      `check ${failed.join(", ")} failed: the case must be closed as failed with a reason (核查不通过办结)`,
    )

  switch (cmd.type) {
    case "updateDraft":
      if (c.state !== "draft") return illegal()
      if (cmd.members !== undefined && cmd.members.filter((m) => m.role === "applicant").length !== 1)
        return refuse("case.one-applicant", "a case has exactly one main applicant (主申请人)")
      return go({
        ...(cmd.members === undefined ? {} : { members: [...cmd.members] }),
        ...(cmd.materials === undefined
          ? {}
          : {
              materials: {
                ...c.materials,
                received: [...new Set([...c.materials.received, ...cmd.materials])],
              },
            }),
      })
    case "submitDraft":
      return c.state === "draft" ? go({ state: "awaiting_acceptance" }) : illegal()
    case "signIn":
      return c.state === "awaiting_sign_in" ? go({ state: "awaiting_acceptance" }) : illegal()
    case "passPreReview":
      return c.state === "awaiting_pre_review"
        ? go({ state: "awaiting_acceptance" }, [{ type: "PreReviewPassed", automatic: false }])
        : illegal()
    case "failPreReview": {
      if (c.state !== "awaiting_pre_review") return illegal()
      if (cmd.reason.trim() === "") return refuse("R61.reason", "a pre-review failure needs a reason")
      return close("rejected", cmd.reason)
    }
    case "tick": {
      // R58: 保租 pre-review timeout → 自动预审通过, tagged; no automatic housing checks later.
      if (c.state === "awaiting_pre_review" && c.kind === "baozu") {
        const due = CivilDate.addDays(
          CivilDate.fromInstant(c.receivedAt),
          ctx.policy.baozuPreReviewTimeoutDays,
        )
        if (today >= due)
          return go({ state: "awaiting_acceptance", tags: [...c.tags, "auto_pre_review"] }, [
            { type: "PreReviewPassed", automatic: true },
          ])
        return Result.succeed({ case: c, events: [] })
      }
      if ((c.state === "admitted" || c.state === "expiring_soon") && c.certificate !== null) {
        // R77: expiry triggers the exit automatically.
        if (today > c.certificate.validUntil) return close("expired", "资格有效期届满，自动退出 (R77)")
        const soon = CivilDate.addDays(c.certificate.validUntil, -ctx.policy.expiringSoonDays)
        if (c.state === "admitted" && today >= soon)
          return go({ state: "expiring_soon" }, [
            { type: "CertificateExpiringSoon", validUntil: c.certificate.validUntil },
          ])
      }
      return Result.succeed({ case: c, events: [] })
    }
    case "accept": {
      if (c.state !== "awaiting_acceptance") return illegal()
      const missing = missingMaterials(c)
      if (missing.length > 0)
        return refuse(
          "R57.missing-material",
          `mandatory materials missing: ${missing.join(", ")} (补件 or 不予受理)`,
        )
      return go({ state: "verifying" }, [{ type: "CaseAccepted" }])
    }
    case "reject": {
      // R57: a case with missing materials may still be closed as 不予受理.
      if (!["awaiting_sign_in", "awaiting_acceptance", "supplementing", "draft"].includes(c.state))
        return illegal()
      if (c.state === "supplementing" && c.resumeTo !== "awaiting_acceptance") return illegal()
      if (cmd.reason.trim() === "") return refuse("case.reason", "a rejection (不予受理) needs a reason")
      return close("rejected", cmd.reason)
    }
    case "requestSupplement": {
      if (!["awaiting_acceptance", "verifying", "first_review", "second_review"].includes(c.state))
        return illegal()
      if (cmd.materials.length === 0) return refuse("case.materials", "name the materials to supplement")
      return go(
        {
          state: "supplementing",
          resumeTo: c.state,
          materials: {
            required: [...new Set([...c.materials.required, ...cmd.materials])],
            received: c.materials.received.filter((m) => !cmd.materials.includes(m)),
          },
        },
        [{ type: "SupplementRequested", materials: [...cmd.materials] }],
      )
    }
    case "submitSupplement": {
      if (c.state !== "supplementing" || c.resumeTo === null) return illegal()
      const received = [...new Set([...c.materials.received, ...cmd.materials])]
      const still = c.materials.required.filter((m) => !received.includes(m))
      if (still.length > 0 && c.resumeTo !== "awaiting_acceptance")
        return refuse("R57.missing-material", `mandatory materials still missing: ${still.join(", ")}`)
      return go({ state: c.resumeTo, resumeTo: null, materials: { ...c.materials, received } })
    }
    case "recordCheck":
      if (!["verifying", "first_review", "second_review"].includes(c.state)) return illegal()
      return go({ evidence: [...c.evidence, cmd.evidence] }, [
        { type: "CheckRecorded", source: cmd.evidence.source, result: cmd.evidence.result },
      ])
    case "completeVerification": {
      if (c.state !== "verifying") return illegal()
      const open = outstandingChecks(c)
      if (open.length > 0)
        return refuse("R68.checks-outstanding", `checks without a passing answer: ${open.join(", ")}`)
      // R164 (inferred): 保租 skips 初审/复审.
      return go({ state: c.kind === "baozu" ? "awaiting_admission" : "first_review" })
    }
    case "failReview": {
      if (
        ![
          "verifying",
          "first_review",
          "first_review_notice",
          "second_review",
          "online_notice",
          "awaiting_admission",
        ].includes(c.state)
      )
        return illegal()
      const short = needReason(cmd.reason, ctx.policy.minReasonChars, "R68.reason-length")
      if (short !== undefined) return short
      return close(
        failed.length > 0 && c.state === "verifying" ? "review_failed" : failureClosureOf(c.state),
        cmd.reason,
      )
    }
    case "approveFirstReview":
      if (c.state !== "first_review") return illegal()
      return startNotice("first_review_notice", "firstNotice", cmd.location, ctx.policy.firstNoticeDays)
    case "approveSecondReview":
      if (c.state !== "second_review") return illegal()
      return startNotice("online_notice", "onlineNotice", cmd.location, ctx.policy.onlineNoticeDays)
    case "concludeFirstNotice":
    case "concludeOnlineNotice": {
      const first = cmd.type === "concludeFirstNotice"
      if (c.state !== (first ? "first_review_notice" : "online_notice")) return illegal()
      const notice = first ? c.firstNotice : c.onlineNotice
      if (notice === null) return illegal()
      if (today <= notice.endsOn)
        return refuse("R69.notice-running", `the notice runs until ${notice.endsOn} inclusive`)
      const opinion = cmd.opinion ?? null
      const done: Notice = { ...notice, objection: cmd.objection, opinion }
      const field = first ? { firstNotice: done } : { onlineNotice: done }
      if (cmd.objection && cmd.upheld === true) {
        const short = needReason(opinion ?? "", ctx.policy.minReasonChars, "R68.reason-length")
        if (short !== undefined) return short
        return close(first ? "first_review_failed" : "second_review_failed", opinion ?? "", field)
      }
      return go({ ...field, state: first ? "second_review" : "awaiting_admission" })
    }
    case "admit": {
      if (c.state !== "awaiting_admission") return illegal()
      const years = ctx.policy.validityYears[c.kind]
      // R72: 公租/廉租 start today; 共有产权 start and end are entered by the officer (at most the policy years).
      const from = c.kind === "gongyou" ? (cmd.validFrom ?? today) : today
      const longest = CivilDate.addDays(CivilDate.addYears(from, years), -1)
      const until = c.kind === "gongyou" ? (cmd.validUntil ?? longest) : longest
      if (until < from || until > longest)
        return refuse("R72.validity", `validity must end between ${from} and ${longest} (${years} years)`)
      if (cmd.certificateNumber.trim() === "") return refuse("R72.number", "a 准入资格编号 is required")
      return go(
        {
          state: "admitted",
          certificate: { number: cmd.certificateNumber, validFrom: from, validUntil: until },
        },
        [
          { type: "CaseAdmitted", certificateNumber: cmd.certificateNumber, validUntil: until },
          { type: "ReviewSlotReleased", closure: "admitted" },
        ],
      )
    }
    case "abandon":
      // R76/R77: 办结后自愿放弃 — only after admission.
      return c.state === "admitted" || c.state === "expiring_soon"
        ? close("abandoned", "办结后自愿放弃 (R77)")
        : illegal()
    case "cancel": {
      if (c.state !== "admitted" && c.state !== "expiring_soon") return illegal()
      if (cmd.reason.trim() === "")
        return refuse("case.reason", "a forced cancellation (注销) needs a reason")
      return close("cancelled", cmd.reason)
    }
    case "delete": {
      // R70: only cases in review, with city-level approval.
      if (!holdsReviewSlot(c.state)) return illegal()
      if (cmd.approvedBy.trim() === "")
        return refuse("R70.city-approval", "deletion needs city-level approval")
      return close("deleted", `删除，市级审批 ${cmd.approvedBy}`)
    }
  }

  function startNotice(to: CaseState, field: "firstNotice" | "onlineNotice", location: string, days: number) {
    if (location.trim() === "") return refuse("R69.location", "a notice needs its display location")
    const endsOn = CivilDate.addDays(today, Math.max(1, days) - 1)
    const notice: Notice = { startsOn: today, endsOn, location, objection: null, opinion: null }
    return go({ state: to, [field]: notice }, [
      { type: "NoticeStarted", notice: field === "firstNotice" ? "first_review" : "online", endsOn },
    ])
  }
}
