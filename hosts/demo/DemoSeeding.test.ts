/**
 * Demo seeding progress (issue 10): on a terminal one stderr line per phase with its counts and elapsed
 * time, then a summary; otherwise the summary alone. Seeded through the real host composition (in-memory
 * PGlite, demo keys) with an injected clock, twice: seeding is idempotent and reports the same counts. The demo
 * round is built from the demo queue (R46/R53): admitted demo cases, intention-marked queue entries, a round
 * from the queue whose pool holds application numbers only, drawn, the waiting numbers on the queue entries;
 * the second seeding changes neither the round nor the queue.
 */
import { Effect, ManagedRuntime, Option } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { LotteryStore } from "../../application/ports/LotteryStore.js"
import { QueueStore } from "../../application/ports/QueueStore.js"
import { waitingNumbersOf } from "../../domain/queue/WaitingNumbers.js"
import { hostLayer } from "../StoreSelection.js"
import { DEMO_ENTRANTS, DEMO_ROUND_ID, DEMO_STRATUM } from "./DemoLottery.js"
import { makeSeedProgress, seedDemoData } from "./DemoSeeding.js"

const runtime = ManagedRuntime.make(hostLayer({ kind: "pglite", dataDir: null }, { demo: true }))
afterAll(() => runtime.dispose())

/** A clock that advances 250 ms on every reading. */
const ticking = () => {
  let t = 0
  return () => (t += 250)
}

describe("demo seeding progress", () => {
  /** The demo round and the project's queue as stored. */
  const snapshot = () =>
    runtime.runPromise(
      Effect.gen(function* () {
        const round = Option.getOrThrow(yield* (yield* LotteryStore).getRound(DEMO_ROUND_ID))
        const entries = yield* (yield* QueueStore).entries("project:DEMO-PD-001")
        return { round, entries }
      }),
    )

  it("prints a line per phase with counts and time on a terminal, then the summary", async () => {
    let first: Awaited<ReturnType<typeof snapshot>> | undefined
    for (let run = 0; run < 2; run++) {
      const lines: Array<string> = []
      const units = await runtime.runPromise(
        seedDemoData({ write: (l) => lines.push(l), tty: true, now: ticking() }),
      )
      expect(units.length).toBe(36)
      expect(lines).toEqual([
        "demo data 1/4 estate: 2 projects, 3 buildings, 36 units (0.3 s)",
        "demo data 2/4 cases: 1 case (DEMO-GZ-0001, awaiting_acceptance) (0.3 s)",
        "demo data 3/4 users: 1 administrator (demo-admin) (0.3 s)",
        "demo data 4/4 lottery: round DEMO-LR-2026-01, 24 entrants, drawn (0.3 s)",
        "demo data seeded in 1.3 s: 36 units, 1 case, 1 user, 1 lottery round (demo tokens and keys are public)",
      ])
      const now = await snapshot()
      if (first === undefined) first = now
      // Re-seeding the same data changes neither the round nor a queue entry (versions included).
      else expect(now).toEqual(first)
    }
    const { round, entries } = first!
    // R53: the pool is the queue's admitted, intention-marked families — application numbers and the
    // stratum only, nothing personal (no names, no ID numbers).
    expect(round.entrants.map((e) => e.id).sort()).toEqual(DEMO_ENTRANTS.map((e) => e.id))
    expect(new Set(round.entrants.map((e) => e.stratum))).toEqual(new Set([DEMO_STRATUM]))
    expect(round.entrants.every((e) => Object.keys(e).sort().join() === "id,stratum")).toBe(true)
    const demo = entries.filter((e) => DEMO_ENTRANTS.some((d) => d.id === e.caseId))
    expect(demo).toHaveLength(DEMO_ENTRANTS.length)
    expect(demo.every((e) => e.applicant.intention === "first" && e.status === "waiting")).toBe(true)
    // The draw's waiting numbers landed on the queue entries, exactly its result rows (R53/R55).
    const standing = round.draws.find((d) => d.draw.annulment === null)!
    const numbers = waitingNumbersOf(DEMO_ROUND_ID, {
      drawId: standing.draw.drawId,
      drawnAt: 0,
      resultCsv: standing.resultCsv,
    })
    for (const e of demo)
      expect([e.lottery?.roundId, e.lottery?.number, e.lottery?.outcome]).toEqual([
        DEMO_ROUND_ID,
        numbers.get(e.caseId)!.number,
        numbers.get(e.caseId)!.outcome,
      ])
    // R55: as many winners as the project had available units when the round was opened.
    const winners = demo.filter((e) => e.lottery?.outcome === "winner").length
    expect(winners).toBe(round.units.reduce((n, u) => n + u.units, 0))
    expect(winners).toBeGreaterThan(0)
  }, 600_000)

  it("prints only the summary when stderr is not a terminal", () => {
    const lines: Array<string> = []
    const progress = makeSeedProgress({ write: (l) => lines.push(l), tty: false, now: ticking() })
    progress.phase("estate", "2 projects")
    progress.phase("cases", "1 case")
    expect(progress.done("all")).toBe("demo data seeded in 0.8 s: all")
    expect(lines).toEqual(["demo data seeded in 0.8 s: all"])
  })
})
