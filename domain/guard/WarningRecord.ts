/**
 * The persisted R24 warning list (警示名单) entry: the guard's `WarningListEntry` extended with what a list
 * must keep (#203: level, category, full disposal trail) — never a second warning model. The person is held
 * only as the FieldCipher blind index of their ID number (never the plain number). Invariants: the key
 * (person, rule, level, subject, period) names at most one record, and `id` is a function of the key; a
 * record is open until resolved once, with the resolver and reason appended to its trail.
 */
import type { Evidence, GuardReport, GuardWarning, WarningLevel, WarningListEntry } from "./GuardWarning.js"

export type WarningStatus = "open" | "resolved"

export interface WarningTrailEntry {
  readonly at: number
  readonly by: string
  readonly action: "raised" | "resolved"
  readonly note: string
}

/**
 * A stored warning. `category` is the rule id (as in `WarningListEntry`); `subject` is what the signal is
 * about (`case:<id>`, or another object); `period` the check period or civil date it belongs to.
 */
export interface WarningRecord extends Omit<WarningListEntry, "person" | "district"> {
  readonly id: string
  /** FieldCipher.blindIndex("idNumber", …) of the person the signal is lit for. */
  readonly personIndex: string
  /** Acceptance district (GB/T 2260): the data scope of the record. */
  readonly district: string
  readonly subject: string
  readonly period: string
  readonly message: string
  readonly evidence: Evidence
  readonly related: ReadonlyArray<string>
  readonly status: WarningStatus
  /** Epoch ms of the raise. */
  readonly raisedAt: number
  readonly trail: ReadonlyArray<WarningTrailEntry>
  readonly version: number
}

export const LEVEL_ORDER: Readonly<Record<WarningLevel, number>> = { red: 0, orange: 1, yellow: 2, brown: 3 }

/** The idempotency key of a warning: one record per (person, rule, level, subject, period). */
export const warningKey = (w: {
  readonly personIndex: string
  readonly category: string
  readonly level: WarningLevel
  readonly subject: string
  readonly period: string
}): string => [w.personIndex, w.category, w.level, w.subject, w.period].join("|")

/**
 * A new open record from a guard warning whose person has been replaced by its blind index. `id` is chosen
 * by the caller as a digest of `warningKey` (the domain computes no hashes of personal data).
 */
export const makeWarningRecord = (input: {
  readonly id: string
  readonly warning: Omit<GuardWarning, "person">
  readonly personIndex: string
  readonly district: string
  readonly subject: string
  readonly period: string
  readonly raisedOn: string
  readonly raisedAt: number
  readonly raisedBy: string
  readonly caseId?: string
}): WarningRecord => ({
  id: input.id,
  personIndex: input.personIndex,
  level: input.warning.level,
  category: input.warning.rule,
  raisedOn: input.raisedOn,
  ...(input.caseId === undefined ? {} : { caseId: input.caseId }),
  district: input.district,
  subject: input.subject,
  period: input.period,
  message: input.warning.message,
  evidence: input.warning.evidence,
  related: input.warning.related ?? [],
  status: "open",
  raisedAt: input.raisedAt,
  trail: [{ at: input.raisedAt, by: input.raisedBy, action: "raised", note: input.warning.message }],
  version: 1,
})

/** The record after its one resolution (处置): status, trail and version change; nothing else. */
export const resolveWarning = (
  w: WarningRecord,
  resolution: { readonly by: string; readonly at: number; readonly reason: string },
): WarningRecord => ({
  ...w,
  status: "resolved",
  trail: [...w.trail, { at: resolution.at, by: resolution.by, action: "resolved", note: resolution.reason }],
  version: w.version + 1,
})

/** One R24 entry of a guard run with the warning it stands for (message, evidence, related rules). */
export interface GuardListItem {
  readonly entry: WarningListEntry
  readonly warning: GuardWarning
}

/**
 * R13–R22 → R24: the report's warning-list entries (one per person, rule and level; brown only when the
 * policy lets it in) each paired with the first warning it stands for, in the entries' order. Every entry
 * comes from a warning of the same report, so none is dropped.
 */
export const guardListItems = (
  report: Pick<GuardReport, "warnings" | "warningList">,
): ReadonlyArray<GuardListItem> =>
  report.warningList.flatMap((entry) => {
    const warning = report.warnings.find(
      (w) => w.person === entry.person && w.rule === entry.category && w.level === entry.level,
    )
    return warning === undefined ? [] : [{ entry, warning }]
  })
