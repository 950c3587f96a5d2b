/**
 * A 廉租 rent-subsidy household (租金配租家庭) as the subsidy calculator sees it: district, approved
 * persons (核定人数), current living area (or building area, converted by R123), the protection period
 * (保障期), exit (退出) and the transition agreement (过渡期协议, R122: exited families only), pauses
 * (暂停/恢复, R120). Invariants after decoding: protection.from ≤ protection.to; an agreement needs an exit
 * and starts on or after it; exactly one of livingArea / buildingArea.
 */
import { Result, Schema } from "effect"
import { YuanAmount } from "../guard/GuardEvent.js"
import { AreaText } from "../eligibility/Household.js"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/u
export const YearMonth = Schema.String.pipe(
  Schema.check(Schema.makeFilter((s: string) => MONTH.test(s) || "expected a month YYYY-MM")),
)

export const LianzuSubsidyCase = Schema.Struct({
  district: Schema.Union([Schema.String, Schema.Number]),
  approvedPersons: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  /** Current living area (居住面积) of the household. */
  livingArea: Schema.optionalKey(AreaText),
  /** Or the building area (建筑面积), converted by R123. */
  buildingArea: Schema.optionalKey(AreaText),
  protection: Schema.Struct({ from: CivilDate, to: CivilDate }),
  exitedOn: Schema.optionalKey(CivilDate),
  transitionAgreement: Schema.optionalKey(
    Schema.Struct({
      monthlyAmount: YuanAmount,
      from: CivilDate,
      to: Schema.optionalKey(CivilDate),
      /** Edited months (e.g. a half month), R122. */
      months: Schema.optionalKey(Schema.Array(Schema.Struct({ month: YearMonth, amount: YuanAmount }))),
    }),
  ),
  pauses: Schema.optionalKey(
    Schema.Array(Schema.Struct({ from: CivilDate, to: Schema.optionalKey(CivilDate) })),
  ),
})
export type LianzuSubsidyCase = typeof LianzuSubsidyCase.Type

export interface DecodedSubsidyCase extends LianzuSubsidyCase {
  readonly jurisdiction: Jurisdiction.Jurisdiction
}

const decode = Schema.decodeUnknownResult(LianzuSubsidyCase)

export const decodeSubsidyCase = (
  input: unknown,
  field = "household",
): Result.Result<DecodedSubsidyCase, InvalidValue> =>
  Result.gen(function* () {
    const c = yield* decode(input, { onExcessProperty: "error" }).pipe(
      Result.mapError((e) => invalid(field, "subsidy.case-schema", "", e.message.replaceAll("\n", " "))),
    )
    const jurisdiction = yield* Jurisdiction.parse(c.district, `${field}.district`)
    if ((c.livingArea === undefined) === (c.buildingArea === undefined))
      return yield* Result.fail(
        invalid(
          `${field}.livingArea`,
          "subsidy.one-area",
          "",
          "give exactly one of livingArea or buildingArea",
        ),
      )
    if (c.protection.to < c.protection.from)
      return yield* Result.fail(
        invalid(
          `${field}.protection.to`,
          "subsidy.period-order",
          c.protection.to,
          "the protection period ends before it starts",
        ),
      )
    const a = c.transitionAgreement
    if (a !== undefined) {
      if (c.exitedOn === undefined || a.from < c.exitedOn)
        return yield* Result.fail(
          invalid(
            `${field}.transitionAgreement.from`,
            "R122.exited-only",
            a.from,
            "a transition agreement is only for families that have already exited (from ≥ exitedOn)",
          ),
        )
      if (a.to !== undefined && a.to < a.from)
        return yield* Result.fail(
          invalid(
            `${field}.transitionAgreement.to`,
            "subsidy.period-order",
            a.to,
            "the agreement ends before it starts",
          ),
        )
    }
    for (const [i, p] of (c.pauses ?? []).entries())
      if (p.to !== undefined && p.to < p.from)
        return yield* Result.fail(
          invalid(
            `${field}.pauses[${i}].to`,
            "subsidy.period-order",
            p.to,
            "the pause ends before it starts",
          ),
        )
    return { ...c, jurisdiction }
  })
