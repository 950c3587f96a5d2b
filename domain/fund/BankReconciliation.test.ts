// Bank reconciliation (M65/M189): a statement made of the book's own lines (any order, references
// dropped, dates shifted within the window) matches completely with no difference; extra bank-only or
// book-only lines are exactly the reconciling items, so the unexplained rest stays 0; a wrong balance
// shows up as an unexplained difference. Matching is one-to-one.
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { addDays, type CivilDate } from "../values/CivilDate.js"
import { type Money, toYuanString } from "../values/Money.js"
import { type BookLine, bankBookLines, parseStatement, reconcile } from "./BankReconciliation.js"
import type { HouseholdId } from "./HouseholdId.js"
import { deposit } from "./PostingRules.js"

const D0 = "2024-01-01" as CivilDate
const csv = (lines: ReadonlyArray<{ date: string; amount: number; reference?: string }>) =>
  [
    "date,amount,reference",
    ...lines.map((l) => `${l.date},${toYuanString(l.amount as Money)},${l.reference ?? ""}`),
  ].join("\n")

const bookArb = fc.array(
  fc.record({ day: fc.nat(60), amount: fc.integer({ min: -50_000, max: 100_000 }).filter((x) => x !== 0) }),
  { maxLength: 25 },
)

describe("parseStatement", () => {
  it("reads signed yuan, optional balances, and names bad rows", () => {
    const s = Result.getOrThrow(
      parseStatement(
        "date,amount,reference,balance\n2024-01-02,100.50,E1,100.50\n2024-01-03,-0.50,,100.00\n",
      ),
    )
    expect(s.lines.map((l) => l.amount)).toEqual([10_050, -50])
    expect(s.closingBalance).toBe(10_000)
    expect(Result.isFailure(parseStatement("date,amount\n2024-02-30,1\n"))).toBe(true)
    expect(Result.isFailure(parseStatement("date,amount\n2024-01-01,1.234\n"))).toBe(true)
    expect(Result.isFailure(parseStatement("date,sum\n"))).toBe(true)
  })
  it("book lines come from 100101, net per entry", () => {
    const e = Result.getOrThrow(
      deposit({
        id: "E1",
        book: "commodity",
        date: D0,
        kind: "first",
        households: [{ household: "H" as HouseholdId, amount: 500 as Money }],
      }),
    )
    expect(bankBookLines([e], "commodity")).toEqual([{ entryId: "E1", date: D0, amount: 500 }])
    expect(bankBookLines([e], "public")).toEqual([])
  })
})

describe("reconcile", () => {
  it("the book's own lines, shuffled and shifted within the window, reconcile with no difference", () =>
    fc.assert(
      fc.property(bookArb, fc.nat(3), fc.boolean(), (raw, shift, withRefs) => {
        const book: BookLine[] = raw.map((r, i) => ({
          entryId: `E${i}`,
          date: addDays(D0, r.day + 5),
          amount: r.amount as Money,
        }))
        const statement = [...book].reverse().map((b) => ({
          date: addDays(b.date, shift),
          amount: b.amount,
          ...(withRefs ? { reference: b.entryId } : {}),
        }))
        const st = Result.getOrThrow(parseStatement(csv(statement)))
        const r = Result.getOrThrow(
          reconcile({ statement: st, bookLines: book, from: D0, to: addDays(D0, 80), windowDays: 3 }),
        )
        expect(r.matched).toHaveLength(book.length)
        expect(r).toMatchObject({
          bankOnly: [],
          bookOnly: [],
          difference: 0,
          unexplained: 0,
          reconciled: true,
        })
        expect(new Set(r.matched.map((m) => m.book.entryId)).size).toBe(book.length)
        for (const m of r.matched) expect(m.book.amount).toBe(m.statement.amount)
      }),
    ))
  it("bank-only and book-only lines are the reconciling items; the unexplained rest is 0", () =>
    fc.assert(
      fc.property(
        bookArb,
        fc.integer({ min: 1, max: 9_999 }),
        fc.integer({ min: 1, max: 9_999 }),
        (raw, fee, cheque) => {
          const book: BookLine[] = raw.map((r, i) => ({
            entryId: `E${i}`,
            date: addDays(D0, r.day + 5),
            amount: r.amount as Money,
          }))
          const outstanding: BookLine = {
            entryId: "OUT",
            date: addDays(D0, 70),
            amount: (-cheque * 100 - 3) as Money,
          }
          const statement = [
            ...book.map((b) => ({ date: b.date, amount: b.amount })),
            { date: addDays(D0, 70), amount: -fee * 100 - 7, reference: "FEE" },
          ]
          const st = Result.getOrThrow(parseStatement(csv(statement)))
          const r = Result.getOrThrow(
            reconcile({
              statement: st,
              bookLines: [...book, outstanding],
              from: D0,
              to: addDays(D0, 80),
              windowDays: 0,
            }),
          )
          expect(r.bankOnly.map((l) => l.reference)).toEqual(["FEE"])
          expect(r.bookOnly).toEqual([outstanding])
          expect(r.difference).toBe(-fee * 100 - 7 - outstanding.amount)
          expect(r).toMatchObject({ unexplained: 0, reconciled: true })
        },
      ),
    ))
  it("a statement balance that disagrees is unexplained", () => {
    const book: BookLine[] = [{ entryId: "E1", date: "2024-01-05" as CivilDate, amount: 10_000 as Money }]
    const st = Result.getOrThrow(
      parseStatement("date,amount,reference,balance\n2024-01-05,100.00,E1,99.00\n"),
    )
    const r = Result.getOrThrow(reconcile({ statement: st, bookLines: book, windowDays: 3 }))
    expect(r).toMatchObject({ difference: -100, unexplained: -100, reconciled: false })
  })
})
