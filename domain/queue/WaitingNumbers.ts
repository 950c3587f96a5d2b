/**
 * From queue to lottery and back (轮候 → 摇号 → 轮候序号, R53/R55): the pool of a round taken from a project's
 * queue (the families the queue's plan ranks on the day — its R45/R46/R48 exclusions apply, so 共有产权 takes
 * intention-marked families only — still waiting, of the round's unit types; application numbers and strata
 * `<projectId>/<unitType>` = the queue's pools, nothing personal), units per stratum from the stored stock
 * (R55: N = available units), and the write-back of a draw onto the entries as a pure reconciliation: after
 * it, exactly the standing draw's entrants carry its numbers, and numbers of an annulled draw are gone.
 */
import { Result } from "effect"
import type { StatusCount } from "../inventory/Inventory.js"
import { forEachRecord } from "../lottery/Csv.js"
import type { CivilDate } from "../values/CivilDate.js"
import { poolOf, type QueueEntry, rankEntries, type WaitingNumber } from "./QueueEntry.js"
import type { QueuePlan } from "./QueuePlan.js"
import type { DuplicateApplicant } from "./Ranking.js"

/** A queue unit type: `<bedrooms>-<halls>` (0–5 each, R132) or `any` (the case names none). */
export const UNIT_TYPE_PATTERN = /^(?:any|[0-5]-[0-5])$/u

/** Families of a round's pool: the queue's ranked, waiting entries of the unit types, in ranking order. */
export const lotteryCandidates = (
  plan: QueuePlan,
  entries: ReadonlyArray<QueueEntry>,
  on: CivilDate,
  unitTypes: ReadonlyArray<string>,
): Result.Result<ReadonlyArray<QueueEntry>, DuplicateApplicant> =>
  Result.map(rankEntries(plan, entries, on), (r) =>
    r.order.filter((e) => e.status === "waiting" && unitTypes.includes(e.applicant.unitType)),
  )

/** The pool of a round: entrant id = application (case) number, stratum = the queue pool (`P/1-1`). */
export const poolEntrants = (
  candidates: ReadonlyArray<QueueEntry>,
): ReadonlyArray<{ readonly id: string; readonly stratum: string }> =>
  candidates.map((e) => ({ id: e.caseId, stratum: poolOf(e) }))

/**
 * Units per stratum of the pool (R55: the first N win, N = the actual units): the stored units of the project
 * in status `available` of the stratum's unit type (`any`: every available unit of the project).
 */
export const unitsPerStratum = (
  projectId: string,
  strata: ReadonlyArray<string>,
  counts: ReadonlyArray<StatusCount>,
): ReadonlyArray<{ readonly stratum: string; readonly units: number }> =>
  [...new Set(strata)].sort().map((stratum) => {
    const type = stratum.slice(stratum.lastIndexOf("/") + 1)
    const units = counts
      .filter(
        (c) =>
          c.projectId === projectId &&
          c.status === "available" &&
          (type === "any" || type === `${c.bedrooms}-${c.halls}`),
      )
      .reduce((n, c) => n + c.units, 0)
    return { stratum, units }
  })

/** The standing draw of a round as the write-back needs it. */
export interface StandingDraw {
  readonly drawId: string
  /** epoch ms */
  readonly drawnAt: number
  readonly resultCsv: string
}

/** The rows of a result.csv (`stratum,rank,number,id,outcome`) by entrant id. */
export const waitingNumbersOf = (roundId: string, draw: StandingDraw): ReadonlyMap<string, WaitingNumber> => {
  const out = new Map<string, WaitingNumber>()
  let header = true
  forEachRecord<true>(
    draw.resultCsv,
    (r) => {
      if (header) {
        header = false
        return undefined
      }
      const [stratum, rank, number, id, outcome] = r.cells()
      out.set(id!, {
        roundId,
        drawId: draw.drawId,
        drawnAt: draw.drawnAt,
        stratum: stratum!,
        rank: Number(rank),
        number: Number(number),
        outcome: outcome === "winner" ? "winner" : "waiting",
      })
      return undefined
    },
    () => true,
  )
  return out
}

const same = (a: WaitingNumber | null, b: WaitingNumber | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.roundId === b.roundId &&
    a.drawId === b.drawId &&
    a.drawnAt === b.drawnAt &&
    a.stratum === b.stratum &&
    a.rank === b.rank &&
    a.number === b.number &&
    a.outcome === b.outcome)

/**
 * The entries whose waiting number must change so that the queue agrees with round `roundId` (`draw`: its
 * standing draw, or null when it has none): an entrant of the draw gets its row (unless it already holds a
 * number of another round drawn later: the later draw's number is kept); an entry holding a number of this
 * round that the standing draw does not give it (annulled or redrawn) loses it. Idempotent: applying the
 * result and planning again yields nothing.
 */
export const writeBack = (
  entries: ReadonlyArray<QueueEntry>,
  roundId: string,
  draw: StandingDraw | null,
): ReadonlyArray<QueueEntry> => {
  const numbers = draw === null ? new Map<string, WaitingNumber>() : waitingNumbersOf(roundId, draw)
  const out: Array<QueueEntry> = []
  for (const e of entries) {
    const held = e.lottery ?? null
    const given = numbers.get(e.caseId)
    let next: WaitingNumber | null = held
    if (given !== undefined) {
      const laterElsewhere = held !== null && held.roundId !== roundId && held.drawnAt > given.drawnAt
      if (!laterElsewhere) next = given
    } else if (held !== null && held.roundId === roundId) next = null
    if (!same(held, next)) out.push({ ...e, lottery: next })
  }
  return out
}
