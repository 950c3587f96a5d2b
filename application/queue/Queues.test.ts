/**
 * Queue use-cases on the memory stores: idempotent entry from the admission event (and through the outbox
 * handler), scope of places (R-scope: applicant own, district, operator projects), the 保租 windows
 * (R43 24 h, R44 3 h) expiring and the next family moving up, and leaving restoring the held slot (R33/R34).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { layer as memoryCaseStore } from "../../adapters/memory/MemoryCaseStore.js"
import { layer as memoryQueueStore } from "../../adapters/memory/MemoryQueueStore.js"
import { storedCase } from "../../contracts-tests/CaseStore.contract.js"
import type { Actor } from "../../domain/access/Access.js"
import type { CaseId } from "../../domain/cases/Case.js"
import { remainingRentable } from "../../domain/inventory/Inventory.js"
import { HOUR_MS } from "../../domain/queue/BaozuQueue.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { queueEntryHandler } from "../jobs/OutboxRelay.js"
import { CaseStore, type StoredCase } from "../ports/CaseStore.js"
import { QueueStore } from "../ports/QueueStore.js"
import {
  enterQueue,
  expireQueueWindows,
  leaveQueue,
  markIntention,
  offerNext,
  queueHolds,
  queuePlace,
  rankQueue,
  settleSelection,
  windowStep,
} from "./Queues.js"

const T0 = 1_770_000_000_000
const stores = () => Layer.mergeAll(memoryCaseStore, memoryQueueStore)

const admittedCase = (id: string, patch: Partial<StoredCase> = {}): StoredCase =>
  storedCase(id, {
    kind: "baozu",
    state: "admitted",
    projectId: "P1",
    certificate: {
      number: `N-${id}`,
      validFrom: "2026-01-05" as CivilDate,
      validUntil: "2027-01-04" as CivilDate,
    },
    ...patch,
  })

const putCase = (c: StoredCase) =>
  Effect.flatMap(Effect.service(CaseStore), (store) =>
    store.commit({
      case: c,
      expectedVersion: 0,
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
        key: `k-${c.id}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: c.version },
      },
    }),
  )

const operator: Actor = { role: "operator", id: "op-1", projectIds: ["P1"] }
const otherOperator: Actor = { role: "operator", id: "op-2", projectIds: ["P2"] }
const district: Actor = { role: "district", id: "d-1", district: "310115" }
const otherDistrict: Actor = { role: "district", id: "d-2", district: "310101" }
const applicantOf = (caseId: string): Actor => ({
  role: "applicant",
  id: `a-${caseId}`,
  idIndex: `idx-${caseId}`,
})

/** Three 保租 families admitted one minute apart into project P1 (A first). */
const threeFamilies = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  for (const [i, id] of ["A", "B", "C"].entries()) {
    yield* putCase(admittedCase(id))
    yield* enterQueue({ caseId: id, eventKey: `queue.entry:${id}:1:0`, at: T0 + i * 60_000 })
  }
  yield* TestClock.setTime(T0 + 10 * 60_000)
})

const failureTag = (exit: Exit.Exit<unknown, { readonly _tag: string }>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error._tag] : []))[0]
    : "success"

describe("Queues", () => {
  it.effect(
    "enters once per admission key; replay and the outbox handler add nothing; a closed case enters nothing",
    () =>
      Effect.gen(function* () {
        yield* putCase(admittedCase("A"))
        const first = yield* enterQueue({ caseId: "A", eventKey: "queue.entry:A:5:0", at: T0 })
        expect(first.created).toBe(true)
        expect(first.entry).toMatchObject({
          queueId: "project:P1",
          status: "waiting",
          applicantIndex: "idx-A",
        })
        const again = yield* enterQueue({ caseId: "A", eventKey: "queue.entry:A:5:0", at: T0 + 5 })
        expect(again.created).toBe(false)
        yield* queueEntryHandler.handle(
          { id: "A:5:0", caseId: "A" as CaseId, at: T0, type: "CaseAdmitted", payload: {} },
          "queue.entry:A:5:0",
        )
        const store = yield* QueueStore
        expect(yield* store.entries("project:P1")).toHaveLength(1)
        // The queue got the built-in 保租 plan (R47).
        expect(Option.map(yield* store.plan("project:P1"), (p) => p.id)).toEqual(Option.some("builtin:baozu"))
        yield* putCase(admittedCase("Z", { state: "cancelled" }))
        expect((yield* enterQueue({ caseId: "Z", eventKey: "queue.entry:Z:1:0", at: T0 })).entry).toBeNull()
      }).pipe(Effect.provide(stores())),
  )

  it.effect("places by scope: the applicant sees only their own, officers their district or projects", () =>
    Effect.gen(function* () {
      yield* threeFamilies
      const [own] = yield* queuePlace(applicantOf("B"), {})
      expect(own).toMatchObject({ caseId: "B", position: 2, of: 3, status: "waiting" })
      expect(own!.reasons[0]).toContain("builtin:baozu")
      // Asking for someone else's case looks exactly like asking for a case that does not exist.
      const exitOther = yield* Effect.exit(queuePlace(applicantOf("B"), { caseId: "A" }))
      expect(failureTag(exitOther)).toBe("QueueEntryNotFound")
      expect((yield* queuePlace(district, { caseId: "A" }))[0]!.position).toBe(1)
      expect((yield* queuePlace(operator, { caseId: "C" }))[0]!.position).toBe(3)
      expect(failureTag(yield* Effect.exit(queuePlace(otherDistrict, { caseId: "A" })))).toBe(
        "QueueEntryNotFound",
      )
      expect(failureTag(yield* Effect.exit(queuePlace(otherOperator, { caseId: "A" })))).toBe(
        "QueueEntryNotFound",
      )
      expect(failureTag(yield* Effect.exit(rankQueue(applicantOf("A"), "project:P1")))).toBe("AccessDenied")
      expect((yield* rankQueue(operator, "project:P1")).items.map((i) => i.caseId)).toEqual(["A", "B", "C"])
      expect(failureTag(yield* Effect.exit(rankQueue(otherOperator, "project:P1")))).toBe(
        "QueueEntryNotFound",
      )
      // Offering is an officer's act on their own projects.
      expect(
        failureTag(
          yield* Effect.exit(offerNext(applicantOf("A"), { queueId: "project:P1", pool: "P1/any" })),
        ),
      ).toBe("AccessDenied")
      expect(
        failureTag(yield* Effect.exit(offerNext(otherOperator, { queueId: "project:P1", pool: "P1/any" }))),
      ).toBe("QueueEntryNotFound")
    }).pipe(Effect.provide(stores())),
  )

  it.effect(
    "R43: an offer not taken up within 24 h times out on the tick and the next family moves up; twice is once",
    () =>
      Effect.gen(function* () {
        yield* threeFamilies
        const offered = yield* offerNext(operator, { queueId: "project:P1", pool: "P1/any" })
        const t = T0 + 10 * 60_000
        expect(offered).toMatchObject({ caseId: "A", status: "offered", deadline: t + 24 * HOUR_MS })
        // Exactly at the deadline the window is still open (inclusive).
        expect((yield* expireQueueWindows(t + 24 * HOUR_MS)).expired).toEqual([])
        const tick = yield* expireQueueWindows(t + 24 * HOUR_MS + 1)
        expect(tick.expired.map((e) => [e.caseId, e.status, e.leftReason])).toEqual([
          ["A", "timedOut", "R43.timeout"],
        ])
        expect(tick.offered.map((e) => [e.caseId, e.status, e.deadline])).toEqual([
          ["B", "offered", t + 48 * HOUR_MS + 1],
        ])
        const again = yield* expireQueueWindows(t + 24 * HOUR_MS + 1)
        expect(again).toEqual({ expired: [], offered: [] })
        const [placeB] = yield* queuePlace(applicantOf("B"), {})
        expect(placeB).toMatchObject({ position: 1, of: 2, status: "offered" })
        const [placeA] = yield* queuePlace(applicantOf("A"), {})
        expect(placeA).toMatchObject({ position: null, status: "timedOut" })
      }).pipe(Effect.provide(stores())),
  )

  it.effect("two ticks at once expire the window once and move exactly one family up", () =>
    Effect.gen(function* () {
      yield* threeFamilies
      yield* offerNext(operator, { queueId: "project:P1", pool: "P1/any" })
      const late = T0 + 10 * 60_000 + 24 * HOUR_MS + 1
      const [a, b] = yield* Effect.all([expireQueueWindows(late), expireQueueWindows(late)], {
        concurrency: 2,
      })
      expect([...a.expired, ...b.expired].map((e) => e.caseId)).toEqual(["A"])
      expect([...a.offered, ...b.offered].map((e) => e.caseId)).toEqual(["B"])
      const ranked = yield* rankQueue(operator, "project:P1")
      expect(ranked.items.map((i) => [i.caseId, i.status])).toEqual([
        ["B", "offered"],
        ["C", "waiting"],
      ])
    }).pipe(Effect.provide(stores())),
  )

  it.effect("R44: submitting more than 3 h after opening the form is refused and stored as 超时放弃", () =>
    Effect.gen(function* () {
      yield* threeFamilies
      yield* offerNext(operator, { queueId: "project:P1", pool: "P1/any" })
      yield* TestClock.adjust(HOUR_MS)
      const opened = yield* windowStep(applicantOf("A"), {
        queueId: "project:P1",
        caseId: "A",
        action: "OpenForm",
      })
      expect(opened.status).toBe("applying")
      // Another applicant cannot act on A's entry.
      const foreign = yield* Effect.exit(
        windowStep(applicantOf("B"), { queueId: "project:P1", caseId: "A", action: "Submit" }),
      )
      expect(failureTag(foreign)).toBe("QueueEntryNotFound")
      yield* TestClock.adjust(3 * HOUR_MS + 1)
      const late = yield* Effect.exit(
        windowStep(applicantOf("A"), { queueId: "project:P1", caseId: "A", action: "Submit" }),
      )
      expect(failureTag(late)).toBe("QueueRefused")
      const store = yield* QueueStore
      expect(Option.getOrThrow(yield* store.get("project:P1", "A"))).toMatchObject({
        status: "timedOut",
        leftReason: "R44.timeout",
        deadline: null,
      })
    }).pipe(Effect.provide(stores())),
  )

  it.effect(
    "leaving on closure restores the held slot (R33/R34): holds drop, remaining rentable rises; twice is once",
    () =>
      Effect.gen(function* () {
        yield* threeFamilies
        yield* offerNext(operator, { queueId: "project:P1", pool: "P1/any" })
        const counts = { available: 5 }
        const before = (yield* queueHolds("project:P1")).get("P1/any")
        expect(before).toEqual({ metered: 1, unmetered: 0 })
        expect(remainingRentable(counts, before)).toBe(4)
        const left = yield* leaveQueue({ caseId: "A", reason: "cancelled", at: T0 + 11 * 60_000 })
        expect(left.left.map((e) => [e.caseId, e.status])).toEqual([["A", "removed"]])
        expect(left.restored).toEqual([{ queueId: "project:P1", pool: "P1/any" }])
        const after = (yield* queueHolds("project:P1")).get("P1/any")
        expect(after).toBeUndefined()
        expect(remainingRentable(counts, after)).toBe(5)
        expect(yield* leaveQueue({ caseId: "A", reason: "cancelled", at: T0 + 12 * 60_000 })).toEqual({
          left: [],
          restored: [],
        })
        // A waiting family that exits (自愿放弃) held no slot: nothing is restored.
        const exit = yield* leaveQueue({ caseId: "C", reason: "exit", at: T0 + 12 * 60_000 })
        expect(exit.left.map((e) => e.status)).toEqual(["abandoned"])
        expect(exit.restored).toEqual([])
        // The closure event through the outbox handler removes B.
        yield* queueEntryHandler.handle(
          {
            id: "B:9:0",
            caseId: "B" as CaseId,
            at: T0 + 13 * 60_000,
            type: "CaseClosed",
            payload: { closure: "expired" },
          },
          "queue.entry:B:9:0",
        )
        expect(failureTag(yield* Effect.exit(rankQueue(operator, "project:P1")))).toBe("QueueEntryNotFound")
      }).pipe(Effect.provide(stores())),
  )
  it.effect("R46: an officer marks a waiting 共有产权 family's intention; unmarked families rank out", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      for (const [i, id] of ["A", "B"].entries()) {
        yield* putCase(admittedCase(id, { kind: "gongyou" }))
        yield* enterQueue({ caseId: id, eventKey: `queue.entry:${id}:1:0`, at: T0 + i * 60_000 })
      }
      // The GONGYOU plan (R46) excludes unmarked families: nobody is ranked yet.
      // (a queue with nothing ranked within reach answers like a missing one)
      expect(failureTag(yield* Effect.exit(rankQueue(district, "project:P1")))).toBe("QueueEntryNotFound")
      const marked = yield* markIntention(operator, { queueId: "project:P1", caseId: "B", mark: "first" })
      expect(marked.applicant.intention).toBe("first")
      expect(marked.version).toBe(2)
      // Marking the same mark again changes nothing (idempotent, same version).
      const again = yield* markIntention(operator, { queueId: "project:P1", caseId: "B", mark: "first" })
      expect(again.version).toBe(2)
      expect((yield* rankQueue(district, "project:P1")).items.map((i) => i.caseId)).toEqual(["B"])
      // Out of scope looks like missing; without queue.manage it is refused.
      expect(
        failureTag(
          yield* Effect.exit(
            markIntention(otherOperator, { queueId: "project:P1", caseId: "A", mark: "first" }),
          ),
        ),
      ).toBe("QueueEntryNotFound")
      expect(
        failureTag(
          yield* Effect.exit(
            markIntention(applicantOf("A"), { queueId: "project:P1", caseId: "A", mark: "first" }),
          ),
        ),
      ).toBe("AccessDenied")
      // A family that left the queue is not marked any more (R46.waiting-only).
      yield* leaveQueue({ caseId: "A", reason: "cancelled", at: T0 + 3_600_000 })
      const refused = yield* Effect.exit(
        markIntention(operator, { queueId: "project:P1", caseId: "A", mark: "second" }),
      )
      expect(failureTag(refused)).toBe("QueueRefused")
    }).pipe(Effect.provide(stores())),
  )
  it.effect(
    "R54: a formal choice takes the family out of the queue, a release puts it back; twice is once",
    () =>
      Effect.gen(function* () {
        yield* threeFamilies
        const at = T0 + 3_600_000
        const chosen = yield* settleSelection({ caseId: "B", projectId: "P1", unit: "U-1", at })
        expect(chosen.map((e) => [e.caseId, e.status, e.leftReason])).toEqual([
          ["B", "converted", "R54.selected:U-1"],
        ])
        expect(yield* settleSelection({ caseId: "B", projectId: "P1", unit: "U-1", at })).toEqual([])
        // Another project's session does not touch this queue.
        expect(yield* settleSelection({ caseId: "A", projectId: "P2", unit: "U-9", at })).toEqual([])
        expect((yield* rankQueue(district, "project:P1")).items.map((i) => i.caseId)).toEqual(["A", "C"])
        const back = yield* settleSelection({ caseId: "B", projectId: "P1", unit: null, at: at + 1 })
        expect(back.map((e) => [e.status, e.leftReason])).toEqual([["waiting", null]])
        expect(yield* settleSelection({ caseId: "B", projectId: "P1", unit: null, at: at + 2 })).toEqual([])
        // A family that left for another reason is not brought back by a release.
        yield* leaveQueue({ caseId: "C", reason: "cancelled", at })
        expect(yield* settleSelection({ caseId: "C", projectId: "P1", unit: null, at: at + 3 })).toEqual([])
      }).pipe(Effect.provide(stores())),
  )
})
