/**
 * Commands of the qualification-case workflow (R163/R164): open a case on an intake path, run any
 * transition of the machine, and run verification against the agencies (R68–R88). Each command checks
 * role and data scope first, is idempotent under a client-supplied key (same key + same request →
 * the stored outcome; another request → IdempotencyKeyReused), reads the time from the Clock, and
 * commits case, history, outbox events and command record in one atomic CaseStore call.
 */
import { Clock, Effect, Option, Result } from "effect"
import {
  type Case,
  type CaseId,
  type CaseKind,
  type CaseState,
  type CheckSource,
  type Evidence,
  type IntakeChannel,
  isValidState,
  type Member,
  type MemberRole,
} from "../../domain/cases/Case.js"
import { allCaseParameters, type CasePolicy, readCasePolicy } from "../../domain/cases/CaseParameters.js"
import {
  type CaseCommand,
  type CaseEvent,
  decide,
  type Decision,
  openCase as openDomainCase,
  outstandingChecks,
} from "../../domain/cases/CaseMachine.js"
import type { CaseRecord, CaseStatus } from "../../domain/guard/CaseHistory.js"
import { checkFairnessUnknown } from "../../domain/guard/FairnessGuard.js"
import { allGuardParameters } from "../../domain/guard/GuardParameters.js"
import type { GuardReport } from "../../domain/guard/GuardWarning.js"
import * as Jurisdiction from "../../domain/policy/Jurisdiction.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { type InvalidValue, invalid } from "../../domain/values/InvalidValue.js"
import * as MobileNumber from "../../domain/values/MobileNumber.js"
import * as ResidentIdNumber from "../../domain/values/ResidentIdNumber.js"
import { loadPolicyTable } from "../policy/LoadPolicyTable.js"
import { AgencyRecords } from "../ports/AgencyRecords.js"
import {
  type CaseChange,
  CaseStore,
  type CaseStoreError,
  type OutboxEvent,
  type StoredCase,
} from "../ports/CaseStore.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { WarningStore } from "../ports/WarningStore.js"
import {
  type GuardListing,
  guardListing,
  guardWarningsEvent,
  raiseGuardWarnings,
} from "../supervision/GuardWarnings.js"
import { type Actor, canSee, mayCommand, mayOpen } from "./CaseActor.js"
import {
  CaseAccessDenied,
  CaseBlockedByGuard,
  CaseInputRejected,
  CaseNotFound,
  IdempotencyKeyReused,
  PredecessorInvalid,
} from "./CaseErrors.js"
import { withAuditPurpose } from "../audit/AuditContext.js"
import {
  applicantIndexOf,
  digestOf,
  economyNeedsSealing,
  fingerprintMembers,
  openCase,
  sealCase,
} from "./CaseSealing.js"

export interface GuardSignal {
  readonly rule: string
  readonly level: string
  readonly message: string
}

export interface CaseOutcome {
  readonly caseId: CaseId
  readonly state: CaseState
  readonly version: number
  /** True when the idempotency key had been used for this very request: nothing was written. */
  readonly replayed: boolean
  /** Fairness-guard signals raised by this command (公平卫士; empty on replay). */
  readonly warnings: ReadonlyArray<GuardSignal>
}

export interface MemberInput {
  readonly role: MemberRole
  readonly name: string
  readonly idNumber: string
  readonly phone?: string | null
  readonly bankCard?: string | null
}

export interface OpenCaseRequest {
  readonly id: string
  readonly kind: CaseKind
  readonly channel: IntakeChannel
  readonly district: string
  readonly projectId?: string | null
  readonly members: ReadonlyArray<MemberInput>
  readonly requiredMaterials?: ReadonlyArray<string>
  readonly receivedMaterials?: ReadonlyArray<string>
  /** 复核 (R78): the admitted or expired case this one re-reviews. */
  readonly predecessorId?: string | null
  /** R18 (廉租): household size and yearly income / property in yuan text ("39600.00"). */
  readonly economy?: {
    readonly householdSize: number
    readonly annualDisposableIncome: string
    readonly property: string
    readonly illnessPoverty?: boolean
  }
}

// ---------------------------------------------------------------------------------------------

export const scopeOf = (s: StoredCase) => ({
  district: s.district,
  projectId: s.projectId,
  applicantIndex: applicantIndexOf(s),
})

const denied = (actor: Actor, action: string, caseId: string | null) =>
  new CaseAccessDenied({ actorId: actor.id, role: actor.role, action, caseId })

const jurisdictionOf = (district: string) => {
  const r = Jurisdiction.parse(district, "district")
  return Result.isSuccess(r) ? r.success : undefined
}

/** Case and guard parameters in force on `now`'s date for the case's district. */
const policyAt = Effect.fn("Cases.policy")(function* (now: number, district: string) {
  const table = yield* loadPolicyTable([...allCaseParameters, ...allGuardParameters])
  const policy: CasePolicy = yield* Effect.fromResult(
    readCasePolicy(table.reader({ on: CivilDate.fromInstant(now), district: jurisdictionOf(district) })),
  )
  return { table, policy }
})

const GUARD_STATUS: Record<CaseState, CaseStatus> = {
  draft: "under_review",
  awaiting_pre_review: "under_review",
  awaiting_sign_in: "under_review",
  awaiting_acceptance: "under_review",
  supplementing: "under_review",
  verifying: "under_review",
  first_review: "under_review",
  first_review_notice: "under_review",
  second_review: "under_review",
  online_notice: "under_review",
  awaiting_admission: "under_review",
  admitted: "admitted",
  expiring_soon: "admitted",
  rejected: "rejected",
  first_review_failed: "review_failed",
  second_review_failed: "review_failed",
  review_failed: "review_failed",
  abandoned: "abandoned",
  deleted: "cancelled",
  cancelled: "cancelled",
  expired: "cancelled",
}

/**
 * Runs the fairness guard at the application step and at acceptance (R6, R13–R22) over the history of
 * every member's cases; the predecessor of a 复核 case is left out (it is the case being renewed). Returns
 * the signals for the caller and the R24 listing (persons as blind indexes) that the step's commit carries
 * as a `GuardWarnings` outbox event. A blocked step commits nothing: its listing is raised onto the warning
 * list here when the host provides the WarningStore (idempotent by key, so a retried command adds nothing).
 */
const guard = Effect.fn("Cases.guard")(function* (
  table: Parameters<typeof checkFairnessUnknown>[0],
  c: Case,
  now: number,
  stage: "application" | "acceptance",
) {
  const store = yield* CaseStore
  const cipher = yield* FieldCipher
  const seen = new Map<string, StoredCase>()
  for (const m of c.members) {
    const idx = yield* cipher.blindIndex("idNumber", m.idNumber)
    for (const s of yield* store.findByIdIndex(idx))
      if (s.id !== c.id && s.id !== c.predecessorId) seen.set(s.id, s)
  }
  const cases: Array<CaseRecord> = []
  for (const s of seen.values()) {
    const open = yield* openCase(s).pipe(withAuditPurpose(`fairness check of case ${c.id}`, `case:${s.id}`))
    cases.push({
      caseId: s.id,
      kind: s.kind,
      status: GUARD_STATUS[s.state],
      members: open.members.map((m) => ({
        id: m.idNumber as ResidentIdNumber.ResidentIdNumber,
        role: m.role,
      })),
      appliedOn: CivilDate.fromInstant(s.receivedAt),
      district: s.district,
      ...(s.state === "abandoned" && s.closure !== null
        ? { abandonedOn: CivilDate.fromInstant(s.closure.at) }
        : {}),
    })
  }
  const report: GuardReport = yield* Effect.fromResult(
    checkFairnessUnknown(table, {
      ...(jurisdictionOf(c.district) === undefined ? {} : { district: c.district }),
      history: { cases },
      event: {
        type: "application",
        kind: c.kind,
        on: CivilDate.fromInstant(now),
        caseId: c.id,
        stage,
        members: c.members.map((m) => ({ id: m.idNumber, role: m.role })),
        ...(c.economy === null ? {} : { economy: c.economy }),
      },
    }),
  )
  const signals = report.warnings.map((w) => ({ rule: w.rule, level: w.level, message: w.message }))
  const findings = report.findings.map((f) => ({ rule: f.rule, level: f.outcome, message: f.message }))
  // R24: whoever lights a signal goes onto the warning list.
  const listing = yield* guardListing(report, {
    stage,
    raisedOn: CivilDate.fromInstant(now),
    district: c.district,
  })
  if (report.blocked && listing !== null) {
    const list = yield* Effect.serviceOption(WarningStore)
    if (Option.isSome(list))
      yield* raiseGuardWarnings(c.id, listing, now).pipe(Effect.provideService(WarningStore, list.value))
  }
  if (report.blocked)
    return yield* new CaseBlockedByGuard({
      rules: [
        ...report.warnings.filter((w) => w.block).map((w) => w.rule),
        ...report.findings.filter((f) => f.outcome === "block").map((f) => f.rule),
      ],
      message: [...signals, ...findings].map((s) => `${s.rule}: ${s.message}`).join("; "),
    })
  return { signals: [...signals, ...findings], listing }
})

/** The `GuardWarnings` event of a committing step, after the machine's own events (none without a listing). */
const listingEvents = (
  c: Case,
  listing: GuardListing | null,
  after: number,
  at: number,
): ReadonlyArray<OutboxEvent> => (listing === null ? [] : [guardWarningsEvent(c, listing, after, at)])

const toOutbox = (c: Case, events: ReadonlyArray<CaseEvent>, at: number): ReadonlyArray<OutboxEvent> =>
  events.map(({ type, ...payload }, i) => ({
    id: `${c.id}:${c.version}:${i}`,
    caseId: c.id,
    at,
    type,
    payload: { ...payload, kind: c.kind, district: c.district, state: c.state },
  }))

/** Replays a stored outcome, or refuses a key reused for another request. */
const replayOf = Effect.fn("Cases.replay")(function* (actor: Actor, key: string, digest: string) {
  const store = yield* CaseStore
  const prior = yield* store.findCommand(actor.id, key)
  if (Option.isNone(prior)) return Option.none<CaseOutcome>()
  if (prior.value.requestDigest !== digest) return yield* new IdempotencyKeyReused({ key })
  return Option.some<CaseOutcome>({
    caseId: prior.value.caseId,
    state: prior.value.outcome.state,
    version: prior.value.outcome.version,
    replayed: true,
    warnings: [],
  })
})

/** Commits; a concurrent commit of the same key turns into that key's replay. */
const commit = (actor: Actor, change: CaseChange, warnings: ReadonlyArray<GuardSignal>) =>
  Effect.gen(function* () {
    const store = yield* CaseStore
    return yield* store.commit(change).pipe(
      Effect.as<CaseOutcome>({
        caseId: change.case.id,
        state: change.case.state,
        version: change.case.version,
        replayed: false,
        warnings,
      }),
      Effect.catchIf(
        (e: CaseStoreError) => e.reason._tag === "Conflict" && e.reason.entity === "command",
        (e) =>
          Effect.flatMap(replayOf(actor, change.command.key, change.command.requestDigest), (o) =>
            Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(e),
          ),
      ),
    )
  })

const noteOf = (cmd: CaseCommand): string =>
  "reason" in cmd ? cmd.reason : "opinion" in cmd && cmd.opinion !== undefined ? cmd.opinion : ""

// ---------------------------------------------------------------------------------------------
// Intake

const validateMembers = (members: ReadonlyArray<MemberInput>, on: CivilDate.CivilDate) => {
  const issues: Array<InvalidValue> = []
  const out: Array<Member> = []
  members.forEach((m, i) => {
    const id = ResidentIdNumber.parse(m.idNumber, { field: `members[${i}].idNumber`, asOf: on })
    const phone = m.phone == null ? Result.succeed(null) : MobileNumber.parse(m.phone, `members[${i}].phone`)
    const card =
      m.bankCard == null
        ? Result.succeed(null)
        : /^\d{12,19}$/u.test(m.bankCard)
          ? Result.succeed(m.bankCard)
          : Result.fail(
              invalid(`members[${i}].bankCard`, "bank-card.format", "****", "a bank card has 12–19 digits"),
            )
    if (m.name.trim() === "")
      issues.push(invalid(`members[${i}].name`, "member.name", "", "name is required"))
    for (const r of [id, phone, card]) if (Result.isFailure(r)) issues.push(r.failure)
    if (Result.isSuccess(id) && Result.isSuccess(phone) && Result.isSuccess(card))
      out.push({
        role: m.role,
        name: m.name.trim(),
        idNumber: id.success,
        phone: phone.success,
        bankCard: card.success,
      })
  })
  return issues.length > 0 ? Result.fail(issues) : Result.succeed(out)
}

/** Opens a case on one of the intake paths (R163), with the fairness guard at the application step. */
export const openCaseCommand = Effect.fn("Cases.open")(function* (
  actor: Actor,
  request: OpenCaseRequest,
  key: string,
) {
  const store = yield* CaseStore
  const scoped = {
    district: request.district,
    projectId: request.projectId ?? null,
    applicantIndex: undefined,
  }
  if (!mayOpen(actor, request.channel) || (actor.role !== "applicant" && !canSee(actor, scoped)))
    return yield* denied(actor, `open:${request.channel}`, request.id)
  const now = yield* Clock.currentTimeMillis
  const members = yield* Effect.fromResult(validateMembers(request.members, CivilDate.fromInstant(now))).pipe(
    Effect.mapError((issues) => new CaseInputRejected({ issues })),
  )
  const fingerprint = yield* fingerprintMembers(members)
  const digest = digestOf({ op: "open", ...request, members: fingerprint })
  const replay = yield* replayOf(actor, key, digest)
  if (Option.isSome(replay)) return replay.value
  const cipher = yield* FieldCipher
  if (actor.role === "applicant") {
    const main = members.find((m) => m.role === "applicant")
    if (main === undefined || (yield* cipher.blindIndex("idNumber", main.idNumber)) !== actor.idIndex)
      return yield* denied(actor, "open:for-another-person", request.id)
  }
  const predecessorId = (request.predecessorId ?? null) as CaseId | null
  if (predecessorId !== null) {
    const prev = yield* store.get(predecessorId)
    if (
      Option.isNone(prev) ||
      !canSee(actor.role === "applicant" ? actor : { role: "city", id: "" }, scopeOf(prev.value))
    )
      return yield* new PredecessorInvalid({ predecessorId, message: "the predecessor case does not exist" })
    const p = prev.value
    const main = members.find((m) => m.role === "applicant")
    const mainIndex = main === undefined ? undefined : yield* cipher.blindIndex("idNumber", main.idNumber)
    if (p.kind !== request.kind || applicantIndexOf(p) !== mainIndex)
      return yield* new PredecessorInvalid({
        predecessorId,
        message: "a 复核 case keeps the kind and the main applicant",
      })
    if (!["admitted", "expiring_soon", "expired"].includes(p.state))
      return yield* new PredecessorInvalid({
        predecessorId,
        message: `only an admitted or expired case can be re-reviewed (it is ${p.state})`,
      })
  }
  const opened = yield* Effect.fromResult(
    openDomainCase(
      {
        id: request.id as CaseId,
        kind: request.kind,
        channel: request.channel,
        district: request.district,
        projectId: request.projectId ?? null,
        members,
        requiredMaterials: request.requiredMaterials ?? [],
        receivedMaterials: request.receivedMaterials ?? [],
        predecessorId,
        economy: request.economy === undefined ? null : { illnessPoverty: false, ...request.economy },
      },
      now,
    ),
  )
  const { table } = yield* policyAt(now, request.district)
  const { signals: warnings, listing } = yield* guard(table, opened.case, now, "application")
  const sealed = yield* sealCase(opened.case)
  return yield* commit(
    actor,
    {
      case: sealed,
      expectedVersion: 0,
      history: {
        caseId: sealed.id,
        version: 1,
        at: now,
        actorId: actor.id,
        actorRole: actor.role,
        command: `open:${request.channel}`,
        from: null,
        to: sealed.state,
        note: predecessorId === null ? "" : `复核 of ${predecessorId}`,
      },
      events: [
        ...toOutbox(opened.case, opened.events, now),
        ...listingEvents(opened.case, listing, opened.events.length, now),
      ],
      command: {
        actorId: actor.id,
        key,
        requestDigest: digest,
        caseId: sealed.id,
        outcome: { state: sealed.state, version: 1 },
      },
    },
    warnings,
  )
})

// ---------------------------------------------------------------------------------------------
// Transitions

/** Loads a case the actor may act on, or fails with CaseNotFound / CaseAccessDenied (nothing written). */
export const loadInScope = Effect.fn("Cases.loadInScope")(function* (
  actor: Actor,
  caseId: string,
  _action: string,
) {
  const store = yield* CaseStore
  const found = yield* store.get(caseId as CaseId)
  if (Option.isNone(found)) return yield* new CaseNotFound({ caseId })
  // Out of scope reads exactly as missing: no oracle of what exists in another district.
  if (!canSee(actor, scopeOf(found.value))) return yield* new CaseNotFound({ caseId })
  return found.value
})

const persist = Effect.fn("Cases.persist")(function* (
  actor: Actor,
  stored: StoredCase,
  current: Case,
  decision: Decision,
  meta: {
    readonly key: string
    readonly digest: string
    readonly command: string
    readonly note: string
    readonly now: number
    /** The guard's R24 listing of this step (acceptance), committed as a `GuardWarnings` event. */
    readonly listing?: GuardListing | null
  },
  warnings: ReadonlyArray<GuardSignal>,
) {
  const next = decision.case
  const membersChanged = next.members !== current.members
  // Income and assets are re-sealed when they changed or were still in clear (a row from before sealing).
  const economyChanged = next.economy !== current.economy || economyNeedsSealing(stored.economy)
  const sealed: StoredCase =
    membersChanged || economyChanged
      ? yield* sealCase(next)
      : { ...next, members: stored.members, economy: stored.economy }
  return yield* commit(
    actor,
    {
      case: sealed,
      expectedVersion: stored.version,
      history: {
        caseId: next.id,
        version: next.version,
        at: meta.now,
        actorId: actor.id,
        actorRole: actor.role,
        command: meta.command,
        from: current.state,
        to: next.state,
        note: meta.note,
      },
      events: [
        ...toOutbox(next, decision.events, meta.now),
        ...listingEvents(next, meta.listing ?? null, decision.events.length, meta.now),
      ],
      command: {
        actorId: actor.id,
        key: meta.key,
        requestDigest: meta.digest,
        caseId: next.id,
        outcome: { state: next.state, version: next.version },
      },
    },
    warnings,
  )
})

/**
 * Applies one machine command. `updateDraft` members are given as input and validated here. A command
 * that changes nothing (a `tick` with nothing due) writes nothing and is not recorded.
 */
export const runCaseCommand = Effect.fn("Cases.command")(function* (
  actor: Actor,
  caseId: string,
  command:
    | CaseCommand
    | {
        readonly type: "updateDraft"
        readonly members?: ReadonlyArray<MemberInput>
        readonly materials?: ReadonlyArray<string>
      },
  key: string,
) {
  if (!mayCommand(actor, command.type)) return yield* denied(actor, command.type, caseId)
  const stored = yield* loadInScope(actor, caseId, command.type)
  const now = yield* Clock.currentTimeMillis
  let cmd = command as CaseCommand
  let digestInput: unknown = { op: "command", caseId, command }
  if (command.type === "updateDraft" && command.members !== undefined) {
    const members = yield* Effect.fromResult(
      validateMembers(command.members, CivilDate.fromInstant(now)),
    ).pipe(Effect.mapError((issues) => new CaseInputRejected({ issues })))
    cmd = { ...command, members }
    digestInput = {
      op: "command",
      caseId,
      command: { ...command, members: yield* fingerprintMembers(members) },
    }
  }
  const digest = digestOf(digestInput)
  const replay = yield* replayOf(actor, key, digest)
  if (Option.isSome(replay)) return replay.value
  const current = yield* openCase(stored).pipe(
    withAuditPurpose(`case command ${cmd.type}`, `case:${stored.id}`),
  )
  const { table, policy } = yield* policyAt(now, stored.district)
  const guarded = cmd.type === "accept" ? yield* guard(table, current, now, "acceptance") : null
  const warnings = guarded?.signals ?? []
  const decision = yield* Effect.fromResult(decide(current, cmd, { now, policy }))
  if (decision.case === current)
    return {
      caseId: current.id,
      state: current.state,
      version: current.version,
      replayed: false,
      warnings,
    } satisfies CaseOutcome
  return yield* persist(
    actor,
    stored,
    current,
    decision,
    { key, digest, command: cmd.type, note: noteOf(cmd), now, listing: guarded?.listing ?? null },
    warnings,
  )
})

// ---------------------------------------------------------------------------------------------
// Verification orchestration

/** R58: checks never called automatically for a 保租 case that passed pre-review by timeout. */
export const NOT_AUTOMATIC_AFTER_AUTO_PRE_REVIEW: ReadonlyArray<CheckSource> = [
  "real_estate",
  "public_housing",
]

/**
 * Queries the agencies for `sources` (default: the checks still outstanding, minus those R58 forbids
 * calling automatically) and stores each answer as evidence on the case. One commit for all answers.
 */
export const runVerification = Effect.fn("Cases.verify")(function* (
  actor: Actor,
  caseId: string,
  options: { readonly sources?: ReadonlyArray<CheckSource> },
  key: string,
) {
  if (!mayCommand(actor, "verify")) return yield* denied(actor, "verify", caseId)
  const stored = yield* loadInScope(actor, caseId, "verify")
  const digest = digestOf({ op: "verify", caseId, sources: options.sources ?? null })
  const replay = yield* replayOf(actor, key, digest)
  if (Option.isSome(replay)) return replay.value
  const now = yield* Clock.currentTimeMillis
  const current = yield* openCase(stored).pipe(withAuditPurpose("agency verification", `case:${stored.id}`))
  const { policy } = yield* policyAt(now, stored.district)
  const automatic = outstandingChecks(current).filter(
    (s) => !(current.tags.includes("auto_pre_review") && NOT_AUTOMATIC_AFTER_AUTO_PRE_REVIEW.includes(s)),
  )
  const sources = options.sources ?? automatic
  const agencies = yield* AgencyRecords
  let c = current
  const events: Array<CaseEvent> = []
  for (const source of sources) {
    const subjects = current.members.map((m) => ({ role: m.role, name: m.name, idNumber: m.idNumber }))
    const requestDigest = digestOf({
      source,
      caseId,
      subjects: stored.members.map((m) => ({ role: m.role, idIndex: m.idIndex })),
    })
    const answer = yield* agencies.query({ source, caseId, kind: current.kind, subjects, requestDigest })
    const evidence: Evidence = {
      source,
      at: now,
      requestDigest,
      result: answer.result,
      detail: answer.detail,
    }
    const d = yield* Effect.fromResult(decide(c, { type: "recordCheck", evidence }, { now, policy }))
    c = d.case
    events.push(...d.events)
  }
  if (sources.length === 0)
    return {
      caseId: current.id,
      state: current.state,
      version: current.version,
      replayed: false,
      warnings: [],
    } satisfies CaseOutcome
  const decision: Decision = { case: { ...c, version: current.version + 1 }, events }
  return yield* persist(
    actor,
    stored,
    current,
    decision,
    { key, digest, command: "verify", note: sources.join(","), now },
    [],
  )
})

export const isValidCase = (s: Pick<StoredCase, "state">): boolean => isValidState(s.state)
