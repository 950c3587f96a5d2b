/**
 * Outputs of the fairness guard (公平卫士): colour-coded warnings (预警信号: 红 red = 强拦截 hard block,
 * 橙 orange, 黄 yellow, 棕 brown) for R13–R25, duplicate-check findings for R2–R12, and the report.
 * Invariants: only red warnings block; each warning carries its rule id, evidence and the parameters
 * it read (a subset of the report's parameters).
 */
import type { TraceEntry } from "../policy/ParameterReader.js"

export type WarningLevel = "red" | "orange" | "yellow" | "brown"
export const LEVELS: ReadonlyArray<WarningLevel> = ["red", "orange", "yellow", "brown"]

export type Evidence = Readonly<Record<string, string>>

export interface GuardWarning {
  readonly rule: string
  readonly level: WarningLevel
  /** 强拦截: the step may not proceed. Only ever true for red. */
  readonly block: boolean
  /** ID number of the person the signal is lit for. */
  readonly person: string
  readonly message: string
  readonly evidence: Evidence
  /** Other rules this signal settles (e.g. R17 when R16's level was chosen). */
  readonly related?: ReadonlyArray<string>
  readonly parameters: ReadonlyArray<TraceEntry>
}

/** R2–R12: block the step, refer the applicant to the district office, or flag for the officer. */
export interface DuplicateFinding {
  readonly rule: string
  readonly outcome: "block" | "refer" | "review"
  readonly person: string
  readonly message: string
  readonly evidence: Evidence
}

/** R24: a 警示名单 entry to be added (the disposal trail is kept by the application layer). */
export interface WarningListEntry {
  readonly person: string
  readonly level: WarningLevel
  readonly category: string
  readonly raisedOn: string
  readonly caseId?: string
  readonly district?: string
}

export interface GuardReport {
  readonly warnings: ReadonlyArray<GuardWarning>
  readonly findings: ReadonlyArray<DuplicateFinding>
  readonly warningList: ReadonlyArray<WarningListEntry>
  /** Is the step hard-blocked (a red warning or a `block` finding)? */
  readonly blocked: boolean
  /** Every parameter value read for this decision. */
  readonly parameters: ReadonlyArray<TraceEntry>
}
