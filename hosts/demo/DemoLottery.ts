/**
 * A drawn lottery round for `anju serve --demo` (摇号公示, R53): 40 demo applications for the demo estate's
 * 公租 project 馨越公寓 (DEMO-PD-001), in two strata (1R, 2R), committed and then drawn with fixed notary
 * digits, so a newcomer can fetch the three files and run `anju lottery verify` at once. Application
 * numbers only (no names, no ID numbers). Idempotent: an existing round is kept; a round without a standing
 * draw (e.g. after an annulment) is drawn again.
 */
import { Effect, Option } from "effect"
import { drawRound, openRound, standingDraw } from "../../application/lottery/LotteryRounds.js"
import { LotteryStore } from "../../application/ports/LotteryStore.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"
import { DEMO_PROJECTS } from "./DemoEstate.js"

export const DEMO_ROUND_ID = "DEMO-LR-2026-01"

const project = DEMO_PROJECTS[0]

/** Demo application numbers (申请编号): 18 for one-room and 22 for two-room units. */
export const DEMO_ENTRANTS: ReadonlyArray<{ readonly id: string; readonly stratum: string }> = Array.from(
  { length: 40 },
  (_, i) => ({ id: `GZ-PD-2026-${String(i + 1).padStart(4, "0")}`, stratum: i < 18 ? "1R" : "2R" }),
)

/** Notary digits (公证处 现场摇出的数字) of the demo draw. */
export const DEMO_SEED = [{ kind: "digits" as const, digits: "20261123", note: "浦东公证处（演示）" }]

/** Opens (if missing) and draws (if not standing) the demo round; returns its id. */
export const seedDemoLottery = Effect.gen(function* () {
  const store = yield* LotteryStore
  const existing = yield* store.getRound(DEMO_ROUND_ID)
  const round = Option.isSome(existing)
    ? existing.value
    : yield* openRound(LOCAL_AUTHORITY, {
        roundId: DEMO_ROUND_ID,
        projectId: project.id,
        district: project.district,
        unitTypes: ["1R", "2R"],
        title: `${project.name} 2026年第一批公租房摇号（演示）`,
        entrants: DEMO_ENTRANTS,
        units: [
          { stratum: "1R", units: 4 },
          { stratum: "2R", units: 6 },
        ],
      })
  if (standingDraw(round) === undefined)
    yield* drawRound(LOCAL_AUTHORITY, { roundId: DEMO_ROUND_ID, seed: DEMO_SEED })
  return DEMO_ROUND_ID
})
