/**
 * A lottery round from the queue (轮候 → 摇号批次, R53/R55): the pool is the project's queue as its stored
 * plan ranks it today (R45–R50 exclusions: certificate valid, 共有产权 intention marks R46, R48 removals),
 * the families still waiting for one of the round's unit types; entrant = application (case) number,
 * stratum = the queue pool `<projectId>/<unitType>`; units per stratum = the project's available stored units
 * of that type (R55). Nothing personal enters the pool. Needs `lottery.manage` and a scope covering the
 * project (a project outside it answers like a missing one). An empty pool is refused, naming the rule.
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { type Actor, coversStock } from "../../domain/access/Access.js"
import { builtinPlanFor, queueIdFor } from "../../domain/queue/QueueEntry.js"
import {
  lotteryCandidates,
  poolEntrants,
  UNIT_TYPE_PATTERN,
  unitsPerStratum,
} from "../../domain/queue/WaitingNumbers.js"
import type { ProjectId } from "../../domain/stock/Stock.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"
import { QueueStore } from "../ports/QueueStore.js"
import { StockStore } from "../ports/StockStore.js"
import { LotteryInputRejected } from "./LotteryErrors.js"
import { openRound } from "./LotteryRounds.js"

/** The queue has no family the round could draw (R53: a round draws at least one entrant). */
export class QueuePoolEmpty extends Data.TaggedError("QueuePoolEmpty")<{
  readonly projectId: string
  readonly unitTypes: ReadonlyArray<string>
}> {
  readonly field = "unitTypes"
  readonly rule = "R53.pool-empty"
  override get message(): string {
    return `no family of project ${this.projectId} waits for unit type ${this.unitTypes.join(", ")} and is ranked by the queue's plan today`
  }
}

export interface RoundFromQueueInput {
  readonly projectId: string
  /** Queue unit types (`<bedrooms>-<halls>` or `any`), at least one, no repeats. */
  readonly unitTypes: ReadonlyArray<string>
  readonly title: string
  readonly roundId?: string
}

const checkUnitTypes = (types: ReadonlyArray<string>) => {
  if (types.length === 0)
    return Effect.fail(
      new LotteryInputRejected({
        issue: invalid("unitTypes", "R55.unit-types", "", "a round names at least one unit type"),
      }),
    )
  for (const [i, t] of types.entries()) {
    if (!UNIT_TYPE_PATTERN.test(t))
      return Effect.fail(
        new LotteryInputRejected({
          issue: invalid(
            `unitTypes[${i}]`,
            "R55.unit-type",
            t,
            "a unit type is `<bedrooms>-<halls>` (0–5 each) or `any`",
          ),
        }),
      )
    if (types.indexOf(t) !== i)
      return Effect.fail(
        new LotteryInputRejected({
          issue: invalid(`unitTypes[${i}]`, "R55.unit-type-repeated", t, `unit type ${t} is named twice`),
        }),
      )
  }
  return Effect.void
}

/**
 * Opens (and commits) a round whose pool is taken from the project's queue today (openRound: a `roundId`
 * already used for other content — another pool, another commitment time — is a store Conflict).
 */
export const openRoundFromQueue = Effect.fn("Lottery.openRoundFromQueue")(function* (
  actor: Actor,
  input: RoundFromQueueInput,
) {
  yield* requirePermission(actor, "lottery.manage")
  yield* checkUnitTypes(input.unitTypes)
  const stock = yield* StockStore
  const [project] = yield* stock.getProjects([input.projectId as ProjectId])
  if (project === undefined || !coversStock(actor, { district: project.district, projectId: project.id }))
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "lottery.manage",
      object: `project:${input.projectId}`,
    })
  const queues = yield* QueueStore
  const queueId = queueIdFor(project.kind, project.id)
  const plan = Option.getOrElse(yield* queues.plan(queueId), () => builtinPlanFor(project.kind))
  const on = CivilDate.fromInstant(yield* Clock.currentTimeMillis)
  const candidates = lotteryCandidates(plan, yield* queues.entries(queueId), on, input.unitTypes)
  if (Result.isFailure(candidates))
    return yield* new LotteryInputRejected({
      issue: invalid("queue", "R45.tie-break", candidates.failure.id, candidates.failure.message),
    })
  if (candidates.success.length === 0)
    return yield* new QueuePoolEmpty({ projectId: project.id, unitTypes: input.unitTypes })
  const entrants = poolEntrants(candidates.success)
  const units = unitsPerStratum(
    project.id,
    entrants.map((e) => e.stratum),
    yield* stock.countUnits({ projectId: project.id }),
  )
  return yield* openRound(actor, {
    projectId: project.id,
    district: project.district,
    unitTypes: input.unitTypes,
    title: input.title,
    entrants,
    units,
    ...(input.roundId === undefined ? {} : { roundId: input.roundId }),
  })
})
