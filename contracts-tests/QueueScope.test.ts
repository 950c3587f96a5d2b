/**
 * Scope sweep for the queue use-cases (issue 11 part 6): every query and command that takes an actor, run
 * by actors outside the entry's data scope (another district's officer, another operator, another
 * applicant, a system granted another district), is refused — as a missing entry (QueueEntryNotFound) or
 * AccessDenied — and writes nothing (every stored entry unchanged). In-scope actors succeed, so the sweep
 * cannot pass by refusing everyone. The lottery round taken from the queue (openRoundFromQueue) is swept too.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryCaseStore from "../adapters/memory/MemoryCaseStore.js"
import * as MemoryLotteryStore from "../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../adapters/memory/MemoryQueueStore.js"
import * as MemoryStockStore from "../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../adapters/memory/SeededSecureRandom.js"
import { listRounds } from "../application/lottery/LotteryRounds.js"
import { openRoundFromQueue } from "../application/lottery/RoundsFromQueue.js"
import { QueueStore } from "../application/ports/QueueStore.js"
import { StockStore } from "../application/ports/StockStore.js"
import {
  markIntention,
  offerNext,
  queuePlace,
  rankQueue,
  type WindowAction,
  windowStep,
} from "../application/queue/Queues.js"
import type { Actor } from "../domain/access/Access.js"
import { seedQueuedBaozuCase } from "./QueueFixtures.js"
import { project } from "./StockFixtures.js"

const T0 = 1_770_000_000_000
const QUEUE = "project:P1"

const outsiders: ReadonlyArray<Actor> = [
  { role: "district", id: "xuhui", district: "310104" },
  { role: "operator", id: "op-2", projectIds: ["P2"] },
  { role: "applicant", id: "other", idIndex: "idx-other" },
  { role: "system", id: "sys", districts: ["310104"] },
]
const insiders: ReadonlyArray<Actor> = [
  { role: "district", id: "pudong", district: "310115" },
  { role: "operator", id: "op-1", projectIds: ["P1"] },
  { role: "city", id: "city" },
]

const ACTIONS: ReadonlyArray<WindowAction> = ["OpenForm", "Submit", "Abandon", "Approve", "Rollback"]

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  for (const id of ["A", "B"]) yield* seedQueuedBaozuCase(id, T0 - 60_000)
  yield* TestClock.adjust(60_000)
})

const refusal = (exit: Exit.Exit<unknown, { readonly _tag: string }>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error._tag] : []))[0]
    : "success"

const services = () =>
  Layer.mergeAll(
    MemoryCaseStore.layer,
    MemoryQueueStore.layer,
    MemoryStockStore.layer,
    MemoryLotteryStore.layer,
    SeededSecureRandom.layer(1),
    TestClock.layer(),
  )

describe("queue scope sweep", () => {
  it.effect("every queue use-case refuses an actor outside the entry's scope and writes nothing", () =>
    Effect.gen(function* () {
      yield* setup
      const store = yield* QueueStore
      const before = yield* store.entries(QUEUE)
      for (const actor of outsiders) {
        const label = `${actor.role}:${actor.id}`
        const calls: ReadonlyArray<
          readonly [string, Effect.Effect<unknown, { readonly _tag: string }, QueueStore>]
        > = [
          ["queuePlace", queuePlace(actor, { caseId: "A" })],
          ["rankQueue", rankQueue(actor, QUEUE)],
          ["offerNext", offerNext(actor, { queueId: QUEUE, pool: "P1/any" })],
          ["markIntention", markIntention(actor, { queueId: QUEUE, caseId: "A", mark: "first" })],
          ...ACTIONS.map(
            (a) =>
              [`windowStep ${a}`, windowStep(actor, { queueId: QUEUE, caseId: "A", action: a })] as const,
          ),
        ]
        for (const [name, call] of calls)
          expect(["QueueEntryNotFound", "AccessDenied"], `${label} ${name}`).toContain(
            refusal(yield* Effect.exit(call)),
          )
      }
      expect(yield* store.entries(QUEUE)).toEqual(before)
    }).pipe(Effect.provide(services())),
  )

  it.effect("actors inside the scope are served (the sweep does not pass by refusing everyone)", () =>
    Effect.gen(function* () {
      yield* setup
      for (const actor of insiders) {
        expect((yield* queuePlace(actor, { caseId: "A" }))[0]!.position).toBe(1)
        expect((yield* rankQueue(actor, QUEUE)).items.map((i) => i.caseId)).toEqual(["A", "B"])
      }
      expect((yield* queuePlace({ role: "applicant", id: "a", idIndex: "idx-B" }, {}))[0]!.caseId).toBe("B")
      const offered = yield* offerNext(insiders[1]!, { queueId: QUEUE, pool: "P1/any" })
      expect(offered.status).toBe("offered")
      const opened = yield* windowStep(
        { role: "applicant", id: "a", idIndex: "idx-A" },
        {
          queueId: QUEUE,
          caseId: "A",
          action: "OpenForm",
        },
      )
      expect(opened.status).toBe("applying")
    }).pipe(Effect.provide(services())),
  )

  it.effect(
    "a lottery round from the queue: outsiders are refused and no round is written; insiders open one",
    () =>
      Effect.gen(function* () {
        yield* setup
        yield* (yield* StockStore).write({
          projects: [{ ...project("scope", { kind: "baozu" }), id: "P1" as never }],
          buildings: [],
          units: [],
        })
        const open = (actor: Actor) =>
          openRoundFromQueue(actor, {
            projectId: "P1",
            unitTypes: ["any"],
            title: "t",
            roundId: `R-${actor.id}`,
          })
        for (const actor of outsiders)
          expect(["AccessDenied"], `${actor.role}:${actor.id}`).toContain(
            refusal(yield* Effect.exit(open(actor))),
          )
        expect(yield* listRounds()).toEqual([])
        const operator: Actor = { ...insiders[1]!, permissions: ["lottery.manage"] } as Actor
        for (const actor of [insiders[0]!, operator, insiders[2]!])
          expect((yield* open(actor)).entrants.map((e) => e.id)).toEqual(["A", "B"])
      }).pipe(Effect.provide(services())),
  )
})
