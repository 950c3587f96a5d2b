/**
 * Scope sweep for the subsidy use-cases: every query and command that takes an actor, run by actors outside
 * the agreement's district (another district's officer, an operator, an applicant, a system granted another
 * district, a city identity without permissions), is refused — as a missing agreement
 * (SubsidyAgreementNotFound) or AccessDenied — or sees nothing, and writes nothing (the agreement and the
 * lines unchanged). In-scope actors succeed, so the sweep cannot pass by refusing everyone.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryCaseStore from "../adapters/memory/MemoryCaseStore.js"
import * as MemoryPolicySource from "../adapters/memory/MemoryPolicySource.js"
import * as MemorySubsidyStore from "../adapters/memory/MemorySubsidyStore.js"
import { CaseStore } from "../application/ports/CaseStore.js"
import type { PolicySource } from "../application/ports/PolicySource.js"
import { SubsidyStore } from "../application/ports/SubsidyStore.js"
import {
  compareDistrictLedger,
  confirmDistrict,
  ledgerTemplateFor,
  getAgreement,
  listPayouts,
  pauseSubsidy,
  recordHousing,
  resumeSubsidy,
  runMonth,
  specialPayout,
} from "../application/subsidy/MonthlySubsidy.js"
import type { Actor } from "../domain/access/Access.js"
import * as CD from "../domain/values/CivilDate.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import { storedCase } from "./CaseStore.contract.js"

const policy = ["subsidy.yaml", "guard.yaml"].map((name) => ({
  name,
  text: readFileSync(new URL(`../policy/${name}`, import.meta.url), "utf8"),
}))

const outsiders: ReadonlyArray<Actor> = [
  { role: "district", id: "xuhui", district: "310104" },
  { role: "operator", id: "op-1", projectIds: ["P1"] },
  { role: "applicant", id: "app", idIndex: "idx-L1" },
  { role: "system", id: "sys", districts: ["310104"] },
  { role: "city", id: "nobody", permissions: [] },
]
const insiders: ReadonlyArray<Actor> = [
  { role: "district", id: "pudong", district: "310115" },
  { role: "city", id: "city" },
]

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(CD.startOfDayInstant("2026-04-01" as CivilDate))
  const c = storedCase("L1", {
    kind: "lianzu",
    state: "admitted",
    certificate: {
      number: "N1",
      validFrom: "2026-01-15" as CivilDate,
      validUntil: "2029-01-14" as CivilDate,
    },
  })
  yield* (yield* CaseStore).commit({
    case: c,
    expectedVersion: 0,
    history: {
      caseId: c.id,
      version: 1,
      at: 0,
      actorId: "t",
      actorRole: "city",
      command: "t",
      from: null,
      to: c.state,
      note: "",
    },
    events: [],
    command: {
      actorId: "t",
      key: "k",
      requestDigest: "d",
      caseId: c.id,
      outcome: { state: c.state, version: 1 },
    },
  })
  yield* runMonth("2025-12")
  yield* recordHousing({ role: "city", id: "seed" }, "L1", { livingArea: "12.00" })
  yield* runMonth("2026-03")
})

const snapshot = Effect.gen(function* () {
  const store = yield* SubsidyStore
  return {
    agreements: yield* store.listAgreements({ limit: 100 }),
    lines: yield* store.listLines({ month: "2026-03", limit: 100 }),
    special: yield* store.listLines({ month: "2026-04", limit: 100 }),
  }
})

const operations = (actor: Actor) =>
  [
    ["getAgreement", getAgreement(actor, "L1")],
    ["pause", pauseSubsidy(actor, "L1", { from: "2026-04-10", reason: "x" })],
    ["resume", resumeSubsidy(actor, "L1", { on: "2026-04-20", reason: "x" })],
    ["recordHousing", recordHousing(actor, "L1", { livingArea: "5.00" })],
    [
      "specialPayout",
      specialPayout(actor, "L1", {
        type: "back_pay",
        from: "2026-01-15",
        to: "2026-01-31",
        month: "2026-04",
        reason: "x",
        key: "k",
      }),
    ],
    ["confirmDistrict", confirmDistrict(actor, "310115", "2026-03")],
    ["ledgerTemplate", ledgerTemplateFor(actor, "310115", "2026-03")],
    [
      "compareLedger",
      compareDistrictLedger(actor, "310115", "2026-03", "pay_month,case_id,allocated_yuan,paid_yuan"),
    ],
  ] as const

const stores = () =>
  Layer.mergeAll(MemoryCaseStore.layer, MemorySubsidyStore.layer, MemoryPolicySource.layer(policy))

describe("subsidy scope sweep", () => {
  it.effect("outsiders are refused (missing or AccessDenied), see no line, and change nothing", () =>
    Effect.gen(function* () {
      yield* setup
      const before = yield* snapshot
      expect(before.lines).toHaveLength(1)
      for (const actor of outsiders) {
        for (const [name, op] of operations(actor)) {
          const exit = yield* Effect.exit(
            op as Effect.Effect<unknown, { _tag: string }, SubsidyStore | CaseStore | PolicySource>,
          )
          const tag = Exit.isFailure(exit)
            ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error._tag] : []))[0]
            : "success"
          expect([actor.id, name, ["SubsidyAgreementNotFound", "AccessDenied"].includes(tag ?? "")]).toEqual([
            actor.id,
            name,
            true,
          ])
        }
        const list = yield* Effect.exit(listPayouts(actor, { month: "2026-03", district: "310115" }))
        if (Exit.isSuccess(list))
          expect([actor.id, list.value.items, list.value.totals]).toEqual([actor.id, [], []])
      }
      expect(yield* snapshot).toEqual(before)
    }).pipe(Effect.provide(stores())),
  )

  it.effect("insiders succeed on the same operations", () =>
    Effect.gen(function* () {
      yield* setup
      for (const actor of insiders) {
        expect((yield* listPayouts(actor, { month: "2026-03" })).items).toHaveLength(1)
        expect((yield* getAgreement(actor, "L1")).caseId).toBe("L1")
      }
      const pudong = insiders[0]!
      expect((yield* pauseSubsidy(pudong, "L1", { from: "2026-04-10", reason: "x" })).status).toBe("paused")
      expect((yield* resumeSubsidy(pudong, "L1", { on: "2026-04-20", reason: "x" })).status).toBe("active")
      expect((yield* confirmDistrict(pudong, "310115", "2026-03")).confirmed).toBe(1)
    }).pipe(Effect.provide(stores())),
  )
})
