/**
 * Scope sweep for house selection on the server (选房, R54; issue 11 part 6): every selection command and
 * query, run by actors outside the round's project (another district's officer, another operating company,
 * a system granted another district, an applicant, a household) is refused exactly like a missing session
 * or round (SelectionNotFound / RoundNotFound) or, lacking `selection.manage`, AccessDenied — and nothing is
 * written (the session log and the stock units unchanged). In-scope actors (the district, the project's
 * operating company, the city) are served, so the sweep cannot pass by refusing everyone.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryLotteryStore from "../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../adapters/memory/SeededSecureRandom.js"
import { SelectionStore } from "../application/ports/SelectionStore.js"
import { StockStore } from "../application/ports/StockStore.js"
import {
  checkIn,
  choose,
  openSession,
  preselect,
  release,
  selectionStatus,
  skip,
} from "../application/selection/Selections.js"
import type { Actor } from "../domain/access/Access.js"
import { seedDrawnRound } from "./SelectionFixtures.js"
import { freshTag } from "./StockFixtures.js"

const T0 = 1_770_000_000_000

const services = () =>
  Layer.mergeAll(
    Layer.provideMerge(MemorySelectionStore.layer, MemoryStockStore.layer),
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(7),
    TestClock.layer(),
  )

type Services = Layer.Success<ReturnType<typeof services>>

const refusal = (exit: Exit.Exit<unknown, { readonly _tag: string }>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error._tag] : []))[0]
    : "success"

const CITY: Actor = { role: "city", id: "city-1" }

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  const tag = freshTag("scope")
  const round = yield* seedDrawnRound(tag)
  const opened = yield* openSession(CITY, { roundId: round.roundId })
  return { round, opened, projectId: round.projectId }
})

describe("selection scope sweep", () => {
  it.effect("every selection use-case refuses an actor outside the project's scope and writes nothing", () =>
    Effect.gen(function* () {
      const { round, opened, projectId } = yield* setup
      const sessionId = opened.session.sessionId
      const first = opened.session.families[0]!
      const unitId = opened.session.units.find((u) => u.stratum === first.stratum)!.id
      // One family has chosen, so release is swept against a real choice.
      yield* checkIn(CITY, { sessionId, barcode: first.barcode })
      yield* choose(CITY, { sessionId, family: first.id, unit: unitId })
      const outsiders: ReadonlyArray<Actor> = [
        { role: "district", id: "xuhui", district: "310104" },
        { role: "operator", id: "op-2", projectIds: ["P-other"] },
        { role: "system", id: "sys", districts: ["310104"] },
        { role: "applicant", id: "app", idIndex: "idx-1" },
        { role: "household", id: "hh", householdIds: ["H1"] },
        { role: "district", id: "pudong-no-perm", district: "310115", permissions: ["stock.read"] },
        { role: "city", id: "city-no-perm", permissions: ["lottery.manage"] },
      ]
      const store = yield* SelectionStore
      const stock = yield* StockStore
      const before = Option.getOrThrow(yield* store.get(sessionId))
      const unitsBefore = yield* stock.listUnits({ projectId: projectId as never, limit: 100 })
      const second = opened.session.families.find((f) => f.stratum !== first.stratum)!
      for (const actor of outsiders) {
        const label = `${actor.role}:${actor.id}`
        type Call = Effect.Effect<unknown, { readonly _tag: string }, Services>
        const calls: ReadonlyArray<readonly [string, Call]> = [
          ["openSession", openSession(actor, { roundId: round.roundId })],
          ["status", selectionStatus(actor, sessionId)],
          ["checkIn", checkIn(actor, { sessionId, barcode: second.barcode })],
          ["preselect", preselect(actor, { sessionId, family: second.id, unit: unitId })],
          ["choose", choose(actor, { sessionId, family: second.id, unit: unitId })],
          ["skip", skip(actor, { sessionId, family: second.id, reason: "absent" })],
          ["release", release(actor, { sessionId, family: first.id, reason: "x" })],
        ]
        for (const [name, call] of calls) {
          const expected =
            actor.permissions !== undefined
              ? ["AccessDenied"]
              : name === "openSession"
                ? ["RoundNotFound", "AccessDenied"]
                : ["SelectionNotFound", "AccessDenied"]
          expect(expected, `${label} ${name}`).toContain(refusal(yield* Effect.exit(call)))
        }
      }
      expect(Option.getOrThrow(yield* store.get(sessionId))).toEqual(before)
      expect(yield* stock.listUnits({ projectId: projectId as never, limit: 100 })).toEqual(unitsBefore)
      // A missing session answers the same as an out-of-scope one.
      expect(refusal(yield* Effect.exit(selectionStatus(CITY, "SS-missing")))).toBe("SelectionNotFound")
    }).pipe(Effect.provide(services())),
  )

  it.effect("actors inside the scope are served: district, the project's operator, the city", () =>
    Effect.gen(function* () {
      const { round, opened, projectId } = yield* setup
      const sessionId = opened.session.sessionId
      const insiders: ReadonlyArray<Actor> = [
        { role: "district", id: "pudong", district: "310115" },
        { role: "operator", id: "op-1", projectIds: [projectId] },
        CITY,
      ]
      for (const actor of insiders) {
        // Opening again is idempotent: the same session.
        expect((yield* openSession(actor, { roundId: round.roundId })).session.sessionId).toBe(sessionId)
        expect((yield* selectionStatus(actor, sessionId)).progress.families).toBe(6)
      }
      // The operating company's officer runs a family from check-in to a let unit.
      const op = insiders[1]!
      const f = opened.session.families[0]!
      const u = opened.session.units.find((x) => x.stratum === f.stratum)!
      yield* checkIn(op, { sessionId, barcode: f.barcode })
      yield* preselect(op, { sessionId, family: f.id, unit: u.id })
      const after = yield* choose(op, { sessionId, family: f.id, unit: u.id })
      expect(after.families.find((x) => x.id === f.id)).toMatchObject({ status: "chosen", unit: u.id })
      const [stored] = yield* (yield* StockStore).getUnits([u.id as never])
      expect(stored!.status).toBe("let")
      expect(after.log.map((l) => [l.action, l.actor])).toEqual([
        ["check-in", "op-1"],
        ["preselect", "op-1"],
        ["choose", "op-1"],
      ])
    }).pipe(Effect.provide(services())),
  )
})
