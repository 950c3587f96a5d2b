/**
 * Monthly 廉租 subsidy use-cases on the memory stores: agreements created once from admitted 廉租 cases,
 * the month's line equal to the existing formula (ComputeLianzuSubsidy) for the same household, running a
 * month twice changing nothing (property over random months), catch-up computing each missed month once,
 * R120 pause/resume and confirmation per district with scope, special payouts, exit, and R23 warnings.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { layer as memoryCaseStore } from "../../adapters/memory/MemoryCaseStore.js"
import { layer as memoryPolicySource } from "../../adapters/memory/MemoryPolicySource.js"
import { layer as memorySubsidyStore } from "../../adapters/memory/MemorySubsidyStore.js"
import { layer as memoryWarningStore } from "../../adapters/memory/MemoryWarningStore.js"
import { storedCase } from "../../contracts-tests/CaseStore.contract.js"
import type { Actor } from "../../domain/access/Access.js"
import * as CD from "../../domain/values/CivilDate.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { subsidyMonthlyJob } from "../jobs/WorkerJobs.js"
import { computeLianzuSubsidy } from "../policy/ComputeLianzuSubsidy.js"
import { CaseStore, type StoredCase } from "../ports/CaseStore.js"
import { SubsidyStore } from "../ports/SubsidyStore.js"
import { WarningStore } from "../ports/WarningStore.js"
import {
  catchUpMonths,
  confirmDistrict,
  getAgreement,
  listPayouts,
  pauseSubsidy,
  recordHousing,
  resumeSubsidy,
  runMonth,
  specialPayout,
} from "./MonthlySubsidy.js"

const policy = ["subsidy.yaml", "guard.yaml"].map((name) => ({
  name,
  text: readFileSync(join(import.meta.dirname, "..", "..", "policy", name), "utf8"),
}))
const stores = () => Layer.mergeAll(memoryCaseStore, memorySubsidyStore, memoryPolicySource(policy))

/** 02:00 Asia/Shanghai on a civil date. */
const at = (date: string, hour = 2) => CD.startOfDayInstant(date as CivilDate) + hour * 3_600_000

const pudong: Actor = { role: "district", id: "pd-1", district: "310115" }
const xuhui: Actor = { role: "district", id: "xh-1", district: "310104" }
const city: Actor = { role: "city", id: "city-1" }
const operator: Actor = { role: "operator", id: "op-1", projectIds: ["P1"] }

const lianzuCase = (id: string, patch: Partial<StoredCase> = {}): StoredCase =>
  storedCase(id, {
    kind: "lianzu",
    state: "admitted",
    district: "310115",
    certificate: {
      number: `N-${id}`,
      validFrom: "2026-01-15" as CivilDate,
      validUntil: "2029-01-14" as CivilDate,
    },
    economy: {
      householdSize: 3,
      annualDisposableIncome: "30000.00",
      property: "0.00",
      illnessPoverty: false,
    },
    ...patch,
  })

const putCase = (c: StoredCase, expectedVersion = 0) =>
  Effect.flatMap(Effect.service(CaseStore), (store) =>
    store.commit({
      case: c,
      expectedVersion,
      history: {
        caseId: c.id,
        version: c.version,
        at: c.updatedAt,
        actorId: "t",
        actorRole: "city",
        command: "test",
        from: null,
        to: c.state,
        note: "",
      },
      events: [],
      command: {
        actorId: "t",
        key: `k-${c.id}-${c.version}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: c.version },
      },
    }),
  )

/** The shipped sample household (contracts-tests/cases/samples/subsidy-lianzu.json) as the formula sees it. */
const household = (extra: Record<string, unknown> = {}) => ({
  district: "310115",
  approvedPersons: 3,
  livingArea: "12.00",
  protection: { from: "2026-01-15", to: "2029-01-14" },
  ...extra,
})

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) =>
        r._tag === "Fail" ? [r.error as { _tag: string; rule?: string }] : [],
      )[0]
    : undefined

const setUp = (ids: ReadonlyArray<string> = ["L1"]) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(at("2026-02-01"))
    for (const id of ids) yield* putCase(lianzuCase(id))
    // December, before every start: creates the agreements, computes nothing.
    const first = yield* runMonth("2025-12")
    for (const id of ids) yield* recordHousing(pudong, id, { livingArea: "12.00" })
    return first
  })

describe("MonthlySubsidy", () => {
  it.effect(
    "creates the agreement once from the admission; without a living area the month is incomplete",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(at("2026-02-01"))
        yield* putCase(lianzuCase("L1"))
        const first = yield* runMonth("2026-01")
        expect(first).toMatchObject({ agreementsCreated: 1, computed: 0, incomplete: 1 })
        yield* recordHousing(pudong, "L1", { livingArea: "12.00" })
        expect(first.incompleteCases).toEqual([
          { caseId: "L1", field: "agreement.livingArea", rule: "R118.living-area-required" },
        ])
        const a = yield* getAgreement(pudong, "L1")
        expect(a).toMatchObject({
          start: "2026-01-15",
          end: "2029-01-14",
          approvedPersons: 3,
          livingArea: 1200,
        })
        // Catch-up does not revisit a month already run; running it again computes the missing line once.
        const again = yield* runMonth("2026-01")
        expect(again).toMatchObject({ agreementsCreated: 0, computed: 1, existing: 0, incomplete: 0 })
        expect(yield* runMonth("2026-01")).toMatchObject({ computed: 0, existing: 1 })
      }).pipe(Effect.provide(stores())),
  )

  it.effect("a month's line is the existing formula's amount for the same household; twice = one line", () =>
    Effect.gen(function* () {
      yield* setUp()
      yield* runMonth("2026-01")
      yield* runMonth("2026-02")
      const replay = yield* runMonth("2026-02")
      expect(replay).toMatchObject({ computed: 0, existing: 1 })
      const formula = yield* computeLianzuSubsidy({
        household: household(),
        from: "2026-01-15",
        to: "2026-02-28",
      })
      const jan = yield* listPayouts(city, { month: "2026-01" })
      const feb = yield* listPayouts(city, { month: "2026-02" })
      expect(jan.items.map((l) => [l.lineId, l.amount])).toEqual([["L1:2026-01", formula.months[0]!.amount]])
      expect(feb.items.map((l) => [l.lineId, l.amount])).toEqual([["L1:2026-02", formula.months[1]!.amount]])
      expect(feb.totals).toEqual([
        { district: "310115", lines: 1, amount: formula.months[1]!.amount, computed: 1, confirmed: 0 },
      ])
      expect(formula.months[1]!.amount).toBeGreaterThan(0)
    }).pipe(Effect.provide(stores())),
  )

  it.effect("property: running any month again never changes the lines or the totals", () =>
    Effect.gen(function* () {
      yield* setUp(["L1", "L2", "L3"])
      yield* TestClock.setTime(at("2030-01-01"))
      const months = fc.sample(fc.integer({ min: 0, max: 40 }), { numRuns: 12, seed: 120 })
      for (const n of months) {
        const month = CD.addMonths("2025-12-01" as CivilDate, n).slice(0, 7)
        yield* runMonth(month)
        const before = yield* listPayouts(city, { month, limit: 500 })
        const replay = yield* runMonth(month)
        const after = yield* listPayouts(city, { month, limit: 500 })
        expect(replay.computed).toBe(0)
        expect(after).toEqual(before)
      }
    }).pipe(Effect.provide(stores())),
  )

  it.effect("catch-up after downtime computes each missed month once, then nothing", () =>
    Effect.gen(function* () {
      yield* setUp()
      yield* TestClock.setTime(at("2026-02-01"))
      const first = yield* catchUpMonths()
      expect(first.months.map((m) => [m.month, m.computed])).toEqual([["2026-01", 1]])
      // The worker was down from February to June: on 1 June the months Feb..May run, once each.
      yield* TestClock.setTime(at("2026-06-01"))
      const caught = yield* catchUpMonths()
      expect(caught.months.map((m) => [m.month, m.computed])).toEqual([
        ["2026-02", 1],
        ["2026-03", 1],
        ["2026-04", 1],
        ["2026-05", 1],
      ])
      expect((yield* catchUpMonths()).months).toEqual([])
      const formula = yield* computeLianzuSubsidy({
        household: household(),
        from: "2026-01-15",
        to: "2026-05-31",
      })
      let sum = 0
      for (const m of ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"])
        sum += (yield* listPayouts(city, { month: m })).total.amount
      expect(sum).toBe(formula.total)
    }).pipe(Effect.provide(stores())),
  )

  it.effect("R120 pause and resume prorate the month; refusals and scope", () =>
    Effect.gen(function* () {
      yield* setUp()
      yield* pauseSubsidy(pudong, "L1", { from: "2026-03-10", reason: "服刑期间暂停" })
      yield* resumeSubsidy(pudong, "L1", { on: "2026-03-20", reason: "刑满恢复" })
      yield* TestClock.setTime(at("2026-04-01"))
      yield* runMonth("2026-03")
      const formula = yield* computeLianzuSubsidy({
        household: household({ pauses: [{ from: "2026-03-10", to: "2026-03-19" }] }),
        from: "2026-03-01",
        to: "2026-03-31",
      })
      const march = yield* listPayouts(pudong, { month: "2026-03" })
      expect(march.items.map((l) => [l.amount, l.trace.statusDays])).toEqual([
        [formula.total, { normal: 21, paused: 10 }],
      ])
      expect(
        failureOf(yield* Effect.exit(pauseSubsidy(xuhui, "L1", { from: "2026-04-01", reason: "x" }))),
      ).toMatchObject({
        _tag: "SubsidyAgreementNotFound",
      })
      expect(
        failureOf(yield* Effect.exit(pauseSubsidy(operator, "L1", { from: "2026-04-01", reason: "x" }))),
      ).toMatchObject({
        _tag: "AccessDenied",
      })
      expect(
        failureOf(yield* Effect.exit(resumeSubsidy(pudong, "L1", { on: "2026-04-01", reason: "x" }))),
      ).toMatchObject({
        rule: "R120.not-paused",
      })
      expect(
        failureOf(yield* Effect.exit(pauseSubsidy(pudong, "L1", { from: "2026-13-01", reason: "x" }))),
      ).toMatchObject({
        rule: "date.format",
      })
    }).pipe(Effect.provide(stores())),
  )

  it.effect("R120 confirmation per district: once, own district only; listing is scoped", () =>
    Effect.gen(function* () {
      yield* setUp()
      yield* putCase(lianzuCase("X1", { district: "310104" }))
      yield* TestClock.setTime(at("2026-04-01"))
      yield* runMonth("2026-02")
      yield* recordHousing(xuhui, "X1", { buildingArea: "50.00" })
      yield* runMonth("2026-03")
      expect(failureOf(yield* Effect.exit(confirmDistrict(xuhui, "310115", "2026-03")))).toMatchObject({
        _tag: "AccessDenied",
      })
      expect(yield* confirmDistrict(pudong, "310115", "2026-03")).toEqual({
        district: "310115",
        month: "2026-03",
        confirmed: 1,
      })
      expect((yield* confirmDistrict(pudong, "310115", "2026-03")).confirmed).toBe(0)
      const mine = yield* listPayouts(pudong, { month: "2026-03" })
      expect(mine.items.map((l) => [l.caseId, l.status, l.confirmedBy])).toEqual([
        ["L1", "confirmed", "pd-1"],
      ])
      expect(yield* listPayouts(pudong, { month: "2026-03", district: "310104" })).toMatchObject({
        items: [],
        totals: [],
      })
      const all = yield* listPayouts(city, { month: "2026-03" })
      expect(all.totals.map((t) => [t.district, t.lines, t.computed, t.confirmed])).toEqual([
        ["310104", 1, 1, 0],
        ["310115", 1, 0, 1],
      ])
      expect(all.total.amount).toBe(all.items.reduce((n, l) => n + l.amount, 0))
      expect(failureOf(yield* Effect.exit(listPayouts(operator, { month: "2026-03" })))).toMatchObject({
        _tag: "AccessDenied",
      })
    }).pipe(Effect.provide(stores())),
  )

  it.effect("R120 special payouts: back-pay positive, recovery negative, idempotent by key", () =>
    Effect.gen(function* () {
      yield* setUp()
      const back = yield* specialPayout(pudong, "L1", {
        type: "back_pay",
        from: "2026-01-15",
        to: "2026-01-31",
        month: "2026-04",
        reason: "一月漏发补发",
        key: "k1",
      })
      const formula = yield* computeLianzuSubsidy({
        household: household(),
        from: "2026-01-15",
        to: "2026-01-31",
      })
      expect(back).toMatchObject({
        created: true,
        line: { kind: "back_pay", amount: formula.total, month: "2026-04" },
      })
      const again = yield* specialPayout(pudong, "L1", {
        type: "back_pay",
        from: "2026-01-15",
        to: "2026-01-20",
        month: "2026-04",
        reason: "一月漏发补发",
        key: "k1",
      })
      expect(again).toEqual({ created: false, line: back.line })
      const rec = yield* specialPayout(pudong, "L1", {
        type: "recovery",
        from: "2026-02-01",
        to: "2026-02-10",
        month: "2026-04",
        reason: "死亡后多发追回",
        key: "k2",
      })
      expect(rec.line.amount).toBeLessThan(0)
      expect((yield* listPayouts(pudong, { month: "2026-04" })).total).toEqual({
        lines: 2,
        amount: back.line.amount + rec.line.amount,
      })
    }).pipe(Effect.provide(stores())),
  )

  it.effect(
    "a closed case ends its agreement from the closure date; R23 warnings near and after the end",
    () =>
      Effect.gen(function* () {
        yield* setUp(["L1", "L2"])
        yield* putCase(
          lianzuCase("L2", {
            state: "cancelled",
            version: 2,
            closure: { at: at("2026-03-16", 10), reason: "注销" },
          }),
          1,
        )
        yield* TestClock.setTime(at("2026-05-01"))
        yield* runMonth("2026-03")
        const l2 = yield* getAgreement(city, "L2")
        expect(l2.exitedOn).toBe("2026-03-16")
        const march = (yield* listPayouts(city, { month: "2026-03" })).items.find((l) => l.caseId === "L2")!
        expect(march.trace.statusDays).toEqual({ normal: 15, none: 16 })
        const april = yield* runMonth("2026-04")
        expect(april.ended).toBe(1)
        expect((yield* getAgreement(city, "L2")).status).toBe("ended")
        // R23: 4 months before 2029-01-14 → yellow (re-review); after the end → orange.
        yield* TestClock.setTime(at("2028-10-01"))
        const yellow = yield* runMonth("2028-09")
        expect(yellow.warnings.map((w) => [w.caseId, w.rule, w.level])).toEqual([["L1", "R23", "yellow"]])
        yield* TestClock.setTime(at("2029-02-01"))
        const orange = yield* runMonth("2029-01")
        expect(orange.warnings.map((w) => [w.caseId, w.rule, w.level])).toEqual([["L1", "R23", "orange"]])
      }).pipe(Effect.provide(stores())),
  )

  it.effect("bad input is refused naming the field and rule", () =>
    Effect.gen(function* () {
      yield* setUp()
      expect(failureOf(yield* Effect.exit(runMonth("2026-13")))).toMatchObject({ rule: "month.format" })
      expect(failureOf(yield* Effect.exit(runMonth("2026-03")))).toMatchObject({
        field: "month",
        rule: "subsidy.future-month",
      })
      expect(failureOf(yield* Effect.exit(recordHousing(pudong, "L1", { livingArea: "abc" })))).toMatchObject(
        {
          _tag: "InvalidValue",
        },
      )
      expect(
        failureOf(
          yield* Effect.exit(recordHousing(pudong, "L1", { livingArea: "10.00", buildingArea: "20.00" })),
        ),
      ).toMatchObject({ rule: "subsidy.one-area" })
      expect(failureOf(yield* Effect.exit(getAgreement(pudong, "nope")))).toMatchObject({
        _tag: "SubsidyAgreementNotFound",
      })
      const store = yield* SubsidyStore
      expect((yield* store.listAgreements({ limit: 10 })).length).toBe(1)
    }).pipe(Effect.provide(stores())),
  )

  it.effect("the worker job (subsidy.monthly) computes the months since the last run, then skips", () =>
    Effect.gen(function* () {
      yield* setUp()
      yield* TestClock.setTime(at("2026-03-01"))
      const first = yield* subsidyMonthlyJob()
      expect(first).toMatchObject({ status: "done", counts: { months: 2, computed: 2, incomplete: 0 } })
      expect(first.detail).toMatch(/^computed 2026-01, 2026-02: 2 line/u)
      expect((yield* listPayouts(city, { month: "2026-02" })).items.map((l) => l.lineId)).toEqual([
        "L1:2026-02",
      ])
      const again = yield* subsidyMonthlyJob()
      expect(again).toMatchObject({ status: "skipped", detail: "month 2026-02 already computed" })
    }).pipe(Effect.provide(stores())),
  )

  it.effect(
    "with a warning store, R23 warnings are raised into the warning list once per level and term",
    () =>
      Effect.gen(function* () {
        yield* setUp()
        expect((yield* runMonth("2026-01")).warningsRaised).toBe(0)
        yield* TestClock.setTime(at("2028-10-01"))
        expect((yield* runMonth("2028-09")).warningsRaised).toBe(1)
        expect((yield* runMonth("2028-09")).warningsRaised).toBe(0)
        yield* TestClock.setTime(at("2028-11-01"))
        expect((yield* runMonth("2028-10")).warningsRaised).toBe(0)
        yield* TestClock.setTime(at("2029-02-01"))
        expect((yield* runMonth("2029-01")).warningsRaised).toBe(1)
        const list = yield* (yield* WarningStore).list({ districts: ["310115"], limit: 10 })
        expect(
          list.items.map((w) => [w.category, w.level, w.subject, w.period, w.personIndex, w.caseId]),
        ).toEqual([
          ["R23", "orange", "subsidy-agreement:L1", "2029-01-14", "idx-L1", "L1"],
          ["R23", "yellow", "subsidy-agreement:L1", "2029-01-14", "idx-L1", "L1"],
        ])
      }).pipe(Effect.provide(Layer.merge(stores(), memoryWarningStore))),
  )
})
