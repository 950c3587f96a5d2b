/**
 * Importing an offline selection result (导入选房结果, R54) into the server's records: the opened (decrypted,
 * signature-checked) bytes of a file-based session become what a server session of the round would hold —
 * check-ins, choices, releases and skips in the round's selection session (opened first when there is none) —
 * and each unit left chosen goes available → let in the stored stock (StockRules.letUnit, R37): ONE store
 * transaction (SelectionStore.importLog), all or nothing. Idempotent: records the server already holds exactly
 * as the file says are not written again, so importing the same file twice changes nothing (`changed: false`).
 * What the server holds otherwise (the family chose another unit, was skipped or released; the unit is held by
 * another family) refuses the whole import (SelectionImportConflict, naming family and unit). Chosen families
 * leave the queue as on a server choice (settleSelection: converted). Needs `selection.manage` and the round's
 * project within the caller's scope (else RoundNotFound, as for opening a session).
 */
import { Data, Effect, Result } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import type { StatusCount } from "../../domain/inventory/Inventory.js"
import { decodeResult, type SelectionResult } from "../../domain/selection/SelectionResult.js"
import * as S from "../../domain/selection/SelectionSession.js"
import type { ProjectId, Unit, UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import { type SelectionEvent, SelectionStore, type SelectionStoreError } from "../ports/SelectionStore.js"
import { StockStore, type UnitUpdate } from "../ports/StockStore.js"
import { settleSelection } from "../queue/Queues.js"
import { openSession, type SelectionStatus, selectionStatus, stateOf } from "./Selections.js"

/**
 * The file cannot be imported into this round: `malformed` bytes, a `family` or `unit` the round's session does
 * not hold (or a unit of another stratum, or one the stock cannot let). Nothing is written.
 */
export class SelectionImportFailed extends Data.TaggedError("SelectionImportFailed")<{
  readonly reason: "malformed" | "family" | "unit"
  /** The family whose record failed, when there is one. */
  readonly family?: string
  readonly unit?: string
  /** The rule the refusal names (`R54.unknown-family`, `R54.stratum`, `R37.let-available-only`, …). */
  readonly rule?: string
  readonly message: string
}> {}

/**
 * The round's server session already holds something else for a family or unit of the file (a choice of
 * another unit, a skip, a release, the unit held by another family). Nothing is written.
 */
export class SelectionImportConflict extends Data.TaggedError("SelectionImportConflict")<{
  /** The family, and the unit, the server holds otherwise (at least one of them). */
  readonly family?: string
  readonly unit?: string
  readonly rule: "R54.import-conflict"
  readonly message: string
}> {}

export interface SelectionImport {
  readonly result: SelectionResult
  readonly roundId: string
  readonly sessionId: string
  /** false: the server already held every record of the file; nothing was written. */
  readonly changed: boolean
  /** Log entries written (0 when unchanged). */
  readonly written: number
  /** The session after the import, as `GET /api/v1/selections/{id}` shows it. */
  readonly status: SelectionStatus
  /** The file's bindings with the stored unit as it is now (let, supplied). */
  readonly bindings: ReadonlyArray<{ readonly family: string; readonly unit: Unit }>
  /** Inventory counts of the round's project after the import, from the store (R26–R42). */
  readonly counts: ReadonlyArray<StatusCount>
}

/** Order of simultaneous entries: check-in, the choice a family then released, releases, choices, skips. */
const PHASE = { checkIn: 0, chooseReleased: 1, release: 2, choose: 3, skip: 4 } as const

const storeConflict = (e: SelectionStoreError): SelectionStoreError | SelectionImportConflict => {
  const r = e.reason
  switch (r._tag) {
    case "AlreadyDone":
    case "NotChosen":
      return new SelectionImportConflict({
        family: r.family,
        rule: "R54.import-conflict",
        message: `${e.message} (changed on the server meanwhile); nothing imported`,
      })
    case "UnitTaken":
    case "StaleVersion":
      return new SelectionImportConflict({
        unit: r.unit,
        rule: "R54.import-conflict",
        message: `${e.message} (changed on the server meanwhile); nothing imported`,
      })
    default:
      return e
  }
}

export const importSelectionResult = Effect.fn("Selection.importResult")(function* (
  actor: Actor,
  payload: Uint8Array,
  input: { readonly roundId: string },
) {
  const decoded = decodeResult(payload)
  if (Result.isFailure(decoded))
    return yield* new SelectionImportFailed({ reason: "malformed", message: decoded.failure.message })
  const result = decoded.success
  const named = [...result.bindings, ...result.skipped, ...result.released].map((x) => x.family)
  const twice = named.find((f, i) => named.indexOf(f) !== i)
  if (twice !== undefined)
    return yield* new SelectionImportFailed({
      reason: "malformed",
      family: twice,
      message: `family ${twice} appears twice among the bindings, skips and releases`,
    })

  // The round's server session (permission, scope, standing draw: as `POST /selections`).
  const stored = yield* openSession(actor, input)
  const session = stored.session
  const state = stateOf(stored)
  const families = new Map(session.families.map((f) => [f.id, f]))
  const offers = new Map(session.units.map((u) => [u.id, u]))
  const where = `the selection of round ${session.roundId}`
  const known = (family: string, unit?: string) =>
    Effect.gen(function* () {
      const f = families.get(family)
      if (f === undefined)
        return yield* new SelectionImportFailed({
          reason: "family",
          family,
          rule: "R54.unknown-family",
          message: `family ${family} is not in ${where}`,
        })
      if (unit === undefined) return
      const u = offers.get(unit)
      if (u === undefined)
        return yield* new SelectionImportFailed({
          reason: "unit",
          family,
          unit,
          rule: "R54.unknown-unit",
          message: `family ${family} → unit ${unit}: the unit is not offered in ${where}`,
        })
      if (u.stratum !== f.stratum)
        return yield* new SelectionImportFailed({
          reason: "unit",
          family,
          unit,
          rule: "R54.stratum",
          message: `family ${family} → unit ${unit}: the unit is ${u.stratum}, the family selects in ${f.stratum}`,
        })
    })
  const conflict = (family: string, unit: string | undefined, wants: string) => {
    const status = S.statusOf(state, family)
    const held = state.chosen[family]?.unit ?? state.released[family]?.unit
    return new SelectionImportConflict({
      family,
      ...(unit === undefined ? {} : { unit }),
      rule: "R54.import-conflict",
      message: `family ${family} is ${status}${held === undefined ? "" : ` (unit ${held})`} on the server; the file ${wants}; nothing imported`,
    })
  }

  // What the file says that the server does not hold yet, as log entries (R54: the file's instants).
  const ops: Array<{ readonly phase: number; readonly event: SelectionEvent }> = []
  const note = `offline: ${result.title}`
  const event = (e: Omit<SelectionEvent, "actor">): SelectionEvent => ({ ...e, actor: actor.id })
  const checkInFirst = (family: string, at: number) => {
    if (state.checkedIn[family] === undefined)
      ops.push({ phase: PHASE.checkIn, event: event({ action: "check-in", family, at, note }) })
  }
  for (const b of result.bindings) {
    yield* known(b.family, b.unit)
    const status = S.statusOf(state, b.family)
    if (status === "chosen" && state.chosen[b.family]?.unit === b.unit) continue
    if (status !== "pending") return yield* conflict(b.family, b.unit, `binds it to unit ${b.unit}`)
    checkInFirst(b.family, b.at)
    ops.push({
      phase: PHASE.choose,
      event: event({ action: "choose", family: b.family, unit: b.unit, at: b.at, note }),
    })
  }
  for (const k of result.skipped) {
    yield* known(k.family)
    const status = S.statusOf(state, k.family)
    if (status === "skipped") continue
    if (status !== "pending") return yield* conflict(k.family, undefined, "skips it")
    ops.push({
      phase: PHASE.skip,
      event: event({ action: "skip", family: k.family, note: k.reason, at: k.at }),
    })
  }
  for (const r of result.released) {
    yield* known(r.family, r.unit)
    const status = S.statusOf(state, r.family)
    if (status === "released" && state.released[r.family]?.unit === r.unit) continue
    const release = event({ action: "release", family: r.family, unit: r.unit, note: r.reason, at: r.at })
    if (status === "chosen" && state.chosen[r.family]?.unit === r.unit) {
      ops.push({ phase: PHASE.release, event: release })
      continue
    }
    if (status !== "pending") return yield* conflict(r.family, r.unit, `released its unit ${r.unit}`)
    // The file keeps the release, not the instant of the choice it undid: both at the release's instant.
    checkInFirst(r.family, r.at)
    ops.push({
      phase: PHASE.chooseReleased,
      event: event({ action: "choose", family: r.family, unit: r.unit, at: r.at, note }),
    })
    ops.push({ phase: PHASE.release, event: release })
  }
  const events = ops
    .map((o, i) => ({ ...o, i }))
    .sort((a, b) => a.event.at - b.event.at || a.phase - b.phase || a.i - b.i)
    .map((o) => o.event)

  // Who holds which unit after the import; a unit held twice is a conflict, named.
  const before = S.takenUnits(state)
  const holders = new Map(before)
  for (const e of events) {
    if (e.unit === undefined) continue
    if (e.action === "release") holders.delete(e.unit)
    else if (e.action === "choose") {
      const holder = holders.get(e.unit)
      if (holder !== undefined)
        return yield* new SelectionImportConflict({
          family: e.family,
          unit: e.unit,
          rule: "R54.import-conflict",
          message: `unit ${e.unit} is held by family ${holder} on the server; the file binds it to family ${e.family}; nothing imported`,
        })
      holders.set(e.unit, e.family)
    }
  }

  const stock = yield* StockStore
  const store = yield* SelectionStore
  if (events.length > 0) {
    // Net unit changes: let what a new choice holds, give back what the import frees (R37 / R35).
    const changedUnits = [
      ...[...holders.keys()].filter((u) => !before.has(u)).map((u) => [u, Rules.letUnit] as const),
      ...[...before.keys()].filter((u) => !holders.has(u)).map((u) => [u, Rules.release] as const),
    ]
    const current = new Map(
      (yield* stock.getUnits(changedUnits.map(([u]) => u as UnitId))).map((u) => [u.id as string, u]),
    )
    const updates: Array<UnitUpdate> = []
    for (const [id, step] of changedUnits) {
      const family = holders.get(id) ?? before.get(id) ?? ""
      const u = current.get(id)
      if (u === undefined)
        return yield* new SelectionImportFailed({
          reason: "unit",
          family,
          unit: id,
          rule: "R54.unknown-unit",
          message: `family ${family} → unit ${id}: no such unit in the stock`,
        })
      const next = step(u)
      if (Result.isFailure(next))
        return yield* new SelectionImportFailed({
          reason: "unit",
          family,
          unit: id,
          rule: next.failure.rule,
          message: `family ${family} → unit ${id}: ${next.failure.message} [${next.failure.rule}]`,
        })
      updates.push({ unit: next.success, expectedVersion: u.version })
    }
    yield* store.importLog(session.sessionId, events, updates).pipe(Effect.mapError(storeConflict))
    // R54/R46: as after a server choice, a family with its house leaves the project's queue; a released one
    // waits again (idempotent, after the transaction).
    for (const e of events) {
      if (e.action !== "choose" && e.action !== "release") continue
      const chosen = e.action === "choose" && holders.get(e.unit ?? "") === e.family
      if (e.action === "choose" && !chosen) continue
      yield* settleSelection({
        caseId: e.family,
        projectId: session.projectId,
        unit: chosen ? (e.unit ?? null) : null,
        at: e.at,
      })
    }
  }

  const status = yield* selectionStatus(actor, session.sessionId)
  const bound = yield* stock.getUnits(result.bindings.map((b) => b.unit as UnitId))
  const byId = new Map(bound.map((u) => [u.id as string, u]))
  const counts = yield* stock.countUnits({ inProjects: [session.projectId as ProjectId] })
  return {
    result,
    roundId: session.roundId,
    sessionId: session.sessionId,
    changed: events.length > 0,
    written: events.length,
    status,
    bindings: result.bindings.flatMap((b) => {
      const unit = byId.get(b.unit)
      return unit === undefined ? [] : [{ family: b.family, unit }]
    }),
    counts,
  } satisfies SelectionImport
})
