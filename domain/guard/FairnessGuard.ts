/**
 * The fairness guard (公平卫士): one pure function from (policy table, history, event) to a report of
 * colour-coded warnings (R13–R25), duplicate findings (R2–R12), warning-list entries (R24) and every
 * parameter read. The reader is created here from the event date and district, so a decision cannot
 * read a parameter outside its trace; each rule reads through its own child reader.
 */
import { Result } from "effect"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import type { PolicyTable } from "../policy/PolicyTable.js"
import type { InvalidValue } from "../values/InvalidValue.js"
import {
  r13SameKindDuplicate,
  r14AbandonedWithinPeriod,
  r15RentalUnderReview,
  r16RentalBeneficiaryApplies,
  r20CoResidentReuse,
  r22QueuedGongyouAppliesRental,
} from "./ApplicationChecks.js"
import { r25BatchCheck } from "./BatchCheck.js"
import { duplicateOnApplication, duplicateOnFiveYear } from "./DuplicateCheck.js"
import { r18Economic } from "./EconomicCheck.js"
import { r23ExpiryLadder } from "./ExpiryLadder.js"
import { type GuardInput, decodeGuardInput } from "./GuardEvent.js"
import type { DuplicateFinding, GuardReport, GuardWarning } from "./GuardWarning.js"
import { r21OneHouseManyLeases } from "./LandlordCheck.js"
import { r19Marriage } from "./MarriageCheck.js"
import { r16r17Delivery, r16r17Milestone } from "./RentalBeneficiaryChecks.js"
import { r24WarningList } from "./WarningList.js"

const LEVEL_ORDER = { red: 0, orange: 1, yellow: 2, brown: 3 } as const

const evaluate = (
  input: GuardInput,
  reader: ParameterReader,
): Result.Result<
  { warnings: ReadonlyArray<GuardWarning>; findings: ReadonlyArray<DuplicateFinding> },
  ParameterNotFound | InvalidValue
> =>
  Result.gen(function* () {
    const { history, event } = input
    const child = () => reader.child()
    switch (event.type) {
      case "application":
        return {
          warnings: [
            ...r13SameKindDuplicate(history, event, child()),
            ...(yield* r14AbandonedWithinPeriod(history, event, child())),
            ...r15RentalUnderReview(history, event, child()),
            ...(yield* r16RentalBeneficiaryApplies(history, event, child())),
            ...(yield* r18Economic(event, child())),
            ...(yield* r19Marriage(event, child())),
            ...r20CoResidentReuse(history, event, child()),
            ...r22QueuedGongyouAppliesRental(history, event, child()),
          ],
          findings: duplicateOnApplication(history, event),
        }
      case "gongyou_milestone":
        return { warnings: yield* r16r17Milestone(history, event, child()), findings: [] }
      case "monitor":
        return {
          warnings: [
            ...(yield* r16r17Delivery(history, event.person, event.on, child())),
            ...(yield* r23ExpiryLadder(history, event.person, event.on, child())),
          ],
          findings: [],
        }
      case "lease_entered":
        return { warnings: r21OneHouseManyLeases(history, event, child()), findings: [] }
      case "batch_check":
        return { warnings: r25BatchCheck(history, event, child()), findings: [] }
      case "five_year_application":
        return { warnings: [], findings: duplicateOnFiveYear(history, event) }
    }
  })

/**
 * Runs the guard for one event. Fails with `ParameterNotFound` when the policy has no value for the
 * event's date and district, or `InvalidValue` when an input the rules need is missing (R18 economy).
 */
export const checkFairness = (
  table: PolicyTable,
  input: GuardInput,
): Result.Result<GuardReport, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    const district =
      input.district === undefined ? undefined : yield* Jurisdiction.parse(input.district, "district")
    const reader = table.reader({ on: input.event.on, district })
    const { warnings, findings } = yield* evaluate(input, reader)
    const sorted = [...warnings].sort(
      (a, b) =>
        LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.rule.localeCompare(b.rule, "en", { numeric: true }),
    )
    const caseId =
      input.event.type === "application" || input.event.type === "gongyou_milestone"
        ? input.event.caseId
        : undefined
    const warningList = yield* r24WarningList(
      sorted,
      { on: input.event.on, caseId, district: input.district },
      reader.child(),
    )
    return {
      warnings: sorted,
      findings,
      warningList,
      blocked: sorted.some((w) => w.block) || findings.some((f) => f.outcome === "block"),
      parameters: reader.trace(),
    }
  })

/** Decodes untyped input (JSON, YAML) and runs the guard. */
export const checkFairnessUnknown = (
  table: PolicyTable,
  input: unknown,
): Result.Result<GuardReport, ParameterNotFound | InvalidValue> =>
  Result.flatMap(decodeGuardInput(input), (i) => checkFairness(table, i))
