/**
 * Talent-apartment classes (人才公寓梯次化分类, R129): A — building area "一般不低于200平方米" (below it is
 * for review, "一般"); B — 90 to 200 m² inclusive, 保租 or market stock; C — 保租 or market rentals at
 * 70–90% of market rent (inclusive, exact ratio comparison); 青年驿站 (youth station) — transitional
 * housing with no area or rent standard. `checkApartmentClass` says whether a unit meets its class.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader, TraceEntry } from "../policy/ParameterReader.js"
import * as Ratio from "../policy/Ratio.js"
import * as Area from "../values/Area.js"
import * as Money from "../values/Money.js"
import { TalentParameters as P } from "./TalentParameters.js"

export type ApartmentClass = "A" | "B" | "C" | "youth"

export interface TalentApartment {
  readonly class: ApartmentClass
  readonly area: Area.Area
  readonly source: "baozu" | "market" | "premium" | "other"
  /** Monthly rent and market rent (fen), needed for class C. */
  readonly rent?: Money.Money
  readonly marketRent?: Money.Money
}

export interface ClassCheck {
  readonly verdict: "pass" | "fail" | "review"
  readonly reasons: ReadonlyArray<string>
  readonly parameters: ReadonlyArray<TraceEntry>
}

export const checkApartmentClass = (
  apt: TalentApartment,
  reader: ParameterReader,
): Result.Result<ClassCheck, ParameterNotFound> =>
  Result.gen(function* () {
    const r = reader.child()
    const reasons: Array<string> = []
    let verdict: ClassCheck["verdict"] = "pass"
    const worse = (v: "fail" | "review", why: string) => {
      reasons.push(why)
      if (verdict !== "fail") verdict = v
    }
    switch (apt.class) {
      case "A": {
        const min = yield* r.read(P.classAMinArea)
        if (apt.area < min)
          worse(
            "review",
            `class A area ${Area.format(apt.area)} below ${Area.format(min)} (一般不低于: review)`,
          )
        break
      }
      case "B": {
        const min = yield* r.read(P.classBMinArea)
        const max = yield* r.read(P.classBMaxArea)
        if (apt.area < min || apt.area > max)
          worse(
            "fail",
            `class B area ${Area.format(apt.area)} outside ${Area.format(min)}–${Area.format(max)}`,
          )
        if (apt.source !== "baozu" && apt.source !== "market" && apt.source !== "premium")
          worse("fail", `class B comes from 保租 or market premium stock, not ${apt.source}`)
        break
      }
      case "C": {
        if (apt.source !== "baozu" && apt.source !== "market")
          worse("fail", `class C comes from 保租 or market rentals, not ${apt.source}`)
        if (apt.rent === undefined || apt.marketRent === undefined || apt.marketRent <= 0) {
          worse("review", "class C needs the rent and the market rent")
          break
        }
        const lo = yield* r.read(P.classCRentRatioMin)
        const hi = yield* r.read(P.classCRentRatioMax)
        // lo ≤ rent / market ≤ hi, exactly: rent × den ≥ market × num
        const rent = BigInt(apt.rent)
        const market = BigInt(apt.marketRent)
        const atLeast = rent * BigInt(lo.denominator) >= market * BigInt(lo.numerator)
        const atMost = rent * BigInt(hi.denominator) <= market * BigInt(hi.numerator)
        if (!atLeast || !atMost)
          worse(
            "fail",
            `class C rent ${Money.format(apt.rent)} is not ${Ratio.format(lo)}–${Ratio.format(hi)} of market rent ${Money.format(apt.marketRent)}`,
          )
        break
      }
      case "youth":
        break
    }
    return { verdict, reasons, parameters: r.trace() }
  })
