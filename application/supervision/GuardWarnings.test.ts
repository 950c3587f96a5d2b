/**
 * Fairness-guard warnings (R13–R22) onto the persisted R24 list, through the case flow and the relay on the
 * memory stores: a committed step's warnings travel as one `GuardWarnings` outbox event (persons as blind
 * indexes only) and the relay handler raises them once per key (a redelivery raises nothing); a blocked step
 * commits nothing and its red warning is raised at once, once even when the command is retried; the list
 * shows them within the officer's districts only.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import { layer as memoryCaseStore } from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryJobQueue from "../../adapters/memory/MemoryJobQueue.js"
import { layer as memoryPolicySource } from "../../adapters/memory/MemoryPolicySource.js"
import { layer as memoryWarningStore } from "../../adapters/memory/MemoryWarningStore.js"
import type { Actor } from "../../domain/access/Access.js"
import type { Case, CaseId } from "../../domain/cases/Case.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { openCaseCommand } from "../cases/CaseWorkflow.js"
import { sealCase } from "../cases/CaseSealing.js"
import { makeRelay } from "../jobs/OutboxRelay.js"
import { CaseStore } from "../ports/CaseStore.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { GUARD_WARNINGS_EVENT, guardWarningsHandler } from "./GuardWarnings.js"
import { listWarnings } from "./Rechecks.js"

const policy = ["cases.yaml", "guard.yaml"].map((name) => ({
  name: `policy/${name}`,
  text: readFileSync(join(import.meta.dirname, "..", "..", "policy", name), "utf8"),
}))

const stores = () =>
  Layer.mergeAll(
    memoryCaseStore,
    memoryWarningStore,
    memoryPolicySource(policy),
    MemoryFieldCipher.layer(),
    MemoryAgencyRecords.layer(),
    MemoryJobQueue.layer,
  )

const ID = "310115198503120012"
const pudong: Actor = { role: "district", id: "pd-1", district: "310115" }
const xuhui: Actor = { role: "district", id: "xh-1", district: "310104" }
const city: Actor = { role: "city", id: "city-1" }

/** An admitted 公租 household of ID (a rental-kind beneficiary, not cancelled). */
const admittedGongzu: Case = {
  id: "G-1" as CaseId,
  kind: "gongzu",
  state: "admitted",
  version: 1,
  channel: "offline",
  district: "310115",
  projectId: null,
  members: [{ role: "applicant", name: "王五", idNumber: ID, phone: null, bankCard: null }],
  materials: { required: [], received: [] },
  predecessorId: null,
  tags: [],
  resumeTo: null,
  evidence: [],
  firstNotice: null,
  onlineNotice: null,
  certificate: {
    number: "N-G-1",
    validFrom: "2026-01-15" as CivilDate,
    validUntil: "2029-01-14" as CivilDate,
  },
  closure: null,
  economy: null,
  receivedAt: 1_770_000_000_000,
  updatedAt: 1_770_000_000_000,
}

const seed = Effect.gen(function* () {
  yield* TestClock.setTime(Date.parse("2026-03-02T09:00:00+08:00"))
  const store = yield* CaseStore
  yield* store.commit({
    case: yield* sealCase(admittedGongzu),
    expectedVersion: 0,
    history: {
      caseId: admittedGongzu.id,
      version: 1,
      at: admittedGongzu.updatedAt,
      actorId: "t",
      actorRole: "city",
      command: "test",
      from: null,
      to: "admitted",
      note: "",
    },
    events: [],
    command: {
      actorId: "t",
      key: "seed-G-1",
      requestDigest: "d",
      caseId: admittedGongzu.id,
      outcome: { state: "admitted", version: 1 },
    },
  })
})

const apply = (id: string, kind: Case["kind"], key = `open-${id}`) =>
  openCaseCommand(
    pudong,
    {
      id,
      kind,
      channel: "offline",
      district: "310115",
      projectId: null,
      members: [{ role: "applicant", name: "王五", idNumber: ID, phone: "13800138000" }],
      requiredMaterials: [],
      receivedMaterials: [],
    },
    key,
  )

const tagOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [(r.error as { _tag: string })._tag] : []))[0]
    : "success"

describe("fairness-guard warnings on the R24 list (R13–R22)", () => {
  it.effect(
    "a committed step's warning travels in the outbox and is raised once by the relay, within the district's scope",
    () =>
      Effect.gen(function* () {
        yield* seed
        // R16 (1): a rental-kind beneficiary applies for 共有产权 → yellow, the step goes on.
        const opened = yield* apply("Y-1", "gongyou")
        expect(opened.warnings.map((w) => `${w.rule}:${w.level}`)).toContain("R16:yellow")
        // Nothing on the list until the relay delivers the committed event.
        expect((yield* listWarnings(city)).items).toEqual([])
        const store = yield* CaseStore
        const events = (yield* store.outbox(0, 100)).filter((e) => e.type === GUARD_WARNINGS_EVENT)
        expect(events.map((e) => [e.id, e.caseId])).toEqual([["Y-1:1:1", "Y-1"]])
        // Persons only as blind indexes in the committed event.
        expect(JSON.stringify(events)).not.toContain(ID)
        const index = yield* (yield* FieldCipher).blindIndex("idNumber", ID)
        expect(JSON.stringify(events)).toContain(index)

        const relay = makeRelay([guardWarningsHandler])
        expect(yield* relay.runOnce()).toEqual({ enqueued: 1, delivered: 1 })
        const list = (yield* listWarnings(pudong)).items
        expect(list).toHaveLength(1)
        expect(list[0]).toMatchObject({
          caseId: "Y-1",
          category: "R16",
          level: "yellow",
          district: "310115",
          subject: "case:Y-1",
          period: "application",
          personIndex: index,
          status: "open",
        })
        expect(list[0]!.evidence).toMatchObject({ rentalCases: "G-1", stage: "application" })
        expect(list[0]!.trail).toMatchObject([{ by: "guard", action: "raised" }])
        // Another district sees nothing; the city sees it.
        expect((yield* listWarnings(xuhui)).items).toEqual([])
        expect((yield* listWarnings(city, { rules: ["R16"] })).items.map((w) => w.id)).toEqual([list[0]!.id])

        // A redelivered event (at least once) raises nothing new; the relay re-reading enqueues nothing.
        yield* guardWarningsHandler.handle(events[0]!, `warnings.guard:${events[0]!.id}`)
        expect(yield* relay.runOnce()).toEqual({ enqueued: 0, delivered: 0 })
        expect((yield* listWarnings(city)).items).toEqual(list)
      }).pipe(Effect.provide(stores())),
  )

  it.effect(
    "a blocked step commits nothing, and its red warning is on the list once, even when retried",
    () =>
      Effect.gen(function* () {
        yield* seed
        // R13: the same kind again while the first case is not cancelled → red, hard block.
        const first = yield* Effect.exit(apply("G-2", "gongzu"))
        expect(tagOf(first)).toBe("CaseBlockedByGuard")
        const again = yield* Effect.exit(apply("G-2", "gongzu"))
        expect(tagOf(again)).toBe("CaseBlockedByGuard")
        const store = yield* CaseStore
        expect((yield* store.outbox(0, 100)).filter((e) => e.caseId === "G-2")).toEqual([])
        const list = (yield* listWarnings(pudong, { rules: ["R13"] })).items
        expect(list).toHaveLength(1)
        expect(list[0]).toMatchObject({
          caseId: "G-2",
          level: "red",
          period: "application",
          district: "310115",
        })
        expect(list[0]!.evidence).toMatchObject({ blocked: "true", stage: "application" })
        expect((yield* listWarnings(xuhui)).items).toEqual([])
      }).pipe(Effect.provide(stores())),
  )
})
