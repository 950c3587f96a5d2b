/**
 * Runs the expert-readable YAML cases for eligibility (准入资格), the 廉租 subsidy, the 共有产权 quote and
 * talent apartments (contracts-tests/cases/{eligibility,subsidy,quote,talent}/*.yaml) against the
 * shipped policy/*.yaml. Every case names the rule ids it covers; expected money is yuan text.
 * The guard's cases run in domain/guard/GuardCases.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { evaluateEligibilityUnknown } from "../../domain/eligibility/Eligibility.js"
import { allEligibilityParameters } from "../../domain/eligibility/EligibilityParameters.js"
import { AreaText } from "../../domain/eligibility/Household.js"
import { quoteBuyoutUnknown } from "../../domain/gongyou/BuyoutQuote.js"
import { allGongyouParameters } from "../../domain/gongyou/GongyouParameters.js"
import { loadPolicy, requireParameters } from "../../domain/policy/PolicyTable.js"
import { prorate } from "../../domain/subsidy/LianzuSubsidy.js"
import { decodeSubsidyCase } from "../../domain/subsidy/LianzuSubsidyCase.js"
import { allSubsidyParameters } from "../../domain/subsidy/SubsidyParameters.js"
import { checkApartmentClass } from "../../domain/talent/ApartmentClass.js"
import { allTalentParameters } from "../../domain/talent/TalentParameters.js"
import { type QuotaPlan, checkQuotas } from "../../domain/talent/TalentQuota.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import * as Money from "../../domain/values/Money.js"

const root = join(import.meta.dirname, "..", "..")
const policyDir = join(root, "policy")
const table = Result.getOrThrow(
  loadPolicy(
    readdirSync(policyDir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") })),
  ).pipe(
    Result.flatMap((t) =>
      requireParameters(t, [
        ...allEligibilityParameters,
        ...allSubsidyParameters,
        ...allGongyouParameters,
        ...allTalentParameters,
      ]),
    ),
  ),
)

interface BaseCase {
  readonly title: string
  readonly rules: ReadonlyArray<string>
  readonly expect: Record<string, unknown>
}
const casesIn = <C extends BaseCase>(folder: string): Array<{ file: string; c: C }> =>
  readdirSync(join(import.meta.dirname, folder))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      (
        (parse(readFileSync(join(import.meta.dirname, folder, file), "utf8")) as { cases?: Array<C> })
          .cases ?? []
      ).map((c) => ({ file: `${folder}/${file}`, c })),
    )
/** `"¥1,147.50"` or `"-¥1,147.50"` → fen. */
const fen = (yuan: unknown): Money.Money => {
  const t = String(yuan).trim()
  return t.startsWith("-")
    ? Money.negate(Result.getOrThrow(Money.parseYuan(t.slice(1))))
    : Result.getOrThrow(Money.parseYuan(t))
}

interface EligibilityCase extends BaseCase {
  readonly kind: string
  readonly on: string
  readonly district?: string
  readonly household: unknown
}
interface SubsidyCase extends BaseCase {
  readonly household: unknown
  readonly from: string
  readonly to: string
  readonly kind?: "entitlement" | "back_pay" | "recovery"
}
interface QuoteCase extends BaseCase {
  readonly unit: unknown
  readonly on: string
}
interface TalentCase extends BaseCase {
  readonly apartment?: {
    class: "A" | "B" | "C" | "youth"
    area: string
    source: "baozu" | "market" | "premium" | "other"
    rent?: string
    marketRent?: string
  }
  readonly quota?: QuotaPlan
}

const eligibility = casesIn<EligibilityCase>("eligibility")
const subsidy = casesIn<SubsidyCase>("subsidy")
const quote = casesIn<QuoteCase>("quote")
const talent = casesIn<TalentCase>("talent")

describe("policy YAML cases", () => {
  it("at least 25 eligibility/subsidy/quote cases, each naming rule ids; every kind and outcome appears", () => {
    const all = [...eligibility, ...subsidy, ...quote, ...talent]
    expect(eligibility.length + subsidy.length + quote.length).toBeGreaterThanOrEqual(25)
    for (const { c } of all) expect(c.rules.length).toBeGreaterThan(0)
    for (const k of ["gongzu", "baozu", "lianzu", "gongyou", "talent"])
      expect(eligibility.some(({ c }) => c.kind === k)).toBe(true)
    for (const d of ["eligible", "ineligible", "needs-review"])
      expect(eligibility.some(({ c }) => c.expect.decision === d)).toBe(true)
    for (const r of ["R18", "R19", "R118", "R119", "R120", "R122", "R123", "R125", "R129", "R130", "R136"])
      expect(all.some(({ c }) => c.rules.includes(r))).toBe(true)
  })

  for (const { file, c } of eligibility)
    it(`${file}: ${c.title} [${c.rules.join(", ")}]`, () => {
      const d = Result.getOrThrow(
        evaluateEligibilityUnknown(table, {
          kind: c.kind,
          on: c.on,
          household: c.household,
          ...(c.district === undefined ? {} : { district: c.district }),
        }),
      )
      expect(d.decision).toBe(c.expect.decision)
      const verdicts = (c.expect.verdicts ?? {}) as Record<string, string>
      for (const [rule, verdict] of Object.entries(verdicts))
        expect({ rule, verdict: d.trace.find((t) => t.rule === rule)?.verdict }).toEqual({ rule, verdict })
      const values = (c.expect.values ?? {}) as Record<string, Record<string, string>>
      for (const [rule, v] of Object.entries(values))
        expect(d.trace.find((t) => t.rule === rule)?.values).toMatchObject(v)
      const traced = d.parameters.map((p) => p.path)
      for (const p of (c.expect.parameters ?? []) as ReadonlyArray<string>) expect(traced).toContain(p)
      for (const p of d.parameters) expect(p.sourceText.length).toBeGreaterThan(0)
    })

  for (const { file, c } of subsidy)
    it(`${file}: ${c.title} [${c.rules.join(", ")}]`, () => {
      const sc = Result.getOrThrow(decodeSubsidyCase(c.household))
      const s = Result.getOrThrow(
        prorate(table, sc, c.from as CivilDate, c.to as CivilDate, c.kind ?? "entitlement"),
      )
      const months = (c.expect.months ?? {}) as Record<string, string>
      for (const [month, amount] of Object.entries(months))
        expect({ month, amount: s.months.find((m) => m.month === month)?.amount }).toEqual({
          month,
          amount: fen(amount),
        })
      if (c.expect.total !== undefined) expect(s.total).toBe(fen(c.expect.total))
      expect(s.months.reduce((t, m) => t + m.amount, 0)).toBe(s.total)
      const traced = s.parameters.map((p) => p.path)
      for (const p of (c.expect.parameters ?? []) as ReadonlyArray<string>) expect(traced).toContain(p)
    })

  for (const { file, c } of quote)
    it(`${file}: ${c.title} [${c.rules.join(", ")}]`, () => {
      const r = quoteBuyoutUnknown(table, c.unit, c.on as CivilDate)
      if (c.expect.error !== undefined) {
        expect(Result.isFailure(r) ? (r.failure as { rule?: string }).rule : "succeeded").toBe(c.expect.error)
        return
      }
      const q = Result.getOrThrow(r)
      expect(q.price).toBe(fen(c.expect.price))
      if (c.expect.fiveYearReached !== undefined) expect(q.fiveYear.reached).toBe(c.expect.fiveYearReached)
      if (c.expect.basisDate !== undefined) expect(q.fiveYear.basisDate).toBe(c.expect.basisDate)
      if (c.expect.reachedOn !== undefined) expect(q.fiveYear.reachedOn).toBe(c.expect.reachedOn)
      if (c.expect.validUntil !== undefined) expect(q.validUntil).toBe(c.expect.validUntil)
    })

  const areaOf = Schema.decodeUnknownSync(AreaText)
  for (const { file, c } of talent)
    it(`${file}: ${c.title} [${c.rules.join(", ")}]`, () => {
      const reader = table.reader({ on: "2026-03-01" as CivilDate })
      if (c.apartment !== undefined) {
        const a = c.apartment
        const r = Result.getOrThrow(
          checkApartmentClass(
            {
              class: a.class,
              area: areaOf(a.area),
              source: a.source,
              ...(a.rent === undefined ? {} : { rent: fen(a.rent) }),
              ...(a.marketRent === undefined ? {} : { marketRent: fen(a.marketRent) }),
            },
            reader,
          ),
        )
        expect(r.verdict).toBe(c.expect.verdict)
      }
      if (c.quota !== undefined) {
        const r = Result.getOrThrow(checkQuotas(c.quota, reader))
        expect(r.consistent).toBe(c.expect.consistent)
        expect(r.problems.map((p) => p.problem)).toEqual(c.expect.problems)
      }
    })
})
