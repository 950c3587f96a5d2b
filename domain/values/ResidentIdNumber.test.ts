import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import fc from "fast-check"
import * as CivilDate from "./CivilDate.js"
import * as Id from "./ResidentIdNumber.js"

/** Builds a valid ID number from its parts (the generator derives the check digit). */
const idArb = fc
  .record({
    region: fc.constantFrom("110105", "310115", "440305", "650102", "810000"),
    day: fc.integer({
      min: CivilDate.toDayNumber("1800-01-01" as CivilDate.CivilDate),
      max: CivilDate.toDayNumber("2030-12-31" as CivilDate.CivilDate),
    }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, day, seq }) => {
    const first17 = `${region}${CivilDate.fromDayNumber(day).replaceAll("-", "")}${String(seq).padStart(3, "0")}`
    return { text: first17 + Id.checkCharacter(first17), day, seq }
  })

describe("ResidentIdNumber (GB 11643-1999)", () => {
  it("accepts the standard example with X and derives birth date and gender", () => {
    const id = Result.getOrThrow(Id.parse("11010519491231002x"))
    expect(id).toBe("11010519491231002X")
    expect(Id.birthDate(id)).toBe("1949-12-31")
    expect(Id.gender(id)).toBe("female")
    expect(Id.ageOn(id, "2026-11-23" as CivilDate.CivilDate)).toBe(76)
  })
  it("rejects a wrong check digit naming the rule, without echoing the number", () => {
    const r = Id.parse("110105194912310021")
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      rule: "GB11643.check-digit",
      value: "110105********0021",
    })
  })
  it("rejects bad region, impossible dates and years before 1800", () => {
    const withCheck = (s: string) => s + Id.checkCharacter(s)
    expect(Result.isFailure(Id.parse(withCheck("99010519491231002"))) && "region").toBe("region")
    expect(
      (Id.parse(withCheck("11010519490230002")) as Result.Failure<unknown, { rule: string }>).failure.rule,
    ).toBe("GB11643.birth-date")
    expect(
      (Id.parse(withCheck("11010517991231002")) as Result.Failure<unknown, { rule: string }>).failure.rule,
    ).toBe("GB11643.birth-date")
    expect(Result.isSuccess(Id.parse(withCheck("11010518000101002")))).toBe(true)
    expect(
      (
        Id.parse(withCheck("11010520300101002"), {
          asOf: "2026-11-23" as CivilDate.CivilDate,
        }) as Result.Failure<unknown, { rule: string }>
      ).failure.rule,
    ).toBe("GB11643.birth-in-future")
  })
  it("property: every well-formed number is accepted with its birth date and gender", () => {
    fc.assert(
      fc.property(idArb, ({ text, day, seq }) => {
        const id = Result.getOrThrow(Id.parse(text))
        expect(Id.birthDate(id)).toBe(CivilDate.fromDayNumber(day))
        expect(Id.gender(id)).toBe(seq % 2 === 1 ? "male" : "female")
        expect(Schema.is(Id.ResidentIdNumber)(id)).toBe(true)
      }),
    )
  })
  it("property: changing any single digit of a valid number is detected", () => {
    fc.assert(
      fc.property(
        idArb,
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        ({ text }, pos, delta) => {
          const d = (Number(text[pos]) + delta) % 10
          const changed = text.slice(0, pos) + d + text.slice(pos + 1)
          expect(Result.isFailure(Id.parse(changed))).toBe(true)
        },
      ),
    )
  })
})
