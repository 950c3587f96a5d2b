/**
 * Read side of the case workflow, each scoped by the actor: officer work lists (待办 to-do / 已办 done),
 * case detail with its history (personal data masked), and the cross-kind look-up by ID number (R5)
 * that returns only valid cases (R1). Out-of-scope cases are never returned: lists filter them in the
 * store query, detail refuses with CaseAccessDenied.
 */
import { Effect } from "effect"
import {
  type CaseId,
  type CaseKind,
  type CaseState,
  CASE_KINDS,
  holdsReviewSlot,
  IN_REVIEW_STATES,
  isValidState,
} from "../../domain/cases/Case.js"
import * as ResidentIdNumber from "../../domain/values/ResidentIdNumber.js"
import { type CaseQuery, CaseStore, type StoredCase } from "../ports/CaseStore.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { type Actor, canSee } from "./CaseActor.js"
import { CaseAccessDenied, CaseInputRejected } from "./CaseErrors.js"
import { withAuditPurpose } from "../audit/AuditContext.js"
import { maskMember, openEconomy, openMember } from "./CaseSealing.js"
import { loadInScope, scopeOf } from "./CaseWorkflow.js"

export interface CaseSummary {
  readonly id: CaseId
  readonly kind: CaseKind
  readonly state: CaseState
  readonly district: string
  readonly projectId: string | null
  readonly predecessorId: CaseId | null
  readonly tags: ReadonlyArray<string>
  readonly version: number
  readonly updatedAt: number
}

export const summaryOf = (s: StoredCase): CaseSummary => ({
  id: s.id,
  kind: s.kind,
  state: s.state,
  district: s.district,
  projectId: s.projectId,
  predecessorId: s.predecessorId,
  tags: s.tags,
  version: s.version,
  updatedAt: s.updatedAt,
})

/** The store filter that realises the actor's data scope. */
export const scopeQuery = (actor: Actor): Omit<CaseQuery, "limit"> => {
  switch (actor.role) {
    case "city":
      return {}
    case "district":
      return { districts: [actor.district] }
    case "operator":
      return { projectIds: actor.projectIds }
    case "applicant":
      return { applicantIndex: actor.idIndex }
    case "system":
      return actor.districts === "all" ? {} : { districts: actor.districts }
    case "propertyArea":
    case "household":
      return { districts: [] }
  }
}

/** 待办: drafts and cases in review within scope. 已办: cases the actor has acted on. */
export const workList = Effect.fn("Cases.workList")(function* (
  actor: Actor,
  box: "todo" | "done",
  page: { readonly after?: CaseId; readonly limit?: number } = {},
) {
  const store = yield* CaseStore
  const limit = Math.min(Math.max(1, Math.trunc(page.limit ?? 50)), 500)
  const query: CaseQuery = {
    ...scopeQuery(actor),
    ...(box === "todo" ? { states: ["draft", ...IN_REVIEW_STATES] } : { actedBy: actor.id }),
    ...(page.after === undefined ? {} : { after: page.after }),
    limit,
  }
  const found = yield* store.list(query)
  // Defence in depth: the store filter and the scope rule must agree.
  return { items: found.items.filter((s) => canSee(actor, scopeOf(s))).map(summaryOf), next: found.next }
})

/** Case detail with history; members masked (`110105********002X`). */
export const caseDetail = Effect.fn("Cases.detail")(function* (actor: Actor, caseId: string) {
  const stored = yield* loadInScope(actor, caseId, "detail")
  const store = yield* CaseStore
  const history = yield* store.history(stored.id)
  // Opened to be masked: still a decryption, recorded (pii.open) with this purpose when the cipher audits.
  const members = yield* Effect.forEach(stored.members, (m) => Effect.map(openMember(m), maskMember)).pipe(
    withAuditPurpose("case detail", `case:${stored.id}`),
  )
  // The declared income and assets are what the reviewer checks (R18): opened, and the opening recorded.
  const economy =
    stored.economy === null
      ? null
      : yield* openEconomy(stored.economy).pipe(withAuditPurpose("case detail", `case:${stored.id}`))
  const { members: _sealed, economy: _sealedEconomy, ...rest } = stored
  return { case: { ...rest, members, economy }, history, inReview: holdsReviewSlot(stored.state) }
})

export interface KindLookup {
  /** Drafts and cases in review. */
  readonly inProgress: ReadonlyArray<CaseSummary>
  /** Admitted (or expiring-soon) qualifications. */
  readonly qualifications: ReadonlyArray<CaseSummary>
}

/**
 * R5 cross-kind look-up by the ID number of a main or co-applicant, grouped by the four kinds; only
 * valid cases (R1) and only those inside the actor's scope. Applicants may look up only themselves.
 */
export const lookupByIdNumber = Effect.fn("Cases.lookupByIdNumber")(function* (
  actor: Actor,
  idNumber: string,
) {
  const parsed = ResidentIdNumber.parse(idNumber)
  if (parsed._tag === "Failure") return yield* new CaseInputRejected({ issues: [parsed.failure] })
  const cipher = yield* FieldCipher
  const idx = yield* cipher.blindIndex("idNumber", parsed.success)
  if (actor.role === "applicant" && actor.idIndex !== idx)
    return yield* new CaseAccessDenied({
      actorId: actor.id,
      role: actor.role,
      action: "lookup",
      caseId: null,
    })
  const store = yield* CaseStore
  const cases = (yield* store.findByIdIndex(idx)).filter(
    (s) =>
      isValidState(s.state) &&
      canSee(actor, scopeOf(s)) &&
      s.members.some((m) => m.idIndex === idx && (m.role === "applicant" || m.role === "co_applicant")),
  )
  const byKind = {} as Record<CaseKind, KindLookup>
  for (const kind of CASE_KINDS) {
    const mine = cases.filter((c) => c.kind === kind)
    byKind[kind] = {
      inProgress: mine.filter((c) => c.state === "draft" || holdsReviewSlot(c.state)).map(summaryOf),
      qualifications: mine
        .filter((c) => c.state === "admitted" || c.state === "expiring_soon")
        .map(summaryOf),
    }
  }
  return byKind
})
