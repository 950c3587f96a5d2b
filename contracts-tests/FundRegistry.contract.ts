/**
 * Contract suite for the FundRegistry port (fund basic data M11–M27, deposits and bills M28–M45). Every
 * adapter (memory, PGlite, PostgreSQL) runs exactly this file through `suite(name, layer)` with a Ledger
 * in the same layer: round trip of the structure and its trail (M12), idempotent commits, dangling parents
 * refused, the bill life cycle (M42) with each number stocked and used once, a refused posting leaving
 * nothing behind, notices paid once, and two laws over random deposit/refund runs: every used bill names
 * one deposit (the bill ledger reconciles), and Σ recorded deposits − refunds = the ledger's balance.
 * Ids carry a fresh tag so runs may share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Result } from "effect"
import * as fc from "fast-check"
import {
  FundRegistry,
  type FundRegistryError,
  type RegistryWrite,
} from "../application/ports/FundRegistry.js"
import { Ledger } from "../application/ports/Ledger.js"
import type { RegistryChange } from "../domain/fund/BasicData.js"
import { billRange, reconcileBills, stockBill } from "../domain/fund/Bills.js"
import { type DepositRecord, depositEntry, netDeposited, refundEntry } from "../domain/fund/Deposits.js"
import type { HouseholdId } from "../domain/fund/HouseholdId.js"
import type { Area } from "../domain/values/Area.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"

let counter = 0
const fresh = (label: string) =>
  `${label}-${process.pid.toString(36)}${Date.now().toString(36)}${(counter++).toString(36)}`
const D = "2026-03-02" as CivilDate

const change = (
  id: string,
  action: string,
  subject: string,
  extra: Partial<RegistryChange> = {},
): RegistryChange => ({
  id,
  at: 1_770_000_000_000,
  actor: "staff-1",
  action,
  subject,
  detail: {},
  ...extra,
})

/** An area with one building, one entrance and `n` households `<tag>-H<i>` of 100.00 m². */
export const estate = (tag: string, n: number): RegistryWrite => ({
  change: change(`${tag}-c0`, "area.add", `area:${tag}`, { areaId: tag }),
  put: {
    areas: [{ id: tag, name: "安居小区", stage: "custody", district: "310115" }],
    buildings: [
      { id: `${tag}-B1`, areaId: tag, name: "1幢", type: "high-rise", hasLift: true, status: "active" },
    ],
    entrances: [{ id: `${tag}-E1`, buildingId: `${tag}-B1`, name: "1单元" }],
    households: Array.from({ length: n }, (_, i) => ({
      id: `${tag}-H${i}` as HouseholdId,
      entranceId: `${tag}-E1`,
      area: 10_000 as Area,
      owners: [`${tag}-O${i}`],
      book: "commodity" as const,
      status: "active" as const,
    })),
  },
})

const depositWrite = (
  tag: string,
  id: string,
  household: string,
  amount: number,
  billNo?: string,
  actor = "staff-1",
): RegistryWrite => {
  const entry = Result.getOrThrow(
    depositEntry({
      id: `${id}-je`,
      book: "commodity",
      date: D,
      kind: "first",
      households: [{ household: household as HouseholdId, amount: amount as Money }],
    }),
  )
  const record: DepositRecord = {
    id,
    household: household as HouseholdId,
    book: "commodity",
    direction: "deposit",
    kind: "first",
    amount: amount as Money,
    date: D,
    entryId: entry.id,
    recordedBy: actor,
    ...(billNo === undefined ? {} : { billNo }),
  }
  return {
    change: { ...change(`${id}-c`, "deposit.record", `household:${household}`, { areaId: tag }), actor },
    deposits: [record],
    entries: [entry],
  }
}

const reasonOf = (exit: Exit.Exit<unknown, FundRegistryError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

export const suite = (name: string, storeLayer: Layer.Layer<FundRegistry | Ledger, unknown>) =>
  describe(`FundRegistry contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect(
        "M13/M12: stores the structure, places a household, keeps the trail; a replayed change writes nothing",
        () =>
          Effect.gen(function* () {
            const reg = yield* FundRegistry
            const tag = fresh("a")
            expect(yield* reg.commit(estate(tag, 2))).toEqual({ applied: true })
            const s = yield* reg.structureOf(tag)
            expect([...s.households.keys()].sort()).toEqual([`${tag}-H0`, `${tag}-H1`])
            expect(s.areas.get(tag)?.stage).toBe("custody")
            const place = yield* reg.householdPlace(`${tag}-H1`)
            expect(Option.map(place, (p) => [p.area.id, p.building.id, p.entrance.id])).toEqual(
              Option.some([tag, `${tag}-B1`, `${tag}-E1`]),
            )
            // Same change id again, other content: nothing is written (idempotent by change id).
            const replay = estate(tag, 3)
            expect(yield* reg.commit(replay)).toEqual({ applied: false })
            expect((yield* reg.structureOf(tag)).households.size).toBe(2)
            expect((yield* reg.changes({ areaId: tag })).map((c) => c.action)).toEqual(["area.add"])
            expect(yield* reg.areas({ districts: ["310115"], areaIds: [tag] })).toHaveLength(1)
            expect(yield* reg.areas({ districts: ["000000"], areaIds: [tag] })).toHaveLength(0)
          }),
      )

      it.effect("M13: a building of an unknown area is refused naming the field; nothing stays", () =>
        Effect.gen(function* () {
          const reg = yield* FundRegistry
          const tag = fresh("a")
          const exit = yield* Effect.exit(
            reg.commit({
              change: change(`${tag}-c`, "building.add", `building:${tag}-B`),
              put: {
                buildings: [
                  {
                    id: `${tag}-B`,
                    areaId: `${tag}-nowhere`,
                    name: "x",
                    type: "multi-storey",
                    hasLift: false,
                    status: "active",
                  },
                ],
              },
            }),
          )
          expect(reasonOf(exit)).toMatchObject({ _tag: "Rejected", field: "building.areaId" })
          expect(yield* reg.changes({ subject: `building:${tag}-B` })).toHaveLength(0)
        }),
      )

      it.effect(
        "M14/M20/M17–M19: owners (sealed), organisations, catalogue, facilities and records round-trip",
        () =>
          Effect.gen(function* () {
            const reg = yield* FundRegistry
            const tag = fresh("a")
            yield* reg.commit(estate(tag, 1))
            yield* reg.commit({
              change: change(`${tag}-c1`, "basic.add", `area:${tag}`, { areaId: tag }),
              put: {
                owners: [
                  {
                    id: `${tag}-O0`,
                    kind: "person",
                    name: { keyId: "k1", ciphertext: "c-name" },
                    idIndex: `ix-${tag}`,
                  },
                ],
                organisations: [
                  {
                    id: `${tag}-PC`,
                    kind: "property-company",
                    name: "物业公司",
                    areaIds: [tag],
                    status: "active",
                  },
                ],
                categories: [
                  { id: `${tag}-K1`, name: "共用设施设备", kind: "facility" },
                  { id: `${tag}-K2`, parentId: `${tag}-K1`, name: "电梯", kind: "facility" },
                ],
                facilities: [
                  {
                    id: `${tag}-F1`,
                    categoryId: `${tag}-K2`,
                    areaId: tag,
                    buildingId: `${tag}-B1`,
                    name: "1号梯",
                    status: "active",
                  },
                ],
                facilityRecords: [
                  { id: `${tag}-R1`, facilityId: `${tag}-F1`, kind: "inspection", date: D, note: "年检" },
                ],
              },
            })
            expect((yield* reg.owners([`${tag}-O0`]))[0]?.name.ciphertext).toBe("c-name")
            expect((yield* reg.organisations({ areaId: tag })).map((o) => o.kind)).toEqual([
              "property-company",
            ])
            expect(
              (yield* reg.categories()).filter((c) => c.id.startsWith(tag)).map((c) => c.parentId ?? null),
            ).toEqual([null, `${tag}-K1`])
            expect((yield* reg.facilities(tag)).map((f) => f.id)).toEqual([`${tag}-F1`])
            expect((yield* reg.facilityRecords(`${tag}-F1`)).map((r) => r.kind)).toEqual(["inspection"])
          }),
      )

      it.effect(
        "M42: stock-in once, issue, use once by the holder, void, write-off; each refusal names its rule",
        () =>
          Effect.gen(function* () {
            const reg = yield* FundRegistry
            const tag = fresh("a")
            yield* reg.commit(estate(tag, 2))
            const prefix = tag.replaceAll(/[^A-Za-z0-9]/gu, "").slice(-12)
            const numbers = Result.getOrThrow(billRange(prefix, 1, 3))
            const bills = numbers.map((n) => Result.getOrThrow(stockBill(n, tag)))
            yield* reg.commit({ change: change(`${tag}-s`, "bill.stock", `batch:${tag}`), stockBills: bills })
            const again = yield* Effect.exit(
              reg.commit({
                change: change(`${tag}-s2`, "bill.stock", `batch:${tag}`),
                stockBills: [bills[0]!],
              }),
            )
            expect(reasonOf(again)?._tag).toBe("Conflict")
            yield* reg.commit({
              change: change(`${tag}-i`, "bill.issue", `batch:${tag}`),
              billSteps: numbers.map((number) => ({
                number,
                action: { _tag: "issue" as const, staff: "staff-1" },
              })),
            })
            yield* reg.commit(depositWrite(tag, `${tag}-d1`, `${tag}-H0`, 500_00, numbers[0]))
            const twice = yield* Effect.exit(
              reg.commit(depositWrite(tag, `${tag}-d2`, `${tag}-H1`, 100_00, numbers[0])),
            )
            expect(reasonOf(twice)).toMatchObject({ _tag: "Rejected", rule: "M42.used-once" })
            const other = yield* Effect.exit(
              reg.commit(depositWrite(tag, `${tag}-d3`, `${tag}-H1`, 100_00, numbers[1], "staff-2")),
            )
            expect(reasonOf(other)).toMatchObject({ _tag: "Rejected", rule: "M42.holder-uses" })
            yield* reg.commit({
              change: change(`${tag}-v`, "bill.void", `bill:${numbers[2]}`),
              billSteps: [
                { number: numbers[2]!, action: { _tag: "void", staff: "staff-1", reason: "打印错误" } },
              ],
            })
            yield* reg.commit({
              change: change(`${tag}-w`, "bill.write-off", `batch:${tag}`),
              billSteps: [numbers[0]!, numbers[2]!].map((number) => ({
                number,
                action: { _tag: "write-off" as const },
              })),
            })
            const stored = yield* reg.bills({ batch: tag })
            expect(stored.map((b) => [b.status, b.depositId ?? null])).toEqual([
              ["written-off", `${tag}-d1`],
              ["issued", null],
              ["written-off", null],
            ])
            // Refused writes left nothing: no deposit d2/d3, and the ledger holds only d1.
            expect((yield* reg.deposits(`${tag}-H1`)).length).toBe(0)
            const bal = (yield* (yield* Ledger).householdBalances("commodity")).filter((b) =>
              b.household.startsWith(`${tag}-`),
            )
            expect(bal.map((b) => [b.household, b.principal])).toEqual([[`${tag}-H0`, 500_00]])
            expect(reconcileBills(stored, yield* reg.deposits()).billsWithoutDeposit).toEqual([])
          }),
      )

      it.effect("a refused posting (overdrawn refund) rolls the whole commit back", () =>
        Effect.gen(function* () {
          const reg = yield* FundRegistry
          const tag = fresh("a")
          yield* reg.commit(estate(tag, 1))
          const h = `${tag}-H0` as HouseholdId
          const entry = Result.getOrThrow(
            refundEntry({
              id: `${tag}-r-je`,
              book: "commodity",
              date: D,
              reason: "over-payment",
              household: h,
              amount: 1 as Money,
              currentYear: true,
              balance: { principal: 1 as Money, income: 0 as Money },
            }),
          )
          const exit = yield* Effect.exit(
            reg.commit({
              change: change(`${tag}-r`, "refund.record", `household:${h}`),
              deposits: [
                {
                  id: `${tag}-r`,
                  household: h,
                  book: "commodity",
                  direction: "refund",
                  kind: "refund",
                  reason: "over-payment",
                  amount: 1 as Money,
                  date: D,
                  entryId: entry.id,
                  recordedBy: "staff-1",
                },
              ],
              entries: [entry],
            }),
          )
          expect(reasonOf(exit)).toMatchObject({ _tag: "Ledger", ledger: { _tag: "Overdrawn" } })
          expect(yield* reg.deposits(h)).toEqual([])
          expect(yield* reg.changes({ subject: `household:${h}` })).toEqual([])
        }),
      )

      it.effect("M35: a notice is paid by one deposit; a second payment of it is refused", () =>
        Effect.gen(function* () {
          const reg = yield* FundRegistry
          const tag = fresh("a")
          yield* reg.commit(estate(tag, 1))
          const h = `${tag}-H0` as HouseholdId
          yield* reg.commit({
            change: change(`${tag}-n`, "notice.issue", `household:${h}`),
            put: {
              notices: [
                {
                  id: `${tag}-N`,
                  household: h,
                  book: "commodity",
                  kind: "first",
                  amount: 100_00 as Money,
                  issuedOn: D,
                  dueOn: D,
                  basis: "test",
                  status: "open",
                },
              ],
            },
          })
          const w1 = depositWrite(tag, `${tag}-d1`, h, 100_00)
          yield* reg.commit({ ...w1, deposits: w1.deposits!.map((d) => ({ ...d, noticeId: `${tag}-N` })) })
          expect(Option.map(yield* reg.notice(`${tag}-N`), (n) => [n.status, n.depositId])).toEqual(
            Option.some(["paid", `${tag}-d1`]),
          )
          const w2 = depositWrite(tag, `${tag}-d2`, h, 100_00)
          const exit = yield* Effect.exit(
            reg.commit({ ...w2, deposits: w2.deposits!.map((d) => ({ ...d, noticeId: `${tag}-N` })) }),
          )
          expect(reasonOf(exit)).toMatchObject({ _tag: "Rejected", rule: "M35.notice-open" })
        }),
      )

      it.effect(
        "laws: bills used once and reconciled; Σ deposits − refunds = the ledger's household balances",
        () =>
          Effect.gen(function* () {
            const reg = yield* FundRegistry
            const ledger = yield* Ledger
            const op = fc.record({
              h: fc.nat(2),
              amount: fc.integer({ min: 1, max: 900_00 }),
              refund: fc.boolean(),
              bill: fc.nat(5),
            })
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
                  const run = <A>(e: Effect.Effect<A, unknown>) => Effect.runPromise(Effect.exit(e))
                  const tag = fresh("p")
                  await Effect.runPromise(reg.commit(estate(tag, 3)))
                  const prefix = tag.replaceAll(/[^A-Za-z0-9]/gu, "").slice(-12)
                  const numbers = Result.getOrThrow(billRange(prefix, 1, 6))
                  await Effect.runPromise(
                    reg.commit({
                      change: change(`${tag}-s`, "bill.stock", `batch:${tag}`),
                      stockBills: numbers.map((n) => ({
                        ...Result.getOrThrow(stockBill(n, tag)),
                        status: "issued" as const,
                        staff: "staff-1",
                      })),
                    }),
                  )
                  let i = 0
                  for (const o of ops) {
                    const h = `${tag}-H${o.h}` as HouseholdId
                    const id = `${tag}-x${i++}`
                    if (!o.refund) {
                      await run(reg.commit(depositWrite(tag, id, h, o.amount, numbers[o.bill])))
                      continue
                    }
                    const b = (await Effect.runPromise(ledger.householdBalances("commodity"))).find(
                      (x) => x.household === h,
                    )
                    const entry = refundEntry({
                      id: `${id}-je`,
                      book: "commodity",
                      date: D,
                      reason: "over-payment",
                      household: h,
                      amount: o.amount as Money,
                      currentYear: true,
                      balance: b ?? { principal: 0 as Money, income: 0 as Money },
                    })
                    if (Result.isFailure(entry)) continue
                    await run(
                      reg.commit({
                        change: change(`${id}-c`, "refund.record", `household:${h}`),
                        deposits: [
                          {
                            id,
                            household: h,
                            book: "commodity",
                            direction: "refund",
                            kind: "refund",
                            reason: "over-payment",
                            amount: o.amount as Money,
                            date: D,
                            entryId: entry.success.id,
                            recordedBy: "staff-1",
                          },
                        ],
                        entries: [entry.success],
                      }),
                    )
                  }
                  const bills = await Effect.runPromise(reg.bills({ batch: tag }))
                  const mine = (await Effect.runPromise(reg.deposits())).filter((d) =>
                    d.household.startsWith(`${tag}-`),
                  )
                  const used = bills.filter((b) => b.status === "used")
                  expect(new Set(used.map((b) => b.depositId)).size).toBe(used.length)
                  expect(reconcileBills(bills, mine).balanced).toBe(true)
                  const balances = (await Effect.runPromise(ledger.householdBalances("commodity"))).filter(
                    (b) => b.household.startsWith(`${tag}-`),
                  )
                  for (const k of [0, 1, 2]) {
                    const h = `${tag}-H${k}`
                    const b = balances.find((x) => x.household === h)
                    expect((b?.principal ?? 0) + (b?.income ?? 0)).toBe(
                      netDeposited(mine.filter((d) => d.household === h)),
                    )
                  }
                }),
                { numRuns: 8, seed: 14 },
              ),
            )
          }),
      )
    })
  })
