// Ledger (总账/分户账): idempotent posting, conflicts, overdraft refusal, reversal, closing, and the laws
// over random operation sequences (deposits A1, refunds A2, disbursements A5 drawn by apportionment,
// interest A7 allocated or pooled, closing A13/A14/A16, allocation A15): every posted entry balances, the
// trial balance balances, Σ households (+ pending) = net assets, replays change nothing, reversals restore
// every balance, and the §2.4 report identities hold.
import { Option, Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type CivilDate, addDays } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { type Available, apportionFromBalances } from "./Apportionment.js"
import { fundReports } from "./FundReports.js"
import type { HouseholdId } from "./HouseholdId.js"
import { allocateIncome } from "./IncomeAllocation.js"
import { type JournalEntry, reverse } from "./JournalEntry.js"
import {
  type LedgerState,
  balance,
  closePeriod,
  empty,
  householdBalance,
  householdBalances,
  journal,
  post,
  subLedgerCheck,
  trialBalance,
} from "./Ledger.js"
import { allocatePendingIncome, deposit, disbursement, interest, refundCurrentYear } from "./PostingRules.js"

const fen = (n: number) => n as Money
const hh = (s: string) => s as HouseholdId
const D0 = "2024-01-01" as CivilDate
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected failure")
  return r.failure
}
const book = "commodity" as const

describe("post", () => {
  const dep = ok(
    deposit({
      id: "D1",
      book,
      date: D0,
      kind: "first",
      households: [{ household: hh("H1"), amount: fen(10_000) }],
    }),
  )

  it("posts an A1 deposit: bank and deposit income up, household principal up", () => {
    const s = ok(post(empty, dep))
    expect(balance(s, book, "100101")).toBe(10_000)
    expect(balance(s, book, "1001")).toBe(10_000)
    expect(balance(s, book, "4001")).toBe(10_000)
    expect(householdBalance(s, book, hh("H1"))).toEqual({ household: "H1", principal: 10_000, income: 0 })
    expect(trialBalance(s, book)).toMatchObject({ totalDebit: 10_000, totalCredit: 10_000, balanced: true })
  })

  it("is idempotent on the entry id: the same entry again returns the very same state", () => {
    const s = ok(post(empty, dep))
    expect(ok(post(s, dep))).toBe(s)
    expect(ok(post(s, { ...dep }))).toBe(s)
  })

  it("the same id with other content is an EntryIdConflict and changes nothing", () => {
    const s = ok(post(empty, dep))
    const other = ok(
      deposit({
        id: "D1",
        book,
        date: D0,
        kind: "first",
        households: [{ household: hh("H1"), amount: fen(9_999) }],
      }),
    )
    const e = err(post(s, other))
    expect(e._tag).toBe("EntryIdConflict")
    expect(balance(s, book, "100101")).toBe(10_000)
  })

  it("refuses to take a household component below zero (HouseholdOverdrawn)", () => {
    const s = ok(post(empty, dep))
    const r = ok(
      refundCurrentYear({
        id: "R1",
        book,
        date: D0,
        reason: "over-payment",
        households: [{ household: hh("H1"), amount: fen(10_001) }],
      }),
    )
    const e = err(post(s, r))
    expect(e._tag).toBe("HouseholdOverdrawn")
    if (e._tag === "HouseholdOverdrawn")
      expect([e.household, e.component, e.balance]).toEqual(["H1", "principal", "-1"])
  })

  it("rejects an unbalanced entry even when built by hand", () => {
    const bad: JournalEntry = {
      ...dep,
      id: "X" as JournalEntry["id"],
      lines: [dep.lines[0]!, { ...dep.lines[1]!, amount: fen(1) }],
    }
    expect(err(post(empty, bad))._tag).toBe("InvalidValue")
  })
})

describe("closePeriod (A13/A14/A16) and allocation (A15)", () => {
  it("closes deposit income and expenditure into 3001 per household, pooled interest into 3101, then allocates it", () => {
    let s = empty
    const H1 = hh("H1")
    const H2 = hh("H2")
    s = ok(
      post(
        s,
        ok(
          deposit({
            id: "D",
            book,
            date: D0,
            kind: "first",
            households: [
              { household: H1, amount: fen(30_000) },
              { household: H2, amount: fen(10_000) },
            ],
          }),
        ),
      ),
    )
    s = ok(
      post(
        s,
        ok(
          disbursement({
            id: "P",
            book,
            date: addDays(D0, 10),
            project: "lift",
            draws: [{ household: H1, principal: fen(3000), income: fen(0) }],
          }),
        ),
      ),
    )
    s = ok(post(s, ok(interest({ id: "I", book, date: addDays(D0, 30), amount: fen(401) }))))
    expect(subLedgerCheck(s, book)).toEqual({
      households: 37_000,
      pendingAllocation: 401,
      netAssets: 37_401,
      holds: true,
    })
    const closing = Option.getOrThrow(ok(closePeriod(s, { id: "C", book, date: "2024-12-31" as CivilDate })))
    s = ok(post(s, closing))
    expect([balance(s, book, "4001"), balance(s, book, "4101"), balance(s, book, "5001")]).toEqual([0, 0, 0])
    expect([balance(s, book, "3001"), balance(s, book, "3101")]).toEqual([37_000, 401])
    expect(Option.isNone(ok(closePeriod(s, { id: "C2", book, date: "2024-12-31" as CivilDate })))).toBe(true)
    const hs = householdBalances(s, book)
    const alloc = ok(
      allocateIncome(
        fen(401),
        hs.map((h) => ({ householdId: h.household, opening: fen(h.principal + h.income), changes: [] })),
        { from: D0, to: "2024-12-31" as CivilDate },
        "period-end",
      ),
    )
    expect(alloc.shares.map((x) => x.amount)).toEqual([293, 108]) // 401 × 27000/37000 = 292.62, 401 × 10000/37000 = 108.38: extra fen to .62
    s = ok(
      post(
        s,
        ok(
          allocatePendingIncome({
            id: "A",
            book,
            date: "2024-12-31" as CivilDate,
            shares: alloc.shares.map((x) => ({ household: x.householdId, amount: x.amount })),
          }),
        ),
      ),
    )
    expect(subLedgerCheck(s, book)).toEqual({
      households: 37_401,
      pendingAllocation: 0,
      netAssets: 37_401,
      holds: true,
    })
    expect(householdBalance(s, book, H1)).toEqual({ household: "H1", principal: 27_000, income: 293 })
  })
})

// ---- random operation sequences --------------------------------------------------------------------

const HOUSEHOLDS = ["H1", "H2", "H3", "H4", "H5"].map(hh)
type Op =
  | { readonly t: "deposit"; readonly h: number; readonly amount: number }
  | { readonly t: "refund"; readonly h: number; readonly pct: number }
  | { readonly t: "disburse"; readonly cost: number; readonly incomeFirst: boolean }
  | { readonly t: "interest"; readonly amount: number; readonly pooled: boolean }
  | { readonly t: "close" }
  | { readonly t: "allocate" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("deposit" as const),
      h: fc.nat(4),
      amount: fc.integer({ min: 1, max: 5_000_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("refund" as const),
      h: fc.nat(4),
      pct: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("disburse" as const),
      cost: fc.integer({ min: 1, max: 8_000_000 }),
      incomeFirst: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("interest" as const),
      amount: fc.integer({ min: 1, max: 50_000 }),
      pooled: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: "close" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "allocate" as const }) },
)

const balancesMap = (s: LedgerState): Map<HouseholdId, Available> =>
  new Map(HOUSEHOLDS.map((h) => [h, householdBalance(s, book, h)] as const))

/** Builds the entry an operation posts on `s` at `date` (none when it would move no money). */
const entryFor = (s: LedgerState, op: Op, id: string, date: CivilDate): JournalEntry | undefined => {
  switch (op.t) {
    case "deposit":
      return ok(
        deposit({
          id,
          book,
          date,
          kind: "first",
          households: [{ household: HOUSEHOLDS[op.h]!, amount: fen(op.amount) }],
        }),
      )
    case "refund": {
      const h = HOUSEHOLDS[op.h]!
      const amount = Math.floor((householdBalance(s, book, h).principal * op.pct) / 100)
      return amount > 0
        ? ok(
            refundCurrentYear({
              id,
              book,
              date,
              reason: "over-payment",
              households: [{ household: h, amount: fen(amount) }],
            }),
          )
        : undefined
    }
    case "disburse": {
      const units = HOUSEHOLDS.map((h, i) => ({ unitId: h, weight: i + 1 }))
      const a = ok(
        apportionFromBalances(
          fen(op.cost),
          units,
          "weight",
          balancesMap(s),
          op.incomeFirst ? "income-first" : "principal-first",
        ),
      )
      const draws = a.draws.map((d) => ({ household: d.unitId, principal: d.principal, income: d.income }))
      return a.totals.principal + a.totals.income > 0
        ? ok(disbursement({ id, book, date, project: "P", draws }))
        : undefined
    }
    case "interest": {
      if (op.pooled) return ok(interest({ id, book, date, amount: fen(op.amount) }))
      const r = allocateIncome(
        fen(op.amount),
        householdBalances(s, book).map((h) => ({
          householdId: h.household,
          opening: fen(h.principal + h.income),
          changes: [],
        })),
        { from: date, to: date },
        "period-end",
      )
      if (Result.isFailure(r)) return undefined // nobody holds a balance yet
      return ok(
        interest({
          id,
          book,
          date,
          amount: fen(op.amount),
          allocation: r.success.shares.map((x) => ({ household: x.householdId, amount: x.amount })),
        }),
      )
    }
    case "close":
      return Option.getOrUndefined(ok(closePeriod(s, { id, book, date })))
    case "allocate": {
      const pending = balance(s, book, "3101")
      if (pending <= 0) return undefined
      const r = allocateIncome(
        pending,
        householdBalances(s, book).map((h) => ({
          householdId: h.household,
          opening: fen(h.principal + h.income),
          changes: [],
        })),
        { from: date, to: date },
        "period-end",
      )
      if (Result.isFailure(r)) return undefined
      return ok(
        allocatePendingIncome({
          id,
          book,
          date,
          shares: r.success.shares.map((x) => ({ household: x.householdId, amount: x.amount })),
        }),
      )
    }
  }
}

const run = (ops: ReadonlyArray<Op>, check?: (s: LedgerState) => void): LedgerState => {
  let s = empty
  ops.forEach((op, i) => {
    const e = entryFor(s, op, `E${i}`, addDays(D0, i * 7))
    if (e === undefined) return
    s = ok(post(s, e))
    check?.(s)
  })
  return s
}

const sameBalances = (a: LedgerState, b: LedgerState) => {
  expect(trialBalance(a, book).rows).toEqual(trialBalance(b, book).rows)
  expect(HOUSEHOLDS.map((h) => householdBalance(a, book, h))).toEqual(
    HOUSEHOLDS.map((h) => householdBalance(b, book, h)),
  )
}

describe("laws over random operation sequences", () => {
  const opsArb = fc.array(opArb, { maxLength: 30 })

  it("every posted entry balances, the trial balance balances, no household goes negative, Σ households + pending = net assets", () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const s = run(ops, (st) => {
          expect(trialBalance(st, book).balanced).toBe(true)
          const c = subLedgerCheck(st, book)
          expect(c.holds).toBe(true)
          if (c.pendingAllocation === 0) expect(c.households).toBe(c.netAssets)
          for (const h of householdBalances(st, book)) expect(h.principal >= 0 && h.income >= 0).toBe(true)
        })
        for (const e of journal(s)) {
          const d = e.lines.filter((l) => l.side === "debit").reduce((t, l) => t + l.amount, 0)
          const c = e.lines.filter((l) => l.side === "credit").reduce((t, l) => t + l.amount, 0)
          expect(d).toBe(c)
        }
      }),
    )
  })

  it("without pooled income, Σ household sub-accounts = net assets after every step", () => {
    const noPool = opArb.filter((op) => !(op.t === "interest" && op.pooled))
    fc.assert(
      fc.property(fc.array(noPool, { maxLength: 30 }), (ops) => {
        run(ops, (st) => {
          const c = subLedgerCheck(st, book)
          expect(c.households).toBe(c.netAssets)
        })
      }),
    )
  })

  it("posting any already-posted entry again changes nothing", () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const s = run(ops)
        for (const e of journal(s)) expect(ok(post(s, e))).toBe(s)
      }),
    )
  })

  it("reversing an entry restores every balance", () => {
    fc.assert(
      fc.property(opsArb, opArb, (ops, last) => {
        const s = run(ops)
        const date = addDays(D0, 400)
        const e = entryFor(s, last, "LAST", date)
        fc.pre(e !== undefined)
        const after = ok(post(s, e!))
        const restored = ok(post(after, ok(reverse(e!, "LAST-R", date))))
        sameBalances(restored, s)
        expect(subLedgerCheck(restored, book)).toEqual(subLedgerCheck(s, book))
      }),
    )
  })

  it("report identities: assets = liabilities + net assets; opening net assets + income − expenditure = closing", () => {
    fc.assert(
      fc.property(opsArb, fc.nat(30), fc.nat(30), (ops, a, b) => {
        const s = run(ops)
        const from = addDays(D0, Math.min(a, b) * 7)
        const to = addDays(D0, Math.max(a, b) * 7 + 3)
        const r = fundReports(s, book, from, to)
        expect(r.consistent).toBe(true)
        expect(r.balanceSheet.totalAssets).toBe(
          r.balanceSheet.totalLiabilities + r.balanceSheet.totalNetAssets,
        )
        const total = r.netAssetChanges.columns.find((c) => c.column === "total")!
        expect(total.otherChanges).toBe(0)
        expect(
          total.opening + r.incomeAndExpenditure.totalIncome - r.incomeAndExpenditure.totalExpenditure,
        ).toBe(total.closing)
        expect(total.closing).toBe(r.balanceSheet.totalNetAssets)
      }),
    )
  })
})
