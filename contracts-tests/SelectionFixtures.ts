/**
 * A drawn lottery round ready for house selection (选房, R54), for tests: a 公租 project in 310115 浦东 with
 * available units of two types (1-1 and 2-1), a round whose strata are `<projectId>/1-1` and
 * `<projectId>/2-1` (as RoundsFromQueue names them), committed and drawn with fixed notary digits. The
 * tag is woven into every id so suites can share one database.
 */
import { Effect } from "effect"
import { drawRound, openRound } from "../application/lottery/LotteryRounds.js"
import { StockStore } from "../application/ports/StockStore.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import type { Unit } from "../domain/stock/Stock.js"
import { building, project, unit } from "./StockFixtures.js"

export interface DrawnRound {
  readonly projectId: string
  readonly roundId: string
  /** Available units: `oneRoom` of type 1-1, then `twoRoom` of type 2-1. */
  readonly units: ReadonlyArray<Unit>
  /** Entrants per stratum. */
  readonly strata: { readonly oneRoom: string; readonly twoRoom: string }
}

/** `families` entrants per stratum; `units` available units per type (plus one draft unit that is not offered). */
export const seedDrawnRound = (tag: string, options: { families?: number; units?: number } = {}) =>
  Effect.gen(function* () {
    const families = options.families ?? 3
    const perType = options.units ?? 2
    const projectId = `P-${tag}`
    const units = [
      ...Array.from({ length: perType }, (_, i) =>
        unit(tag, i, { bedrooms: 1, halls: 1, status: "available" }),
      ),
      ...Array.from({ length: perType }, (_, i) =>
        unit(tag, perType + i, { bedrooms: 2, halls: 1, status: "available" }),
      ),
    ]
    const draft = unit(tag, 2 * perType, { bedrooms: 1, halls: 1 })
    yield* (yield* StockStore).write({
      projects: [project(tag)],
      buildings: [building(tag)],
      units: [...units, draft],
    })
    const strata = { oneRoom: `${projectId}/1-1`, twoRoom: `${projectId}/2-1` }
    const roundId = `LR-${tag}`
    yield* openRound(LOCAL_AUTHORITY, {
      roundId,
      projectId,
      district: "310115",
      unitTypes: ["1-1", "2-1"],
      title: "第一批公租房摇号",
      entrants: [
        ...Array.from({ length: families }, (_, i) => ({ id: `A-${tag}-${i + 1}`, stratum: strata.oneRoom })),
        ...Array.from({ length: families }, (_, i) => ({ id: `B-${tag}-${i + 1}`, stratum: strata.twoRoom })),
      ],
      units: [
        { stratum: strata.oneRoom, units: perType },
        { stratum: strata.twoRoom, units: perType },
      ],
    })
    yield* drawRound(LOCAL_AUTHORITY, {
      roundId,
      seed: [{ kind: "digits" as const, digits: "20261204", note: "公证处（测试）" }],
    })
    return { projectId, roundId, units, strata } satisfies DrawnRound
  })
