/**
 * Bills (M42): the life cycle refuses every step out of order naming its rule, and over random action
 * sequences a number is used at most once, only by its holder, and the bill ledger reconciles with the
 * deposits the uses record.
 */
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Money } from "../values/Money.js"
import { type Bill, type BillAction, billRange, billStep, reconcileBills, stockBill } from "./Bills.js"

const bill = (n: string) => Result.getOrThrow(stockBill(n, "B1"))

describe("bill life cycle (M42)", () => {
  it("stock → issue → use → write-off; refusals name the rule", () => {
    const issued = Result.getOrThrow(billStep(bill("PJ1"), { _tag: "issue", staff: "s1" }))
    const used = Result.getOrThrow(
      billStep(issued, { _tag: "use", staff: "s1", depositId: "D1", amount: 100 as Money }),
    )
    expect(used).toMatchObject({ status: "used", depositId: "D1", amount: 100 })
    const rule = (r: Result.Result<Bill, { rule: string }>) => (Result.isFailure(r) ? r.failure.rule : "ok")
    expect(rule(billStep(used, { _tag: "use", staff: "s1", depositId: "D2", amount: 1 as Money }))).toBe(
      "M42.used-once",
    )
    expect(rule(billStep(issued, { _tag: "use", staff: "s2", depositId: "D2", amount: 1 as Money }))).toBe(
      "M42.holder-uses",
    )
    expect(rule(billStep(used, { _tag: "void", staff: "s1", reason: "x" }))).toBe("M42.void-unused")
    expect(rule(billStep(issued, { _tag: "write-off" }))).toBe("M42.write-off-after-use")
    expect(rule(billStep(used, { _tag: "issue", staff: "s1" }))).toBe("M42.issue-from-stock")
    expect(Result.getOrThrow(billStep(used, { _tag: "write-off" })).writtenOffFrom).toBe("used")
  })

  it("ranges are consecutive, zero-padded and bounded", () => {
    expect(Result.getOrThrow(billRange("PJ", 9, 2))).toEqual(["PJ00000009", "PJ00000010"])
    expect(Result.isFailure(billRange("PJ", 1, 0))).toBe(true)
    expect(Result.isFailure(billRange("P J", 1, 1))).toBe(true)
  })

  it("law: under any action sequence each number is used once, by its holder, and the ledger reconciles", () => {
    const action = fc.record({
      bill: fc.nat(4),
      tag: fc.constantFrom("issue", "use", "void", "write-off"),
      staff: fc.constantFrom("s1", "s2"),
      amount: fc.integer({ min: 1, max: 10_000 }),
    })
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const bills = new Map(Result.getOrThrow(billRange("PJ", 1, 5)).map((n) => [n, bill(n)]))
        const numbers = [...bills.keys()]
        const deposits: Array<{ id: string; amount: Money; billNo: string; by: string }> = []
        actions.forEach((a, i) => {
          const n = numbers[a.bill]!
          const b = bills.get(n)!
          const act: BillAction =
            a.tag === "use"
              ? { _tag: "use", staff: a.staff, depositId: `D${i}`, amount: a.amount as Money }
              : a.tag === "issue"
                ? { _tag: "issue", staff: a.staff }
                : a.tag === "void"
                  ? { _tag: "void", staff: a.staff, reason: "r" }
                  : { _tag: "write-off" }
          const r = billStep(b, act)
          if (Result.isFailure(r)) return
          if (a.tag === "use") {
            expect(b.staff).toBe(a.staff)
            deposits.push({ id: `D${i}`, amount: a.amount as Money, billNo: n, by: a.staff })
          }
          bills.set(n, r.success)
        })
        expect(new Set(deposits.map((d) => d.billNo)).size).toBe(deposits.length)
        expect(reconcileBills([...bills.values()], deposits).balanced).toBe(true)
      }),
      { numRuns: 300, seed: 42 },
    )
  })

  it("reconciliation names a deposit whose bill shows another amount", () => {
    const used = Result.getOrThrow(
      billStep(Result.getOrThrow(billStep(bill("PJ1"), { _tag: "issue", staff: "s" })), {
        _tag: "use",
        staff: "s",
        depositId: "D1",
        amount: 100 as Money,
      }),
    )
    const r = reconcileBills([used], [{ id: "D1", amount: 101 as Money, billNo: "PJ1" }])
    expect(r).toMatchObject({ balanced: false, depositsWithoutBill: ["D1"] })
  })
})
