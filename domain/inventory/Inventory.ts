/**
 * Unit inventory (剩余可租套数 / 可申请名额) per stratum (project × unit type, 项目户型), driven by events
 * (R26–R42). Pure and immutable: `apply` returns a new state or a typed rejection and never mutates.
 * Invariants after every accepted event, per stratum: 0 ≤ remainingRentable ≤ available ≤ supply, and the
 * counters equal a recount of the unit and application records. A rejected event changes nothing.
 */
import { Data, Result } from "effect"

/** How a unit stands in the inventory: 待发布 draft, 可租 available, 锁定 locked, 已租/已选 let, 不可使用 unusable. */
export type UnitState = "draft" | "available" | "locked" | "let" | "unusable"

export interface UnitRecord {
  readonly stratum: string
  readonly state: UnitState
  /** Status a lock interrupted (R37), restored on unlock. */
  readonly beforeLock?: "draft" | "available"
  /** Application bound to the unit while `let`. */
  readonly boundTo?: string
}

/**
 * An application's claim: `holding` a slot of a stratum (submitted, not yet bound to a unit) or `bound` to a
 * unit. `metered` holds deducted the remaining rentable count at submission (normal period, R27); holds made
 * during a centralised-allocation acceptance period are not metered (R26).
 */
export type ApplicationRecord =
  | { readonly _tag: "holding"; readonly stratum: string; readonly metered: boolean }
  | { readonly _tag: "bound"; readonly unit: string }

/** Allocation period of the project at submission: 常态化 normal, or 集中配租受理期 centralised acceptance. */
export type Period = "normal" | "centralised"

export type InventoryEvent =
  /** Publish (发布) a unit: register it if new, draft → available (R36). */
  | { readonly _tag: "Publish"; readonly unit: string; readonly stratum: string }
  /** Recall (撤回发布 / 回收): available → draft; counts recomputed at once (R36). */
  | { readonly _tag: "Recall"; readonly unit: string }
  /** Lock (锁定), by hand or for 不可出租 (R37): available or draft → locked. */
  | { readonly _tag: "Lock"; readonly unit: string }
  | { readonly _tag: "Unlock"; readonly unit: string }
  /** Submit an application (R27, R28); in the normal period it needs a remaining rentable unit (R26). */
  | {
      readonly _tag: "Submit"
      readonly application: string
      readonly stratum: string
      readonly period: Period
    }
  /** Roll back a submission (R30): the deduction is restored only if it was made (normal period). */
  | { readonly _tag: "Rollback"; readonly application: string }
  /** Voluntary abandonment (自愿放弃) of a held slot (R28, R29). */
  | { readonly _tag: "Abandon"; readonly application: string }
  /** Rejection (不予受理 / 审核不通过) frees the slot (R33). */
  | { readonly _tag: "Reject"; readonly application: string }
  /** Closure after failed verification (核查不通过办结) restores the count (R34). */
  | { readonly _tag: "FailVerification"; readonly application: string }
  /** Bind person and house (contract, selection): the hold (if any) becomes the unit, which is let. */
  | { readonly _tag: "Bind"; readonly application: string; readonly unit: string }
  /** Revoke an unsigned contract (合同撤销, R32): unbind; the unit is rentable again. */
  | { readonly _tag: "Revoke"; readonly application: string }
  /** House exchange (换房, R35): the old unit back to rentable, the new one let. */
  | { readonly _tag: "Exchange"; readonly application: string; readonly unit: string }
  /** Move-out (退租): unbind; the unit is rentable again. */
  | { readonly _tag: "MoveOut"; readonly application: string }
  /** Exit of a registration (退出网签备案, R38): unbind; the unit becomes 不可使用 until restored. */
  | { readonly _tag: "Exit"; readonly application: string }
  /** Follow-up handling done: unusable → available. */
  | { readonly _tag: "Restore"; readonly unit: string }

export interface StratumCounts {
  /** Published units (available, locked after publication, let, unusable): the supply. */
  readonly supply: number
  readonly available: number
  readonly locked: number
  readonly let: number
  readonly unusable: number
  readonly draft: number
  readonly meteredHolds: number
  readonly unmeteredHolds: number
}

export interface Inventory {
  readonly units: ReadonlyMap<string, UnitRecord>
  readonly applications: ReadonlyMap<string, ApplicationRecord>
  readonly counts: ReadonlyMap<string, StratumCounts>
}

export type RejectionReason =
  | "unknown-unit"
  | "unknown-application"
  | "duplicate-application"
  | "stratum-mismatch"
  | "wrong-unit-state"
  | "wrong-application-state"
  | "no-remaining-units"

/** An event that cannot apply to the current state; the state is unchanged. */
export class InventoryRejected extends Data.TaggedError("InventoryRejected")<{
  readonly event: InventoryEvent["_tag"]
  readonly reason: RejectionReason
  readonly message: string
}> {}

export const empty: Inventory = { units: new Map(), applications: new Map(), counts: new Map() }

const ZERO: StratumCounts = {
  supply: 0,
  available: 0,
  locked: 0,
  let: 0,
  unusable: 0,
  draft: 0,
  meteredHolds: 0,
  unmeteredHolds: 0,
}

/** 剩余可租套数: available units not reserved by a metered hold (R26, R27). Never negative. */
export const remainingRentable = (c: StratumCounts): number => c.available - c.meteredHolds
/** 剩余可申请名额: available units minus every hold, floored at 0 (R28). */
export const remainingApplicable = (c: StratumCounts): number =>
  Math.max(0, c.available - c.meteredHolds - c.unmeteredHolds)
/** Holds beyond the available units (possible only after a centralised acceptance period): the queue's share. */
export const oversubscribed = (c: StratumCounts): number =>
  Math.max(0, c.meteredHolds + c.unmeteredHolds - c.available)

export const countsOf = (inv: Inventory, stratum: string): StratumCounts => inv.counts.get(stratum) ?? ZERO

/** A mutable working copy; committed only when the invariants hold. */
class Draft {
  readonly units: Map<string, UnitRecord>
  readonly applications: Map<string, ApplicationRecord>
  readonly counts: Map<string, StratumCounts>
  readonly touched = new Set<string>()
  constructor(inv: Inventory) {
    this.units = new Map(inv.units)
    this.applications = new Map(inv.applications)
    this.counts = new Map(inv.counts)
  }
  private bump(stratum: string, f: (c: StratumCounts) => StratumCounts) {
    this.counts.set(stratum, f(this.counts.get(stratum) ?? ZERO))
    this.touched.add(stratum)
  }
  setUnit(id: string, next: UnitRecord) {
    const prev = this.units.get(id)
    if (prev !== undefined) this.bump(prev.stratum, (c) => moveUnit(c, prev.state, -1))
    this.bump(next.stratum, (c) => moveUnit(c, next.state, +1))
    this.units.set(id, next)
  }
  setApplication(id: string, next: ApplicationRecord | undefined) {
    const prev = this.applications.get(id)
    if (prev?._tag === "holding") this.bump(prev.stratum, (c) => moveHold(c, prev.metered, -1))
    if (next === undefined) this.applications.delete(id)
    else {
      if (next._tag === "holding") this.bump(next.stratum, (c) => moveHold(c, next.metered, +1))
      this.applications.set(id, next)
    }
  }
  freeze(): Inventory {
    return { units: this.units, applications: this.applications, counts: this.counts }
  }
}

const moveUnit = (c: StratumCounts, s: UnitState, d: number): StratumCounts => {
  const n = { ...c, [s]: c[s] + d }
  return { ...n, supply: n.available + n.locked + n.let + n.unusable }
}
const moveHold = (c: StratumCounts, metered: boolean, d: number): StratumCounts =>
  metered ? { ...c, meteredHolds: c.meteredHolds + d } : { ...c, unmeteredHolds: c.unmeteredHolds + d }

const reject = (event: InventoryEvent, reason: RejectionReason, message: string) =>
  Result.fail(new InventoryRejected({ event: event._tag, reason, message }))

/** Applies one event. Rejections name the reason; `no-remaining-units` on Submit means "send to the queue" (R28). */
export const apply = (inv: Inventory, event: InventoryEvent): Result.Result<Inventory, InventoryRejected> => {
  const d = new Draft(inv)
  const unitOf = (id: string) => d.units.get(id)
  const appOf = (id: string) => d.applications.get(id)
  switch (event._tag) {
    case "Publish": {
      const u = unitOf(event.unit)
      if (u === undefined) d.setUnit(event.unit, { stratum: event.stratum, state: "available" })
      else if (u.stratum !== event.stratum)
        return reject(event, "stratum-mismatch", `unit ${event.unit} belongs to ${u.stratum}`)
      else if (u.state !== "draft")
        return reject(event, "wrong-unit-state", `unit ${event.unit} is ${u.state}, not draft`)
      else d.setUnit(event.unit, { stratum: u.stratum, state: "available" })
      break
    }
    case "Recall":
    case "Lock": {
      const u = unitOf(event.unit)
      if (u === undefined) return reject(event, "unknown-unit", `no unit ${event.unit}`)
      if (event._tag === "Recall" && u.state !== "available")
        return reject(
          event,
          "wrong-unit-state",
          `unit ${event.unit} is ${u.state}; only an available unit is recalled`,
        )
      if (event._tag === "Lock" && u.state !== "available" && u.state !== "draft")
        return reject(event, "wrong-unit-state", `unit ${event.unit} is ${u.state}; it cannot be locked`)
      d.setUnit(
        event.unit,
        event._tag === "Recall"
          ? { stratum: u.stratum, state: "draft" }
          : { stratum: u.stratum, state: "locked", beforeLock: u.state as "draft" | "available" },
      )
      break
    }
    case "Unlock": {
      const u = unitOf(event.unit)
      if (u === undefined) return reject(event, "unknown-unit", `no unit ${event.unit}`)
      if (u.state !== "locked") return reject(event, "wrong-unit-state", `unit ${event.unit} is not locked`)
      d.setUnit(event.unit, { stratum: u.stratum, state: u.beforeLock ?? "available" })
      break
    }
    case "Restore": {
      const u = unitOf(event.unit)
      if (u === undefined) return reject(event, "unknown-unit", `no unit ${event.unit}`)
      if (u.state !== "unusable")
        return reject(event, "wrong-unit-state", `unit ${event.unit} is not unusable`)
      d.setUnit(event.unit, { stratum: u.stratum, state: "available" })
      break
    }
    case "Submit": {
      if (appOf(event.application) !== undefined)
        return reject(event, "duplicate-application", `application ${event.application} already holds a slot`)
      d.setApplication(event.application, {
        _tag: "holding",
        stratum: event.stratum,
        metered: event.period === "normal",
      })
      break
    }
    case "Rollback":
    case "Abandon":
    case "Reject":
    case "FailVerification": {
      const a = appOf(event.application)
      if (a === undefined) return reject(event, "unknown-application", `no application ${event.application}`)
      if (a._tag !== "holding")
        return reject(event, "wrong-application-state", `application ${event.application} is already bound`)
      d.setApplication(event.application, undefined)
      break
    }
    case "Bind": {
      const a = appOf(event.application)
      if (a?._tag === "bound")
        return reject(event, "wrong-application-state", `application ${event.application} is already bound`)
      const u = unitOf(event.unit)
      if (u === undefined) return reject(event, "unknown-unit", `no unit ${event.unit}`)
      if (u.state !== "available")
        return reject(event, "wrong-unit-state", `unit ${event.unit} is ${u.state}, not available`)
      d.setApplication(event.application, { _tag: "bound", unit: event.unit })
      d.setUnit(event.unit, { stratum: u.stratum, state: "let", boundTo: event.application })
      break
    }
    case "Revoke":
    case "MoveOut":
    case "Exit":
    case "Exchange": {
      const a = appOf(event.application)
      if (a === undefined) return reject(event, "unknown-application", `no application ${event.application}`)
      if (a._tag !== "bound")
        return reject(
          event,
          "wrong-application-state",
          `application ${event.application} is not bound to a unit`,
        )
      const old = unitOf(a.unit)!
      if (event._tag === "Exchange") {
        const u = unitOf(event.unit)
        if (u === undefined) return reject(event, "unknown-unit", `no unit ${event.unit}`)
        if (u.state !== "available")
          return reject(event, "wrong-unit-state", `unit ${event.unit} is ${u.state}, not available`)
        d.setUnit(a.unit, { stratum: old.stratum, state: "available" })
        d.setUnit(event.unit, { stratum: u.stratum, state: "let", boundTo: event.application })
        d.setApplication(event.application, { _tag: "bound", unit: event.unit })
      } else {
        d.setUnit(a.unit, { stratum: old.stratum, state: event._tag === "Exit" ? "unusable" : "available" })
        d.setApplication(event.application, undefined)
      }
      break
    }
  }
  for (const s of d.touched) {
    const c = d.counts.get(s)!
    if (remainingRentable(c) < 0) {
      // Centralised-period submissions are unmetered: they never make the count negative (R26).
      return reject(
        event,
        "no-remaining-units",
        `stratum ${s} has no remaining rentable unit${event._tag === "Submit" ? ": join the queue (R28)" : ""}`,
      )
    }
  }
  return Result.succeed(d.freeze())
}

/** Applies events in order, stopping at the first rejection (with its 0-based index). */
export const applyAll = (
  inv: Inventory,
  events: Iterable<InventoryEvent>,
): Result.Result<Inventory, { readonly index: number; readonly error: InventoryRejected }> => {
  let cur = inv
  let index = 0
  for (const e of events) {
    const r = apply(cur, e)
    if (Result.isFailure(r)) return Result.fail({ index, error: r.failure })
    cur = r.success
    index++
  }
  return Result.succeed(cur)
}
