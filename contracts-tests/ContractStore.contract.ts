/**
 * Contract suite for the ContractStore port (网签备案, R89–R107). Every adapter (memory, PGlite, PostgreSQL)
 * runs exactly this file through `suite(name, layer)`, with the StockStore whose units it moves: round trip
 * and idempotent replay; one holding contract per unit and no two in force on the same day; unique
 * registration numbers (R107); commit = contracts + stock units + log in one step (a stale unit or contract
 * changes nothing); the log in commit order (the document worker's seam); clause templates and violations;
 * and races — two drafts of one unit, two registrations of one contract, two contracts with one number —
 * repeated, exactly one winner each time; and random histories whose every commit the store accepts exactly
 * when a brute-force, day-by-day reference says the laws still hold.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Result } from "effect"
import fc from "fast-check"
import {
  type ContractChange,
  type ContractEvent,
  ContractStore,
  type ContractStoreError,
  type ContractStoreErrorReason,
} from "../application/ports/ContractStore.js"
import { StockStore, type UnitUpdate } from "../application/ports/StockStore.js"
import type { Contract, ContractId } from "../domain/contract/Contract.js"
import * as M from "../domain/contract/ContractMachine.js"
import type { Unit, UnitId } from "../domain/stock/Stock.js"
import * as Rules from "../domain/stock/StockRules.js"
import * as CivilDateM from "../domain/values/CivilDate.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"
import { building, freshTag, project, unit } from "./StockFixtures.js"

const T0 = 1_770_000_000_000
const TODAY = "2026-02-02" as CivilDate

const ok = <A>(r: Result.Result<A, M.ContractRefused>): A => {
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
}

/** A project with `n` let units (bound by a selection). */
const seeded = (n: number) =>
  Effect.gen(function* () {
    const tag = freshTag("con")
    const units = Array.from({ length: n }, (_, i) => unit(tag, i, { status: "let", supplied: true }))
    yield* (yield* StockStore).write({ projects: [project(tag)], buildings: [building(tag)], units })
    return { tag, units }
  })

const drafted = (tag: string, id: string, u: Unit, term = { start: TODAY, end: "2027-02-01" as CivilDate }) =>
  ok(
    M.draft(
      {
        id: `${id}-${tag}` as ContractId,
        kind: "gongzu",
        projectId: u.projectId,
        district: "310115",
        unitId: u.id,
        unitType: `${u.bedrooms}-${u.halls}`,
        binding: null,
        tenant: { type: "person", caseId: `C-${id}`, personIndex: `idx-${id}-${tag}` },
        occupants: [{ personIndex: `idx-${id}-${tag}`, role: "main", since: TODAY, leftOn: null }],
        term,
        rent: u.rent as Money,
      },
      { today: TODAY, at: T0, actor: "op-1", unitContracts: [] },
    ),
  )

const ev = (c: Contract, action: string, from: Contract["state"] | null): ContractEvent => ({
  contractId: c.id,
  version: c.version,
  action,
  from,
  to: c.state,
  at: T0,
  actor: "op-1",
  note: null,
})

const insert = (c: Contract): ContractChange => ({
  contracts: [{ contract: c, expectedVersion: 0 }],
  units: [],
  events: [ev(c, "draft", null)],
})
const update = (
  before: Contract,
  after: Contract,
  units: ReadonlyArray<UnitUpdate> = [],
): ContractChange => ({
  contracts: [{ contract: after, expectedVersion: before.version }],
  units,
  events: [ev(after, after.state, before.state)],
})

const current = (id: string) =>
  Effect.gen(function* () {
    const [u] = yield* (yield* StockStore).getUnits([id as UnitId])
    return u!
  })
const releaseOf = (u: Unit): UnitUpdate => {
  const r = Rules.release(u)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return { unit: r.success, expectedVersion: u.version }
}

const reasonOf = (exit: Exit.Exit<unknown, ContractStoreError>): ContractStoreErrorReason | undefined =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

let serial = 0
const reg = () => M.registrationNumber("310115", T0, ++serial)

export const suite = (name: string, storeLayer: Layer.Layer<ContractStore | StockStore, unknown>) =>
  describe(`ContractStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "180 seconds" })((it) => {
      it.effect(
        "stores a contract, reads it back unchanged, replays idempotently, refuses other content",
        () =>
          Effect.gen(function* () {
            const store = yield* ContractStore
            const { tag, units } = yield* seeded(1)
            const c = drafted(tag, "K1", units[0]!)
            expect(yield* store.commit(insert(c))).toEqual({ replayed: false })
            expect(Option.getOrThrow(yield* store.get(c.id))).toEqual(c)
            expect(yield* store.commit(insert(c))).toEqual({ replayed: true })
            const clash = yield* Effect.exit(store.commit(insert({ ...c, rent: 1 as Money })))
            expect(reasonOf(clash)).toEqual({ _tag: "Conflict", id: c.id })
            expect(Option.isNone(yield* store.get("K-none"))).toBe(true)
            expect(yield* store.history(c.id)).toEqual([ev(c, "draft", null)])
            const listed = yield* store.list({ projectIds: [c.projectId], limit: 10 })
            expect(listed.items.map((x) => x.id)).toEqual([c.id])
            expect((yield* store.list({ tenantIndex: `idx-K1-${tag}`, limit: 10 })).items.length).toBe(1)
            expect((yield* store.list({ districts: [], limit: 10 })).items).toEqual([])
          }),
      )

      it.effect("one holding contract per unit; a revoked one lets the next draft in", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          const { tag, units } = yield* seeded(1)
          const a = drafted(tag, "A", units[0]!)
          const b = drafted(tag, "B", units[0]!)
          yield* store.commit(insert(a))
          const held = yield* Effect.exit(store.commit(insert(b)))
          expect(reasonOf(held)).toEqual({ _tag: "UnitHeld", unitId: units[0]!.id })
          expect(Option.isNone(yield* store.get(b.id))).toBe(true)
          const revoked = ok(M.revoke(a, { today: TODAY, at: T0 }))
          yield* store.commit(update(a, revoked))
          yield* store.commit(insert(b))
          expect(Option.getOrThrow(yield* store.get(b.id)).state).toBe("draft")
        }),
      )

      it.effect("no two contracts of a unit in force on the same day, even when neither holds it", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          const { tag, units } = yield* seeded(1)
          const u = units[0]!
          const a = drafted(tag, "A", u)
          yield* store.commit(insert(a))
          const aReg = ok(M.quickSign(a, reg()))
          yield* store.commit(update(a, aReg))
          const aOut = ok(M.moveOut(aReg, { mode: "early", today: "2026-06-30" as CivilDate, at: T0 }))
          yield* store.commit(update(aReg, aOut))
          // A contract written as registered over days A was in force: refused by the store itself.
          const b = drafted(tag, "B", u, { start: "2026-06-01" as CivilDate, end: "2026-12-31" as CivilDate })
          const bReg = ok(M.quickSign(b, reg()))
          const overlap = yield* Effect.exit(store.commit(insert({ ...bReg, version: 1 })))
          expect(reasonOf(overlap)).toEqual({ _tag: "UnitHeld", unitId: u.id })
          const c = drafted(tag, "C", u, { start: "2026-07-01" as CivilDate, end: "2026-12-31" as CivilDate })
          yield* store.commit(insert({ ...ok(M.quickSign(c, reg())), version: 1 }))
          expect(Option.getOrThrow(yield* store.get(c.id)).state).toBe("registered")
        }),
      )

      it.effect("registration numbers are unique (R107)", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          const { tag, units } = yield* seeded(2)
          const a = drafted(tag, "A", units[0]!)
          const b = drafted(tag, "B", units[1]!)
          yield* store.commit(insert(a))
          yield* store.commit(insert(b))
          const r = reg()
          yield* store.commit(update(a, ok(M.quickSign(a, r))))
          const taken = yield* Effect.exit(store.commit(update(b, ok(M.quickSign(b, r)))))
          expect(reasonOf(taken)).toEqual({ _tag: "RegistrationTaken", number: r.number })
          expect(Option.getOrThrow(yield* store.get(b.id)).state).toBe("draft")
        }),
      )

      it.effect(
        "commit moves the stock unit in the same step; a stale unit or contract changes nothing",
        () =>
          Effect.gen(function* () {
            const store = yield* ContractStore
            const { tag, units } = yield* seeded(1)
            const u = units[0]!
            const a = drafted(tag, "A", u)
            yield* store.commit(insert(a))
            const revoked = ok(M.revoke(a, { today: TODAY, at: T0 }))
            // A stale unit version: refused, the contract unchanged, no log entry.
            const staleUnit = yield* Effect.exit(
              store.commit(
                update(a, revoked, [
                  { unit: { ...releaseOf(u).unit, version: u.version + 2 }, expectedVersion: u.version + 1 },
                ]),
              ),
            )
            expect(reasonOf(staleUnit)?._tag).toBe("UnitChanged")
            expect(Option.getOrThrow(yield* store.get(a.id))).toEqual(a)
            expect((yield* current(u.id)).status).toBe("let")
            expect((yield* store.history(a.id)).length).toBe(1)
            yield* store.commit(update(a, revoked, [releaseOf(u)]))
            const after = yield* current(u.id)
            expect([after.status, after.version]).toEqual(["available", u.version + 1])
            // The same transition again (stale contract): refused, the unit untouched.
            const again = yield* Effect.exit(
              store.commit(
                update(a, revoked, [
                  { unit: { ...after, version: after.version + 1 }, expectedVersion: after.version },
                ]),
              ),
            )
            expect(reasonOf(again)).toEqual({ _tag: "StaleVersion", id: a.id, expected: a.version })
            expect((yield* current(u.id)).version).toBe(after.version)
            expect((yield* store.history(a.id)).map((e) => [e.action, e.from, e.to])).toEqual([
              ["draft", null, "draft"],
              ["revoked", "draft", "revoked"],
            ])
          }),
      )

      it.effect("the log is readable in commit order after a sequence number (the worker's seam)", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          const { tag, units } = yield* seeded(1)
          const start = (yield* store.events(0, 100_000)).at(-1)?.seq ?? 0
          const a = drafted(tag, "A", units[0]!)
          yield* store.commit(insert(a))
          yield* store.commit(update(a, ok(M.quickSign(a, reg()))))
          const mine = (yield* store.events(start, 1000)).filter((e) => e.contractId === a.id)
          expect(mine.map((e) => [e.action, e.version])).toEqual([
            ["draft", 1],
            ["registered", 2],
          ])
          expect(mine[0]!.seq).toBeLessThan(mine[1]!.seq)
          expect((yield* store.events(mine[0]!.seq, 1))[0]!.seq).toBeGreaterThan(mine[0]!.seq)
        }),
      )

      it.effect("clause templates and violations: versions, replay, conflicts", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          const tag = freshTag("cl")
          const t: M.ClauseTemplate = {
            id: `T-${tag}`,
            title: "宠物条款",
            text: "…",
            kind: null,
            status: "draft",
            version: 1,
          }
          yield* store.saveClause(t, 0)
          yield* store.saveClause(t, 0)
          expect(reasonOf(yield* Effect.exit(store.saveClause({ ...t, text: "x" }, 0)))).toEqual({
            _tag: "Conflict",
            id: t.id,
          })
          const submitted = ok(M.reviewClause(t, "submit"))
          yield* store.saveClause(submitted, 1)
          expect(reasonOf(yield* Effect.exit(store.saveClause(submitted, 1)))?._tag).toBe("StaleVersion")
          expect(yield* store.getClauses([t.id, "none"])).toEqual([submitted])
          const v: M.Violation = {
            id: `V-${tag}`,
            personIndex: `idx-${tag}`,
            projectId: "P1",
            content: "擅自转租",
            occurredOn: TODAY,
            rectifiedOn: null,
            version: 1,
          }
          yield* store.saveViolation(v, 0)
          const fixed = ok(M.rectify(v, "2026-03-01" as CivilDate))
          yield* store.saveViolation(fixed, 1)
          expect(yield* store.violationsOf(`idx-${tag}`)).toEqual([fixed])
          expect(yield* store.violationsOf("idx-none")).toEqual([])
        }),
      )

      it.effect(
        "random histories: the store accepts a commit exactly when the day-by-day reference does",
        () =>
          Effect.gen(function* () {
            const store = yield* ContractStore
            const stock = yield* StockStore
            const op = fc.oneof(
              fc.record({
                k: fc.constant("insert" as const),
                u: fc.nat(1),
                start: fc.nat(60),
                len: fc.nat(60),
                registered: fc.boolean(),
              }),
              fc.record({
                k: fc.constantFrom("revoke" as const, "moveOut" as const, "exit" as const),
                j: fc.nat(20),
                day: fc.nat(30),
              }),
            )
            /** The laws over a set of contracts, checked the slow way: every unit, every day. */
            const lawful = (cs: ReadonlyArray<Contract>) => {
              for (const unitId of new Set(cs.map((c) => c.unitId))) {
                const mine = cs.filter((c) => c.unitId === unitId)
                if (
                  mine.filter((c) => ["draft", "awaiting_tenant", "registered"].includes(c.state)).length > 1
                )
                  return false
                const from = CivilDateM.toDayNumber(TODAY) - 1
                for (let d = from; d <= from + 130; d++)
                  if (mine.filter((c) => M.inForceOn(c, CivilDateM.fromDayNumber(d))).length > 1) return false
              }
              return true
            }
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), async (ops) => {
                  const { tag, units } = await Effect.runPromise(
                    seeded(2).pipe(Effect.provideService(StockStore, stock)),
                  )
                  const model = new Map<string, Contract>()
                  let n = 0
                  for (const o of ops) {
                    let before: Contract | undefined
                    let after: Contract
                    if (o.k === "insert") {
                      const start = CivilDateM.addDays(TODAY, o.start)
                      const d = drafted(tag, `R${n++}`, units[o.u]!, {
                        start,
                        end: CivilDateM.addDays(start, o.len),
                      })
                      after = o.registered ? { ...ok(M.quickSign(d, reg())), version: 1 } : d
                    } else {
                      const all = [...model.values()]
                      before = all[o.j % Math.max(1, all.length)]
                      if (before === undefined) continue
                      const day = CivilDateM.addDays(before.term.start, o.day)
                      const r =
                        o.k === "revoke"
                          ? M.revoke(before, { today: day, at: T0 })
                          : o.k === "exit"
                            ? M.exitRegistration(before, { today: day, at: T0 })
                            : M.moveOut(before, { mode: "early", today: day, at: T0 })
                      if (Result.isFailure(r)) continue
                      after = r.success
                    }
                    const next = new Map(model).set(after.id, after)
                    const expected = lawful([...next.values()])
                    const exit = await Effect.runPromiseExit(
                      store.commit(before === undefined ? insert(after) : update(before, after)),
                    )
                    expect(Exit.isSuccess(exit), `${o.k} ${after.id}`).toBe(expected)
                    if (expected) model.set(after.id, after)
                    else expect(reasonOf(exit)?._tag).toBe("UnitHeld")
                  }
                  for (const u of units) {
                    const stored = await Effect.runPromise(store.list({ unitId: u.id, limit: 100 }))
                    expect(stored.items).toEqual(
                      [...model.values()]
                        .filter((c) => c.unitId === u.id)
                        .sort((a, b) => (a.id < b.id ? -1 : 1)),
                    )
                  }
                }),
                { seed: 1300, numRuns: 25 },
              ),
            )
          }),
      )

      it.effect("two drafts of one unit at the same time: exactly one stands (×20)", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          for (let round = 0; round < 20; round++) {
            const { tag, units } = yield* seeded(1)
            const exits = yield* Effect.all(
              [
                Effect.exit(store.commit(insert(drafted(tag, "A", units[0]!)))),
                Effect.exit(store.commit(insert(drafted(tag, "B", units[0]!)))),
              ],
              { concurrency: 2 },
            )
            expect(exits.filter(Exit.isSuccess).length).toBe(1)
            expect(reasonOf(exits.find(Exit.isFailure)!)?._tag).toBe("UnitHeld")
            expect((yield* store.list({ unitId: units[0]!.id, limit: 10 })).items.length).toBe(1)
          }
        }),
      )

      it.effect("two registrations of one contract at the same time: it reaches 备案 once (×20)", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          for (let round = 0; round < 20; round++) {
            const { tag, units } = yield* seeded(1)
            const a = drafted(tag, "A", units[0]!)
            yield* store.commit(insert(a))
            const exits = yield* Effect.all(
              [
                Effect.exit(store.commit(update(a, ok(M.quickSign(a, reg()))))),
                Effect.exit(store.commit(update(a, ok(M.quickSign(a, reg()))))),
              ],
              { concurrency: 2 },
            )
            expect(exits.filter(Exit.isSuccess).length).toBe(1)
            expect(reasonOf(exits.find(Exit.isFailure)!)?._tag).toBe("StaleVersion")
            const log = yield* store.history(a.id)
            expect(log.filter((e) => e.to === "registered").length).toBe(1)
          }
        }),
      )

      it.effect("two contracts registering with one number at the same time: one wins (×10)", () =>
        Effect.gen(function* () {
          const store = yield* ContractStore
          for (let round = 0; round < 10; round++) {
            const { tag, units } = yield* seeded(2)
            const a = drafted(tag, "A", units[0]!)
            const b = drafted(tag, "B", units[1]!)
            yield* store.commit(insert(a))
            yield* store.commit(insert(b))
            const r = reg()
            const exits = yield* Effect.all(
              [
                Effect.exit(store.commit(update(a, ok(M.quickSign(a, r))))),
                Effect.exit(store.commit(update(b, ok(M.quickSign(b, r))))),
              ],
              { concurrency: 2 },
            )
            expect(exits.filter(Exit.isSuccess).length).toBe(1)
            expect(reasonOf(exits.find(Exit.isFailure)!)).toEqual({
              _tag: "RegistrationTaken",
              number: r.number,
            })
          }
        }),
      )
    })
  })
