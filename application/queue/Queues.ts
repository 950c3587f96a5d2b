/**
 * Waiting-queue use-cases (轮候): an admitted case's family enters its project's or kind's queue (from the
 * CaseAdmitted outbox event, idempotent by the event key), leaves it on closure, cancellation or exit (R12,
 * R33/R34: a held slot is restored), is ranked by the queue's stored plan (R45–R50), and, in 保租 queues,
 * is offered a unit with the 24 h / 3 h windows (R43/R44) as persisted deadlines that `expireQueueWindows`
 * times out (the next family moves up). Pure rules live in domain/queue; scope is checked here.
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { type Actor, coversStock, type Permission } from "../../domain/access/Access.js"
import type { Applicant, IntentionMark } from "../../domain/queue/Applicant.js"
import { type BaozuQueueEvent, step } from "../../domain/queue/BaozuQueue.js"
import {
  builtinPlanFor,
  holdsByPool,
  isActive,
  type Place,
  placeOf,
  poolOf,
  type QueueEntry,
  queueIdFor,
  rankEntries,
  toMachine,
  withMachine,
} from "../../domain/queue/QueueEntry.js"
import type { QueuePlan } from "../../domain/queue/QueuePlan.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"
import { CaseStore } from "../ports/CaseStore.js"
import { QueueStore, type QueueStoreError } from "../ports/QueueStore.js"

/** A queue operation the rules refuse; `rule` names it (`R43`, `R44`, `queue.not-allowed`, …). */
export class QueueRefused extends Data.TaggedError("QueueRefused")<{
  readonly caseId: string
  readonly rule: string
  readonly message: string
}> {}

/** No entry within the actor's reach (answered like a missing object: no oracle of other scopes). */
export class QueueEntryNotFound extends Data.TaggedError("QueueEntryNotFound")<{
  readonly caseId: string
  readonly message: string
}> {}

const ADMITTED = new Set(["admitted", "expiring_soon"])

/** Whether the actor's data scope covers a queue entry: own family, district, projects, city. */
export const coversEntry = (actor: Actor, e: QueueEntry): boolean =>
  actor.role === "applicant"
    ? e.applicantIndex === actor.idIndex
    : coversStock(actor, { district: e.district, projectId: e.projectId })

const planOf = (store: QueueStore["Service"], queueId: string, kind: string) =>
  Effect.map(store.plan(queueId), (p) => Option.getOrElse(p, () => builtinPlanFor(kind)))

/**
 * Puts an admitted case's family into its queue (project's, or kind's without a project). Idempotent by
 * `eventKey` (`<handler>:<event id>`): replays return the stored entry. A case no longer admitted when the
 * event arrives (closed meanwhile) enters nothing (`entry: null`).
 */
export const enterQueue = Effect.fn("Queues.enter")(function* (input: {
  readonly caseId: string
  readonly eventKey: string
  /** Instant of the admission (pool-entry time, 入库时间), epoch ms. */
  readonly at: number
  /** Unit type the family waits for (`<bedrooms>-<halls>`); `any` when the case names none. */
  readonly unitType?: string
}) {
  const cases = yield* CaseStore
  const store = yield* QueueStore
  const found = yield* cases.get(input.caseId as never)
  if (Option.isNone(found))
    return yield* new QueueEntryNotFound({ caseId: input.caseId, message: "no such case" })
  const c = found.value
  if (!ADMITTED.has(c.state)) return { created: false, entry: null }
  const queueId = queueIdFor(c.kind, c.projectId)
  yield* store.setPlan(queueId, builtinPlanFor(c.kind), true)
  const applicant: Applicant = {
    id: c.id,
    project: c.projectId ?? c.kind,
    unitType: input.unitType ?? "any",
    entryAt: input.at,
    qualifiedOn: CivilDate.toDayNumber(c.certificate?.validFrom ?? CivilDate.fromInstant(input.at)),
    ...(c.certificate === null
      ? {}
      : { certificateValidUntil: CivilDate.toDayNumber(c.certificate.validUntil) }),
    hardship: "none",
    intention: "none",
    ...(c.economy === null ? {} : { familySize: c.economy.householdSize }),
  }
  const r = yield* store.enter({
    queueId,
    caseId: c.id,
    kind: c.kind,
    district: c.district,
    projectId: c.projectId,
    applicantIndex: c.members.find((m) => m.role === "applicant")?.idIndex ?? "",
    applicant,
    status: "waiting",
    at: input.at,
    windowStart: null,
    deadline: null,
    enteredBy: input.eventKey,
    leftReason: null,
    version: 1,
  })
  return { created: r.created, entry: r.entry as QueueEntry | null }
})

export type LeaveReason = "closed" | "cancelled" | "exit"

/**
 * Takes a case's family out of every queue it is in (closure, 注销 cancellation, 自愿放弃 exit). Entries in
 * 待申请/申请中/待审核 held a slot of their project × unit type: it is restored (R33/R34), i.e. the pool's
 * `holdsByPool(...).metered` — the `holds` argument of Inventory.remainingRentable — drops by one.
 * Idempotent: a second call finds nothing active and changes nothing.
 */
export const leaveQueue = Effect.fn("Queues.leave")(function* (input: {
  readonly caseId: string
  readonly reason: LeaveReason
  readonly at: number
  readonly note?: string
}) {
  const store = yield* QueueStore
  const active = (yield* store.list({ caseId: input.caseId, limit: 100 })).filter(isActive)
  const left: Array<QueueEntry> = []
  const restored: Array<{ readonly queueId: string; readonly pool: string }> = []
  for (const e of active) {
    const exitable = e.status === "waiting" || e.status === "pendingReview"
    const event: BaozuQueueEvent =
      input.reason === "exit" && exitable
        ? { _tag: "Abandon", at: Math.max(input.at, e.at) }
        : { _tag: "Remove", at: Math.max(input.at, e.at), reason: input.reason }
    const s = step(toMachine(e), event)
    const saved = yield* store.save(withMachine(e, s.entry, input.note ?? input.reason))
    left.push(saved)
    if (s.effects.includes("restoreUnits")) restored.push({ queueId: e.queueId, pool: poolOf(e) })
  }
  return { left, restored }
})

/** The slots held per pool of a queue (R33/R34), for the inventory's `holds` argument. */
export const queueHolds = Effect.fn("Queues.holds")(function* (queueId: string) {
  const store = yield* QueueStore
  return holdsByPool(yield* store.entries(queueId))
})

const rankOrRefuse = (plan: QueuePlan, entries: ReadonlyArray<QueueEntry>, on: CivilDate.CivilDate) => {
  const r = rankEntries(plan, entries, on)
  return Result.isFailure(r)
    ? Effect.fail(
        new QueueRefused({ caseId: r.failure.id, rule: "R45.tie-break", message: r.failure.message }),
      )
    : Effect.succeed(r.success)
}

/** 申请审核 for the pool's first waiting family in ranking order: 待申请 with a 24-h window (R43). */
const offerHead = (store: QueueStore["Service"], queueId: string, pool: string, at: number, actor?: Actor) =>
  Effect.gen(function* () {
    const entries = yield* store.entries(queueId)
    const kind = entries[0]?.kind ?? "baozu"
    const plan = yield* planOf(store, queueId, kind)
    const ranked = yield* rankOrRefuse(plan, entries, CivilDate.fromInstant(at))
    const head = ranked.order.find((e) => poolOf(e) === pool && e.status === "waiting")
    if (head === undefined) return null
    if (actor !== undefined && !coversEntry(actor, head))
      return yield* new AccessDenied({
        actorId: actor.id,
        permission: "queue.manage",
        object: `queue:${queueId}`,
      })
    const s = step(toMachine(head), { _tag: "Offer", at })
    if (!s.accepted)
      return yield* new QueueRefused({
        caseId: head.caseId,
        rule: "queue.not-allowed",
        message: "cannot offer",
      })
    return yield* store.save(withMachine(head, s.entry))
  })

/** An officer offers the next unit of a pool (保租 申请审核) to the first waiting family. */
export const offerNext = Effect.fn("Queues.offerNext")(function* (
  actor: Actor,
  input: { readonly queueId: string; readonly pool: string },
) {
  yield* requirePermission(actor, "queue.manage")
  const store = yield* QueueStore
  const at = yield* Clock.currentTimeMillis
  // A queue with nothing within reach answers like one that does not exist (no oracle of other scopes).
  if (!(yield* store.entries(input.queueId)).some((e) => coversEntry(actor, e)))
    return yield* new QueueEntryNotFound({ caseId: "", message: `no queue ${input.queueId} within reach` })
  const offered = yield* offerHead(store, input.queueId, input.pool, at, actor)
  if (offered === null)
    return yield* new QueueRefused({
      caseId: "",
      rule: "queue.no-waiting-family",
      message: `no family is waiting in pool ${input.pool}`,
    })
  return offered
})

/**
 * 意愿标注 (R46, 共有产权): before a lottery or selection an officer marks a waiting family's intention —
 * 1次标注 `first`, 2次标注 `second`, 未标注 `none`; only marked families take part (the GONGYOU plan excludes
 * unmarked ones, so a round from the queue takes marked families only). Allowed while the family is still
 * waiting; marking the mark it already has changes nothing (idempotent). Needs `queue.manage` and a scope
 * covering the entry.
 */
export const markIntention = Effect.fn("Queues.markIntention")(function* (
  actor: Actor,
  input: { readonly queueId: string; readonly caseId: string; readonly mark: IntentionMark },
) {
  yield* requirePermission(actor, "queue.manage")
  const store = yield* QueueStore
  const found = yield* store.get(input.queueId, input.caseId)
  if (Option.isNone(found) || !coversEntry(actor, found.value))
    return yield* new QueueEntryNotFound({
      caseId: input.caseId,
      message: "no such queue entry within reach",
    })
  const e = found.value
  if (e.status !== "waiting")
    return yield* new QueueRefused({
      caseId: e.caseId,
      rule: "R46.waiting-only",
      message: `an intention is marked on a waiting family; this one is ${e.status}`,
    })
  if (e.applicant.intention === input.mark) return e
  return yield* store.save({ ...e, applicant: { ...e.applicant, intention: input.mark } })
})

/**
 * 选房 settles the family's place (R54; R46 "signing = leaving the queue"): a formal choice of `unit` takes the
 * family out of the project's queue (`converted`, leftReason `R54.selected:<unit>`); releasing the choice
 * (解除选房, `unit: null`) puts it back to waiting, its waiting number kept — Anju's reading, in force from
 * 2026-12-04 (the seed says only that the family does not choose again in that session). Called by the
 * selection use-cases after their transaction; idempotent, so a retry or a replay changes nothing.
 */
export const settleSelection = Effect.fn("Queues.settleSelection")(function* (input: {
  readonly caseId: string
  readonly projectId: string
  readonly unit: string | null
  readonly at: number
}) {
  const store = yield* QueueStore
  const entries = yield* store.list({ caseId: input.caseId, projectIds: [input.projectId], limit: 10 })
  const changed: Array<QueueEntry> = []
  for (const e of entries) {
    const at = Math.max(input.at, e.at)
    if (input.unit !== null && isActive(e))
      changed.push(
        yield* store.save(withMachine(e, { status: "converted", at }, `R54.selected:${input.unit}`)),
      )
    else if (input.unit === null && e.status === "converted" && e.leftReason?.startsWith("R54.selected:"))
      changed.push(yield* store.save(withMachine(e, { status: "waiting", at })))
  }
  return changed
})

export type WindowAction = "OpenForm" | "Submit" | "Approve" | "Rollback" | "Abandon"
const ACTION_PERMISSION: Record<WindowAction, Permission> = {
  OpenForm: "cases.command",
  Submit: "cases.command",
  Abandon: "cases.command",
  Approve: "queue.manage",
  Rollback: "queue.manage",
}

/**
 * One step of the 保租 window machine on a stored entry (R43 open the form within 24 h, R44 submit within
 * 3 h). A step after the deadline stores the 超时放弃 and fails with the rule.
 */
export const windowStep = Effect.fn("Queues.windowStep")(function* (
  actor: Actor,
  input: { readonly queueId: string; readonly caseId: string; readonly action: WindowAction },
) {
  const permission = ACTION_PERMISSION[input.action]
  yield* requirePermission(actor, permission)
  const store = yield* QueueStore
  const found = yield* store.get(input.queueId, input.caseId)
  if (Option.isNone(found) || !coversEntry(actor, found.value))
    return yield* new QueueEntryNotFound({
      caseId: input.caseId,
      message: "no such queue entry within reach",
    })
  const e = found.value
  const at = Math.max(yield* Clock.currentTimeMillis, e.at)
  const s = step(toMachine(e), { _tag: input.action, at })
  if (s.accepted) return yield* store.save(withMachine(e, s.entry))
  if (s.refusal === "timed-out") {
    yield* store.save(withMachine(e, s.entry, e.status === "offered" ? "R43.timeout" : "R44.timeout"))
    return yield* new QueueRefused({
      caseId: e.caseId,
      rule: e.status === "offered" ? "R43" : "R44",
      message:
        e.status === "offered"
          ? "the 24-h window to apply has passed"
          : "the 3-h window to submit has passed",
    })
  }
  return yield* new QueueRefused({
    caseId: e.caseId,
    rule: "queue.not-allowed",
    message: `${input.action} is not allowed in state ${e.status}`,
  })
})

/**
 * The scheduled tick (R43/R44): times out every open window whose deadline lies before `now` and offers
 * each freed slot to the next waiting family of the same pool. Safe to run twice or concurrently: a
 * second run finds nothing due; an entry changed meanwhile (stale version) is left to its writer.
 */
export const expireQueueWindows = Effect.fn("Queues.expireWindows")(function* (now: number, limit = 500) {
  const store = yield* QueueStore
  const due = yield* store.due(now, limit)
  const expired: Array<QueueEntry> = []
  const offered: Array<QueueEntry> = []
  for (const e of due) {
    const s = step(toMachine(e), { _tag: "Tick", at: now })
    if (s.entry.status !== "timedOut") continue
    const saved = yield* store
      .save(withMachine(e, s.entry, e.status === "offered" ? "R43.timeout" : "R44.timeout"))
      .pipe(
        Effect.catchIf(
          (x: QueueStoreError) => x.reason._tag === "StaleVersion",
          () => Effect.succeed(null),
        ),
      )
    if (saved === null) continue
    expired.push(saved)
    const next = yield* offerHead(store, e.queueId, poolOf(e), now)
    if (next !== null) offered.push(next)
  }
  return { expired, offered }
})

/**
 * A family's place in its queue(s) and the reasons for it, on the civil day of `now`. An applicant sees
 * only their own; a district officer their district; an operator their projects; city everything.
 */
export const queuePlace = Effect.fn("Queues.place")(function* (
  actor: Actor,
  input: { readonly caseId?: string },
) {
  yield* requirePermission(actor, "cases.read")
  const store = yield* QueueStore
  const now = yield* Clock.currentTimeMillis
  const on = CivilDate.fromInstant(now)
  const candidates =
    actor.role === "applicant"
      ? yield* store.list({
          applicantIndex: actor.idIndex,
          ...(input.caseId === undefined ? {} : { caseId: input.caseId }),
          limit: 100,
        })
      : input.caseId === undefined
        ? []
        : yield* store.list({ caseId: input.caseId, limit: 100 })
  const visible = candidates.filter((e) => coversEntry(actor, e))
  if (visible.length === 0)
    return yield* new QueueEntryNotFound({
      caseId: input.caseId ?? "",
      message: "no queue entry within this identity's reach",
    })
  const places: Array<Place> = []
  for (const e of visible) {
    const plan = yield* planOf(store, e.queueId, e.kind)
    places.push(placeOf(plan, yield* store.entries(e.queueId), e, on))
  }
  return places
})

/** A queue in ranking order (officers): only the entries the actor's scope covers are listed; none → not found. */
export const rankQueue = Effect.fn("Queues.rank")(function* (actor: Actor, queueId: string) {
  yield* requirePermission(actor, "cases.read")
  if (actor.role === "applicant")
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "cases.read",
      object: `queue:${queueId}`,
    })
  const store = yield* QueueStore
  const entries = yield* store.entries(queueId)
  const plan = yield* planOf(store, queueId, entries[0]?.kind ?? "gongzu")
  const on = CivilDate.fromInstant(yield* Clock.currentTimeMillis)
  const ranked = yield* rankOrRefuse(plan, entries, on)
  const items = ranked.order
    .filter((e) => coversEntry(actor, e))
    .map((e) => ({
      caseId: e.caseId,
      pool: poolOf(e),
      position: ranked.position.get(e.caseId)!.position,
      status: e.status,
      deadline: e.deadline,
      lottery: e.lottery ?? null,
    }))
  // A queue with nothing within reach answers like one that does not exist (no oracle of other scopes).
  if (items.length === 0)
    return yield* new QueueEntryNotFound({
      caseId: "",
      message: `no queue ${queueId} within this identity's reach`,
    })
  return { queueId, plan: plan.id, on, items }
})
