/**
 * Demo seeding progress (issue 10): on a terminal one stderr line per phase with its counts and elapsed
 * time, then a summary; otherwise the summary alone. Seeded through the real host composition (in-memory
 * PGlite, demo keys) with an injected clock, twice: seeding is idempotent and reports the same counts.
 */
import { ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { hostLayer } from "../StoreSelection.js"
import { makeSeedProgress, seedDemoData } from "./DemoSeeding.js"

const runtime = ManagedRuntime.make(hostLayer({ kind: "pglite", dataDir: null }, { demo: true }))
afterAll(() => runtime.dispose())

/** A clock that advances 250 ms on every reading. */
const ticking = () => {
  let t = 0
  return () => (t += 250)
}

describe("demo seeding progress", () => {
  it("prints a line per phase with counts and time on a terminal, then the summary", async () => {
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
        "demo data 4/4 lottery: round DEMO-LR-2026-01, 40 entrants, drawn (0.3 s)",
        "demo data seeded in 1.3 s: 36 units, 1 case, 1 user, 1 lottery round (demo tokens and keys are public)",
      ])
    }
  })

  it("prints only the summary when stderr is not a terminal", () => {
    const lines: Array<string> = []
    const progress = makeSeedProgress({ write: (l) => lines.push(l), tty: false, now: ticking() })
    progress.phase("estate", "2 projects")
    progress.phase("cases", "1 case")
    expect(progress.done("all")).toBe("demo data seeded in 0.8 s: all")
    expect(lines).toEqual(["demo data seeded in 0.8 s: all"])
  })
})
