/**
 * Periodic re-checks (R85–R88, R110) and the warning list (R24) on the memory stores: results stored per
 * (case, check, period) as evidence, a finding raising one warning with its level, a rerun in the period
 * asking nothing and saying so (the worker job's outcome), the cadence periods from policy/supervision.yaml,
 * batches over more cases than one page, agency failures retried without repeats, scope (district A never
 * sees district B; out of scope = not found), resolution with a trail, and the property that any sequence of
 * runs over periods raises each (case, rule, period) warning at most once — and exactly once per finding.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import { layer as memoryCaseStore } from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import { layer as memoryPolicySource } from "../../adapters/memory/MemoryPolicySource.js"
import { layer as memoryWarningStore } from "../../adapters/memory/MemoryWarningStore.js"
import type { Actor } from "../../domain/access/Access.js"
import type { Case, CaseId, CaseKind } from "../../domain/cases/Case.js"
import * as CD from "../../domain/values/CivilDate.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { sealCase } from "../cases/CaseSealing.js"
import { supervisionRechecksJob, WORKER_ACTOR } from "../jobs/WorkerJobs.js"
import { CaseStore, type StoredCase } from "../ports/CaseStore.js"
import { WarningStore } from "../ports/WarningStore.js"
import {
  BATCH,
  listWarnings,
  type RechecksIncomplete,
  resolveWarningAs,
  runRechecks,
  WarningNotFound,
} from "./Rechecks.js"

const policy = ["supervision.yaml"].map((name) => ({
  name,
  text: readFileSync(join(import.meta.dirname, "..", "..", "policy", name), "utf8"),
}))

const stores = (script: ReadonlyArray<MemoryAgencyRecords.ScriptedAnswer> = []) =>
  Layer.mergeAll(
    memoryCaseStore,
    memoryWarningStore,
    memoryPolicySource(policy),
    MemoryFieldCipher.layer(),
    MemoryAgencyRecords.layer(script),
  )

/** 01:30 Asia/Shanghai on a civil date. */
const at = (date: string) => CD.startOfDayInstant(date as CivilDate) + 90 * 60_000

const pudong: Actor = { role: "district", id: "pd-1", district: "310115" }
const xuhui: Actor = { role: "district", id: "xh-1", district: "310104" }
const city: Actor = { role: "city", id: "city-1" }
const operator: Actor = { role: "operator", id: "op-1", projectIds: ["P1"] }

/** ID number of member `m` of case `n` (the agencies are scripted by ID number). */
const idOf = (n: string, m = 0) => `31011519800101${n.padStart(3, "0")}${m}`.slice(0, 18)

const household = (
  id: string,
  patch: {
    kind?: CaseKind
    district?: string
    state?: Case["state"]
    card?: boolean
    evidence?: Case["evidence"]
  } = {},
): Case => ({
  id: id as CaseId,
  kind: patch.kind ?? "lianzu",
  state: patch.state ?? "admitted",
  version: 1,
  channel: "offline",
  district: patch.district ?? "310115",
  projectId: null,
  members: [
    {
      role: "applicant",
      name: `申请人${id}`,
      idNumber: idOf(id, 0),
      phone: null,
      bankCard: patch.card === false ? null : "6222020000000000001",
    },
    { role: "co_resident", name: `同住人${id}`, idNumber: idOf(id, 1), phone: null, bankCard: null },
  ],
  materials: { required: [], received: [] },
  predecessorId: null,
  tags: [],
  resumeTo: null,
  evidence: patch.evidence ?? [],
  firstNotice: null,
  onlineNotice: null,
  certificate: {
    number: `N-${id}`,
    validFrom: "2026-01-15" as CivilDate,
    validUntil: "2029-01-14" as CivilDate,
  },
  closure: null,
  economy: null,
  receivedAt: 1_770_000_000_000,
  updatedAt: 1_770_000_000_000,
})

const putCase = (c: Case) =>
  Effect.gen(function* () {
    const store = yield* CaseStore
    const sealed: StoredCase = yield* sealCase(c)
    yield* store.commit({
      case: sealed,
      expectedVersion: 0,
      history: {
        caseId: c.id,
        version: 1,
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
        key: `k-${c.id}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: 1 },
      },
    })
  })

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) =>
        r._tag === "Fail" ? [r.error as { _tag: string; rule?: string }] : [],
      )[0]
    : undefined

const tallyOf = (r: { tallies: ReadonlyArray<{ check: string }> }, check: string) =>
  r.tallies.find((t) => t.check === check) as Record<string, unknown>

describe("periodic re-checks (R85–R88, R110)", () => {
  it.effect(
    "stores each result, raises one warning per finding with its level, and a rerun asks nothing",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(at("2026-03-05"))
        yield* putCase(household("1"))
        yield* putCase(household("2", { kind: "gongzu" }))
        yield* putCase(household("3", { state: "first_review" })) // not in force: never re-checked
        const r = yield* runRechecks(WORKER_ACTOR)
        expect(r.on).toBe("2026-03-05")
        // Periods from policy/supervision.yaml: deaths and criminal records per 旬, bank cards daily, property monthly.
        expect(tallyOf(r, "death")).toMatchObject({
          cadence: "dekad",
          period: "2026-03-D1",
          households: 2,
          checked: 2,
          findings: 1,
          raised: 1,
        })
        expect(tallyOf(r, "criminal")).toMatchObject({ period: "2026-03-D1", checked: 2, findings: 0 })
        // Bank cards: 廉租 subsidy recipients only.
        expect(tallyOf(r, "bank_card")).toMatchObject({
          cadence: "daily",
          period: "2026-03-05",
          households: 1,
          checked: 1,
          findings: 1,
        })
        expect(tallyOf(r, "real_estate")).toMatchObject({
          cadence: "monthly",
          period: "2026-03",
          checked: 2,
          findings: 1,
        })

        const store = yield* WarningStore
        const results = yield* store.checksOf("1")
        expect(results.map((x) => `${x.check}:${x.period}:${x.evidence.result}`)).toEqual([
          "real_estate:2026-03:pass",
          "bank_card:2026-03-05:fail",
          "criminal:2026-03-D1:pass",
          "death:2026-03-D1:fail",
        ])
        const list = (yield* listWarnings(city)).items
        expect(list.map((w) => `${w.caseId}:${w.category}:${w.level}:${w.period}`).sort()).toEqual([
          "1:R85:yellow:2026-03-05",
          "1:R87:orange:2026-03-D1",
          "2:R88:yellow:2026-03",
        ])
        const death = list.find((w) => w.category === "R87")!
        expect(results.find((x) => x.check === "death")!.warningId).toBe(death.id)
        expect(death.related).toEqual(["R110"])
        expect(death.status).toBe("open")
        expect(list.find((w) => w.category === "R88")!.evidence["prompt"]).toContain("二次核查")
        // Personal data only as the blind index: no ID number anywhere in the stored warnings or results.
        const text = JSON.stringify([list, results])
        for (const n of ["1", "2"]) for (const m of [0, 1]) expect(text).not.toContain(idOf(n, m))

        // Same day again: nothing is asked, nothing changes, and the job says so.
        const job = yield* supervisionRechecksJob()
        expect(job.status).toBe("skipped")
        expect(job.detail).toContain("nothing due on 2026-03-05")
        expect(job.counts).toMatchObject({ checked: 0, already: 7, raised: 0 })
        expect((yield* listWarnings(city)).items).toEqual(list)
        expect(yield* store.checksOf("1")).toEqual(results)

        // Next day: only the daily bank-card check is due; its finding is a new period's warning.
        yield* TestClock.setTime(at("2026-03-06"))
        const next = yield* supervisionRechecksJob()
        expect(next.status).toBe("done")
        expect(next.counts).toMatchObject({ checked: 1, already: 6, findings: 1, raised: 1 })
        expect((yield* listWarnings(city, { rules: ["R85"] })).items.map((w) => w.period)).toEqual([
          "2026-03-06",
          "2026-03-05",
        ])
      }).pipe(
        Effect.provide(
          stores([
            { source: "death", idNumber: idOf("1", 1), result: "fail", detail: "death: 同住人 比对命中" },
            { source: "bank_card", idNumber: idOf("1", 0), result: "fail", detail: "bank_card: 卡片已注销" },
            { source: "real_estate", caseId: "2", result: "fail", detail: "real_estate: 发现房产" },
          ]),
        ),
      ),
  )

  it.effect("works in pages: more households than one batch are each checked once", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(at("2026-03-12"))
      const n = BATCH + 7
      for (let i = 0; i < n; i++) yield* putCase(household(`B${i}`, { kind: "gongzu" }))
      const r = yield* runRechecks(WORKER_ACTOR, { checks: ["death"] })
      expect(tallyOf(r, "death")).toMatchObject({ period: "2026-03-D2", households: n, checked: n })
      const again = yield* runRechecks(WORKER_ACTOR, { checks: ["death"] })
      expect(tallyOf(again, "death")).toMatchObject({ checked: 0, already: n })
    }).pipe(Effect.provide(stores())),
  )

  it.effect("an agency failure stores the rest, fails the run, and the retry asks only what failed", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(at("2026-03-21"))
      yield* putCase(household("1"))
      yield* putCase(household("2"))
      const exit = yield* Effect.exit(runRechecks(WORKER_ACTOR, { checks: ["criminal"] }))
      const e = failureOf(exit) as RechecksIncomplete
      expect(e._tag).toBe("RechecksIncomplete")
      expect(e.failed).toBe(1)
      const store = yield* WarningStore
      expect((yield* store.checksOf("2")).map((x) => x.period)).toEqual(["2026-03-D3"])
      expect(yield* store.checksOf("1")).toEqual([])
    }).pipe(Effect.provide(stores([{ source: "criminal", caseId: "1", fail: "timeout" }]))),
  )

  it.effect("refuses an actor without cases.verify", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        runRechecks(pudong.role === "district" ? { ...pudong, permissions: ["cases.read"] } : pudong),
      )
      expect(failureOf(exit)?._tag).toBe("AccessDenied")
    }).pipe(Effect.provide(stores())),
  )
})

/** The 低保 answer stored at verification (R82: 低保满一年 waived the economic check). */
const dibaoAtAdmission = (result: "pass" | "fail"): Case["evidence"][number] => ({
  source: "dibao",
  at: 1_769_000_000_000,
  requestDigest: "d-verify",
  result,
  detail: `dibao: ${result}`,
})

describe("the 低保 re-check (R82, R87, R110: 低保 changes)", () => {
  it.effect(
    "asks only 廉租 households admitted on 低保; a stop raises one orange R82 warning; a found change is not asked again",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(at("2026-03-05"))
        yield* putCase(household("D1", { evidence: [dibaoAtAdmission("pass")] })) // stops
        yield* putCase(household("D2", { evidence: [dibaoAtAdmission("pass")] })) // still on 低保
        yield* putCase(household("D3")) // admitted through the economic check: nothing to lose
        yield* putCase(household("D4", { evidence: [dibaoAtAdmission("fail")] })) // never on 低保
        yield* putCase(household("D5", { kind: "gongzu", evidence: [dibaoAtAdmission("pass")] })) // not 廉租
        const r = yield* runRechecks(WORKER_ACTOR, { checks: ["dibao"] })
        // Cadence from policy/supervision.yaml: monthly.
        expect(tallyOf(r, "dibao")).toMatchObject({
          cadence: "monthly",
          period: "2026-03",
          households: 4,
          checked: 2,
          noSubject: 2,
          findings: 1,
          raised: 1,
        })
        const list = (yield* listWarnings(city)).items
        expect(list).toHaveLength(1)
        const w = list[0]!
        expect(w).toMatchObject({
          caseId: "D1",
          category: "R82",
          level: "orange",
          period: "2026-03",
          district: "310115",
          status: "open",
        })
        expect(w.related).toEqual(["R87", "R110", "R18"])
        expect(w.evidence).toMatchObject({ check: "dibao", detail: "dibao: 低保已停发" })
        expect(w.evidence["prompt"]).toContain("经济状况核对")
        const store = yield* WarningStore
        expect((yield* store.checksOf("D1")).map((x) => `${x.check}:${x.evidence.result}`)).toEqual([
          "dibao:fail",
        ])
        expect((yield* store.checksOf("D2")).map((x) => `${x.check}:${x.evidence.result}`)).toEqual([
          "dibao:pass",
        ])
        expect(yield* store.checksOf("D3")).toEqual([])
        // The same month again: nothing asked.
        const again = yield* runRechecks(WORKER_ACTOR, { checks: ["dibao"] })
        expect(tallyOf(again, "dibao")).toMatchObject({ checked: 0, already: 2, noSubject: 2 })
        // Next month: D2 (still on 低保 in March) is asked again; D1's change was found in March, its warning
        // stays open on the list, and it is not asked again (no warning per month for the same change).
        yield* TestClock.setTime(at("2026-04-02"))
        const april = yield* runRechecks(WORKER_ACTOR, { checks: ["dibao"] })
        expect(tallyOf(april, "dibao")).toMatchObject({
          period: "2026-04",
          checked: 1,
          noSubject: 3,
          findings: 0,
          raised: 0,
        })
        expect((yield* listWarnings(city)).items.map((x) => x.id)).toEqual([w.id])
      }).pipe(
        Effect.provide(
          stores([{ source: "dibao", caseId: "D1", result: "fail", detail: "dibao: 低保已停发" }]),
        ),
      ),
  )
})

describe("warning list scope and resolution (R24)", () => {
  const seed = Effect.gen(function* () {
    yield* TestClock.setTime(at("2026-03-05"))
    yield* putCase(household("A1", { district: "310115" }))
    yield* putCase(household("X1", { district: "310104" }))
    yield* runRechecks(WORKER_ACTOR, { checks: ["death"] })
  })
  const script = [
    { source: "death" as const, caseId: "A1", result: "fail" as const },
    { source: "death" as const, caseId: "X1", result: "fail" as const },
  ]

  it.effect("district A never sees district B's warnings; out of scope answers like a missing one", () =>
    Effect.gen(function* () {
      yield* seed
      const a = (yield* listWarnings(pudong)).items
      const b = (yield* listWarnings(xuhui)).items
      expect(a.map((w) => w.caseId)).toEqual(["A1"])
      expect(b.map((w) => w.caseId)).toEqual(["X1"])
      expect((yield* listWarnings(pudong, { district: "310104" })).items).toEqual([])
      expect((yield* listWarnings(city)).items).toHaveLength(2)
      const refused = yield* Effect.exit(resolveWarningAs(pudong, { id: b[0]!.id, reason: "越权" }))
      expect(failureOf(refused)?._tag).toBe("WarningNotFound")
      const unknown = yield* Effect.exit(resolveWarningAs(pudong, { id: "w-nope", reason: "x" }))
      expect(failureOf(unknown)).toBeInstanceOf(WarningNotFound)
      expect(failureOf(yield* Effect.exit(listWarnings(operator)))?._tag).toBe("AccessDenied")
      // The refused resolution changed nothing.
      expect((yield* listWarnings(xuhui)).items[0]!.status).toBe("open")
    }).pipe(Effect.provide(stores(script))),
  )

  it.effect("resolution keeps actor and reason in the trail; open warnings list first", () =>
    Effect.gen(function* () {
      yield* seed
      const w = (yield* listWarnings(pudong)).items[0]!
      yield* TestClock.adjust("1 hour")
      const r = yield* resolveWarningAs(pudong, { id: w.id, reason: "已核实：同住人户籍已注销，复核资格" })
      expect(r.status).toBe("resolved")
      expect(r.trail.at(-1)).toMatchObject({
        by: "pd-1",
        action: "resolved",
        note: "已核实：同住人户籍已注销，复核资格",
      })
      expect(
        failureOf(yield* Effect.exit(resolveWarningAs(pudong, { id: w.id, reason: "again" })))?._tag,
      ).toBe("WarningStoreError")
      expect(
        failureOf(yield* Effect.exit(resolveWarningAs(pudong, { id: w.id, reason: "  " }))),
      ).toMatchObject({
        _tag: "InvalidValue",
        field: "reason",
      })
      expect((yield* listWarnings(city)).items.map((x) => [x.caseId, x.status])).toEqual([
        ["X1", "open"],
        ["A1", "resolved"],
      ])
      // Re-running in the period does not raise the resolved warning again.
      yield* runRechecks(WORKER_ACTOR, { checks: ["death"] })
      expect((yield* listWarnings(pudong)).items).toEqual([r])
      expect(failureOf(yield* Effect.exit(listWarnings(city, { levels: ["purple"] })))).toMatchObject({
        _tag: "InvalidValue",
        field: "level",
      })
    }).pipe(Effect.provide(stores(script))),
  )
})

describe("property: warnings over any sequence of runs", () => {
  it.effect("each (case, rule, period) warning is raised at most once — exactly once per finding", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          // Days of March–April 2026 on which the worker ran (repeats = reruns, gaps = downtime).
          fc
            .array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 12 })
            .map((xs) => xs.sort((a, b) => a - b)),
          fc.subarray(["death", "criminal", "bank_card", "real_estate"] as const),
          async (days, failing) => {
            const program = Effect.gen(function* () {
              yield* putCase(household("P1"))
              yield* putCase(household("P2", { kind: "gongyou" }))
              for (const d of days) {
                yield* TestClock.setTime(at(CD.addDays("2026-03-01" as CivilDate, d)))
                yield* runRechecks(WORKER_ACTOR)
              }
              const items = (yield* listWarnings(city, { limit: 500 })).items
              const keys = items.map((w) => `${w.caseId}|${w.category}|${w.period}`)
              expect(new Set(keys).size).toBe(keys.length)
              // Exactly once: one warning per failing check, applicable case and distinct period visited.
              const expected = new Set<string>()
              const rules = { death: "R87", criminal: "R86", bank_card: "R85", real_estate: "R88" } as const
              for (const d of days) {
                const date = CD.addDays("2026-03-01" as CivilDate, d)
                const dekad = `${date.slice(0, 7)}-D${Number(date.slice(8)) <= 10 ? 1 : Number(date.slice(8)) <= 20 ? 2 : 3}`
                const period = {
                  death: dekad,
                  criminal: dekad,
                  bank_card: date,
                  real_estate: date.slice(0, 7),
                }
                for (const check of failing)
                  for (const c of ["P1", "P2"])
                    if (check !== "bank_card" || c === "P1")
                      expected.add(`${c}|${rules[check]}|${period[check]}`)
              }
              expect(new Set(keys)).toEqual(expected)
            })
            await Effect.runPromise(
              program.pipe(
                Effect.provide(stores(failing.map((source) => ({ source, result: "fail" as const })))),
                Effect.provide(TestClock.layer()),
              ),
            )
          },
        ),
        { numRuns: 30 },
      ),
    ),
  )
})
