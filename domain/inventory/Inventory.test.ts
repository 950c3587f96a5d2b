/**
 * Inventory laws (R26–R42): over random event sequences the incremental counters equal a brute-force
 * recount of the unit and application records, the remaining rentable count is never negative and never
 * above the supply, and a rejected event leaves the state unchanged.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Inventory from "./Inventory.js"

const STRATA = ["P1|2室", "P1|1室", "P2|2室"]
const UNITS = Array.from({ length: 6 }, (_, i) => ({ unit: `U${i}`, stratum: STRATA[i % 3]! }))
const APPS = Array.from({ length: 6 }, (_, i) => `A${i}`)

const unitArb = fc.constantFrom(...UNITS)
const appArb = fc.constantFrom(...APPS)
// Weighted so that publishing, submitting and binding happen often enough for every later event to apply.
const w = <A>(arbitrary: fc.Arbitrary<A>, weight: number) => ({ arbitrary, weight })
const unitEvent = (tag: "Publish" | "Recall" | "Lock" | "Unlock" | "Restore") =>
  unitArb.map((u) => (tag === "Publish" ? { _tag: tag, ...u } : { _tag: tag, unit: u.unit }))
const appEvent = (
  tag: "Rollback" | "Abandon" | "Reject" | "FailVerification" | "Revoke" | "MoveOut" | "Exit",
) => appArb.map((application) => ({ _tag: tag, application }))
const toUnit = (tag: "Bind" | "Exchange") =>
  fc
    .record({ application: appArb, unit: unitArb })
    .map((r) => ({ _tag: tag, application: r.application, unit: r.unit.unit }))
const eventArb: fc.Arbitrary<Inventory.InventoryEvent> = fc.oneof(
  w(unitEvent("Publish"), 6),
  w(unitEvent("Recall"), 1),
  w(unitEvent("Lock"), 1),
  w(unitEvent("Unlock"), 2),
  w(unitEvent("Restore"), 3),
  w(
    fc
      .record({
        application: appArb,
        stratum: fc.constantFrom(...STRATA),
        period: fc.constantFrom("normal", "centralised"),
      })
      .map((r) => ({ _tag: "Submit" as const, ...r, period: r.period as Inventory.Period })),
    3,
  ),
  ...(["Rollback", "Abandon", "Reject", "FailVerification", "Revoke", "MoveOut"] as const).map((t) =>
    w(appEvent(t), 1),
  ),
  w(appEvent("Exit"), 3),
  w(toUnit("Bind"), 5),
  w(toUnit("Exchange"), 4),
) as fc.Arbitrary<Inventory.InventoryEvent>

/** Brute force: count every record from scratch. */
const recount = (inv: Inventory.Inventory, stratum: string) => {
  let available = 0
  let supply = 0
  let metered = 0
  let unmetered = 0
  for (const u of inv.units.values())
    if (u.stratum === stratum) {
      if (u.state === "available") available++
      if (u.state !== "draft") supply++
    }
  for (const a of inv.applications.values())
    if (a._tag === "holding" && a.stratum === stratum) a.metered ? metered++ : unmetered++
  return { available, supply, remaining: available - metered, metered, unmetered }
}

describe("Inventory", () => {
  it("counters equal a brute-force recount; never negative, never over supply; rejections change nothing", () => {
    const accepted = new Map<string, number>()
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 20, maxLength: 80 }), (events) => {
        let inv = Inventory.empty
        for (const e of events) {
          const r = Inventory.apply(inv, e)
          if (Result.isFailure(r)) {
            expect(Inventory.apply(inv, e)).toEqual(r) // refusals are pure: same state, same answer
            continue
          }
          accepted.set(e._tag, (accepted.get(e._tag) ?? 0) + 1)
          inv = r.success
          for (const s of STRATA) {
            const c = Inventory.countsOf(inv, s)
            const b = recount(inv, s)
            expect(Inventory.remainingRentable(c)).toBe(b.remaining)
            expect(c.available).toBe(b.available)
            expect(c.supply).toBe(b.supply)
            expect(c.unmeteredHolds).toBe(b.unmetered)
            expect(Inventory.remainingRentable(c)).toBeGreaterThanOrEqual(0)
            expect(Inventory.remainingRentable(c)).toBeLessThanOrEqual(c.supply)
            expect(Inventory.remainingApplicable(c)).toBeLessThanOrEqual(Inventory.remainingRentable(c))
          }
          // every let unit is bound to an application bound to it, and back
          for (const [id, u] of inv.units)
            if (u.state === "let")
              expect(inv.applications.get(u.boundTo!)).toEqual({ _tag: "bound", unit: id })
          for (const [, a] of inv.applications)
            if (a._tag === "bound") expect(inv.units.get(a.unit)?.state).toBe("let")
        }
      }),
      { numRuns: 500 },
    )
    // the generator reaches every event kind, so the laws are not checked on refusals only
    for (const tag of [
      "Publish",
      "Recall",
      "Lock",
      "Unlock",
      "Restore",
      "Submit",
      "Rollback",
      "Abandon",
      "Bind",
      "Revoke",
      "Exchange",
      "Exit",
    ])
      expect([tag, accepted.get(tag) ?? 0]).toEqual([tag, expect.toSatisfy((n: number) => n >= 5)])
  })

  const run = (...events: ReadonlyArray<Inventory.InventoryEvent>) =>
    Inventory.applyAll(Inventory.empty, events)
  const ok = (...events: ReadonlyArray<Inventory.InventoryEvent>) => {
    const r = run(...events)
    if (Result.isFailure(r)) throw new Error(r.failure.error.message)
    return r.success
  }
  const S = "P1|2室"

  it("R27/R28: submit deducts; the submission beyond supply is rejected to the queue; applicants = supply is accepted", () => {
    const inv = ok(
      { _tag: "Publish", unit: "U1", stratum: S },
      { _tag: "Publish", unit: "U2", stratum: S },
      { _tag: "Submit", application: "A1", stratum: S, period: "normal" },
      { _tag: "Submit", application: "A2", stratum: S, period: "normal" },
    )
    expect(Inventory.remainingRentable(Inventory.countsOf(inv, S))).toBe(0)
    const third = Inventory.apply(inv, { _tag: "Submit", application: "A3", stratum: S, period: "normal" })
    expect(Result.isFailure(third) && third.failure.reason).toBe("no-remaining-units")
  })

  it("R26/R30: a centralised-period submission is not checked nor deducted, so its rollback restores nothing", () => {
    const inv = ok(
      { _tag: "Publish", unit: "U1", stratum: S },
      { _tag: "Submit", application: "A1", stratum: S, period: "centralised" },
      { _tag: "Submit", application: "A2", stratum: S, period: "centralised" },
    )
    const c = Inventory.countsOf(inv, S)
    expect(Inventory.remainingRentable(c)).toBe(1)
    expect(Inventory.remainingApplicable(c)).toBe(0)
    expect(Inventory.oversubscribed(c)).toBe(1)
    const back = ok(
      { _tag: "Publish", unit: "U1", stratum: S },
      { _tag: "Submit", application: "A1", stratum: S, period: "normal" },
      { _tag: "Rollback", application: "A1" },
    )
    expect(Inventory.remainingRentable(Inventory.countsOf(back, S))).toBe(1)
  })

  it("R32/R35/R38: revoke restores, exchange swaps, exit makes the unit unusable", () => {
    const inv = ok(
      { _tag: "Publish", unit: "U1", stratum: S },
      { _tag: "Publish", unit: "U2", stratum: S },
      { _tag: "Submit", application: "A1", stratum: S, period: "normal" },
      { _tag: "Bind", application: "A1", unit: "U1" },
      { _tag: "Exchange", application: "A1", unit: "U2" },
    )
    expect(inv.units.get("U1")?.state).toBe("available")
    expect(Inventory.remainingRentable(Inventory.countsOf(inv, S))).toBe(1)
    const exited = Inventory.apply(inv, { _tag: "Exit", application: "A1" })
    expect(Result.isSuccess(exited) && exited.success.units.get("U2")?.state).toBe("unusable")
  })

  it("R37: a lock cannot take a unit reserved by a submission", () => {
    const r = run(
      { _tag: "Publish", unit: "U1", stratum: S },
      { _tag: "Submit", application: "A1", stratum: S, period: "normal" },
      { _tag: "Lock", unit: "U1" },
    )
    expect(Result.isFailure(r) && r.failure.error.reason).toBe("no-remaining-units")
  })
})
