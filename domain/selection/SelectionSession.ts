/**
 * House-selection session (选房, R54): families due to select, imported in lottery order, and the batch's
 * units. 报到 check-in by barcode; optional 预选房 pre-selection (non-binding); 正式选房 formal selection strictly
 * in order within each stratum (project × unit type) and once per family ("该操作只执行一次"); absent families
 * are skipped and recorded; 解除选房 releases a selection on site (the family does not select again in this
 * session). Pure: every operation takes the instant as an argument and returns a new state or a refusal.
 */
import { Data, Result, Schema } from "effect"

const Family = Schema.Struct({
  /** Application number (申请编号); never an ID number. */
  id: Schema.String,
  /** Lottery rank within the stratum (1 = first to select). */
  rank: Schema.Int,
  barcode: Schema.String,
  name: Schema.optionalKey(Schema.String),
  stratum: Schema.String,
})
export type Family = typeof Family.Type

const Unit = Schema.Struct({
  id: Schema.String,
  stratum: Schema.String,
  label: Schema.optionalKey(Schema.String),
})
export type SelectionUnit = typeof Unit.Type

const Stamp = Schema.Struct({ at: Schema.Finite })
const LogEntry = Schema.Struct({
  seq: Schema.Int,
  at: Schema.Finite,
  action: Schema.Literals(["init", "check-in", "preselect", "choose", "skip", "release"]),
  family: Schema.optionalKey(Schema.String),
  unit: Schema.optionalKey(Schema.String),
  note: Schema.optionalKey(Schema.String),
  /** Who acted (server sessions: the officer's actor id); absent in file-based sessions. */
  actor: Schema.optionalKey(Schema.String),
})
export type LogEntry = typeof LogEntry.Type

export const SessionState = Schema.Struct({
  format: Schema.Literal("anju-selection-session/1"),
  title: Schema.String,
  families: Schema.Array(Family),
  units: Schema.Array(Unit),
  checkedIn: Schema.Record(Schema.String, Stamp),
  preselected: Schema.Record(Schema.String, Schema.Struct({ at: Schema.Finite, unit: Schema.String })),
  chosen: Schema.Record(Schema.String, Schema.Struct({ at: Schema.Finite, unit: Schema.String })),
  skipped: Schema.Record(Schema.String, Schema.Struct({ at: Schema.Finite, reason: Schema.String })),
  released: Schema.Record(
    Schema.String,
    Schema.Struct({ at: Schema.Finite, unit: Schema.String, reason: Schema.String }),
  ),
  log: Schema.Array(LogEntry),
})
export type SessionState = typeof SessionState.Type

export type FamilyStatus = "pending" | "chosen" | "skipped" | "released"

export type RefusalReason =
  | "invalid-input"
  | "unknown-family"
  | "unknown-barcode"
  | "unknown-unit"
  | "already-checked-in"
  | "not-checked-in"
  | "not-your-turn"
  | "already-selected"
  | "unit-taken"
  | "stratum-mismatch"
  | "not-chosen"

export class SelectionRefused extends Data.TaggedError("SelectionRefused")<{
  readonly reason: RefusalReason
  readonly message: string
}> {}

const refuse = (reason: RefusalReason, message: string) =>
  Result.fail(new SelectionRefused({ reason, message }))

const byStratumRank = (a: Family, b: Family) =>
  a.stratum < b.stratum ? -1 : a.stratum > b.stratum ? 1 : a.rank - b.rank

/** A new session; families are kept in (stratum, rank) order. Ids, barcodes, unit ids and ranks per stratum are unique. */
export const makeSession = (
  title: string,
  families: ReadonlyArray<Family>,
  units: ReadonlyArray<SelectionUnit>,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const dup = <A>(xs: ReadonlyArray<A>, key: (a: A) => string) => {
    const seen = new Set<string>()
    for (const x of xs) {
      const k = key(x)
      if (seen.has(k)) return k
      seen.add(k)
    }
    return undefined
  }
  const checks: Array<[string | undefined, string]> = [
    [dup(families, (f) => f.id), "family id"],
    [dup(families, (f) => f.barcode), "barcode"],
    [dup(families, (f) => `${f.stratum}\u0000${f.rank}`), "rank within a stratum"],
    [dup(units, (u) => u.id), "unit id"],
  ]
  for (const [d, what] of checks)
    if (d !== undefined) return refuse("invalid-input", `duplicate ${what}: ${d.replace("\u0000", " #")}`)
  return Result.succeed({
    format: "anju-selection-session/1",
    title,
    families: [...families].sort(byStratumRank),
    units: [...units],
    checkedIn: {},
    preselected: {},
    chosen: {},
    skipped: {},
    released: {},
    log: [{ seq: 1, at, action: "init", note: `${families.length} families, ${units.length} units` }],
  })
}

export const statusOf = (s: SessionState, family: string): FamilyStatus =>
  s.chosen[family] !== undefined
    ? "chosen"
    : s.released[family] !== undefined
      ? "released"
      : s.skipped[family] !== undefined
        ? "skipped"
        : "pending"

/** The family whose turn it is in a stratum: the first by rank that is still pending. */
export const current = (s: SessionState, stratum: string): Family | undefined =>
  s.families.find((f) => f.stratum === stratum && statusOf(s, f.id) === "pending")

/** Unit → family holding it by formal selection. */
export const takenUnits = (s: SessionState): ReadonlyMap<string, string> =>
  new Map(Object.entries(s.chosen).map(([f, c]) => [c.unit, f]))

const log = (
  s: SessionState,
  at: number,
  action: SessionState["log"][number]["action"],
  extra: { family?: string; unit?: string; note?: string },
): SessionState["log"] => [...s.log, { seq: s.log.length + 1, at, action, ...extra }]

const family = (s: SessionState, id: string) => s.families.find((f) => f.id === id)

/** 报到: scan the family's barcode. */
export const checkIn = (
  s: SessionState,
  barcode: string,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const f = s.families.find((x) => x.barcode === barcode)
  if (f === undefined) return refuse("unknown-barcode", `no family with barcode ${barcode}`)
  if (s.checkedIn[f.id] !== undefined)
    return refuse("already-checked-in", `family ${f.id} has already checked in`)
  return Result.succeed({
    ...s,
    checkedIn: { ...s.checkedIn, [f.id]: { at } },
    log: log(s, at, "check-in", { family: f.id }),
  })
}

const unitFor = (s: SessionState, f: Family, unitId: string) => {
  const u = s.units.find((x) => x.id === unitId)
  if (u === undefined) return refuse("unknown-unit", `no unit ${unitId}`)
  if (u.stratum !== f.stratum)
    return refuse(
      "stratum-mismatch",
      `unit ${unitId} is ${u.stratum}; family ${f.id} selects in ${f.stratum}`,
    )
  const holder = takenUnits(s).get(unitId)
  if (holder !== undefined) return refuse("unit-taken", `unit ${unitId} was selected by family ${holder}`)
  return Result.succeed(u)
}

/** 预选房: a non-binding pick by a checked-in, pending family (replaces an earlier one). */
export const preselect = (
  s: SessionState,
  familyId: string,
  unitId: string,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const f = family(s, familyId)
  if (f === undefined) return refuse("unknown-family", `no family ${familyId}`)
  if (s.checkedIn[f.id] === undefined) return refuse("not-checked-in", `family ${f.id} has not checked in`)
  if (statusOf(s, f.id) !== "pending")
    return refuse("already-selected", `family ${f.id} is ${statusOf(s, f.id)}`)
  return Result.map(unitFor(s, f, unitId), () => ({
    ...s,
    preselected: { ...s.preselected, [f.id]: { at, unit: unitId } },
    log: log(s, at, "preselect", { family: f.id, unit: unitId }),
  }))
}

/** 正式选房: only the current family of its stratum, checked in, once. */
export const choose = (
  s: SessionState,
  familyId: string,
  unitId: string,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const f = family(s, familyId)
  if (f === undefined) return refuse("unknown-family", `no family ${familyId}`)
  const st = statusOf(s, f.id)
  if (st !== "pending")
    return refuse("already-selected", `family ${f.id} is ${st}: formal selection runs only once`)
  const turn = current(s, f.stratum)
  if (turn?.id !== f.id)
    return refuse("not-your-turn", `it is family ${turn?.id ?? "(none)"}'s turn in ${f.stratum}`)
  if (s.checkedIn[f.id] === undefined) return refuse("not-checked-in", `family ${f.id} has not checked in`)
  return Result.map(unitFor(s, f, unitId), () => ({
    ...s,
    chosen: { ...s.chosen, [f.id]: { at, unit: unitId } },
    log: log(s, at, "choose", { family: f.id, unit: unitId }),
  }))
}

/** Skip the current family (absent, 未到场, or declining); recorded; it does not select in this session. */
export const skip = (
  s: SessionState,
  familyId: string,
  reason: string,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const f = family(s, familyId)
  if (f === undefined) return refuse("unknown-family", `no family ${familyId}`)
  const turn = current(s, f.stratum)
  if (turn?.id !== f.id)
    return refuse("not-your-turn", `it is family ${turn?.id ?? "(none)"}'s turn in ${f.stratum}`)
  return Result.succeed({
    ...s,
    skipped: { ...s.skipped, [f.id]: { at, reason } },
    log: log(s, at, "skip", { family: f.id, note: reason }),
  })
}

/** 解除选房: undo a formal selection on site; the unit is free again. */
export const release = (
  s: SessionState,
  familyId: string,
  reason: string,
  at: number,
): Result.Result<SessionState, SelectionRefused> => {
  const c = s.chosen[familyId]
  if (c === undefined) return refuse("not-chosen", `family ${familyId} has no selection to release`)
  const { [familyId]: _, ...chosen } = s.chosen
  return Result.succeed({
    ...s,
    chosen,
    released: { ...s.released, [familyId]: { at, unit: c.unit, reason } },
    log: log(s, at, "release", { family: familyId, unit: c.unit, note: reason }),
  })
}

export interface Progress {
  readonly families: number
  readonly checkedIn: number
  readonly chosen: number
  readonly skipped: number
  readonly released: number
  readonly pending: number
  readonly unitsFree: number
  readonly units: number
  /** Per stratum: whose turn it is. */
  readonly turns: ReadonlyArray<{ readonly stratum: string; readonly family: string | undefined }>
}

export const progress = (s: SessionState): Progress => {
  const count = (st: FamilyStatus) => s.families.filter((f) => statusOf(s, f.id) === st).length
  const strata = [...new Set(s.families.map((f) => f.stratum))].sort()
  return {
    families: s.families.length,
    checkedIn: Object.keys(s.checkedIn).length,
    chosen: count("chosen"),
    skipped: count("skipped"),
    released: count("released"),
    pending: count("pending"),
    units: s.units.length,
    unitsFree: s.units.length - Object.keys(s.chosen).length,
    turns: strata.map((stratum) => ({ stratum, family: current(s, stratum)?.id })),
  }
}

/** Per stratum (project × unit type): families by status, whose turn it is, and units not chosen. */
export interface StratumProgress {
  readonly stratum: string
  readonly families: number
  readonly chosen: number
  readonly skipped: number
  readonly released: number
  readonly pending: number
  readonly current: string | undefined
  readonly units: number
  readonly unitsLeft: number
}

export const stratumProgress = (s: SessionState): ReadonlyArray<StratumProgress> => {
  const taken = takenUnits(s)
  const strata = [...new Set([...s.families.map((f) => f.stratum), ...s.units.map((u) => u.stratum)])].sort()
  return strata.map((stratum) => {
    const fams = s.families.filter((f) => f.stratum === stratum)
    const count = (st: FamilyStatus) => fams.filter((f) => statusOf(s, f.id) === st).length
    const units = s.units.filter((u) => u.stratum === stratum)
    return {
      stratum,
      families: fams.length,
      chosen: count("chosen"),
      skipped: count("skipped"),
      released: count("released"),
      pending: count("pending"),
      current: current(s, stratum)?.id,
      units: units.length,
      unitsLeft: units.filter((u) => !taken.has(u.id)).length,
    }
  })
}

/**
 * Rebuilds a session from its stored log (server sessions, where each entry was accepted by the operation
 * above before it was stored): `base` is the fresh session from `makeSession`; entries are applied in
 * `seq` order without re-checking (the store's once-only constraints already held). Folding the log of
 * a session gives the same state as the operations that wrote it.
 */
export const restore = (base: SessionState, entries: ReadonlyArray<LogEntry>): SessionState => {
  const checkedIn = { ...base.checkedIn }
  const preselected = { ...base.preselected }
  const chosen = { ...base.chosen }
  const skipped = { ...base.skipped }
  const released = { ...base.released }
  const log = [...base.log]
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const f = e.family
    if (f !== undefined) {
      if (e.action === "check-in") checkedIn[f] = { at: e.at }
      else if (e.action === "preselect" && e.unit !== undefined) preselected[f] = { at: e.at, unit: e.unit }
      else if (e.action === "choose" && e.unit !== undefined) chosen[f] = { at: e.at, unit: e.unit }
      else if (e.action === "skip") skipped[f] = { at: e.at, reason: e.note ?? "" }
      else if (e.action === "release") {
        const c = chosen[f]
        delete chosen[f]
        released[f] = { at: e.at, unit: e.unit ?? c?.unit ?? "", reason: e.note ?? "" }
      }
    }
    log.push({ ...e, seq: log.length + 1 })
  }
  return { ...base, checkedIn, preselected, chosen, skipped, released, log }
}

export const decodeSession = Schema.decodeUnknownResult(SessionState, { onExcessProperty: "error" })
