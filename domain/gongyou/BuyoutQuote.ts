/**
 * 共有产权 five-year business (满五年业务): the five-year test from the contract or handover date, and
 * the price quote for buying the government share (购买政府产权份额, R125): appraised unit price × area ×
 * government share, computed exactly and rounded to the fen once by the policy's rounding mode, valid
 * for `validity_days` from the quote date. Every variable is stored with the quote (R125, #21). R127:
 * cancellation (注销) is blocked while a registration is 受理中 at the real-estate centre.
 */
import { Result, Schema } from "effect"
import { YuanAmount } from "../guard/GuardEvent.js"
import { AreaText } from "../eligibility/Household.js"
import * as Jurisdiction from "../policy/Jurisdiction.js"
import type { ParameterNotFound, ParameterReader, TraceEntry } from "../policy/ParameterReader.js"
import type { PolicyTable } from "../policy/PolicyTable.js"
import * as Ratio from "../policy/Ratio.js"
import * as Area from "../values/Area.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import { GongyouParameters as P } from "./GongyouParameters.js"

export const GongyouUnit = Schema.Struct({
  address: Schema.NonEmptyString,
  estate: Schema.optionalKey(Schema.String),
  district: Schema.optionalKey(Schema.Union([Schema.String, Schema.Number])),
  /** Building area (建筑面积) on the title. */
  area: AreaText,
  /** Government share (政府产权份额), e.g. "40%" or "2/5". */
  governmentShare: Schema.String,
  contractSignedOn: CivilDate.CivilDate,
  handoverOn: Schema.optionalKey(CivilDate.CivilDate),
  appraisal: Schema.Struct({
    /** Appraised unit price (评估单价), yuan per m². */
    unitPrice: YuanAmount,
    appraisedOn: CivilDate.CivilDate,
    /** The estate's appraised average price, shown as given (R125). */
    estateAveragePrice: Schema.optionalKey(YuanAmount),
  }),
})
export type GongyouUnit = typeof GongyouUnit.Type

export interface DecodedGongyouUnit extends GongyouUnit {
  readonly share: Ratio.Ratio
  readonly jurisdiction?: Jurisdiction.Jurisdiction
}

const decode = Schema.decodeUnknownResult(GongyouUnit)

export const decodeGongyouUnit = (
  input: unknown,
  field = "unit",
): Result.Result<DecodedGongyouUnit, InvalidValue> =>
  Result.gen(function* () {
    const u = yield* decode(input, { onExcessProperty: "error" }).pipe(
      Result.mapError((e) => invalid(field, "gongyou.unit-schema", "", e.message.replaceAll("\n", " "))),
    )
    const share = yield* Ratio.parse(u.governmentShare, `${field}.governmentShare`)
    if (share.numerator <= 0 || share.numerator >= share.denominator)
      return yield* Result.fail(
        invalid(
          `${field}.governmentShare`,
          "gongyou.share-range",
          u.governmentShare,
          "the government share lies strictly between 0 and 1",
        ),
      )
    if (u.handoverOn !== undefined && u.handoverOn < u.contractSignedOn)
      return yield* Result.fail(
        invalid(
          `${field}.handoverOn`,
          "gongyou.handover-order",
          u.handoverOn,
          "handover cannot precede the purchase contract",
        ),
      )
    const jurisdiction =
      u.district === undefined ? undefined : yield* Jurisdiction.parse(u.district, `${field}.district`)
    return { ...u, share, ...(jurisdiction === undefined ? {} : { jurisdiction }) }
  })

export interface FiveYearTest {
  readonly basis: "contract" | "handover" | "later_of_both"
  /** The date the years run from (contract, handover, or the later of the two). */
  readonly basisDate: CivilDate.CivilDate
  readonly years: number
  /** First day on which the years are complete (basis + years, anniversary rule). */
  readonly reachedOn: CivilDate.CivilDate
  readonly reached: boolean
}

/**
 * Five-year test: reached on `basisDate + years` (calendar anniversary; 02-29 → 02-28). A missing
 * handover date with basis `handover`/`later_of_both` is an input error.
 */
export const fiveYearTest = (
  unit: GongyouUnit,
  on: CivilDate.CivilDate,
  r: ParameterReader,
): Result.Result<FiveYearTest, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    const years = yield* r.read(P.fiveYearYears)
    const basis = yield* r.read(P.fiveYearBasis)
    if (basis !== "contract" && unit.handoverOn === undefined)
      return yield* Result.fail(
        invalid(
          "unit.handoverOn",
          "R125.handover-required",
          "",
          `the five-year basis "${basis}" needs the handover date`,
        ),
      )
    const basisDate =
      basis === "contract"
        ? unit.contractSignedOn
        : basis === "handover"
          ? unit.handoverOn!
          : [unit.handoverOn!, unit.contractSignedOn].sort(CivilDate.compare)[1]!
    const reachedOn = CivilDate.addYears(basisDate, years)
    return { basis, basisDate, years, reachedOn, reached: on >= reachedOn }
  })

export interface BuyoutQuote {
  readonly address: string
  readonly estate?: string
  readonly on: CivilDate.CivilDate
  readonly validFrom: CivilDate.CivilDate
  /** Last day the quote is valid (inclusive). */
  readonly validUntil: CivilDate.CivilDate
  readonly fiveYear: FiveYearTest
  readonly variables: {
    readonly appraisedUnitPrice: Money.Money
    readonly appraisedOn: CivilDate.CivilDate
    readonly estateAveragePrice?: Money.Money
    readonly area: Area.Area
    readonly governmentShare: string
    /** Total appraised price of the house = unit price × area, exact (fen, fraction if any). */
    readonly totalPriceExactFen: string
    /** The government-share price before rounding (fen, exact fraction). */
    readonly shareExactFen: string
    readonly rounding: "half-up" | "half-even" | "floor" | "ceiling" | "down"
  }
  /** Price to buy the government share, rounded once to the fen. */
  readonly price: Money.Money
  readonly formula: string
  readonly parameters: ReadonlyArray<TraceEntry>
}

const fraction = (n: bigint, d: bigint): string => {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b))
  const g = gcd(n, d) || 1n
  return d / g === 1n ? `${n / g}` : `${n / g}/${d / g}`
}

/** R125 price quote. Exact: price = round(unitPrice(fen/m²) × area(0.01 m²) × share ÷ 100). */
export const quoteBuyout = (
  table: PolicyTable,
  unit: DecodedGongyouUnit,
  on: CivilDate.CivilDate,
): Result.Result<BuyoutQuote, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    if (on < unit.appraisal.appraisedOn)
      return yield* Result.fail(
        invalid("on", "R125.after-appraisal", on, "a quote cannot precede the appraisal"),
      )
    const r = table.reader({ on, district: unit.jurisdiction })
    const fiveYear = yield* fiveYearTest(unit, on, r)
    const rounding = yield* r.read(P.quoteRounding)
    const validity = yield* r.read(P.quoteValidityDays)
    const price = BigInt(unit.appraisal.unitPrice)
    const area = BigInt(unit.area)
    const n = price * area * BigInt(unit.share.numerator)
    const d = 100n * BigInt(unit.share.denominator)
    const rounded = Money.divideRounded(n, d, rounding)
    return {
      address: unit.address,
      ...(unit.estate === undefined ? {} : { estate: unit.estate }),
      on,
      validFrom: on,
      validUntil: CivilDate.addDays(on, Math.max(1, validity) - 1),
      fiveYear,
      variables: {
        appraisedUnitPrice: unit.appraisal.unitPrice,
        appraisedOn: unit.appraisal.appraisedOn,
        ...(unit.appraisal.estateAveragePrice === undefined
          ? {}
          : { estateAveragePrice: unit.appraisal.estateAveragePrice }),
        area: unit.area,
        governmentShare: Ratio.format(unit.share),
        totalPriceExactFen: fraction(price * area, 100n),
        shareExactFen: fraction(n, d),
        rounding,
      },
      price: yield* Money.fromFen(rounded, "price"),
      formula: `${Money.format(unit.appraisal.unitPrice)}/m² × ${Area.format(unit.area)} × ${Ratio.format(unit.share)}, rounded ${rounding} to the fen`,
      parameters: r.trace(),
    }
  })

export const quoteBuyoutUnknown = (
  table: PolicyTable,
  input: unknown,
  on: CivilDate.CivilDate,
): Result.Result<BuyoutQuote, ParameterNotFound | InvalidValue> =>
  Result.flatMap(decodeGongyouUnit(input), (u) => quoteBuyout(table, u, on))

/** R127: a five-year case may be cancelled at any node unless a registration is 受理中 at the centre. */
export const cancellationBlocked = (registration: "none" | "in_progress" | "closed" | "rejected"): boolean =>
  registration === "in_progress"
