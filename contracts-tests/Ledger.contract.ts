/**
 * Contract suite for the Ledger port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this file
 * through `suite(name, layer)`. Laws held to: idempotent posting by entry id (a replay changes nothing),
 * conflicts and invalid or overdrawing batches change nothing (atomicity), every stored entry balances,
 * the port's balances equal a replay of its own journal through the pure domain ledger, household
 * sub-accounts sum to net assets after any random sequence of operations, and the SM3 chain verifies.
 * Tests use fresh household and entry ids and only household-tagged money, so they share one store.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Result } from "effect"
import fc from "fast-check"
import { Ledger, type LedgerError } from "../application/ports/Ledger.js"
import { apportionFromBalances, type Available } from "../domain/fund/Apportionment.js"
import { type Book, accountsOf } from "../domain/fund/ChartOfAccounts.js"
import type { HouseholdId } from "../domain/fund/HouseholdId.js"
import { type JournalEntry, reverse } from "../domain/fund/JournalEntry.js"
import * as DomainLedger from "../domain/fund/Ledger.js"
import { allocateIncome } from "../domain/fund/IncomeAllocation.js"
import { deposit, disbursement, interest, refundCurrentYear } from "../domain/fund/PostingRules.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"

const D = "2024-03-01" as CivilDate
const fen = (n: number) => n as Money
const hh = (s: string) => s as HouseholdId
let counter = 0
const fresh = (label: string) => `${label}-${process.pid.toString(36)}-${(counter++).toString(36)}`
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success: ${JSON.stringify(r.failure)}`)
  return r.success
}
const reasonOf = <A>(exit: Exit.Exit<A, LedgerError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

const dep = (id: string, household: string, amount: number, book: Book = "commodity") =>
  ok(
    deposit({
      id,
      book,
      date: D,
      kind: "first",
      households: [{ household: hh(household), amount: fen(amount) }],
    }),
  )

/** Everything observable about the store. */
const snapshot = Effect.gen(function* () {
  const l = yield* Ledger
  return {
    commodity: yield* l.accountBalances("commodity"),
    public: yield* l.accountBalances("public"),
    hhCommodity: yield* l.householdBalances("commodity"),
    hhPublic: yield* l.householdBalances("public"),
    journal: (yield* l.journal()).length,
  }
})

/** The laws every state must satisfy, checked against the port's own journal replayed in the domain. */
const checkLaws = Effect.gen(function* () {
  const l = yield* Ledger
  const journal = yield* l.journal()
  const replay = ok(DomainLedger.postAll(DomainLedger.empty, journal))
  for (const book of ["commodity", "public"] as const) {
    const balances = yield* l.accountBalances(book)
    const households = yield* l.householdBalances(book)
    // Port balances = domain replay of the port's journal.
    for (const b of balances) expect(b.balance).toBe(DomainLedger.balance(replay, book, b.account))
    expect(households).toEqual(DomainLedger.householdBalances(replay, book))
    // Σ household sub-accounts = net assets (assets − liabilities); the trial balance balances.
    let assets = 0
    let liabilities = 0
    let debit = 0
    let credit = 0
    for (const b of balances) {
      const a = accountsOf(book).find((x) => x.code === b.account)!
      if (a.type === "asset") assets += b.balance
      if (a.type === "liability") liabilities += b.balance
      if (a.normalSide === "debit") debit += b.balance
      else credit += b.balance
    }
    expect(debit).toBe(credit)
    const sum = households.reduce((t, h) => t + h.principal + h.income, 0)
    expect(sum).toBe(assets - liabilities)
    for (const h of households) {
      expect(h.principal).toBeGreaterThanOrEqual(0)
      expect(h.income).toBeGreaterThanOrEqual(0)
    }
  }
  // Every stored entry balances.
  for (const e of journal) {
    let d = 0
    let c = 0
    for (const x of e.lines)
      if (x.side === "debit") d += x.amount
      else c += x.amount
    expect(d).toBe(c)
  }
  const v = yield* l.verify()
  expect(v).toMatchObject({ ok: true, entries: journal.length })
})

type Op =
  | { readonly _tag: "deposit"; readonly h: number; readonly amount: number }
  | { readonly _tag: "refund"; readonly h: number; readonly part: number }
  | { readonly _tag: "disburse"; readonly part: number; readonly order: "principal-first" | "income-first" }
  | { readonly _tag: "interest"; readonly amount: number }
  | { readonly _tag: "reverse-last" }
  | { readonly _tag: "replay-last" }

const H = 5
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    _tag: fc.constant("deposit" as const),
    h: fc.nat(H - 1),
    amount: fc.integer({ min: 1, max: 500_000 }),
  }),
  fc.record({
    _tag: fc.constant("refund" as const),
    h: fc.nat(H - 1),
    part: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({
    _tag: fc.constant("disburse" as const),
    part: fc.integer({ min: 1, max: 100 }),
    order: fc.constantFrom("principal-first" as const, "income-first" as const),
  }),
  fc.record({ _tag: fc.constant("interest" as const), amount: fc.integer({ min: 1, max: 50_000 }) }),
  fc.constant({ _tag: "reverse-last" as const }),
  fc.constant({ _tag: "replay-last" as const }),
)

export const suite = (name: string, ledgerLayer: Layer.Layer<Ledger, unknown>) =>
  describe(`Ledger contract: ${name}`, () => {
    layer(ledgerLayer, { timeout: "300 seconds" })((it) => {
      it.effect("posts a deposit: bank, deposit income and the household's principal", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const h = fresh("H")
          const before = yield* snapshot
          const s = yield* l.post([dep(fresh("E"), h, 12_345)])
          expect(s).toEqual({ posted: 1, unchanged: 0 })
          const hb = (yield* l.householdBalances("commodity")).find((x) => x.household === h)
          expect(hb).toEqual({ household: h, principal: 12_345, income: 0 })
          const after = yield* snapshot
          expect(after.journal).toBe(before.journal + 1)
          const bank = (xs: typeof after.commodity) => xs.find((x) => x.account === "100101")?.balance ?? 0
          expect(bank(after.commodity) - bank(before.commodity)).toBe(12_345)
          yield* checkLaws
        }),
      )

      it.effect("posting the same entry id twice changes nothing (also within one batch)", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const e = dep(fresh("E"), fresh("H"), 500)
          yield* l.post([e])
          const before = yield* snapshot
          expect(yield* l.post([e])).toEqual({ posted: 0, unchanged: 1 })
          expect(yield* l.post([{ ...e, lines: e.lines.map((x) => ({ ...x })) }])).toEqual({
            posted: 0,
            unchanged: 1,
          })
          expect(yield* snapshot).toEqual(before)
          const e2 = dep(fresh("E"), fresh("H"), 700)
          expect(yield* l.post([e2, e2])).toEqual({ posted: 1, unchanged: 1 })
          yield* checkLaws
        }),
      )

      it.effect("the same id with other content is a Conflict and the batch changes nothing", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const id = fresh("E")
          const h = fresh("H")
          yield* l.post([dep(id, h, 1_000)])
          const before = yield* snapshot
          const exit = yield* Effect.exit(l.post([dep(fresh("E"), h, 5), dep(id, h, 1_001)]))
          expect(reasonOf(exit)).toMatchObject({ _tag: "Conflict", entryId: id })
          expect(yield* snapshot).toEqual(before)
          const twice = yield* Effect.exit(
            l.post([dep(fresh("X"), h, 1), dep(`${id}-b`, h, 1), dep(`${id}-b`, h, 2)]),
          )
          expect(reasonOf(twice)).toMatchObject({ _tag: "Conflict" })
          expect(yield* snapshot).toEqual(before)
        }),
      )

      it.effect("an unbalanced entry is refused and nothing of its batch is stored", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const before = yield* snapshot
          const good = dep(fresh("E"), fresh("H"), 100)
          // Built by hand, bypassing makeEntry: a buggy caller.
          const bad: JournalEntry = { ...dep(fresh("E"), fresh("H"), 100) }
          const unbalanced: JournalEntry = {
            ...bad,
            lines: [bad.lines[0]!, { ...bad.lines[1]!, amount: fen(99) }],
          }
          const exit = yield* Effect.exit(l.post([good, unbalanced]))
          expect(reasonOf(exit)).toMatchObject({ _tag: "InvalidEntry", rule: "JE.balanced" })
          expect(yield* snapshot).toEqual(before)
        }),
      )

      it.effect("overdrawing a household component is refused and changes nothing", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const h = fresh("H")
          yield* l.post([dep(fresh("E"), h, 1_000)])
          const before = yield* snapshot
          const refund = ok(
            refundCurrentYear({
              id: fresh("R"),
              book: "commodity",
              date: D,
              reason: "over-payment",
              households: [{ household: hh(h), amount: fen(1_001) }],
            }),
          )
          const exit = yield* Effect.exit(l.post([dep(fresh("E"), fresh("H"), 5), refund]))
          expect(reasonOf(exit)).toMatchObject({ _tag: "Overdrawn", household: h, component: "principal" })
          expect(yield* snapshot).toEqual(before)
          // In order: a deposit earlier in the same batch makes the refund possible.
          yield* l.post([dep(fresh("E"), h, 1), refund])
          expect((yield* l.householdBalances("commodity")).find((x) => x.household === h)?.principal).toBe(0)
        }),
      )

      it.effect("reversing an entry restores every balance", () =>
        Effect.gen(function* () {
          const l = yield* Ledger
          const h = fresh("H")
          const e = dep(fresh("E"), h, 2_500, "public")
          const before = yield* snapshot
          yield* l.post([e])
          yield* l.post([ok(reverse(e, fresh("REV"), D))])
          const after = yield* snapshot
          expect(after.journal).toBe(before.journal + 2)
          const zeroless = (xs: typeof after.public) => xs.filter((x) => x.balance !== 0)
          expect(zeroless(after.public)).toEqual(zeroless(before.public))
          expect(after.hhPublic.filter((x) => x.household !== h)).toEqual(before.hhPublic)
          expect(after.hhPublic.find((x) => x.household === h)).toEqual({
            household: h,
            principal: 0,
            income: 0,
          })
          yield* checkLaws
        }),
      )

      it.effect("household sub-accounts sum to net assets after any random sequence of operations", () =>
        Effect.gen(function* () {
          const service = yield* Ledger
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(
                fc.array(opArb, { minLength: 1, maxLength: 12 }),
                fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: H, maxLength: H }),
                async (ops, areas) => {
                  const program = Effect.gen(function* () {
                    const l = yield* Ledger
                    const tag = fresh("P")
                    const ids = areas.map((_, i) => `${tag}-H${i}`)
                    let last: JournalEntry | undefined
                    const balances = () =>
                      Effect.map(l.householdBalances("commodity"), (xs) => {
                        const m = new Map<string, Available>()
                        for (const id of ids) m.set(id, { principal: fen(0), income: fen(0) })
                        for (const x of xs)
                          if (m.has(x.household))
                            m.set(x.household, { principal: x.principal, income: x.income })
                        return m
                      })
                    for (const [k, op] of ops.entries()) {
                      const id = `${tag}-${k}`
                      const b = yield* balances()
                      let entry: JournalEntry | undefined
                      switch (op._tag) {
                        case "deposit":
                          entry = dep(id, ids[op.h]!, op.amount)
                          break
                        case "refund": {
                          const amount = Math.floor((b.get(ids[op.h]!)!.principal * op.part) / 100)
                          if (amount > 0)
                            entry = ok(
                              refundCurrentYear({
                                id,
                                book: "commodity",
                                date: D,
                                reason: "r",
                                households: [{ household: hh(ids[op.h]!), amount: fen(amount) }],
                              }),
                            )
                          break
                        }
                        case "disburse": {
                          let total = 0
                          for (const x of b.values()) total += x.principal + x.income
                          const cost = Math.floor((total * op.part) / 100)
                          if (cost === 0) break
                          const a = ok(
                            apportionFromBalances(
                              fen(cost),
                              ids.map((u, i) => ({ unitId: u, area: areas[i]! as never })),
                              "area",
                              b,
                              op.order,
                            ),
                          )
                          const draws = a.draws.map((d) => ({
                            household: hh(d.unitId),
                            principal: d.principal,
                            income: d.income,
                          }))
                          if (draws.some((d) => d.principal + d.income > 0))
                            entry = ok(
                              disbursement({ id, book: "commodity", date: D, project: `${tag}-lift`, draws }),
                            )
                          break
                        }
                        case "interest": {
                          const r = allocateIncome(
                            fen(op.amount),
                            ids.map((u) => ({
                              householdId: u,
                              opening: fen(b.get(u)!.principal + b.get(u)!.income),
                              changes: [],
                            })),
                            { from: D, to: D },
                            "period-end",
                          )
                          if (Result.isSuccess(r))
                            entry = ok(
                              interest({
                                id,
                                book: "commodity",
                                date: D,
                                amount: fen(op.amount),
                                allocation: r.success.shares
                                  .filter((s) => s.amount > 0)
                                  .map((s) => ({ household: hh(s.householdId), amount: s.amount })),
                              }),
                            )
                          break
                        }
                        case "reverse-last":
                          if (last !== undefined) {
                            const rev = ok(reverse(last, `${id}-rev`, D))
                            const before = yield* snapshot
                            const exit = yield* Effect.exit(l.post([rev]))
                            if (Exit.isFailure(exit)) {
                              expect(reasonOf(exit)).toMatchObject({ _tag: "Overdrawn" })
                              expect(yield* snapshot).toEqual(before)
                            }
                          }
                          break
                        case "replay-last":
                          if (last !== undefined) {
                            const before = yield* snapshot
                            expect(yield* l.post([last])).toEqual({ posted: 0, unchanged: 1 })
                            expect(yield* snapshot).toEqual(before)
                          }
                          break
                      }
                      if (entry !== undefined) {
                        expect(yield* l.post([entry])).toEqual({ posted: 1, unchanged: 0 })
                        last = entry
                      }
                    }
                    yield* checkLaws
                  })
                  await Effect.runPromise(Effect.provideService(program, Ledger, service))
                },
              ),
              { numRuns: 15 },
            ),
          )
        }),
      )
    })
  })
