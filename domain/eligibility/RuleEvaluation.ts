/**
 * One evaluated eligibility rule (规则判定) and how rule verdicts combine into a decision. Every rule is
 * always evaluated (no short-circuit), so the trace is complete; each evaluation carries the values it
 * read and the parameters it used (from its own child reader). Decision: any `fail` → ineligible, else
 * any `review` → needs-review, else eligible. Order of outcomes: ineligible < needs-review < eligible.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader, TraceEntry } from "../policy/ParameterReader.js"

export type Verdict = "pass" | "fail" | "review"
export type Decision = "eligible" | "ineligible" | "needs-review"

export interface RuleEvaluation {
  /** Stable rule code (`lianzu.income`). */
  readonly rule: string
  /** Seed rule ids and 序号 it implements (`R18`, `#20`). */
  readonly refs: ReadonlyArray<string>
  readonly title: string
  readonly verdict: Verdict
  readonly reason: string
  /** Input values the rule read, as display text. */
  readonly values: Readonly<Record<string, string>>
  readonly parameters: ReadonlyArray<TraceEntry>
}

export interface Outcome {
  readonly verdict: Verdict
  readonly reason: string
  readonly values: Readonly<Record<string, string>>
}

/** Runs a rule body on a fresh child reader and records what it read. */
export const evaluateRule = (
  reader: ParameterReader,
  rule: string,
  refs: ReadonlyArray<string>,
  title: string,
  body: (r: ParameterReader) => Result.Result<Outcome, ParameterNotFound>,
): Result.Result<RuleEvaluation, ParameterNotFound> => {
  const r = reader.child()
  return Result.map(body(r), (o) => ({ rule, refs, title, ...o, parameters: r.trace() }))
}

export const pass = (reason: string, values: Record<string, string> = {}): Outcome => ({
  verdict: "pass",
  reason,
  values,
})
export const fail = (reason: string, values: Record<string, string> = {}): Outcome => ({
  verdict: "fail",
  reason,
  values,
})
export const review = (reason: string, values: Record<string, string> = {}): Outcome => ({
  verdict: "review",
  reason,
  values,
})

export const decide = (rules: ReadonlyArray<RuleEvaluation>): Decision =>
  rules.some((r) => r.verdict === "fail")
    ? "ineligible"
    : rules.some((r) => r.verdict === "review")
      ? "needs-review"
      : "eligible"

const RANK: Record<Decision, number> = { ineligible: 0, "needs-review": 1, eligible: 2 }
/** Rank for monotonicity laws: ineligible 0 < needs-review 1 < eligible 2. */
export const rank = (d: Decision): number => RANK[d]
