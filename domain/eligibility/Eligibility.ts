/**
 * Eligibility decision (准入资格判定) for one household, housing kind and date: every rule of the kind is
 * evaluated and traced (values read, parameters with sources, verdict), and the verdicts combine into
 * eligible / ineligible / needs-review. The reader is created here from the date and district, so a
 * decision cannot read a parameter that is not in its `parameters` trace. Pure; R136 for talent.
 */
import { Result, Schema } from "effect"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import type { ParameterNotFound, TraceEntry } from "../policy/ParameterReader.js"
import type { PolicyTable } from "../policy/PolicyTable.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Household, decodeHousehold } from "./Household.js"
import { ELIGIBILITY_KINDS, type EligibilityKind, evaluateKind } from "./KindRules.js"
import { type Decision, type RuleEvaluation, decide } from "./RuleEvaluation.js"

export interface EligibilityRequest {
  readonly kind: EligibilityKind
  readonly on: CivilDate.CivilDate
  /** District whose parameter values apply (most specific wins); absent = city values. */
  readonly district?: Jurisdiction.Jurisdiction | undefined
  readonly household: Household
}

export interface EligibilityDecision {
  readonly kind: EligibilityKind
  readonly on: CivilDate.CivilDate
  readonly district?: Jurisdiction.Jurisdiction
  readonly decision: Decision
  /** Every rule evaluated, in order, with its values, parameters and verdict. */
  readonly trace: ReadonlyArray<RuleEvaluation>
  /** Every parameter value read for the decision (the union of the rules' parameters). */
  readonly parameters: ReadonlyArray<TraceEntry>
}

export const evaluateEligibility = (
  table: PolicyTable,
  request: EligibilityRequest,
): Result.Result<EligibilityDecision, ParameterNotFound> =>
  Result.gen(function* () {
    const reader = table.reader({ on: request.on, district: request.district })
    const trace = yield* evaluateKind(request.kind, request.household, request.on, reader)
    return {
      kind: request.kind,
      on: request.on,
      ...(request.district === undefined ? {} : { district: request.district }),
      decision: decide(trace),
      trace,
      parameters: reader.trace(),
    }
  })

export const isEligibilityKind = (s: unknown): s is EligibilityKind =>
  typeof s === "string" && (ELIGIBILITY_KINDS as ReadonlyArray<string>).includes(s)

/** Decodes `{ kind, on, district?, household }` from JSON/YAML; errors name the field and the reason. */
export const decodeEligibilityRequest = (input: unknown): Result.Result<EligibilityRequest, InvalidValue> =>
  Result.gen(function* () {
    if (input === null || typeof input !== "object")
      return yield* Result.fail(invalid("request", "eligibility.request", "", "expected an object"))
    const o = input as Record<string, unknown>
    if (!isEligibilityKind(o.kind))
      return yield* Result.fail(
        invalid("kind", "eligibility.kind", o.kind, `expected one of ${ELIGIBILITY_KINDS.join(", ")}`),
      )
    const on = yield* Schema.decodeUnknownResult(CivilDate.CivilDate)(o.on).pipe(
      Result.mapError(() => invalid("on", "date.format", o.on, "expected a date YYYY-MM-DD")),
    )
    const district = o.district === undefined ? undefined : yield* Jurisdiction.parse(o.district, "district")
    const household = yield* decodeHousehold(o.household)
    return { kind: o.kind, on, district, household }
  })

export const evaluateEligibilityUnknown = (
  table: PolicyTable,
  input: unknown,
): Result.Result<EligibilityDecision, ParameterNotFound | InvalidValue> =>
  Result.flatMap(decodeEligibilityRequest(input), (r) => evaluateEligibility(table, r))
