/**
 * Eligibility rules per housing kind (准入条件): 公租 gongzu, 保租 baozu, 廉租 lianzu, 共有产权 gongyou
 * and 人才 talent (R136). Each rule is a pure function of (household, date, reader) returning a
 * `RuleEvaluation`. Limits are inclusive (民法典 第1259条: 以下 includes the number); comparisons are
 * exact integer products (total ≤ limit × persons), never rounded per-head values. A missing input a
 * rule needs gives `review`, never a guess. Monotone by construction: more income, more assets or more
 * housing can only move a verdict towards `fail`.
 */
import { Result } from "effect"
import { GuardParameters } from "../guard/GuardParameters.js"
import { monthsElapsed } from "../guard/MarriageCheck.js"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as Area from "../values/Area.js"
import * as CivilDate from "../values/CivilDate.js"
import * as Money from "../values/Money.js"
import { EligibilityParameters as P } from "./EligibilityParameters.js"
import {
  type Household,
  type Member,
  type TalentClass,
  applicant,
  assetTotal,
  countedBuildingArea,
  incomeTotal,
  perHeadText,
  shanghaiHomes,
  spouse,
  talentFamily,
} from "./Household.js"
import { type Outcome, type RuleEvaluation, evaluateRule, fail, pass, review } from "./RuleEvaluation.js"

export type EligibilityKind = "gongzu" | "baozu" | "lianzu" | "gongyou" | "talent"
export const ELIGIBILITY_KINDS: ReadonlyArray<EligibilityKind> = [
  "gongzu",
  "baozu",
  "lianzu",
  "gongyou",
  "talent",
]

type Rule = (
  h: Household,
  on: CivilDate.CivilDate,
  reader: ParameterReader,
) => Result.Result<RuleEvaluation, ParameterNotFound>
type Body = (r: ParameterReader) => Result.Result<Outcome, ParameterNotFound>
const rule =
  (
    code: string,
    refs: ReadonlyArray<string>,
    title: string,
    body: (h: Household, on: CivilDate.CivilDate) => Body,
  ): Rule =>
  (h, on, reader) =>
    evaluateRule(reader, code, refs, title, body(h, on))
const ok = (o: Outcome) => Result.succeed(o)

// ——— shared rule bodies ———

/** Shanghai hukou, or a residence permit valid on the date (公租/保租). */
const residence = (code: string): Rule =>
  rule(code, ["#5", "#6"], "本市户籍或有效居住证", (h, on) => () => {
    const a = applicant(h)
    const values = {
      hukou: a.hukou?.place ?? "(not declared)",
      residencePermitValidUntil:
        a.residencePermit === undefined ? "(none)" : (a.residencePermit.validUntil ?? "(open)"),
    }
    if (a.hukou?.place === "shanghai") return ok(pass("applicant has Shanghai hukou", values))
    if (a.residencePermit !== undefined)
      return ok(
        a.residencePermit.validUntil === undefined || a.residencePermit.validUntil >= on
          ? pass("applicant holds a valid 上海市居住证", values)
          : fail(`居住证 expired on ${a.residencePermit.validUntil}`, values),
      )
    return ok(
      a.hukou === undefined
        ? review("hukou not declared and no residence permit", values)
        : fail("no Shanghai hukou and no residence permit", values),
    )
  })

/** Employed in Shanghai with at least `months` consecutive months of social insurance (社保, 序号26). */
const employment = (code: string, months: typeof P.gongzuSocialInsuranceMonths): Rule =>
  rule(
    code,
    ["#26"],
    "在沪就业并连续缴纳社保",
    (h) => (r) =>
      Result.gen(function* () {
        const a = applicant(h)
        const min = yield* r.read(months)
        const values = {
          employment: a.employment?.status ?? "(not declared)",
          inShanghai: String(a.employment?.inShanghai ?? "(not declared)"),
          socialInsuranceMonths:
            a.socialInsuranceMonths === undefined ? "(not declared)" : String(a.socialInsuranceMonths),
          requiredMonths: String(min),
        }
        if (a.employment === undefined) return review("employment not declared", values)
        if (a.employment.status !== "employed" && a.employment.status !== "self_employed")
          return fail(`applicant is ${a.employment.status}`, values)
        if (a.employment.inShanghai === false) return fail("applicant does not work in Shanghai", values)
        if (a.socialInsuranceMonths === undefined)
          return review("social-insurance months not declared", values)
        return a.socialInsuranceMonths >= min
          ? pass(`${a.socialInsuranceMonths} ≥ ${min} months of social insurance`, values)
          : fail(`${a.socialInsuranceMonths} < ${min} months of social insurance`, values)
      }),
  )

/** Per-capita building area of the counted housing ≤ limit (R81's per-capita housing area). */
const perCapitaBuildingArea = (code: string, limitKey: typeof P.gongzuPerCapitaAreaLimit): Rule =>
  rule(
    code,
    ["R81", "#32"],
    "人均住房建筑面积不超过标准",
    (h, on) => (r) =>
      Result.gen(function* () {
        const limit = yield* r.read(limitKey)
        const area = countedBuildingArea(h, on)
        const n = h.members.length
        const values = {
          countedBuildingArea: Area.format(area),
          persons: String(n),
          perCapitaArea: `${perHeadText(area, n)} m²`,
          limitPerCapita: Area.format(limit),
        }
        return area <= limit * n
          ? pass("per-capita building area within the limit", values)
          : fail("per-capita building area above the limit", values)
      }),
  )

/** Economic test: total ≤ limit per head × persons (exact), large or small household band. */
const economic = (
  code: string,
  refs: ReadonlyArray<string>,
  title: string,
  measure: "income" | "property",
  keys: {
    readonly minLarge: typeof P.gongyouLargeHouseholdMinSize
    readonly large: typeof P.gongyouIncomeLimitLarge
    readonly small: typeof P.gongyouIncomeLimitSmall
  },
  illnessUsesSmall: boolean,
): Rule =>
  rule(
    code,
    refs,
    title,
    (h) => (r) =>
      Result.gen(function* () {
        const n = h.members.length
        const minLarge = yield* r.read(keys.minLarge)
        const large = n >= minLarge && !(illnessUsesSmall && h.illnessPoverty === true)
        const limit = yield* r.read(large ? keys.large : keys.small)
        const income = incomeTotal(h)
        const total = measure === "income" ? income.total : assetTotal(h)
        const values = {
          persons: String(n),
          band: large
            ? "large household"
            : h.illnessPoverty === true && illnessUsesSmall
              ? "illness-poverty household"
              : "small household",
          total: Money.format(total),
          perHead: `¥${perHeadText(total, n)}`,
          limitPerHead: Money.format(limit),
        }
        if (measure === "income" && income.missing.length > 0)
          return review(`annual income not declared for ${income.missing.length} member(s)`, values)
        return BigInt(total) <= BigInt(limit) * BigInt(n)
          ? pass(`per-head ${measure} within the limit`, values)
          : fail(`per-head ${measure} above the limit`, values)
      }),
  )

/** R19: married under `married_years` or divorced under `divorced_years`, counted to the month of the date. */
const marriage = (code: string): Rule =>
  rule(
    code,
    ["R19"],
    "结婚不满一年、离婚不满三年",
    (h, on) => (r) =>
      Result.gen(function* () {
        const events = h.members.flatMap((m) =>
          (m.marital ?? []).filter((e) => e.on <= on).map((e) => ({ m, e })),
        )
        if (events.length === 0) return pass("no marriage or divorce on record", { maritalEvents: "0" })
        const married = yield* r.read(GuardParameters.r19MarriedYears)
        const divorced = yield* r.read(GuardParameters.r19DivorcedYears)
        const recent = events.filter(
          ({ e }) => monthsElapsed(e.on, on) < 12 * (e.event === "married" ? married : divorced),
        )
        const values = Object.fromEntries(
          events.map(({ m, e }, i) => [
            `event${i + 1}`,
            `${e.event} ${e.on} (${monthsElapsed(e.on, on)} months, ${m.relation})`,
          ]),
        )
        return recent.length === 0
          ? pass("no recent marriage or divorce", values)
          : fail(`${recent[0]!.e.event} on ${recent[0]!.e.on}: within the R19 period`, values)
      }),
  )

const hukouYears = (code: string, years: typeof P.lianzuHukouYears, refs: ReadonlyArray<string>): Rule =>
  rule(
    code,
    refs,
    "本市户籍年限",
    (h, on) => (r) =>
      Result.gen(function* () {
        const a = applicant(h)
        const min = yield* r.read(years)
        const values = {
          hukou: a.hukou?.place ?? "(not declared)",
          hukouSince: a.hukou?.since ?? "(not declared)",
          requiredYears: String(min),
        }
        if (a.hukou === undefined) return review("hukou not declared", values)
        if (a.hukou.place !== "shanghai") return fail("applicant has no Shanghai hukou", values)
        if (a.hukou.since === undefined) return review("date of Shanghai hukou not declared", values)
        const months = CivilDate.fullMonthsBetween(a.hukou.since, on)
        return months >= 12 * min
          ? pass(`Shanghai hukou for ${Math.floor(months / 12)} full years`, values)
          : fail(`Shanghai hukou for ${Math.floor(months / 12)} full years, fewer than ${min}`, values)
      }),
  )

// ——— per kind ———

const gongzuRules: ReadonlyArray<Rule> = [
  residence("gongzu.residence"),
  employment("gongzu.employment", P.gongzuSocialInsuranceMonths),
  perCapitaBuildingArea("gongzu.housing", P.gongzuPerCapitaAreaLimit),
]

const baozuHousing: Rule = rule(
  "baozu.housing",
  ["#18"],
  "在本市无房",
  (h, on) => (r) =>
    Result.gen(function* () {
      const max = yield* r.read(P.baozuMaxOwnedHomes)
      const homes = shanghaiHomes(h, on).length
      const values = { ownedShanghaiHomes: String(homes), maxOwnedHomes: String(max) }
      return homes <= max
        ? pass("owned Shanghai homes within the limit", values)
        : fail("owns housing in Shanghai", values)
    }),
)

const baozuRules: ReadonlyArray<Rule> = [
  residence("baozu.residence"),
  employment("baozu.employment", P.baozuSocialInsuranceMonths),
  baozuHousing,
]

const lianzuHousing: Rule = rule(
  "lianzu.housing",
  ["R123", "R124"],
  "人均居住面积不超过标准",
  (h, on) => (r) =>
    Result.gen(function* () {
      const divisor = yield* r.read(P.r123BuildingToLivingDivisor)
      const limit = yield* r.read(P.lianzuPerCapitaLivingAreaLimit)
      const building = countedBuildingArea(h, on)
      const n = h.members.length
      const values = {
        countedBuildingArea: Area.format(building),
        livingArea: `${perHeadText(building, Math.max(divisor, 1))} m²`,
        persons: String(n),
        perCapitaLivingArea: `${perHeadText(building, Math.max(divisor, 1) * n)} m²`,
        limitPerCapita: Area.format(limit),
      }
      // building ÷ divisor ÷ n ≤ limit  ⇔  building ≤ limit × n × divisor (exact)
      return building <= limit * n * Math.max(divisor, 1)
        ? pass("per-capita living area within the limit", values)
        : fail("per-capita living area above the limit", values)
    }),
)

const r18 = {
  income: {
    minLarge: GuardParameters.r18LargeHouseholdMinSize,
    large: GuardParameters.r18IncomeLimitLarge,
    small: GuardParameters.r18IncomeLimitSmall,
  },
  property: {
    minLarge: GuardParameters.r18LargeHouseholdMinSize,
    large: GuardParameters.r18PropertyLimitLarge,
    small: GuardParameters.r18PropertyLimitSmall,
  },
}

const lianzuRules: ReadonlyArray<Rule> = [
  hukouYears("lianzu.hukou", P.lianzuHukouYears, ["#27"]),
  economic("lianzu.income", ["R18"], "人均年可支配收入不超过标准", "income", r18.income, true),
  economic("lianzu.property", ["R18"], "人均财产不超过标准", "property", r18.property, true),
  lianzuHousing,
  marriage("lianzu.marriage"),
]

const gongyouResidence: Rule = rule(
  "gongyou.residence",
  ["#20", "#27"],
  "户籍年限或居住证积分与社保",
  (h, on) => (r) =>
    Result.gen(function* () {
      const a = applicant(h)
      if (a.hukou?.place === "shanghai") {
        const min = yield* r.read(P.gongyouHukouYears)
        const values = {
          hukou: "shanghai",
          hukouSince: a.hukou.since ?? "(not declared)",
          requiredYears: String(min),
        }
        if (a.hukou.since === undefined) return review("date of Shanghai hukou not declared", values)
        const months = CivilDate.fullMonthsBetween(a.hukou.since, on)
        return months >= 12 * min
          ? pass(`Shanghai hukou for ${Math.floor(months / 12)} full years`, values)
          : fail(`Shanghai hukou for ${Math.floor(months / 12)} full years, fewer than ${min}`, values)
      }
      const points = yield* r.read(P.gongyouResidencePermitPoints)
      const months = yield* r.read(P.gongyouSocialInsuranceMonths)
      const permit = a.residencePermit
      const values = {
        hukou: a.hukou?.place ?? "(not declared)",
        residencePermitPoints: permit?.points === undefined ? "(not declared)" : String(permit.points),
        requiredPoints: String(points),
        socialInsuranceMonths:
          a.socialInsuranceMonths === undefined ? "(not declared)" : String(a.socialInsuranceMonths),
        requiredMonths: String(months),
      }
      if (permit === undefined)
        return a.hukou === undefined ? review("hukou not declared", values) : fail("no 上海市居住证", values)
      if (permit.validUntil !== undefined && permit.validUntil < on)
        return fail(`居住证 expired on ${permit.validUntil}`, values)
      if (permit.points !== undefined && permit.points < points)
        return fail(`居住证积分 ${permit.points} < ${points}`, values)
      if (a.socialInsuranceMonths !== undefined && a.socialInsuranceMonths < months)
        return fail(`${a.socialInsuranceMonths} < ${months} months of social insurance or income tax`, values)
      if (permit.points === undefined || a.socialInsuranceMonths === undefined)
        return review("居住证积分 or social-insurance months not declared", values)
      return pass("居住证 with standard points and continuous social insurance", values)
    }),
)

const gongyouDisposal: Rule = rule(
  "gongyou.disposal",
  ["#20"],
  "五年内无出售或赠予住房",
  (h, on) => (r) =>
    Result.gen(function* () {
      const years = yield* r.read(P.gongyouDisposalLookbackYears)
      const since = CivilDate.addYears(on, -years)
      const recent = (h.housing?.owned ?? []).filter(
        (o) => o.disposedOn !== undefined && o.disposedOn > since && o.disposedOn <= on,
      )
      const values = { lookbackFrom: CivilDate.addDays(since, 1), disposalsInPeriod: String(recent.length) }
      return recent.length === 0
        ? pass("no home sold or gifted in the look-back period", values)
        : fail(`home sold or gifted on ${recent[0]!.disposedOn}`, values)
    }),
)

const gongyouEconomic = {
  income: {
    minLarge: P.gongyouLargeHouseholdMinSize,
    large: P.gongyouIncomeLimitLarge,
    small: P.gongyouIncomeLimitSmall,
  },
  property: {
    minLarge: P.gongyouLargeHouseholdMinSize,
    large: P.gongyouPropertyLimitLarge,
    small: P.gongyouPropertyLimitSmall,
  },
}

const gongyouRules: ReadonlyArray<Rule> = [
  gongyouResidence,
  economic("gongyou.income", ["#20"], "人均年可支配收入不超过标准", "income", gongyouEconomic.income, false),
  economic("gongyou.property", ["#20"], "人均财产不超过标准", "property", gongyouEconomic.property, false),
  perCapitaBuildingArea("gongyou.housing", P.gongyouPerCapitaAreaLimit),
  gongyouDisposal,
  marriage("gongyou.marriage"),
]

// ——— talent (R136) ———

const CLASS_ORDER: ReadonlyArray<TalentClass> = ["A", "B", "C", "youth"]
/** 就高原则: the higher of two classes (A highest). */
export const higherClass = (a: TalentClass, b: TalentClass): TalentClass =>
  CLASS_ORDER.indexOf(a) <= CLASS_ORDER.indexOf(b) ? a : b

const talentLawAbiding: Rule = rule("talent.law_abiding", ["R136"], "遵纪守法，无犯罪记录", (h) => () => {
  const family = talentFamily(h)
  const values = Object.fromEntries(
    family.map((m) => [
      m.relation === "child" ? `child ${m.id.slice(-4)}` : m.relation,
      String(m.criminalRecord ?? "(not declared)"),
    ]),
  )
  if (family.some((m) => m.criminalRecord === true))
    return ok(fail("a member of the talent family has a criminal record", values))
  if (applicant(h).criminalRecord === undefined)
    return ok(review("criminal-record check not declared for the applicant", values))
  return ok(pass("no criminal record", values))
})

const talentEmployment: Rule = rule(
  "talent.employment",
  ["R136"],
  "一般应全职来沪工作并签订工作合同或意向性协议",
  (h) => () => {
    const e = applicant(h).employment
    const values = {
      employment: e?.status ?? "(not declared)",
      inShanghai: String(e?.inShanghai ?? "(not declared)"),
      fullTime: String(e?.fullTime ?? "(not declared)"),
      agreement: e?.agreement ?? "(not declared)",
    }
    if (e === undefined) return ok(review("employment not declared", values))
    const full = e.status === "employed" && e.inShanghai === true && e.fullTime === true
    const signed = e.agreement === "contract" || e.agreement === "letter_of_intent"
    // "一般应" (normally): an exception is possible, so a shortfall is for the officer, not a refusal.
    return ok(
      full && signed
        ? pass("full-time in Shanghai under a contract or letter of intent", values)
        : review(
            "not full-time in Shanghai under a contract or letter of intent (一般应: officer decides)",
            values,
          ),
    )
  },
)

const talentNoHome: Rule = rule("talent.no_home", ["R136"], "人才家庭在本市无自有住房", (h, on) => () => {
  const homes = shanghaiHomes(
    h,
    on,
    talentFamily(h).map((m) => m.id),
  )
  const values = { ownedShanghaiHomes: String(homes.length) }
  return ok(
    homes.length === 0
      ? pass("the talent family owns no home in Shanghai", values)
      : fail("the talent family owns a home in Shanghai", values),
  )
})

const talentOneApartment: Rule = rule(
  "talent.one_apartment",
  ["R136"],
  "原则上一个人才家庭只能申请使用一套人才公寓",
  (h) => () => {
    const holds = h.talent?.holdsTalentApartment === true
    const values = { holdsTalentApartment: String(holds) }
    return ok(
      holds
        ? review("the family already uses a talent apartment (原则上: officer decides)", values)
        : pass("no talent apartment in use", values),
    )
  },
)

/** The class the household applies under: the higher of applicant's and spouse's (就高原则). */
export const householdTalentClass = (h: Household): TalentClass | undefined => {
  const classes = [applicant(h), spouse(h)].flatMap((m: Member | undefined) =>
    m?.talentClass === undefined ? [] : [m.talentClass],
  )
  return classes.length === 0 ? undefined : classes.reduce(higherClass)
}

const talentClass: Rule = rule(
  "talent.class",
  ["R136", "R129"],
  "人才认定层次（夫妻双方就高）",
  (h) => () => {
    const chosen = householdTalentClass(h)
    const values = {
      applicantClass: applicant(h).talentClass ?? "(none)",
      spouseClass: spouse(h)?.talentClass ?? "(none)",
      appliesUnder: chosen ?? "(none)",
    }
    return ok(
      chosen === undefined
        ? fail("neither applicant nor spouse is a recognised talent", values)
        : pass(`applies under class ${chosen} (就高原则)`, values),
    )
  },
)

const talentRules: ReadonlyArray<Rule> = [
  talentLawAbiding,
  talentEmployment,
  talentNoHome,
  talentOneApartment,
  talentClass,
]

export const RULES: Readonly<Record<Exclude<EligibilityKind, "talent">, ReadonlyArray<Rule>>> = {
  gongzu: gongzuRules,
  baozu: baozuRules,
  lianzu: lianzuRules,
  gongyou: gongyouRules,
}

/** Evaluates every rule of a kind (talent: R136 rules, plus the source kind's 准入 when it is 保租/公租). */
export const evaluateKind = (
  kind: EligibilityKind,
  h: Household,
  on: CivilDate.CivilDate,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<RuleEvaluation>, ParameterNotFound> =>
  Result.gen(function* () {
    const run = (rules: ReadonlyArray<Rule>) => Result.all(rules.map((f) => f(h, on, reader)))
    if (kind !== "talent") return yield* run(RULES[kind])
    const own = yield* run(talentRules)
    const source = h.talent?.apartmentSource
    if (source !== "baozu" && source !== "gongzu") return own
    // R136: "若为保租房或公租房，还须符合相应准入条件".
    const nested = yield* run(RULES[source])
    return [...own, ...nested.map((e) => ({ ...e, refs: [...e.refs, "R136"] }))]
  })
