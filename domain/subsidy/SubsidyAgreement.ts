/**
 * 廉租 rent-subsidy agreement (租金补贴协议) and its monthly payout lines (月度发放明细), R118–R123 and R23.
 * One agreement per admitted 廉租 case: district, approved persons, living area, term (start .. end,
 * inclusive), pauses (暂停/恢复 with reasons, R120) and the exit date of a closed case. A month's amount is
 * always the existing formula (LianzuSubsidy.prorate over the agreement read as a DecodedSubsidyCase),
 * never a second one. Invariants: start ≤ end; at most one open pause (the last); a line's amount is the
 * statement's total for its dates; a regular line's id is `<case>:<month>` (one per case × month).
 */
import { Option, Result, Schema } from "effect"
import { r23ExpiryLadder } from "../guard/ExpiryLadder.js"
import type { GuardWarning } from "../guard/GuardWarning.js"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import type { PolicyTable } from "../policy/PolicyTable.js"
import type * as Area from "../values/Area.js"
import type { ResidentIdNumber } from "../values/ResidentIdNumber.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type SubsidyStatement, prorate, specialPayout } from "./LianzuSubsidy.js"
import { type DecodedSubsidyCase, YearMonth } from "./LianzuSubsidyCase.js"

export { YearMonth }

export const AGREEMENT_STATUSES = ["active", "paused", "ended"] as const
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number]

export const Pause = Schema.Struct({
  from: CivilDate.CivilDate,
  /** Last paused day; null while the pause is open. */
  to: Schema.NullOr(CivilDate.CivilDate),
  reason: Schema.String,
  by: Schema.String,
  resumeReason: Schema.NullOr(Schema.String),
})
export type Pause = typeof Pause.Type

export const SubsidyAgreement = Schema.Struct({
  caseId: Schema.String,
  district: Schema.String,
  /** 核定人数: the case's declared household size, else its member count. */
  approvedPersons: Schema.Int,
  /** 居住面积 in 0.01 m²; null until recorded (the case does not hold it). */
  livingArea: Schema.NullOr(Schema.Int),
  /** Or the 建筑面积 in 0.01 m², converted by R123. */
  buildingArea: Schema.NullOr(Schema.Int),
  /** First subsidised day: the admission date (准入资格 validFrom). */
  start: CivilDate.CivilDate,
  /** Last day of the term (start + agreement_term_months − 1 day). */
  end: CivilDate.CivilDate,
  status: Schema.Literals(AGREEMENT_STATUSES),
  pauses: Schema.Array(Pause),
  /** First day without subsidy after the case closed (退出); null while the case holds. */
  exitedOn: Schema.NullOr(CivilDate.CivilDate),
  /** Blind index of the main applicant's ID number: the person R23 warnings are lit for. */
  applicantIndex: Schema.String,
  /** Idempotency key of the creation (`agreement:<caseId>`). */
  createdBy: Schema.String,
  createdAt: Schema.Number,
  version: Schema.Int,
})
export type SubsidyAgreement = typeof SubsidyAgreement.Type
export const decodeAgreement = Schema.decodeUnknownResult(SubsidyAgreement)

export const LINE_KINDS = ["regular", "back_pay", "recovery"] as const
export type LineKind = (typeof LINE_KINDS)[number]

export const PayoutLine = Schema.Struct({
  /** `<case>:<month>` for a regular line; `<case>:<month>:<kind>:<key>` for a special payout (特殊发放). */
  lineId: Schema.String,
  caseId: Schema.String,
  district: Schema.String,
  /** Pay month (实发年-月) `YYYY-MM`. */
  month: YearMonth,
  kind: Schema.Literals(LINE_KINDS),
  from: CivilDate.CivilDate,
  to: CivilDate.CivilDate,
  /** Fen; negative for a recovery (追回). */
  amount: Schema.Int,
  status: Schema.Literals(["computed", "confirmed"]),
  reason: Schema.NullOr(Schema.String),
  /** The computation: statusDays per month, formulas with every variable, parameters with sources. */
  trace: Schema.Struct({
    statusDays: Schema.Record(Schema.String, Schema.Int),
    formulas: Schema.Array(Schema.Unknown),
    parameters: Schema.Array(Schema.Unknown),
    rounding: Schema.String,
  }),
  computedAt: Schema.Number,
  computedBy: Schema.String,
  confirmedAt: Schema.NullOr(Schema.Number),
  confirmedBy: Schema.NullOr(Schema.String),
})
export type PayoutLine = typeof PayoutLine.Type
export const decodeLine = Schema.decodeUnknownResult(PayoutLine)

export const regularLineId = (caseId: string, month: string): string => `${caseId}:${month}`

/** First and last day of a month `YYYY-MM`. */
export const monthBounds = (month: string): { first: CivilDate.CivilDate; last: CivilDate.CivilDate } => {
  const first = `${month}-01` as CivilDate.CivilDate
  const { year, month: m } = CivilDate.toYmd(first)
  return { first, last: CivilDate.addDays(first, CivilDate.daysInMonth(year, m) - 1) }
}
export const monthOf = (d: CivilDate.CivilDate): string => d.slice(0, 7)
export const addMonthsTo = (month: string, n: number): string =>
  monthOf(CivilDate.addMonths(`${month}-01` as CivilDate.CivilDate, n))

/** The agreement of an admitted case: term from `termMonths` (policy parameter), no area yet unless given. */
export const makeAgreement = (input: {
  readonly caseId: string
  readonly district: string
  readonly approvedPersons: number
  readonly start: CivilDate.CivilDate
  readonly termMonths: number
  readonly applicantIndex: string
  readonly at: number
}): SubsidyAgreement => ({
  caseId: input.caseId,
  district: input.district,
  approvedPersons: Math.max(1, input.approvedPersons),
  livingArea: null,
  buildingArea: null,
  start: input.start,
  end: CivilDate.addDays(CivilDate.addMonths(input.start, Math.max(1, input.termMonths)), -1),
  status: "active",
  pauses: [],
  exitedOn: null,
  applicantIndex: input.applicantIndex,
  createdBy: `agreement:${input.caseId}`,
  createdAt: input.at,
  version: 1,
})

/** The agreement as the subsidy calculator's household; fails naming the field when no area is recorded. */
export const toSubsidyCase = (a: SubsidyAgreement): Result.Result<DecodedSubsidyCase, InvalidValue> =>
  Result.gen(function* () {
    if (a.livingArea === null && a.buildingArea === null)
      return yield* Result.fail(
        invalid(
          "agreement.livingArea",
          "R118.living-area-required",
          a.caseId,
          "no living area (居住面积) or building area is recorded for this agreement",
        ),
      )
    const jurisdiction = yield* Jurisdiction.parse(a.district, "agreement.district")
    const pauses = a.pauses.map((p) => (p.to === null ? { from: p.from } : { from: p.from, to: p.to }))
    return {
      district: a.district,
      jurisdiction,
      approvedPersons: a.approvedPersons,
      ...(a.livingArea !== null
        ? { livingArea: a.livingArea as Area.Area }
        : { buildingArea: a.buildingArea! as Area.Area }),
      protection: { from: a.start, to: a.end },
      ...(a.exitedOn === null ? {} : { exitedOn: a.exitedOn }),
      ...(pauses.length === 0 ? {} : { pauses }),
    } satisfies DecodedSubsidyCase
  })

const lineOf = (
  a: SubsidyAgreement,
  month: string,
  kind: LineKind,
  lineId: string,
  s: SubsidyStatement,
  meta: { readonly at: number; readonly by: string; readonly reason: string | null },
): PayoutLine => {
  const statusDays: Record<string, number> = {}
  for (const m of s.months)
    for (const [k, v] of Object.entries(m.statusDays)) statusDays[k] = (statusDays[k] ?? 0) + (v ?? 0)
  return {
    lineId,
    caseId: a.caseId,
    district: a.district,
    month,
    kind,
    from: s.from,
    to: s.to,
    amount: s.total,
    status: "computed",
    reason: meta.reason,
    trace: {
      statusDays,
      formulas: JSON.parse(JSON.stringify(s.formulas)),
      parameters: JSON.parse(JSON.stringify(s.parameters)),
      rounding: s.rounding,
    },
    computedAt: meta.at,
    computedBy: meta.by,
    confirmedAt: null,
    confirmedBy: null,
  }
}

/**
 * The regular line of `month`: the statement over the month's days from the agreement's start (pause, exit,
 * transition and end days are the formula's statuses). None when no day of the month is payable or paused
 * (before the start, or past the end and its transition period): `finished` then says the term is over.
 */
export const monthLine = (
  table: PolicyTable,
  a: SubsidyAgreement,
  month: string,
  meta: { readonly at: number; readonly by: string },
): Result.Result<
  { readonly line: Option.Option<PayoutLine>; readonly finished: boolean },
  ParameterNotFound | InvalidValue
> =>
  Result.gen(function* () {
    const { first, last } = monthBounds(month)
    if (last < a.start) return { line: Option.none(), finished: false }
    const c = yield* toSubsidyCase(a)
    // biome-ignore lint/complexity/useMathMinMax: civil dates are ISO strings, ordered as text
    const from = first < a.start ? a.start : first
    const s = yield* prorate(table, c, from, last)
    const days = s.months.reduce((n, m) => n + m.days - (m.statusDays.none ?? 0), 0)
    if (days === 0) return { line: Option.none(), finished: month > monthOf(a.end) || a.exitedOn !== null }
    return {
      line: Option.some(
        lineOf(a, month, "regular", regularLineId(a.caseId, month), s, { ...meta, reason: null }),
      ),
      finished: false,
    }
  })

/** R120 特殊发放: 补发 (positive) or 追回 (negative) over from..to, paid in `month`, with its reason. */
export const specialLine = (
  table: PolicyTable,
  a: SubsidyAgreement,
  input: {
    readonly type: "back_pay" | "recovery"
    readonly from: CivilDate.CivilDate
    readonly to: CivilDate.CivilDate
    readonly month: string
    readonly key: string
    readonly reason: string
  },
  meta: { readonly at: number; readonly by: string },
): Result.Result<PayoutLine, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    const c = yield* toSubsidyCase(a)
    const s = yield* specialPayout(table, c, { type: input.type, from: input.from, to: input.to })
    return lineOf(a, input.month, input.type, `${a.caseId}:${input.month}:${input.type}:${input.key}`, s, {
      ...meta,
      reason: input.reason,
    })
  })

/** R120 暂停: opens a pause from `from`; refused while one is open or after the agreement ended. */
export const pauseAgreement = (
  a: SubsidyAgreement,
  input: { readonly from: CivilDate.CivilDate; readonly reason: string; readonly by: string },
): Result.Result<SubsidyAgreement, InvalidValue> => {
  if (a.status === "ended")
    return Result.fail(invalid("caseId", "R120.ended", a.caseId, "the agreement has ended"))
  if (a.pauses.some((p) => p.to === null))
    return Result.fail(invalid("caseId", "R120.already-paused", a.caseId, "the agreement is already paused"))
  const lastTo = a.pauses.at(-1)?.to
  if (lastTo !== undefined && lastTo !== null && input.from <= lastTo)
    return Result.fail(
      invalid("from", "R120.pause-order", input.from, "a pause starts after the previous pause ended"),
    )
  if (input.reason.trim() === "")
    return Result.fail(invalid("reason", "R120.reason-required", "", "a pause needs a reason"))
  return Result.succeed({
    ...a,
    status: "paused",
    pauses: [
      ...a.pauses,
      { from: input.from, to: null, reason: input.reason, by: input.by, resumeReason: null },
    ],
  })
}

/** R120 恢复: closes the open pause; `on` is the first paid day again (the pause's last day is the day before). */
export const resumeAgreement = (
  a: SubsidyAgreement,
  input: { readonly on: CivilDate.CivilDate; readonly reason: string },
): Result.Result<SubsidyAgreement, InvalidValue> => {
  const open = a.pauses.at(-1)
  if (open === undefined || open.to !== null)
    return Result.fail(invalid("caseId", "R120.not-paused", a.caseId, "the agreement is not paused"))
  if (input.on <= open.from)
    return Result.fail(invalid("on", "R120.resume-order", input.on, "payments resume after the pause began"))
  if (input.reason.trim() === "")
    return Result.fail(invalid("reason", "R120.reason-required", "", "a resumption needs a reason"))
  return Result.succeed({
    ...a,
    status: "active",
    pauses: [
      ...a.pauses.slice(0, -1),
      { ...open, to: CivilDate.addDays(input.on, -1), resumeReason: input.reason },
    ],
  })
}

/** R23 on one agreement (the guard's ladder, not a copy): yellow 4 months before `end`, orange after it. */
export const agreementWarnings = (
  a: SubsidyAgreement,
  on: CivilDate.CivilDate,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> => {
  if (a.exitedOn !== null) return Result.succeed([])
  // The person is the applicant's blind index: warnings never carry an ID number in clear.
  const person = a.applicantIndex as ResidentIdNumber
  return r23ExpiryLadder(
    {
      cases: [
        {
          caseId: a.caseId,
          kind: "lianzu",
          status: "admitted",
          members: [{ id: person, role: "applicant" }],
          appliedOn: a.start,
          district: a.district,
          term: { type: "lianzu_subsidy_agreement", endsOn: a.end },
        },
      ],
    },
    person,
    on,
    reader,
  )
}
