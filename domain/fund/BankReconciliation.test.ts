// Bank reconciliation (M65/M189): a statement made of the book's own lines (any order, references
// dropped, dates shifted within the window) matches completely with no difference; extra bank-only or
// book-only lines are exactly the reconciling items, so the unexplained rest stays 0; a wrong balance
// shows up as an unexplained difference. Matching is one-to-one and maximum: checked against a brute
// force over every matching of small inputs (count, then least total date gap), independent of the book
// lines' order, with the greedy nearest-date counter-example of issue 10 as a named case.
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { addDays, type CivilDate } from "../values/CivilDate.js"
import { type Money, toYuanString } from "../values/Money.js"
import {
  type BookLine,
  bankBookLines,
  type MatchLine,
  matchWithinWindow,
  parseStatement,
  reconcile,
} from "./BankReconciliation.js"
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

/** Every one-to-one matching of equal amounts within the window: the most pairs, then the least total gap. */
const bruteForce = (book: ReadonlyArray<MatchLine>, statement: ReadonlyArray<MatchLine>, window: number) => {
  let best = { count: 0, gap: 0 }
  const usedSt = new Set<number>()
  const go = (i: number, count: number, gap: number) => {
    if (i === book.length) {
      if (count > best.count || (count === best.count && gap < best.gap)) best = { count, gap }
      return
    }
    go(i + 1, count, gap)
    for (const [j, s] of statement.entries()) {
      const d = Math.abs(s.day - book[i]!.day)
      if (usedSt.has(j) || s.amount !== book[i]!.amount || d > window) continue
      usedSt.add(j)
      go(i + 1, count + 1, gap + d)
      usedSt.delete(j)
    }
  }
  go(0, 0, 0)
  return best
}

const smallLines = fc.array(fc.record({ day: fc.nat(12), amount: fc.integer({ min: 1, max: 2 }) }), {
  maxLength: 6,
})

describe("matching within the window", () => {
  it("issue 10 counter-example: book ¥0.09 on 01-06 and 01-07, statement ¥0.09 on 01-09 and 01-10, window 3 → 2 matches", () => {
    const book: BookLine[] = [
      { entryId: "E1", date: "2024-01-06" as CivilDate, amount: 9 as Money },
      { entryId: "E2", date: "2024-01-07" as CivilDate, amount: 9 as Money },
    ]
    const st = Result.getOrThrow(
      parseStatement("date,amount,reference\n2024-01-09,0.09,\n2024-01-10,0.09,\n"),
    )
    const r = Result.getOrThrow(reconcile({ statement: st, bookLines: book, windowDays: 3, from: D0 }))
    // Greedy nearest date paired 01-09 with 01-07 and left 01-06 (4 days from 01-10) unmatched.
    expect(r.matched.map((m) => [m.book.entryId, m.statement.date])).toEqual([
      ["E1", "2024-01-09"],
      ["E2", "2024-01-10"],
    ])
    expect(r).toMatchObject({ bankOnly: [], bookOnly: [], unexplained: 0, reconciled: true })
  })

  it("among maximum matchings the nearest dates win: an exact-date pair is not broken up", () => {
    const book: BookLine[] = [{ entryId: "E1", date: "2024-01-08" as CivilDate, amount: 100 as Money }]
    const st = Result.getOrThrow(
      parseStatement("date,amount,reference\n2024-01-05,1.00,\n2024-01-08,1.00,\n"),
    )
    const r = Result.getOrThrow(reconcile({ statement: st, bookLines: book, windowDays: 3 }))
    expect(r.matched.map((m) => m.statement.date)).toEqual(["2024-01-08"])
    expect(r.bankOnly.map((l) => l.date)).toEqual(["2024-01-05"])
  })

  it("ties keep the earlier entry matched, whatever the book order", () => {
    const book: BookLine[] = [
      { entryId: "E2", date: "2024-01-05" as CivilDate, amount: 100 as Money },
      { entryId: "E1", date: "2024-01-05" as CivilDate, amount: 100 as Money },
    ]
    const st = Result.getOrThrow(parseStatement("date,amount,reference\n2024-01-05,1.00,\n"))
    const r = Result.getOrThrow(reconcile({ statement: st, bookLines: book, windowDays: 3 }))
    expect(r.matched.map((m) => m.book.entryId)).toEqual(["E1"])
    expect(r.bookOnly.map((b) => b.entryId)).toEqual(["E2"])
  })

  it("is a maximum matching with the least total gap (brute force on small inputs), valid and one-to-one", () =>
    fc.assert(
      fc.property(smallLines, smallLines, fc.nat(4), (rawBook, rawSt, window) => {
        const book = rawBook.map((b, i) => ({ ...b, key: `E${i}` }))
        const statement = rawSt.map((s) => ({ ...s, key: "" }))
        const pairs = matchWithinWindow(book, statement, window)
        const best = bruteForce(book, statement, window)
        expect(pairs).toHaveLength(best.count)
        let gap = 0
        for (const [i, j] of pairs) {
          const d = Math.abs(book[i]!.day - statement[j]!.day)
          expect(d).toBeLessThanOrEqual(window)
          expect(book[i]!.amount).toBe(statement[j]!.amount)
          gap += d
        }
        expect(gap).toBe(best.gap)
        expect(new Set(pairs.map(([i]) => i)).size).toBe(pairs.length)
        expect(new Set(pairs.map(([, j]) => j)).size).toBe(pairs.length)
      }),
      { numRuns: 500 },
    ))

  it("reconcile matches as many lines as the brute force, and the result does not depend on the book order", () =>
    fc.assert(
      fc.property(
        smallLines,
        smallLines,
        fc.nat(4),
        fc.infiniteStream(fc.nat()),
        (rawBook, rawSt, window, randoms) => {
          const book: BookLine[] = rawBook.map((b, i) => ({
            entryId: `E${i}`,
            date: addDays(D0, b.day),
            amount: b.amount as Money,
          }))
          const st = Result.getOrThrow(
            parseStatement(csv(rawSt.map((s) => ({ date: addDays(D0, s.day), amount: s.amount })))),
          )
          const run = (lines: ReadonlyArray<BookLine>) =>
            Result.getOrThrow(
              reconcile({
                statement: st,
                bookLines: lines,
                from: D0,
                to: addDays(D0, 12),
                windowDays: window,
              }),
            )
          const r = run(book)
          const best = bruteForce(
            rawBook.map((b, i) => ({ ...b, key: `E${i}` })),
            rawSt.map((s) => ({ ...s, key: "" })),
            window,
          )
          expect(r.matched).toHaveLength(best.count)
          expect(r.bankOnly.length + r.matched.length).toBe(rawSt.length)
          expect(r.bookOnly.length + r.matched.length).toBe(rawBook.length)
          expect(r.unexplained).toBe(0)
          const it = randoms[Symbol.iterator]()
          const shuffled = [...book]
          for (let k = shuffled.length - 1; k > 0; k--) {
            const x = it.next().value % (k + 1)
            ;[shuffled[k], shuffled[x]] = [shuffled[x]!, shuffled[k]!]
          }
          const key = (x: ReturnType<typeof run>) =>
            x.matched.map((m) => `${m.statement.row}:${m.book.entryId}`)
          expect(key(run(shuffled))).toEqual(key(r))
        },
      ),
      { numRuns: 300 },
    ))
})
