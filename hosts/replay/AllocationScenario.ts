/**
 * Allocation-chain scenarios (分配链场景, kind `allocation`): the case steps of the cases player plus the
 * steps after admission — the outbox relay (admission → queue entry, closure → slot restored, as the worker
 * delivers it), queue places and 意愿标注 (R46), the 保租 windows (R43/R44) and their tick, lottery rounds
 * taken from the queue (R53/R55) with fixed seed sources, annulment and redraw, house selection (R54), and
 * observations of the stored stock (a unit's status, inventory counts per unit type × status, R26–R42).
 * One runner: ScenarioRunner.play runs every step; this module only adds the commands and the stock the
 * scenario starts from. Deterministic: ids from the scenario or a seeded SecureRandom, time from the
 * TestClock, so memory and PGlite observe the same.
 */
import { Effect, Option } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import type { SeedSource } from "../../domain/lottery/Seed.js"
import type { IntentionMark } from "../../domain/queue/Applicant.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import { allocationHandlers } from "../../application/jobs/OutboxRelay.js"
import {
  annulRound,
  drawRound,
  getRound,
  roundStatus,
  standingDraw,
} from "../../application/lottery/LotteryRounds.js"
import { openRoundFromQueue } from "../../application/lottery/RoundsFromQueue.js"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { QueueStore } from "../../application/ports/QueueStore.js"
import { StockStore } from "../../application/ports/StockStore.js"
import {
  expireQueueWindows,
  markIntention,
  offerNext,
  queuePlace,
  type WindowAction,
  windowStep,
} from "../../application/queue/Queues.js"
import { SelectionStore } from "../../application/ports/SelectionStore.js"
import {
  checkIn,
  choose,
  openSession,
  preselect,
  release,
  type SelectionStatus,
  selectionStatus,
  skip,
} from "../../application/selection/Selections.js"
import { changeUnits } from "../../application/stock/ChangeUnits.js"
import { getUnit } from "../../application/stock/QueryStock.js"
import { registerBuilding, registerProject, registerUnits } from "../../application/stock/RegisterStock.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"
import type { ExtraCommand, Scenario, ScenarioStep, StepExpectation } from "./ScenarioFormat.js"

/** The stock an allocation scenario starts from, registered through the stock use-cases. */
export interface StockSetup {
  readonly projects: ReadonlyArray<Record<string, unknown>>
  readonly buildings: ReadonlyArray<Record<string, unknown>>
  readonly units: ReadonlyArray<Record<string, unknown>>
  /** Units published (draft → available) before the first step: `all` (default) or a list of unit ids. */
  readonly publish?: "all" | ReadonlyArray<string>
}

export interface AllocationScenario extends Scenario {
  readonly stock?: StockSetup
}

/** Registers the scenario's stock (idempotent, as the demo estate is). */
export const setupStock = (stock: StockSetup | undefined) =>
  Effect.gen(function* () {
    if (stock === undefined) return
    for (const part of ["projects", "buildings", "units"] as const)
      if (!Array.isArray(stock[part])) throw new Error(`stock.${part} must be a list`)
    for (const p of stock.projects) yield* registerProject(LOCAL_AUTHORITY, p as never)
    for (const b of stock.buildings) yield* registerBuilding(LOCAL_AUTHORITY, b as never)
    const { units } = yield* registerUnits(LOCAL_AUTHORITY, stock.units as never)
    const publish = stock.publish ?? "all"
    const chosen = units.filter(
      (u) => u.status === "draft" && (publish === "all" || publish.includes(u.id as string)),
    )
    if (chosen.length > 0)
      yield* changeUnits(
        LOCAL_AUTHORITY,
        chosen.map((u) => ({ unitId: u.id as UnitId })),
        { command: "publish" },
      )
  })

const str = (v: unknown, field: string): string => {
  if (typeof v !== "string" || v === "") throw new Error(`the step needs payload.${field} (a string)`)
  return v
}

const WINDOW_ACTIONS: Record<string, WindowAction> = {
  openForm: "OpenForm",
  submitForm: "Submit",
  approveWindow: "Approve",
  rollbackWindow: "Rollback",
  abandonPlace: "Abandon",
}

const facts = (f: Record<string, string | number | boolean | null>): StepExpectation => ({ facts: f })

const queueOf = (caseId: string, given: unknown) =>
  Effect.gen(function* () {
    if (typeof given === "string" && given !== "") return given
    const entries = yield* (yield* QueueStore).list({ caseId, limit: 10 })
    if (entries.length === 0) throw new Error(`case ${caseId} is in no queue (give payload.queue)`)
    return entries[0]!.queueId
  })

/** The newest selection session of a round (the scenario names rounds, the store makes session ids). */
const sessionOf = (roundId: string) =>
  Effect.gen(function* () {
    const [s] = yield* (yield* SelectionStore).list({ roundId })
    if (s === undefined)
      throw new Error(`round ${roundId} has no selection session (run openSelection first)`)
    return s
  })

/** What a selection step shows: the family's state (when one is named) and the session's counts. */
const selectionFacts = (s: SelectionStatus, family: string) => {
  const f = s.families.find((x) => x.id === family)
  return facts({
    ...(f === undefined
      ? {}
      : { family: f.status, checkedIn: f.checkedIn, unit: f.unit, preselected: f.preselected }),
    chosen: s.progress.chosen,
    skipped: s.progress.skipped,
    released: s.progress.released,
    pending: s.progress.pending,
    unitsFree: s.progress.unitsFree,
    turn: s.progress.turns.map((t) => `${t.stratum}=${t.family ?? "-"}`).join(","),
  })
}

/**
 * House selection (选房, R54) on the server, as an officer plays it: sessions are found by round, families are
 * named by case id, check-in takes the family's barcode from the stored session (as scanned from its notice).
 */
const selectionCommand = (step: ScenarioStep, actor: Actor, caseId: string) => {
  const p = step.payload ?? {}
  const withSession = <A, E, R>(
    f: (sessionId: string) => Effect.Effect<A, E, R>,
  ): Effect.Effect<A, E | unknown, R | SelectionStore> =>
    Effect.flatMap(sessionOf(str(p["round"], "round")), (s) => f(s.sessionId))
  switch (step.command) {
    case "openSelection":
      return Effect.map(openSession(actor, { roundId: str(p["round"], "round") }), (stored) =>
        facts({
          families: stored.session.families.length,
          units: stored.session.units.length,
          strata: [...new Set(stored.session.families.map((f) => f.stratum))].sort().join(","),
        }),
      )
    case "selectionStatus":
      return withSession((sessionId) =>
        Effect.map(selectionStatus(actor, sessionId), (s) => selectionFacts(s, caseId)),
      )
    case "checkIn":
      return withSession((sessionId) =>
        Effect.gen(function* () {
          const stored = yield* (yield* SelectionStore).get(sessionId)
          const family = Option.getOrThrow(stored).session.families.find((f) => f.id === caseId)
          const barcode = typeof p["barcode"] === "string" ? p["barcode"] : (family?.barcode ?? "none")
          return selectionFacts(yield* checkIn(actor, { sessionId, barcode }), caseId)
        }),
      )
    case "preselect":
      return withSession((sessionId) =>
        Effect.map(preselect(actor, { sessionId, family: caseId, unit: str(p["unit"], "unit") }), (s) =>
          selectionFacts(s, caseId),
        ),
      )
    case "choose":
      return withSession((sessionId) =>
        Effect.map(choose(actor, { sessionId, family: caseId, unit: str(p["unit"], "unit") }), (s) =>
          selectionFacts(s, caseId),
        ),
      )
    case "skip":
      return withSession((sessionId) =>
        Effect.map(skip(actor, { sessionId, family: caseId, reason: str(p["reason"], "reason") }), (s) =>
          selectionFacts(s, caseId),
        ),
      )
    case "releaseChoice":
      return withSession((sessionId) =>
        Effect.map(release(actor, { sessionId, family: caseId, reason: str(p["reason"], "reason") }), (s) =>
          selectionFacts(s, caseId),
        ),
      )
    default:
      return undefined
  }
}

/** The allocation commands. `relay` keeps its cursor in this closure: make one per scenario run. */
export const allocationCommands = (): ExtraCommand<
  | CaseStore
  | QueueStore
  | StockStore
  | SelectionStore
  | Effect.Services<ReturnType<typeof drawRound>>
  | Effect.Services<ReturnType<typeof openRoundFromQueue>>
  | Effect.Services<ReturnType<typeof openSession>>
> => {
  let cursor = 0
  return (step: ScenarioStep, actor: Actor) => {
    const p = step.payload ?? {}
    const caseId = step.case ?? (typeof p["case"] === "string" ? p["case"] : "")
    switch (step.command) {
      case "relay":
        // What the worker's relay does, at once: every outbox event after the cursor to every handler of
        // its type, each with its idempotency key `<handler>:<event id>`.
        return Effect.gen(function* () {
          const events = yield* (yield* CaseStore).outbox(cursor, 100_000)
          let delivered = 0
          for (const e of events) {
            for (const h of allocationHandlers)
              if (h.types.includes(e.type)) {
                yield* h.handle(e, `${h.name}:${e.id}`)
                delivered++
              }
            cursor = Math.max(cursor, e.seq)
          }
          return facts({ events: events.length, delivered })
        })
      case "place":
        return Effect.map(queuePlace(actor, { caseId }), ([pl]) =>
          facts({
            queue: pl!.queueId,
            pool: pl!.pool,
            status: pl!.status,
            position: pl!.position,
            of: pl!.of,
            number: pl!.lottery?.number ?? null,
            outcome: pl!.lottery?.outcome ?? null,
          }),
        )
      case "markIntention":
        return Effect.gen(function* () {
          const e = yield* markIntention(actor, {
            queueId: yield* queueOf(caseId, p["queue"]),
            caseId,
            mark: str(p["mark"], "mark") as IntentionMark,
          })
          return facts({ intention: e.applicant.intention })
        })
      case "offer":
        return Effect.map(
          offerNext(actor, { queueId: str(p["queue"], "queue"), pool: str(p["pool"], "pool") }),
          (e) => facts({ case: e.caseId, status: e.status }),
        )
      case "expireWindows":
        return Effect.gen(function* () {
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          const r = yield* expireQueueWindows(now)
          return facts({
            expired: r.expired.map((e) => e.caseId).join(","),
            offered: r.offered.map((e) => e.caseId).join(","),
          })
        })
      case "openRound":
        return Effect.map(
          openRoundFromQueue(actor, {
            projectId: str(p["projectId"], "projectId"),
            unitTypes: (p["unitTypes"] as ReadonlyArray<string>) ?? ["any"],
            title: str(p["title"], "title"),
            roundId: str(p["roundId"], "roundId"),
          }),
          (r) =>
            facts({
              round: r.roundId,
              entrants: r.entrants.length,
              units: r.units.reduce((n, u) => n + u.units, 0),
              status: roundStatus(r),
            }),
        )
      case "draw":
        return Effect.gen(function* () {
          const roundId = str(p["round"], "round")
          yield* drawRound(actor, { roundId, seed: p["seed"] as ReadonlyArray<SeedSource> })
          const r = yield* getRound(roundId)
          const result = standingDraw(r)?.resultCsv ?? ""
          return facts({
            status: roundStatus(r),
            winners: result.split("\n").filter((l) => l.endsWith(",winner")).length,
          })
        })
      case "annul":
        return Effect.map(
          annulRound(actor, { roundId: str(p["round"], "round"), reason: str(p["reason"], "reason") }),
          (r) => facts({ status: roundStatus(r), draws: r.draws.length }),
        )
      case "unit":
        return Effect.map(getUnit(actor, str(p["id"], "id") as UnitId), (u) =>
          facts({ status: u.status, supplied: u.supplied }),
        )
      case "inventory":
        // Counts per `<bedrooms>-<halls>:<status>` of a project, derived from the stored units (R26–R42).
        return Effect.gen(function* () {
          const counts = yield* (yield* StockStore).countUnits({
            projectId: str(p["projectId"], "projectId") as never,
          })
          const out: Record<string, number> = {}
          for (const c of counts) out[`${c.bedrooms}-${c.halls}:${c.status}`] = c.units
          return facts(out)
        })
      case "queueEntry":
        // The stored entry (officers' view without scope: the scenario's own check of what was written).
        return Effect.gen(function* () {
          const queueId = yield* queueOf(caseId, p["queue"])
          const e = yield* (yield* QueueStore).get(queueId, caseId)
          if (Option.isNone(e)) return facts({ status: "none" })
          return facts({
            status: e.value.status,
            leftReason: e.value.leftReason,
            number: e.value.lottery?.number ?? null,
          })
        })
      default:
        if (WINDOW_ACTIONS[step.command] !== undefined)
          return Effect.gen(function* () {
            const e = yield* windowStep(actor, {
              queueId: yield* queueOf(caseId, p["queue"]),
              caseId,
              action: WINDOW_ACTIONS[step.command]!,
            })
            return facts({ status: e.status })
          })
        return selectionCommand(step, actor, caseId)
    }
  }
}
