// The three reports (M67, §2.4) on a worked year: deposits (A1), a suspense receipt (A19), a lift repair
// voted (V3), apportioned by area (M175) and paid in two tranches (A5, M177), pooled interest (A7), closing
// (A13/A14/A16) and allocation by balance × days (A15, M180). The identities are checked with figures.
import { Option, Result } from "effect"
import { describe, expect, it } from "vitest"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { apportionFromBalances, splitTranche } from "./Apportionment.js"
import { balanceSheet, fundReports, incomeAndExpenditure, netAssetChanges } from "./FundReports.js"
import type { HouseholdId } from "./HouseholdId.js"
import { allocateIncome } from "./IncomeAllocation.js"
import type { JournalEntry } from "./JournalEntry.js"
import {
  type LedgerState,
  balance,
  closePeriod,
  empty,
  householdBalance,
  householdChanges,
  post,
  subLedgerCheck,
} from "./Ledger.js"
import { tallyVote } from "./OwnerVote.js"
import {
  allocatePendingIncome,
  deposit,
  disbursement,
  interest,
  receiptIdentified,
  unidentifiedReceipt,
} from "./PostingRules.js"

const fen = (n: number) => n as Money
const day = (s: string) => s as CivilDate
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const [H1, H2, H3] = (["H1", "H2", "H3"] as const).map((h) => h as HouseholdId) as [
  HouseholdId,
  HouseholdId,
  HouseholdId,
]
const book = "commodity" as const

const year = (() => {
  let s: LedgerState = empty
  const p = (e: Result.Result<JournalEntry, unknown>) => {
    s = ok(post(s, ok(e)))
  }
  p(
    deposit({
      id: "dep",
      book,
      date: day("2024-01-15"),
      kind: "first",
      households: [
        { household: H1, amount: fen(800_000) },
        { household: H2, amount: fen(600_000) },
        { household: H3, amount: fen(400_000) },
      ],
    }),
  )
  p(unidentifiedReceipt({ id: "susp", book, date: day("2024-03-01"), amount: fen(50_000) }))
  p(
    receiptIdentified({
      id: "susp-id",
      book,
      date: day("2024-03-10"),
      households: [{ household: H3, amount: fen(50_000) }],
    }),
  )
  const units = [
    { unitId: H1, area: 10_000 as Area, ownerId: "O1" },
    { unitId: H2, area: 8_000 as Area, ownerId: "O2" },
    { unitId: H3, area: 6_000 as Area, ownerId: "O3" },
  ]
  const vote = ok(
    tallyVote({
      units,
      ballots: [
        { unitId: H1, vote: "yes" },
        { unitId: H2, vote: "yes" },
        { unitId: H3, vote: "no" },
      ],
      matter: "use",
      rules: "civil-code",
    }),
  )
  const balances = new Map([H1, H2, H3].map((h) => [h, householdBalance(s, book, h)] as const))
  const lift = ok(apportionFromBalances(fen(300_000), units, "area", balances, "principal-first"))
  const t1 = ok(splitTranche(lift.draws, fen(120_000)))
  p(
    disbursement({
      id: "lift-1",
      book,
      date: day("2024-05-10"),
      project: "lift",
      draws: t1.map((d) => ({ household: d.unitId, principal: d.principal, income: d.income })),
    }),
  )
  const rest = lift.draws.map((d, i) => ({
    unitId: d.unitId,
    principal: fen(d.principal - t1[i]!.principal),
    income: fen(d.income - t1[i]!.income),
  }))
  p(
    disbursement({
      id: "lift-2",
      book,
      date: day("2024-07-10"),
      project: "lift",
      draws: rest.map((d) => ({ household: d.unitId, principal: d.principal, income: d.income })),
    }),
  )
  p(interest({ id: "int-q2", book, date: day("2024-06-21"), amount: fen(4_500) }))
  p(interest({ id: "int-q4", book, date: day("2024-12-21"), amount: fen(5_200) }))
  const beforeClose = s
  s = ok(post(s, Option.getOrThrow(ok(closePeriod(s, { id: "close-2024", book, date: day("2024-12-31") })))))
  const alloc = ok(
    allocateIncome(
      fen(balance(s, book, "3101")),
      householdChanges(s, book).map((h) => ({ householdId: h.household, changes: h.changes })),
      { from: day("2024-01-01"), to: day("2024-12-31") },
      "balance-days",
    ),
  )
  p(
    allocatePendingIncome({
      id: "alloc-2024",
      book,
      date: day("2024-12-31"),
      shares: alloc.shares.map((x) => ({ household: x.householdId, amount: x.amount })),
    }),
  )
  return { s, beforeClose, vote, lift, t1, alloc }
})()

describe("a worked year of one estate", () => {
  it("the vote passed and the lift cost was apportioned by area to the fen", () => {
    expect(year.vote.passed).toBe(true)
    expect(year.lift.shares.map((x) => x.share)).toEqual([125_000, 100_000, 75_000])
    expect(year.lift.totals.selfFunded).toBe(0)
    expect(year.t1.map((x) => x.principal)).toEqual([50_000, 40_000, 30_000])
  })

  it("income and expenditure statement 2024", () => {
    const ie = incomeAndExpenditure(year.s, book, day("2024-01-01"), day("2024-12-31"))
    expect(ie.income.filter((l) => l.amount !== 0).map((l) => [l.code, l.amount])).toEqual([
      ["4001", 1_850_000],
      ["4101", 9_700],
    ])
    expect([ie.totalIncome, ie.totalExpenditure, ie.surplus]).toEqual([1_859_700, 300_000, 1_559_700])
  })

  it("balance sheet at year end: assets = liabilities + net assets, all closed and allocated", () => {
    const bs = balanceSheet(year.s, book, day("2024-12-31"))
    expect([bs.totalAssets, bs.totalLiabilities, bs.totalNetAssets, bs.balanced]).toEqual([
      1_559_700,
      0,
      1_559_700,
      true,
    ])
    expect(bs.netAssets.map((l) => [l.code, l.amount])).toEqual([
      ["3001", 1_559_700],
      ["3101", 0],
      ["unclosed", 0],
    ])
  })

  it("before closing the unclosed surplus is a net-asset line and the sheet still balances", () => {
    const bs = balanceSheet(year.beforeClose, book, day("2024-12-31"))
    expect(bs.netAssets.map((l) => l.amount)).toEqual([0, 0, 1_559_700])
    expect(bs.balanced).toBe(true)
    const mid = balanceSheet(year.s, book, day("2024-03-05")) // suspense receipt still a liability
    expect([mid.totalAssets, mid.totalLiabilities, mid.totalNetAssets, mid.balanced]).toEqual([
      1_850_000,
      50_000,
      1_800_000,
      true,
    ])
  })

  it("statement of changes in net assets: opening + surplus + transfers = closing per column", () => {
    const na = netAssetChanges(year.s, book, day("2024-01-01"), day("2024-12-31"))
    const cols = Object.fromEntries(
      na.columns.map((c) => [
        c.column,
        [c.opening, c.surplus, c.closedIn, c.allocations, c.otherChanges, c.closing],
      ]),
    )
    expect(cols).toEqual({
      fund: [0, 0, 1_550_000, 9_700, 0, 1_559_700],
      "3101": [0, 0, 9_700, -9_700, 0, 0],
      unclosed: [0, 1_559_700, -1_559_700, 0, 0, 0],
      total: [0, 1_559_700, 0, 0, 0, 1_559_700],
    })
    expect(na.holds && na.agreesWithBalanceSheet).toBe(true)
  })

  it("second half only: opening net assets + income − expenditure = closing net assets", () => {
    const r = fundReports(year.s, book, day("2024-07-01"), day("2024-12-31"))
    const total = r.netAssetChanges.columns.find((c) => c.column === "total")!
    expect([total.opening, r.incomeAndExpenditure.surplus, total.closing]).toEqual([
      1_734_500, -174_800, 1_559_700,
    ])
    expect(r.consistent).toBe(true)
  })

  it("income was allocated by balance × days and every household sub-account adds up to net assets", () => {
    expect(year.alloc.shares.reduce((t, x) => t + x.amount, 0)).toBe(9_700)
    const [a1, a2, a3] = year.alloc.shares.map((x): number => x.amount) as [number, number, number]
    expect(a1 > a2 && a2 > a3).toBe(true)
    expect(householdBalance(year.s, book, H1)).toEqual({ household: "H1", principal: 675_000, income: a1 })
    expect(subLedgerCheck(year.s, book)).toEqual({
      households: 1_559_700,
      pendingAllocation: 0,
      netAssets: 1_559_700,
      holds: true,
    })
  })
})
