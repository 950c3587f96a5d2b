/**
 * House selection on the server (选房, R54): a session opened from a lottery round's standing draw (families in
 * result.csv order per stratum `<projectId>/<unitType>`; units = the project's `available` stock units of the
 * round's unit types), then check-in by barcode, non-binding pre-selection, formal choice in order within the
 * stratum and once per family, skip, release, and live status. The rules are the domain's
 * (domain/selection/SelectionSession.ts) over the session rebuilt from its stored log; the once-only guarantee
 * and the unit write (StockRules.letUnit R37 / release R35) are one store transaction (SelectionStore).
 * Needs `selection.manage` and a scope covering the round's project; a session or round outside the scope
 * answers exactly like a missing one.
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { type Actor, coversStock } from "../../domain/access/Access.js"
import { toHex } from "../../domain/lottery/Digest.js"
import { waitingNumbersOf } from "../../domain/queue/WaitingNumbers.js"
import * as S from "../../domain/selection/SelectionSession.js"
import type { ProjectId, Unit, UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { requirePermission } from "../access/AccessDenied.js"
import { RoundNotDrawn, RoundNotFound, standingDraw } from "../lottery/LotteryRounds.js"
import { LotteryStore } from "../ports/LotteryStore.js"
import { settleSelection } from "../queue/Queues.js"
import { SecureRandom } from "../ports/SecureRandom.js"
import {
  type SelectionEvent,
  type SelectionFamily,
  type SelectionSessionRecord,
  SelectionStore,
  type SelectionStoreError,
  type SelectionUnitOffer,
  type StoredSelection,
} from "../ports/SelectionStore.js"
import { StockStore } from "../ports/StockStore.js"

/** No session with this id within the caller's reach (missing or out of scope: the same answer). */
export class SelectionNotFound extends Data.TaggedError("SelectionNotFound")<{ readonly sessionId: string }> {
  override get message(): string {
    return `no selection session ${this.sessionId}`
  }
}

/**
 * A selection command refused by rule R54 (or the unit's life cycle, R35/R37). `status`: 409 when the
 * session's state forbids it now (order, once only, a unit taken), 422 when the input names nothing valid.
 */
export class SelectionRefusedByRule extends Data.TaggedError("SelectionRefusedByRule")<{
  readonly reason: S.RefusalReason | "unit-changed" | "unit-not-available"
  readonly field: string
  readonly rule: string
  readonly status: 409 | 422
  readonly message: string
}> {}

const RULES: Record<S.RefusalReason, { field: string; rule: string; status: 409 | 422 }> = {
  "invalid-input": { field: "families", rule: "R54.session-input", status: 422 },
  "unknown-family": { field: "family", rule: "R54.unknown-family", status: 422 },
  "unknown-barcode": { field: "barcode", rule: "R54.unknown-barcode", status: 422 },
  "unknown-unit": { field: "unit", rule: "R54.unknown-unit", status: 422 },
  "stratum-mismatch": { field: "unit", rule: "R54.stratum", status: 422 },
  "already-checked-in": { field: "barcode", rule: "R54.check-in-once", status: 409 },
  "not-checked-in": { field: "family", rule: "R54.check-in-first", status: 409 },
  "not-your-turn": { field: "family", rule: "R54.order", status: 409 },
  "already-selected": { field: "family", rule: "R54.once", status: 409 },
  "unit-taken": { field: "unit", rule: "R54.unit-taken", status: 409 },
  "not-chosen": { field: "family", rule: "R54.release-chosen-only", status: 409 },
}

const refused = (e: S.SelectionRefused) =>
  new SelectionRefusedByRule({ reason: e.reason, message: e.message, ...RULES[e.reason] })

/** The store's once-only refusals as the same typed answers as the domain's. */
const storeRefusal = (e: SelectionStoreError): SelectionStoreError | SelectionRefusedByRule => {
  const r = e.reason
  switch (r._tag) {
    case "AlreadyDone":
      return refused(
        new S.SelectionRefused({
          reason: r.action === "check-in" ? "already-checked-in" : "already-selected",
          message: e.message,
        }),
      )
    case "UnitTaken":
      return refused(new S.SelectionRefused({ reason: "unit-taken", message: e.message }))
    case "NotChosen":
      return refused(new S.SelectionRefused({ reason: "not-chosen", message: e.message }))
    case "StaleVersion":
      return new SelectionRefusedByRule({
        reason: "unit-changed",
        field: "unit",
        rule: "R54.unit-changed",
        status: 409,
        message: `${e.message}; read the session again`,
      })
    default:
      return e
  }
}

/** The session's domain state: the fresh session from its families and units, folded with its log. */
export const stateOf = (stored: StoredSelection): S.SessionState => {
  const s = stored.session
  const base = S.makeSession(
    s.title,
    s.families.map((f) => ({ id: f.id, rank: f.rank, barcode: f.barcode, stratum: f.stratum })),
    s.units.map((u) => ({
      id: u.id,
      stratum: u.stratum,
      ...(u.label === undefined ? {} : { label: u.label }),
    })),
    s.openedAt,
  )
  // The families and units were checked by makeSession when the session was opened.
  if (Result.isFailure(base))
    throw new Error(`stored selection session ${s.sessionId}: ${base.failure.message}`)
  return S.restore(base.success, stored.log)
}

const inScope = (actor: Actor, s: { readonly district: string; readonly projectId: string }) =>
  coversStock(actor, { district: s.district, projectId: s.projectId })

const load = (actor: Actor, sessionId: string) =>
  Effect.gen(function* () {
    yield* requirePermission(actor, "selection.manage")
    const found = yield* (yield* SelectionStore).get(sessionId)
    if (Option.isNone(found) || !inScope(actor, found.value.session))
      return yield* new SelectionNotFound({ sessionId })
    return found.value
  })

/** The stratum a unit is offered in: its own type's stratum, else the round's `any` stratum. */
const stratumOfUnit = (projectId: string, strata: ReadonlySet<string>, u: Unit): string | undefined => {
  const own = `${projectId}/${u.bedrooms}-${u.halls}`
  if (strata.has(own)) return own
  const any = `${projectId}/any`
  return strata.has(any) ? any : undefined
}

const availableUnits = (projectId: string) =>
  Effect.gen(function* () {
    const stock = yield* StockStore
    const out: Array<Unit> = []
    let after: UnitId | undefined
    for (;;) {
      const page = yield* stock.listUnits({
        projectId: projectId as ProjectId,
        status: "available",
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      })
      out.push(...page.items)
      if (page.next === null) return out
      after = page.next
    }
  })

/**
 * Opens the selection session of a round's standing draw (idempotent: the draw's session if one exists).
 * RoundNotFound (also outside the scope), RoundNotDrawn without a standing draw.
 */
export const openSession = Effect.fn("Selection.openSession")(function* (
  actor: Actor,
  input: { readonly roundId: string },
) {
  yield* requirePermission(actor, "selection.manage")
  const found = yield* (yield* LotteryStore).getRound(input.roundId)
  if (Option.isNone(found) || !inScope(actor, found.value))
    return yield* new RoundNotFound({ roundId: input.roundId })
  const round = found.value
  const standing = standingDraw(round)
  if (standing === undefined) return yield* new RoundNotDrawn({ roundId: round.roundId })
  const store = yield* SelectionStore
  const existing = (yield* store.list({ roundId: round.roundId })).find(
    (s) => s.drawId === standing.draw.drawId,
  )
  if (existing !== undefined) {
    const stored = yield* store.get(existing.sessionId)
    if (Option.isSome(stored)) return stored.value
  }
  const rows = [
    ...waitingNumbersOf(round.roundId, {
      drawId: standing.draw.drawId,
      drawnAt: 0,
      resultCsv: standing.resultCsv,
    }).entries(),
  ]
  const random = yield* SecureRandom
  const bytes = yield* random.bytes(8 * (rows.length + 1))
  const hex = toHex(bytes)
  const families: Array<SelectionFamily> = rows
    .map(([id, w], i) => ({
      id,
      stratum: w.stratum,
      rank: w.rank,
      number: w.number,
      outcome: w.outcome,
      barcode: `SB-${hex.slice(16 * (i + 1), 16 * (i + 2)).toUpperCase()}`,
    }))
    .sort((a, b) => (a.stratum < b.stratum ? -1 : a.stratum > b.stratum ? 1 : a.rank - b.rank))
  const strata = new Set(families.map((f) => f.stratum))
  const units: Array<SelectionUnitOffer> = (yield* availableUnits(round.projectId)).flatMap((u) => {
    const stratum = stratumOfUnit(round.projectId, strata, u)
    return stratum === undefined
      ? []
      : [{ id: u.id, stratum, label: `${u.floor}层${u.roomNo}号 ${u.bedrooms}室${u.halls}厅` }]
  })
  const now = yield* Clock.currentTimeMillis
  const checked = S.makeSession(round.title, families, units, now)
  if (Result.isFailure(checked)) return yield* refused(checked.failure)
  const session: SelectionSessionRecord = {
    sessionId: `SS-${hex.slice(0, 16)}`,
    roundId: round.roundId,
    drawId: standing.draw.drawId,
    projectId: round.projectId,
    district: round.district,
    title: round.title,
    openedAt: now,
    openedBy: actor.id,
    families,
    units,
  }
  return (yield* store.open(session)).selection
})

export interface FamilyView {
  readonly id: string
  readonly stratum: string
  readonly rank: number
  readonly number: number
  readonly outcome: "winner" | "waiting"
  /** The check-in token printed on the family's selection notice (officers with `selection.manage` only). */
  readonly barcode: string
  readonly status: S.FamilyStatus
  readonly checkedIn: boolean
  readonly preselected: string | null
  readonly unit: string | null
}

/** Live status: progress per stratum (whose turn, units left), every family's state, the units and the log. */
export interface SelectionStatus {
  readonly sessionId: string
  readonly roundId: string
  readonly drawId: string
  readonly projectId: string
  readonly district: string
  readonly title: string
  readonly openedAt: number
  readonly progress: S.Progress
  readonly strata: ReadonlyArray<S.StratumProgress>
  readonly families: ReadonlyArray<FamilyView>
  readonly units: ReadonlyArray<SelectionUnitOffer & { readonly heldBy: string | null }>
  readonly log: ReadonlyArray<S.LogEntry>
}

/** The status of a stored session, for the officers running it (barcodes included: they issue the notices). */
export const statusView = (stored: StoredSelection): SelectionStatus => {
  const state = stateOf(stored)
  const s = stored.session
  const taken = S.takenUnits(state)
  return {
    sessionId: s.sessionId,
    roundId: s.roundId,
    drawId: s.drawId,
    projectId: s.projectId,
    district: s.district,
    title: s.title,
    openedAt: s.openedAt,
    progress: S.progress(state),
    strata: S.stratumProgress(state),
    families: s.families.map((f) => ({
      id: f.id,
      stratum: f.stratum,
      rank: f.rank,
      number: f.number,
      outcome: f.outcome,
      barcode: f.barcode,
      status: S.statusOf(state, f.id),
      checkedIn: state.checkedIn[f.id] !== undefined,
      preselected: state.preselected[f.id]?.unit ?? null,
      unit: state.chosen[f.id]?.unit ?? state.released[f.id]?.unit ?? null,
    })),
    units: s.units.map((u) => ({ ...u, heldBy: taken.get(u.id) ?? null })),
    log: state.log.slice(1),
  }
}

export const selectionStatus = Effect.fn("Selection.status")(function* (actor: Actor, sessionId: string) {
  return statusView(yield* load(actor, sessionId))
})

/** Checks the command against the domain on the current state; returns the state and the family acted on. */
const decide = (
  stored: StoredSelection,
  step: (s: S.SessionState, at: number) => Result.Result<S.SessionState, S.SelectionRefused>,
) =>
  Effect.gen(function* () {
    const at = yield* Clock.currentTimeMillis
    const next = step(stateOf(stored), at)
    if (Result.isFailure(next)) return yield* refused(next.failure)
    return { at, next: next.success }
  })

const reloaded = (actor: Actor, sessionId: string) => Effect.map(load(actor, sessionId), statusView)

/** 报到: the family's barcode checks it in (once). */
export const checkIn = Effect.fn("Selection.checkIn")(function* (
  actor: Actor,
  input: { readonly sessionId: string; readonly barcode: string },
) {
  const stored = yield* load(actor, input.sessionId)
  const { at, next } = yield* decide(stored, (s, t) => S.checkIn(s, input.barcode, t))
  const family = next.log.at(-1)!.family!
  yield* (yield* SelectionStore)
    .record(input.sessionId, { action: "check-in", family, at, actor: actor.id })
    .pipe(Effect.mapError(storeRefusal))
  return yield* reloaded(actor, input.sessionId)
})

/** 预选房: a non-binding pick (replaces an earlier one); the unit is not written. */
export const preselect = Effect.fn("Selection.preselect")(function* (
  actor: Actor,
  input: { readonly sessionId: string; readonly family: string; readonly unit: string },
) {
  const stored = yield* load(actor, input.sessionId)
  const { at } = yield* decide(stored, (s, t) => S.preselect(s, input.family, input.unit, t))
  yield* (yield* SelectionStore)
    .record(input.sessionId, {
      action: "preselect",
      family: input.family,
      unit: input.unit,
      at,
      actor: actor.id,
    })
    .pipe(Effect.mapError(storeRefusal))
  return yield* reloaded(actor, input.sessionId)
})

/** The stored unit as StockRules sees it, and the next value a transition gives it (refusal typed). */
const unitStep = (unitId: string, step: typeof Rules.letUnit) =>
  Effect.gen(function* () {
    const [u] = yield* (yield* StockStore).getUnits([unitId as UnitId])
    if (u === undefined)
      return yield* new SelectionRefusedByRule({
        reason: "unit-not-available",
        field: "unit",
        rule: "R54.unknown-unit",
        status: 409,
        message: `unit ${unitId} is no longer in the stock`,
      })
    const next = step(u)
    if (Result.isFailure(next))
      return yield* new SelectionRefusedByRule({
        reason: "unit-not-available",
        field: "unit",
        rule: next.failure.rule,
        status: 409,
        message: next.failure.message,
      })
    return { unit: next.success, expectedVersion: u.version }
  })

/**
 * 正式选房: the current family of its stratum, checked in, once; the unit goes available → let (R37) in the
 * same transaction as the choice. A concurrent second choice of the unit or by the family is refused (409).
 */
export const choose = Effect.fn("Selection.choose")(function* (
  actor: Actor,
  input: { readonly sessionId: string; readonly family: string; readonly unit: string },
) {
  const stored = yield* load(actor, input.sessionId)
  const { at } = yield* decide(stored, (s, t) => S.choose(s, input.family, input.unit, t))
  const update = yield* unitStep(input.unit, Rules.letUnit)
  const event: SelectionEvent = {
    action: "choose",
    family: input.family,
    unit: input.unit,
    at,
    actor: actor.id,
  }
  yield* (yield* SelectionStore).choose(input.sessionId, event, update).pipe(Effect.mapError(storeRefusal))
  // R54/R46: the family has its house; it leaves the project's queue (idempotent, after the transaction).
  yield* settleSelection({
    caseId: input.family,
    projectId: stored.session.projectId,
    unit: input.unit,
    at,
  })
  return yield* reloaded(actor, input.sessionId)
})

/** Skips the current family of its stratum (absent or declining), with a reason; it does not select here. */
export const skip = Effect.fn("Selection.skip")(function* (
  actor: Actor,
  input: { readonly sessionId: string; readonly family: string; readonly reason: string },
) {
  const stored = yield* load(actor, input.sessionId)
  const { at } = yield* decide(stored, (s, t) => S.skip(s, input.family, input.reason, t))
  yield* (yield* SelectionStore)
    .record(input.sessionId, {
      action: "skip",
      family: input.family,
      note: input.reason,
      at,
      actor: actor.id,
    })
    .pipe(Effect.mapError(storeRefusal))
  return yield* reloaded(actor, input.sessionId)
})

/** 解除选房: the family's choice is released and its unit goes back let → available (R35), in one transaction. */
export const release = Effect.fn("Selection.release")(function* (
  actor: Actor,
  input: { readonly sessionId: string; readonly family: string; readonly reason: string },
) {
  const stored = yield* load(actor, input.sessionId)
  const { at, next } = yield* decide(stored, (s, t) => S.release(s, input.family, input.reason, t))
  const unit = next.released[input.family]!.unit
  const update = yield* unitStep(unit, Rules.release)
  const event: SelectionEvent = {
    action: "release",
    family: input.family,
    unit,
    note: input.reason,
    at,
    actor: actor.id,
  }
  yield* (yield* SelectionStore).release(input.sessionId, event, update).pipe(Effect.mapError(storeRefusal))
  // The released family waits again in the project's queue with its waiting number (settleSelection).
  yield* settleSelection({ caseId: input.family, projectId: stored.session.projectId, unit: null, at })
  return yield* reloaded(actor, input.sessionId)
})
