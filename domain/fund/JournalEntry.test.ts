// Journal entry (记账凭证): the invariants of one entry (balanced, ≥ 2 lines, positive amounts, one book,
// household detail only on fund accounts) and the reversing entry (§2.2, §2.3).
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { type AccountCode, accounts } from "./ChartOfAccounts.js"
import type { HouseholdId } from "./HouseholdId.js"
import { type JournalLine, entryTotal, fingerprint, makeEntry, reverse } from "./JournalEntry.js"

const fen = (n: number) => n as Money
const date = "2024-03-01" as CivilDate
const H = "H1" as HouseholdId
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}
const L = (
  account: AccountCode,
  side: "debit" | "credit",
  amount: number,
  household?: HouseholdId,
): JournalLine => ({
  account,
  side,
  amount: fen(amount),
  ...(household === undefined ? {} : { subAccount: { household, component: "principal" as const } }),
})

describe("makeEntry", () => {
  it("accepts the A1 deposit shape", () => {
    const e = ok(
      makeEntry({
        id: "E1",
        book: "commodity",
        date,
        lines: [L("100101", "debit", 500), L("4001", "credit", 500, H)],
      }),
    )
    expect(entryTotal(e)).toBe(500)
    expect(e.closing).toBe(false)
  })

  it.each([
    ["unbalanced", [L("100101", "debit", 500), L("4001", "credit", 499)], "lines", "JE.balanced"],
    ["one line", [L("100101", "debit", 500)], "lines", "JE.two-lines"],
    [
      "zero amount",
      [L("100101", "debit", 0), L("4001", "credit", 0)],
      "lines[0].amount",
      "JE.positive-amount",
    ],
    [
      "negative amount",
      [L("100101", "debit", -5), L("4001", "credit", -5)],
      "lines[0].amount",
      "JE.positive-amount",
    ],
    [
      "summary account",
      [L("1001", "debit", 5), L("4001", "credit", 5)],
      "lines[0].account",
      "JE.account-in-book",
    ],
    [
      "other book's fund account",
      [L("3002", "debit", 5), L("100101", "credit", 5)],
      "lines[0].account",
      "JE.account-in-book",
    ],
    [
      "household on an asset",
      [L("100101", "debit", 5, H), L("4001", "credit", 5)],
      "lines[0].subAccount",
      "JE.household-on-fund-account",
    ],
    [
      "unknown account",
      [L("9999" as AccountCode, "debit", 5), L("4001", "credit", 5)],
      "lines[0].account",
      "JE.known-account",
    ],
  ] as const)("rejects %s", (_, lines, field, rule) => {
    const e = err(makeEntry({ id: "E", book: "commodity", date, lines }))
    expect([e.field, e.rule]).toEqual([field, rule])
  })

  it("rejects an empty id and an invalid date", () => {
    const lines = [L("100101", "debit", 5), L("4001", "credit", 5)]
    expect(err(makeEntry({ id: "", book: "commodity", date, lines })).rule).toBe("JE.id-required")
    expect(err(makeEntry({ id: "E", book: "commodity", date: "2024-02-30" as CivilDate, lines })).rule).toBe(
      "JE.date",
    )
  })
})

const postable = accounts.filter((a) => a.postable && a.books.includes("commodity"))
const lineArb = fc.record({
  account: fc.constantFrom(...postable.map((a) => a.code)),
  side: fc.constantFrom("debit" as const, "credit" as const),
  amount: fc.integer({ min: -3, max: 1000 }).map(fen),
})

describe("laws", () => {
  it("every entry makeEntry accepts balances, has ≥ 2 lines and positive amounts", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 5 }), (lines) => {
        const r = makeEntry({ id: "E", book: "commodity", date, lines })
        const debit = lines.filter((l) => l.side === "debit").reduce((t, l) => t + l.amount, 0)
        const credit = lines.filter((l) => l.side === "credit").reduce((t, l) => t + l.amount, 0)
        const valid = lines.length >= 2 && lines.every((l) => l.amount > 0) && debit === credit
        expect(Result.isSuccess(r)).toBe(valid)
      }),
    )
  })

  it("reverse swaps every side, keeps amounts and detail, links the original, and reversing twice gives the same lines", () => {
    const e = ok(
      makeEntry({
        id: "E1",
        book: "commodity",
        date,
        memo: "x",
        lines: [L("5001", "debit", 70, H), L("100101", "credit", 70)],
      }),
    )
    const r = ok(reverse(e, "E1-R", "2024-04-01" as CivilDate))
    expect(r.reversalOf).toBe("E1")
    expect(r.lines).toEqual([L("5001", "credit", 70, H), L("100101", "debit", 70)])
    expect(ok(reverse(r, "E1-RR", date)).lines).toEqual(e.lines)
    expect(err(reverse(e, "E1", date)).rule).toBe("JE.reversal-new-id")
  })

  it("fingerprint tells contents apart", () => {
    const a = ok(
      makeEntry({
        id: "E",
        book: "commodity",
        date,
        lines: [L("100101", "debit", 5), L("4001", "credit", 5, H)],
      }),
    )
    const b = ok(
      makeEntry({
        id: "E",
        book: "commodity",
        date,
        lines: [L("100101", "debit", 6), L("4001", "credit", 6, H)],
      }),
    )
    expect(fingerprint(a)).toBe(fingerprint({ ...a }))
    expect(fingerprint(a)).not.toBe(fingerprint(b))
  })
})
