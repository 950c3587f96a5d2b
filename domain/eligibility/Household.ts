/**
 * Applicant household (申请家庭) as eligibility rules see it: members with relation, ID number, hukou
 * (户籍) or residence permit (居住证), marriage events, income, social insurance and employment; the
 * household's assets and its owned and rented housing. Money is yuan text decoded to fen, areas m²
 * text decoded to 0.01 m². Invariant after `decodeHousehold`: exactly one applicant, at most one
 * spouse, distinct ID numbers. Measures (per-capita area, totals) are exact integers or exact comparisons.
 */
import { Result, Schema, SchemaGetter } from "effect"
import { MaritalEvent, YuanAmount } from "../guard/GuardEvent.js"
import * as Area from "../values/Area.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import { ResidentIdNumber } from "../values/ResidentIdNumber.js"

/** Square metres as text ("55.50") → Area (0.01 m²). */
export const AreaText = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => Result.isSuccess(Area.parseSquareMetres(s)) || "expected an area in m² such as 55.50",
    ),
  ),
  Schema.decodeTo(Area.Area, {
    decode: SchemaGetter.transform((s: string): number => Result.getOrThrow(Area.parseSquareMetres(s))),
    encode: SchemaGetter.transform((a: number) => Area.toDecimalString(a as Area.Area)),
  }),
)

const Months = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

export const Relation = Schema.Literals(["applicant", "spouse", "child", "parent", "sibling", "other"])
export type Relation = typeof Relation.Type

/** Talent recognition class of a person (R129/R136); A is highest. */
export const TalentClass = Schema.Literals(["A", "B", "C", "youth"])
export type TalentClass = typeof TalentClass.Type

export const Member = Schema.Struct({
  id: ResidentIdNumber,
  relation: Relation,
  hukou: Schema.optionalKey(
    Schema.Struct({
      place: Schema.Literals(["shanghai", "other"]),
      since: Schema.optionalKey(CivilDate.CivilDate),
    }),
  ),
  residencePermit: Schema.optionalKey(
    Schema.Struct({
      validUntil: Schema.optionalKey(CivilDate.CivilDate),
      points: Schema.optionalKey(Months),
    }),
  ),
  marital: Schema.optionalKey(Schema.Array(MaritalEvent)),
  /** 年可支配收入 */
  annualIncome: Schema.optionalKey(YuanAmount),
  /** Consecutive months of Shanghai social insurance (or income tax) up to the decision date. */
  socialInsuranceMonths: Schema.optionalKey(Months),
  employment: Schema.optionalKey(
    Schema.Struct({
      status: Schema.Literals(["employed", "self_employed", "unemployed", "retired", "student"]),
      inShanghai: Schema.optionalKey(Schema.Boolean),
      fullTime: Schema.optionalKey(Schema.Boolean),
      agreement: Schema.optionalKey(Schema.Literals(["contract", "letter_of_intent", "none"])),
    }),
  ),
  talentClass: Schema.optionalKey(TalentClass),
  criminalRecord: Schema.optionalKey(Schema.Boolean),
})
export type Member = typeof Member.Type

export const Asset = Schema.Struct({
  kind: Schema.Literals(["deposit", "securities", "vehicle", "business", "housing_elsewhere", "other"]),
  value: YuanAmount,
})
export type Asset = typeof Asset.Type

export const OwnedHouse = Schema.Struct({
  /** Building area (建筑面积). */
  area: AreaText,
  location: Schema.Literals(["shanghai", "elsewhere"]),
  use: Schema.optionalKey(Schema.Literals(["residential", "non_residential"])),
  /** ID number of the owner; absent = the household. */
  owner: Schema.optionalKey(ResidentIdNumber),
  /** Sold or gifted on this date (出售或赠予); no longer owned from then on. */
  disposedOn: Schema.optionalKey(CivilDate.CivilDate),
})
export type OwnedHouse = typeof OwnedHouse.Type

export const RentedHouse = Schema.Struct({
  area: AreaText,
  /** `public` = 承租公有住房 (counts as housing); the others are leases that do not. */
  kind: Schema.Literals(["public", "market", "gongzu", "baozu", "lianzu", "talent"]),
})
export type RentedHouse = typeof RentedHouse.Type

export const Household = Schema.Struct({
  members: Schema.Array(Member),
  assets: Schema.optionalKey(Schema.Array(Asset)),
  housing: Schema.optionalKey(
    Schema.Struct({
      owned: Schema.optionalKey(Schema.Array(OwnedHouse)),
      rented: Schema.optionalKey(Schema.Array(RentedHouse)),
    }),
  ),
  /** 经认定的因病支出型贫困家庭 (R18). */
  illnessPoverty: Schema.optionalKey(Schema.Boolean),
  talent: Schema.optionalKey(
    Schema.Struct({
      apartmentSource: Schema.optionalKey(Schema.Literals(["baozu", "gongzu", "market"])),
      /** The family already uses a talent apartment (R136 一个人才家庭只能申请使用一套). */
      holdsTalentApartment: Schema.optionalKey(Schema.Boolean),
    }),
  ),
})
export type Household = typeof Household.Type

const decode = Schema.decodeUnknownResult(Household)

/** Checks the composition invariants (one applicant, ≤ 1 spouse, distinct IDs). */
export const checkComposition = (h: Household): Result.Result<Household, InvalidValue> => {
  const applicants = h.members.filter((m) => m.relation === "applicant").length
  if (applicants !== 1)
    return Result.fail(
      invalid(
        "household.members",
        "eligibility.one-applicant",
        applicants,
        "a household has exactly one applicant",
      ),
    )
  if (h.members.filter((m) => m.relation === "spouse").length > 1)
    return Result.fail(
      invalid("household.members", "eligibility.one-spouse", "", "a household has at most one spouse"),
    )
  const ids = new Set(h.members.map((m) => m.id))
  if (ids.size !== h.members.length)
    return Result.fail(
      invalid(
        "household.members",
        "eligibility.distinct-members",
        "",
        "a person appears twice in the household",
      ),
    )
  return Result.succeed(h)
}

/** Decodes JSON/YAML; unknown keys are errors. The error names the field path and the reason. */
export const decodeHousehold = (
  input: unknown,
  field = "household",
): Result.Result<Household, InvalidValue> =>
  decode(input, { onExcessProperty: "error" }).pipe(
    Result.mapError((e) =>
      invalid(field, "eligibility.household-schema", "", e.message.replaceAll("\n", " ")),
    ),
    Result.flatMap(checkComposition),
  )

export const applicant = (h: Household): Member => h.members.find((m) => m.relation === "applicant")!
export const spouse = (h: Household): Member | undefined => h.members.find((m) => m.relation === "spouse")

/** R136 人才家庭: the talent, the spouse and the children living with them. */
export const talentFamily = (h: Household): ReadonlyArray<Member> =>
  h.members.filter((m) => m.relation === "applicant" || m.relation === "spouse" || m.relation === "child")

/** Is the house still owned on `on` (not disposed of on or before it)? */
export const ownedOn = (house: OwnedHouse, on: CivilDate.CivilDate): boolean =>
  house.disposedOn === undefined || house.disposedOn > on

/** Residential homes in Shanghai owned on `on` (optionally only those owned by `owners`). */
export const shanghaiHomes = (
  h: Household,
  on: CivilDate.CivilDate,
  owners?: ReadonlyArray<string>,
): ReadonlyArray<OwnedHouse> =>
  (h.housing?.owned ?? []).filter(
    (o) =>
      o.location === "shanghai" &&
      o.use !== "non_residential" &&
      ownedOn(o, on) &&
      (owners === undefined || o.owner === undefined || owners.includes(o.owner)),
  )

/** Building area that counts as the household's housing: owned Shanghai homes plus rented public housing. */
export const countedBuildingArea = (h: Household, on: CivilDate.CivilDate): Area.Area => {
  let total = 0
  for (const o of shanghaiHomes(h, on)) total += o.area
  for (const r of h.housing?.rented ?? []) if (r.kind === "public") total += r.area
  return total as Area.Area
}

/** Σ annual income of members who declared one, and the members who did not. */
export const incomeTotal = (
  h: Household,
): { readonly total: Money.Money; readonly missing: ReadonlyArray<string> } => {
  let t = 0n
  const missing: Array<string> = []
  for (const m of h.members)
    if (m.annualIncome === undefined) missing.push(m.id)
    else t += BigInt(m.annualIncome)
  return { total: Money.unsafeFen(Number(t)), missing }
}

export const assetTotal = (h: Household): Money.Money =>
  Money.unsafeFen(Number((h.assets ?? []).reduce((t, a) => t + BigInt(a.value), 0n)))

/** `a / n` as text with two decimals, rounded half-even (display only; comparisons are exact). */
export const perHeadText = (fenOrHundredths: number, n: number): string => {
  const q = Money.divideRounded(BigInt(fenOrHundredths), BigInt(n), "half-even")
  return `${q / 100n}.${String(q % 100n).padStart(2, "0")}`
}
