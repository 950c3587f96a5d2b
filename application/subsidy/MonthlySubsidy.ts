/**
 * Monthly 廉租 rent subsidy (租金补贴发放, R118–R123) as use-cases on ports. `runMonth` creates the missing
 * agreements of admitted 廉租 cases (idempotent by case), ends those whose case closed, computes each
 * agreement's month through the existing formula (domain/subsidy: proration by days, pauses, transition) and
 * stores one line per case × month — safe to run twice; agreements are read in keyset pages (bounded
 * memory). `catchUpMonths` runs every month missed since the last recorded run once. R120: confirmation per
 * district, pause/resume, special payouts; R23: the agreement's expiry ladder (the guard's rule).
 */
import { Clock, Data, Effect, Option, Result, Schema } from "effect"
import { type Actor, coversStock } from "../../domain/access/Access.js"
import type { CaseId, CaseState } from "../../domain/cases/Case.js"
import { GuardParameters } from "../../domain/guard/GuardParameters.js"
import { compareLedger, ledgerTemplate } from "../../domain/subsidy/LedgerCompare.js"
import type { GuardWarning } from "../../domain/guard/GuardWarning.js"
import { makeWarningRecord } from "../../domain/guard/WarningRecord.js"
import * as Jurisdiction from "../../domain/policy/Jurisdiction.js"
import type { PolicyTable } from "../../domain/policy/PolicyTable.js"
import {
  addMonthsTo,
  agreementWarnings,
  makeAgreement,
  monthBounds,
  monthLine,
  monthOf,
  type PayoutLine,
  pauseAgreement,
  resumeAgreement,
  type SubsidyAgreement,
  specialLine,
  YearMonth,
} from "../../domain/subsidy/SubsidyAgreement.js"
import { allSubsidyParameters, SubsidyParameters } from "../../domain/subsidy/SubsidyParameters.js"
import * as Area from "../../domain/values/Area.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { type InvalidValue, invalid } from "../../domain/values/InvalidValue.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"
import { loadPolicyTable } from "../policy/LoadPolicyTable.js"
import { CaseStore } from "../ports/CaseStore.js"
import { type DistrictTotal, SubsidyStore } from "../ports/SubsidyStore.js"
import { WarningStore } from "../ports/WarningStore.js"
import { warningIdOf } from "../supervision/Rechecks.js"

/** No agreement within the actor's reach (answered like a missing object: no oracle of other districts). */
export class SubsidyAgreementNotFound extends Data.TaggedError("SubsidyAgreementNotFound")<{
  readonly caseId: string
  readonly message: string
}> {}

const HOLDING: ReadonlyArray<CaseState> = ["admitted", "expiring_soon"]
/** Agreements read per page: memory stays bounded by this, whatever the number of agreements. */
export const BATCH = 200
/** A catch-up never runs more than this many months at once (the rest on the next run). */
export const MAX_CATCH_UP_MONTHS = 24
const LISTED_INCOMPLETE = 100

export const SUBSIDY_PARAMETERS = [...allSubsidyParameters, GuardParameters.r23LianzuSubsidyNoticeMonths]

const decodeMonth = (value: unknown, field = "month") =>
  Effect.fromResult(Schema.decodeUnknownResult(YearMonth)(value)).pipe(
    Effect.mapError(() => invalid(field, "month.format", value, "expected a month YYYY-MM")),
  )
const decodeDate = (value: unknown, field: string) =>
  Effect.fromResult(Schema.decodeUnknownResult(CivilDate.CivilDate)(value)).pipe(
    Effect.mapError(() => invalid(field, "date.format", value, "expected a date YYYY-MM-DD")),
  )

const covers = (actor: Actor, district: string) => coversStock(actor, { district, projectId: null })

/** The districts an actor may see, or undefined for all. */
const scopeDistricts = (actor: Actor): ReadonlyArray<string> | undefined =>
  actor.role === "city"
    ? undefined
    : actor.role === "district"
      ? [actor.district]
      : actor.role === "system"
        ? actor.districts === "all"
          ? undefined
          : actor.districts
        : []

const termMonths = (table: PolicyTable, district: string, on: CivilDate.CivilDate) =>
  Result.flatMap(Jurisdiction.parse(district, "case.district"), (j) =>
    table.reader({ on, district: j }).read(SubsidyParameters.agreementTermMonths),
  )

/**
 * Creates the agreement of every admitted 廉租 case that has none (start = admission date, end from the
 * dated term parameter, persons = declared household size or member count). Idempotent by case.
 */
export const syncAgreements = Effect.fn("Subsidy.syncAgreements")(function* (table: PolicyTable) {
  const cases = yield* CaseStore
  const store = yield* SubsidyStore
  const at = yield* Clock.currentTimeMillis
  let after: CaseId | undefined
  let created = 0
  const skipped: Array<{ caseId: string; field: string; rule: string }> = []
  for (;;) {
    const page = yield* cases.list({
      kind: "lianzu",
      states: HOLDING,
      limit: BATCH,
      ...(after === undefined ? {} : { after }),
    })
    for (const c of page.items) {
      const exists = yield* store.getAgreement(c.id)
      if (Option.isSome(exists)) continue
      if (c.certificate === null) {
        skipped.push({ caseId: c.id, field: "case.certificate", rule: "R72.certificate" })
        continue
      }
      const term = termMonths(table, c.district, c.certificate.validFrom)
      if (Result.isFailure(term)) {
        skipped.push({ caseId: c.id, field: "case.district", rule: "subsidy.lianzu.agreement_term_months" })
        continue
      }
      const r = yield* store.ensureAgreement(
        makeAgreement({
          caseId: c.id,
          district: c.district,
          approvedPersons: c.economy?.householdSize ?? c.members.length,
          start: c.certificate.validFrom,
          termMonths: term.success,
          applicantIndex: c.members.find((m) => m.role === "applicant")?.idIndex ?? "",
          at,
        }),
      )
      if (r.created) created += 1
    }
    if (page.next === null) break
    after = page.next
  }
  return { created, skipped }
})

export interface MonthRun {
  readonly month: string
  readonly agreementsCreated: number
  /** Lines stored by this run. */
  readonly computed: number
  /** Lines already stored by an earlier run (left unchanged). */
  readonly existing: number
  /** Agreements that ended (term and transition over, or case closed). */
  readonly ended: number
  /** Agreements without the data the formula needs (first 100 named). */
  readonly incomplete: number
  readonly incompleteCases: ReadonlyArray<{
    readonly caseId: string
    readonly field: string
    readonly rule: string
  }>
  /** R23 warnings of the agreements as of the run date (yellow: re-review due; orange: expired). */
  readonly warnings: ReadonlyArray<GuardWarning & { readonly caseId: string; readonly district: string }>
  /**
   * R23 warnings newly stored in the warning list (WarningStore, when the host provides one; idempotent by
   * person, rule, level, agreement and its end date, so each is raised once per term); null without a store.
   */
  readonly warningsRaised: number | null
}

/**
 * Computes `month` (pay month, the days of that month) for every active or paused agreement; safe to run
 * twice (lines are idempotent by case × month). A case that closed ends its agreement from the closure date.
 * A month after the current one is refused (`subsidy.future-month`).
 */
export const runMonth = Effect.fn("Subsidy.runMonth")(function* (monthInput: string) {
  const month = yield* decodeMonth(monthInput)
  const store = yield* SubsidyStore
  const cases = yield* CaseStore
  const table = yield* loadPolicyTable(SUBSIDY_PARAMETERS)
  const at = yield* Clock.currentTimeMillis
  const today = CivilDate.fromInstant(at)
  // A stored line is never recomputed: a month that has not begun would freeze today's data.
  if (month > monthOf(today))
    return yield* invalid(
      "month",
      "subsidy.future-month",
      month,
      `${month} has not begun (today is ${today})`,
    )
  const sync = yield* syncAgreements(table)
  let after: string | undefined
  let computed = 0
  let existing = 0
  let ended = 0
  let incomplete = sync.skipped.length
  const incompleteCases = sync.skipped.slice(0, LISTED_INCOMPLETE)
  const warnings: Array<MonthRun["warnings"][number]> = []
  const warningStore = yield* Effect.serviceOption(WarningStore)
  let warningsRaised = 0
  for (;;) {
    const page = yield* store.listAgreements({
      statuses: ["active", "paused"],
      limit: BATCH,
      ...(after === undefined ? {} : { after }),
    })
    for (let a of page) {
      // A closed case ends the subsidy from its closure date (退出).
      if (a.exitedOn === null) {
        const c = yield* cases.get(a.caseId as CaseId)
        if (Option.isSome(c) && !HOLDING.includes(c.value.state)) {
          const closedOn = CivilDate.fromInstant(c.value.closure?.at ?? c.value.updatedAt)
          a = yield* store.saveAgreement({ ...a, exitedOn: closedOn })
        }
      }
      const r = monthLine(table, a, month, { at, by: "worker" })
      if (Result.isFailure(r)) {
        incomplete += 1
        const e = r.failure
        if (incompleteCases.length < LISTED_INCOMPLETE)
          incompleteCases.push({
            caseId: a.caseId,
            field: e._tag === "InvalidValue" ? e.field : e.path,
            rule: e._tag === "InvalidValue" ? e.rule : "policy.parameter-missing",
          })
        continue
      }
      if (Option.isSome(r.success.line)) {
        const put = yield* store.putLine(r.success.line.value)
        if (put.created) computed += 1
        else existing += 1
      } else if (r.success.finished) {
        yield* store.saveAgreement({ ...a, status: "ended" })
        ended += 1
        continue
      }
      const j = Jurisdiction.parse(a.district)
      const w = Result.flatMap(j, (district) =>
        agreementWarnings(a, today, table.reader({ on: today, district })),
      )
      if (Result.isSuccess(w))
        for (const x of w.success) {
          warnings.push({ ...x, caseId: a.caseId, district: a.district })
          if (Option.isNone(warningStore)) continue
          const { person: _person, ...warning } = x
          const subject = `subsidy-agreement:${a.caseId}`
          const keyed = {
            personIndex: a.applicantIndex,
            category: x.rule,
            level: x.level,
            subject,
            period: a.end,
          }
          const raised = yield* warningStore.value.raise(
            makeWarningRecord({
              id: warningIdOf(keyed),
              warning,
              personIndex: a.applicantIndex,
              district: a.district,
              subject,
              period: a.end,
              raisedOn: today,
              raisedAt: at,
              raisedBy: "worker",
              caseId: a.caseId,
            }),
          )
          if (raised.created) warningsRaised += 1
        }
    }
    if (page.length < BATCH) break
    after = page[page.length - 1]!.caseId
  }
  const counts = { computed, existing, ended, incomplete, agreementsCreated: sync.created }
  yield* store.recordRun({ month, at, counts })
  return {
    month,
    agreementsCreated: sync.created,
    computed,
    existing,
    ended,
    incomplete,
    incompleteCases,
    warnings,
    warningsRaised: Option.isNone(warningStore) ? null : warningsRaised,
  } satisfies MonthRun
})

/**
 * The worker's monthly job: computes every month from the one after the last recorded run up to the month
 * before `today` (the month just ended), each once; with no run recorded, only that month. At most
 * MAX_CATCH_UP_MONTHS per call.
 */
export const catchUpMonths = Effect.fn("Subsidy.catchUp")(function* () {
  const store = yield* SubsidyStore
  const now = yield* Clock.currentTimeMillis
  const target = addMonthsTo(monthOf(CivilDate.fromInstant(now)), -1)
  const last = yield* store.lastRun()
  let first = Option.isNone(last) ? target : addMonthsTo(last.value.month, 1)
  if (first > target) return { months: [] as ReadonlyArray<MonthRun>, target }
  const earliest = addMonthsTo(target, -(MAX_CATCH_UP_MONTHS - 1))
  if (first < earliest) first = earliest
  const months: Array<MonthRun> = []
  for (let m = first; m <= target; m = addMonthsTo(m, 1)) months.push(yield* runMonth(m))
  return { months: months as ReadonlyArray<MonthRun>, target }
})

const agreementFor = Effect.fn("Subsidy.agreementFor")(function* (actor: Actor, caseId: string) {
  const store = yield* SubsidyStore
  const a = yield* store.getAgreement(caseId)
  if (Option.isNone(a) || !covers(actor, a.value.district))
    return yield* new SubsidyAgreementNotFound({
      caseId,
      message: "no subsidy agreement within this identity's reach",
    })
  return a.value
})

const refusal = <A>(r: Result.Result<A, InvalidValue>) => Effect.fromResult(r)

/** R120 暂停: pauses the agreement from `from` (inclusive) with a reason. */
export const pauseSubsidy = Effect.fn("Subsidy.pause")(function* (
  actor: Actor,
  caseId: string,
  input: { readonly from: unknown; readonly reason: string },
) {
  yield* requirePermission(actor, "subsidy.manage")
  const from = yield* decodeDate(input.from, "from")
  const a = yield* agreementFor(actor, caseId)
  const next = yield* refusal(pauseAgreement(a, { from, reason: input.reason, by: actor.id }))
  return yield* (yield* SubsidyStore).saveAgreement(next)
})

/** R120 恢复: payments resume on `on`. */
export const resumeSubsidy = Effect.fn("Subsidy.resume")(function* (
  actor: Actor,
  caseId: string,
  input: { readonly on: unknown; readonly reason: string },
) {
  yield* requirePermission(actor, "subsidy.manage")
  const on = yield* decodeDate(input.on, "on")
  const a = yield* agreementFor(actor, caseId)
  const next = yield* refusal(resumeAgreement(a, { on, reason: input.reason }))
  return yield* (yield* SubsidyStore).saveAgreement(next)
})

/**
 * Records the household's current living area (居住面积) or building area (建筑面积, R123) — the case does not
 * hold it — and optionally the approved persons (核定人数). Months already computed keep their lines.
 */
export const recordHousing = Effect.fn("Subsidy.recordHousing")(function* (
  actor: Actor,
  caseId: string,
  input: { readonly livingArea?: string; readonly buildingArea?: string; readonly approvedPersons?: number },
) {
  yield* requirePermission(actor, "subsidy.manage")
  if ((input.livingArea === undefined) === (input.buildingArea === undefined))
    return yield* invalid(
      "livingArea",
      "subsidy.one-area",
      "",
      "give exactly one of livingArea or buildingArea",
    )
  const field = input.livingArea !== undefined ? "livingArea" : "buildingArea"
  const area = yield* Effect.fromResult(
    Area.parseSquareMetres(input.livingArea ?? input.buildingArea!, field),
  )
  const persons = input.approvedPersons
  if (persons !== undefined && (!Number.isInteger(persons) || persons < 1 || persons > 50))
    return yield* invalid("approvedPersons", "R119.persons", persons, "approved persons are 1..50")
  const a = yield* agreementFor(actor, caseId)
  return yield* (yield* SubsidyStore).saveAgreement({
    ...a,
    livingArea: field === "livingArea" ? area : null,
    buildingArea: field === "buildingArea" ? area : null,
    ...(persons === undefined ? {} : { approvedPersons: persons }),
  })
})

/** R120 特殊发放: a back-pay (补发) or recovery (追回) line over from..to, paid in `month`; idempotent by `key`. */
export const specialPayout = Effect.fn("Subsidy.specialPayout")(function* (
  actor: Actor,
  caseId: string,
  input: {
    readonly type: "back_pay" | "recovery"
    readonly from: unknown
    readonly to: unknown
    readonly month: unknown
    readonly reason: string
    readonly key: string
  },
) {
  yield* requirePermission(actor, "subsidy.manage")
  const from = yield* decodeDate(input.from, "from")
  const to = yield* decodeDate(input.to, "to")
  const month = yield* decodeMonth(input.month)
  if (input.reason.trim() === "")
    return yield* invalid("reason", "R120.reason-required", "", "a special payout needs a reason")
  const a = yield* agreementFor(actor, caseId)
  const table = yield* loadPolicyTable(SUBSIDY_PARAMETERS)
  const at = yield* Clock.currentTimeMillis
  const line = yield* Effect.fromResult(
    specialLine(
      table,
      a,
      { type: input.type, from, to, month, key: input.key, reason: input.reason },
      { at, by: actor.id },
    ),
  )
  return yield* (yield* SubsidyStore).putLine(line)
})

/** R120 确认: the district confirms its month; every computed line becomes confirmed (once). */
export const confirmDistrict = Effect.fn("Subsidy.confirmDistrict")(function* (
  actor: Actor,
  district: string,
  monthInput: unknown,
) {
  yield* requirePermission(actor, "subsidy.manage")
  const month = yield* decodeMonth(monthInput)
  if (!covers(actor, district))
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "subsidy.manage",
      object: `district:${district}`,
    })
  const at = yield* Clock.currentTimeMillis
  const confirmed = yield* (yield* SubsidyStore).confirm(district, month, actor.id, at)
  return { district, month, confirmed }
})

export interface PayoutList {
  readonly month: string
  readonly items: ReadonlyArray<PayoutLine>
  readonly next: string | null
  /** Per district within the caller's scope (R120 counts per district); amounts in fen. */
  readonly totals: ReadonlyArray<DistrictTotal>
  readonly total: { readonly lines: number; readonly amount: number }
}

/** Lines of one month within the caller's scope (a district officer: their district), keyset-paged. */
export const listPayouts = Effect.fn("Subsidy.listPayouts")(function* (
  actor: Actor,
  input: {
    readonly month: unknown
    readonly district?: string
    readonly after?: string
    readonly limit?: number
  },
) {
  yield* requirePermission(actor, "subsidy.read")
  const month = yield* decodeMonth(input.month)
  const scope = scopeDistricts(actor)
  const districts =
    input.district === undefined
      ? scope
      : scope === undefined || scope.includes(input.district)
        ? [input.district]
        : []
  const limit = Math.min(Math.max(input.limit ?? 100, 1), 500)
  const store = yield* SubsidyStore
  const items = yield* store.listLines({
    month,
    limit: limit + 1,
    ...(districts === undefined ? {} : { districts }),
    ...(input.after === undefined ? {} : { after: input.after }),
  })
  const totals = yield* store.totals(month, districts)
  const page = items.slice(0, limit)
  return {
    month,
    items: page,
    next: items.length > limit ? page[page.length - 1]!.lineId : null,
    totals,
    total: totals.reduce((t, d) => ({ lines: t.lines + d.lines, amount: t.amount + d.amount }), {
      lines: 0,
      amount: 0,
    }),
  } satisfies PayoutList
})

/** One agreement within scope (its status, pauses, term and area). */
export const getAgreement = Effect.fn("Subsidy.getAgreement")(function* (actor: Actor, caseId: string) {
  yield* requirePermission(actor, "subsidy.read")
  return (yield* agreementFor(actor, caseId)) as SubsidyAgreement
})

/** The district's allocation of a month: sum of each case's lines (special payouts included), in fen. */
const allocationOf = Effect.fn("Subsidy.allocationOf")(function* (district: string, month: string) {
  const store = yield* SubsidyStore
  const sums = new Map<string, number>()
  let after: string | undefined
  for (;;) {
    const page = yield* store.listLines({
      month,
      districts: [district],
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    })
    for (const l of page) sums.set(l.caseId, (sums.get(l.caseId) ?? 0) + l.amount)
    if (page.length < 1000) break
    after = page[page.length - 1]!.lineId
  }
  return sums
})

const ledgerScope = Effect.fn("Subsidy.ledgerScope")(function* (
  actor: Actor,
  district: string,
  monthInput: unknown,
) {
  yield* requirePermission(actor, "subsidy.manage")
  const month = yield* decodeMonth(monthInput)
  if (!covers(actor, district))
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "subsidy.manage",
      object: `district:${district}`,
    })
  return month
})

/** R121: the ledger template of a district's month (CSV: pay_month, case_id, allocated_yuan, paid_yuan). */
export const ledgerTemplateFor = Effect.fn("Subsidy.ledgerTemplate")(function* (
  actor: Actor,
  district: string,
  monthInput: unknown,
) {
  const month = yield* ledgerScope(actor, district, monthInput)
  return ledgerTemplate(month, yield* allocationOf(district, month))
})

/** R121: compares the district's imported 实发 file with its allocation; correct and error counts. */
export const compareDistrictLedger = Effect.fn("Subsidy.compareLedger")(function* (
  actor: Actor,
  district: string,
  monthInput: unknown,
  csv: string,
) {
  const month = yield* ledgerScope(actor, district, monthInput)
  const allocation = yield* allocationOf(district, month)
  return yield* Effect.fromResult(compareLedger(csv, month, district, allocation))
})

export { monthBounds }
