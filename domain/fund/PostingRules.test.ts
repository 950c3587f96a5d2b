// Posting rules A1–A19 (catalog §2.3): each builder's accounts, sides and household detail, and that every
// entry it builds balances and posts.
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import type { HouseholdId } from "./HouseholdId.js"
import type { JournalEntry } from "./JournalEntry.js"
import {
  type LedgerState,
  balance,
  empty,
  householdBalance,
  householdBalances,
  post,
  subLedgerCheck,
} from "./Ledger.js"
import {
  bondIncome,
  buyBonds,
  deposit,
  disbursement,
  disbursementReturned,
  interest,
  lossRefundApproved,
  lossRefundPaid,
  otherIncome,
  placeTermDeposit,
  receiptIdentified,
  refundPriorYear,
  stageConversion,
  termDepositMatured,
  unidentifiedReceipt,
} from "./PostingRules.js"

const fen = (n: number) => n as Money
const H1 = "H1" as HouseholdId
const H2 = "H2" as HouseholdId
const date = "2024-06-30" as CivilDate
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}
const shape = (e: JournalEntry) =>
  e.lines.map(
    (l) =>
      `${l.side === "debit" ? "Dr" : "Cr"} ${l.account} ${l.amount}${l.subAccount ? ` ${l.subAccount.household}/${l.subAccount.component}` : ""}`,
  )

const seeded = (): LedgerState =>
  ok(
    post(
      empty,
      ok(
        deposit({
          id: "D",
          book: "commodity",
          date,
          kind: "first",
          households: [
            { household: H1, amount: fen(50_000) },
            { household: H2, amount: fen(30_000) },
          ],
        }),
      ),
    ),
  )

describe("posting rules build the §2.3 entries", () => {
  const h = { book: "commodity" as const, date }

  it("A1 deposit: Dr 100101 / Cr 4001 per household principal", () => {
    const e = ok(
      deposit({
        ...h,
        id: "1",
        kind: "continued",
        households: [
          { household: H1, amount: fen(100) },
          { household: H2, amount: fen(0) },
        ],
      }),
    )
    expect(shape(e)).toEqual(["Dr 100101 100", "Cr 4001 100 H1/principal"])
    expect(e.rule).toBe("A1")
  })

  it("A1 with no money is a typed error", () => {
    expect(err(deposit({ ...h, id: "1", kind: "first", households: [] })).rule).toBe("A1.positive-total")
    expect(
      err(deposit({ ...h, id: "1", kind: "first", households: [{ household: H1, amount: fen(-1) }] })).rule,
    ).toBe("A1.non-negative-amount")
  })

  it("A3 prior-year refund draws principal and income through 5101", () => {
    const e = ok(
      refundPriorYear({
        ...h,
        id: "3",
        reason: "sale-cancelled",
        households: [{ household: H1, principal: fen(70), income: fen(5) }],
      }),
    )
    expect(shape(e)).toEqual(["Dr 5101 70 H1/principal", "Dr 5101 5 H1/income", "Cr 100101 75"])
  })

  it("A4 house loss: approval books the payable and empties the household; payment clears it", () => {
    let s = seeded()
    s = ok(
      post(
        s,
        ok(
          lossRefundApproved({
            ...h,
            id: "4a",
            households: [{ household: H2, principal: fen(30_000), income: fen(0) }],
          }),
        ),
      ),
    )
    expect(balance(s, "commodity", "2001")).toBe(30_000)
    expect(householdBalance(s, "commodity", H2).principal).toBe(0)
    s = ok(post(s, ok(lossRefundPaid({ ...h, id: "4b", amount: fen(30_000) }))))
    expect([balance(s, "commodity", "2001"), balance(s, "commodity", "100101")]).toEqual([0, 50_000])
    expect(subLedgerCheck(s, "commodity").holds).toBe(true)
  })

  it("A5/A6 disbursement and return re-credit the same households", () => {
    let s = seeded()
    const draws = [{ household: H1, principal: fen(1000), income: fen(0) }]
    s = ok(post(s, ok(disbursement({ ...h, id: "5", project: "roof", draws }))))
    expect(householdBalance(s, "commodity", H1).principal).toBe(49_000)
    s = ok(
      post(
        s,
        ok(
          disbursementReturned({
            ...h,
            id: "6",
            project: "roof",
            returns: [{ household: H1, principal: fen(400), income: fen(0) }],
          }),
        ),
      ),
    )
    expect(householdBalance(s, "commodity", H1).principal).toBe(49_400)
    expect(balance(s, "commodity", "5001")).toBe(600)
  })

  it("A7 interest allocated on receipt must sum to the amount", () => {
    const e = ok(
      interest({
        ...h,
        id: "7",
        amount: fen(30),
        allocation: [
          { household: H1, amount: fen(20) },
          { household: H2, amount: fen(10) },
        ],
      }),
    )
    expect(shape(e)).toEqual(["Dr 100101 30", "Cr 4101 20 H1/income", "Cr 4101 10 H2/income"])
    expect(
      err(interest({ ...h, id: "7", amount: fen(30), allocation: [{ household: H1, amount: fen(20) }] }))
        .rule,
    ).toBe("A7.allocation-sums-to-amount")
  })

  it("A8–A11 investments keep the fund whole and book only the income", () => {
    let s = seeded()
    s = ok(post(s, ok(placeTermDeposit({ ...h, id: "8", amount: fen(40_000) }))))
    expect([
      balance(s, "commodity", "100101"),
      balance(s, "commodity", "100102"),
      balance(s, "commodity", "1001"),
    ]).toEqual([40_000, 40_000, 80_000])
    const m = ok(termDepositMatured({ ...h, id: "9", principal: fen(40_000), interest: fen(600) }))
    expect(shape(m)).toEqual(["Dr 100101 40600", "Cr 100102 40000", "Cr 4101 600"])
    s = ok(post(s, m))
    s = ok(post(s, ok(buyBonds({ ...h, id: "10", amount: fen(20_000) }))))
    s = ok(post(s, ok(bondIncome({ ...h, id: "11a", principal: fen(0), interest: fen(300) }))))
    s = ok(post(s, ok(bondIncome({ ...h, id: "11b", principal: fen(20_000), interest: fen(300) }))))
    expect([
      balance(s, "commodity", "1101"),
      balance(s, "commodity", "4102"),
      balance(s, "commodity", "1001"),
    ]).toEqual([0, 600, 81_200])
    expect(subLedgerCheck(s, "commodity")).toMatchObject({
      households: 80_000,
      pendingAllocation: 1200,
      holds: true,
    })
  })

  it("A12 operating and scrap income", () => {
    expect(shape(ok(otherIncome({ ...h, id: "12", source: "operating", amount: fen(900) })))).toEqual([
      "Dr 100101 900",
      "Cr 4201 900",
    ])
    expect(shape(ok(otherIncome({ ...h, id: "12", source: "scrap", amount: fen(50) })))).toEqual([
      "Dr 100101 50",
      "Cr 4301 50",
    ])
  })

  it("A17 stage conversion 代管→自管 moves every household component to the assembly's books", () => {
    const custodian = seeded()
    const hs = householdBalances(custodian, "commodity")
    const c = ok(
      stageConversion({ outgoingId: "17o", incomingId: "17i", book: "commodity", date, households: hs }),
    )
    const after = ok(post(custodian, c.outgoing))
    const assembly = ok(post(empty, c.incoming))
    expect(householdBalances(after, "commodity").every((x) => x.principal === 0 && x.income === 0)).toBe(true)
    expect(householdBalances(assembly, "commodity")).toEqual(hs)
    expect(balance(after, "commodity", "1001")).toBe(0)
    expect(subLedgerCheck(after, "commodity").holds && subLedgerCheck(assembly, "commodity").holds).toBe(true)
  })

  it("A19 unidentified receipt is a liability until identified as deposits", () => {
    let s = ok(post(empty, ok(unidentifiedReceipt({ ...h, id: "19a", amount: fen(700) }))))
    expect(subLedgerCheck(s, "commodity")).toMatchObject({ households: 0, netAssets: 0, holds: true })
    s = ok(
      post(s, ok(receiptIdentified({ ...h, id: "19b", households: [{ household: H1, amount: fen(700) }] }))),
    )
    expect([balance(s, "commodity", "2101"), householdBalance(s, "commodity", H1).principal]).toEqual([
      0, 700,
    ])
  })

  it("the sold-public-housing book uses 3002 and never 3001", () => {
    const e = ok(
      stageConversion({
        outgoingId: "o",
        incomingId: "i",
        book: "public",
        date,
        households: [{ household: H1, principal: fen(5), income: fen(0) }],
      }),
    )
    expect(e.outgoing.lines.map((l) => l.account)).toEqual(["3002", "100101"])
  })
})
