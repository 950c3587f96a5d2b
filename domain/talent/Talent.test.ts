/**
 * Talent apartments (人才公寓): R129 class standards at their boundaries, R130 quota sums (property: a
 * plan whose districts sum to the city totals is consistent; moving one unit breaks it), R131 same-class
 * replacement.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { checkApartmentClass } from "./ApartmentClass.js"
import { allTalentParameters } from "./TalentParameters.js"
import { SHANGHAI_DISTRICTS, checkAdjustment, checkQuotas } from "./TalentQuota.js"

const policyDir = join(import.meta.dirname, "..", "..", "policy")
const table = Result.getOrThrow(
  loadPolicy(
    readdirSync(policyDir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") })),
  ).pipe(Result.flatMap((t) => requireParameters(t, allTalentParameters))),
)
const reader = () => table.reader({ on: "2026-03-01" as CivilDate })
const cls = (apt: Parameters<typeof checkApartmentClass>[0]) =>
  Result.getOrThrow(checkApartmentClass(apt, reader())).verdict

describe("R129 classes", () => {
  it("A: 200 m² passes, 199.99 m² is for review (一般不低于)", () => {
    expect(cls({ class: "A", area: 20000 as Area, source: "premium" })).toBe("pass")
    expect(cls({ class: "A", area: 19999 as Area, source: "premium" })).toBe("review")
  })
  it("B: 90–200 m² inclusive", () => {
    expect(cls({ class: "B", area: 9000 as Area, source: "baozu" })).toBe("pass")
    expect(cls({ class: "B", area: 8999 as Area, source: "baozu" })).toBe("fail")
    expect(cls({ class: "B", area: 20001 as Area, source: "market" })).toBe("fail")
  })
  it("C: rent 70–90% of market rent, exact", () => {
    const c = (rent: number) =>
      cls({
        class: "C",
        area: 5000 as Area,
        source: "market",
        rent: rent as Money,
        marketRent: 1000000 as Money,
      })
    expect([c(699999), c(700000), c(900000), c(900001)]).toEqual(["fail", "pass", "pass", "fail"])
  })
})

describe("R130 quotas", () => {
  const quotas = fc.array(fc.record({ A: fc.nat(50), B: fc.nat(200) }), { minLength: 16, maxLength: 16 })
  it("districts that sum to the city totals are consistent; moving one unit of the total breaks it", () => {
    fc.assert(
      fc.property(
        quotas,
        fc.integer({ min: -3, max: 3 }).filter((x) => x !== 0),
        (qs, delta) => {
          const districts = SHANGHAI_DISTRICTS.map((district, i) => ({ district, ...qs[i]! }))
          const city = { A: qs.reduce((t, q) => t + q.A, 0), B: qs.reduce((t, q) => t + q.B, 0) }
          const ok = Result.getOrThrow(checkQuotas({ year: 2026, city, districts }, reader()))
          expect(ok).toMatchObject({ consistent: true, problems: [] })
          expect(ok.parameters.map((p) => p.path)).toEqual(["talent.quota.district_count"])
          const bad = Result.getOrThrow(
            checkQuotas({ year: 2026, city: { ...city, B: city.B + delta }, districts }, reader()),
          )
          expect(bad.consistent).toBe(false)
          expect(bad.problems).toEqual([expect.objectContaining({ problem: "sum-mismatch", class: "B" })])
        },
      ),
    )
  })
  it("a missing or duplicated district is reported", () => {
    const districts = SHANGHAI_DISTRICTS.slice(0, 15).map((district) => ({ district, A: 1, B: 1 }))
    const r = Result.getOrThrow(
      checkQuotas(
        { year: 2026, city: { A: 16, B: 16 }, districts: [...districts, { ...districts[0]! }] },
        reader(),
      ),
    )
    expect(r.problems.map((p) => p.problem).sort()).toEqual(["district-count", "duplicate-district"])
  })
})

describe("R131 adjustment", () => {
  it("houses taken out are replaced by the same class", () => {
    expect(checkAdjustment(["A", "B"], ["B", "A"])).toEqual([])
    expect(checkAdjustment(["A"], ["B"])).toEqual([
      { class: "A", removed: 1, added: 0 },
      { class: "B", removed: 0, added: 1 },
    ])
  })
})
