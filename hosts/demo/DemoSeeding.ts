/**
 * Seeding the demo data of `anju serve --demo` (npm start) in four phases (estate, case, users, lottery
 * round), with progress on stderr: on a terminal one line per phase with its counts and elapsed time; when
 * stderr is not a terminal (CI logs, pipes) only the final summary. Each phase is idempotent, so a restart
 * on the same data folder re-seeds nothing new and prints the same lines.
 */
import { Effect } from "effect"
import { DEMO_CASE_ID, seedDemoCases } from "./DemoCases.js"
import { BUILDINGS, DEMO_PROJECTS, seedDemoEstate } from "./DemoEstate.js"
import { DEMO_ENTRANTS, DEMO_ROUND_ID, seedDemoLottery } from "./DemoLottery.js"
import { DEMO_ADMIN, seedDemoUsers } from "./DemoUsers.js"

export interface SeedProgressOptions {
  /** Writes one line (the host's stderr). */
  readonly write: (line: string) => void
  /** Whether stderr is a terminal: per-phase lines only then. */
  readonly tty: boolean
  /** Milliseconds of a monotonic clock (default `performance.now`); injected by tests. */
  readonly now?: () => number
}

export interface SeedProgress {
  /** Ends a phase begun at the previous call (or at creation): prints its line on a terminal. */
  readonly phase: (name: string, counts: string) => void
  /** Prints the summary line (always) and answers it. */
  readonly done: (summary: string) => string
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Progress lines for a run of phases, timed from its creation. */
export const makeSeedProgress = (o: SeedProgressOptions): SeedProgress => {
  const now = o.now ?? (() => performance.now())
  const start = now()
  let last = start
  let phases = 0
  return {
    phase: (name, counts) => {
      const t = now()
      phases++
      if (o.tty) o.write(`demo data ${phases}/4 ${name}: ${counts} (${seconds(t - last)})`)
      last = t
    },
    done: (summary) => {
      const line = `demo data seeded in ${seconds(now() - start)}: ${summary}`
      o.write(line)
      return line
    },
  }
}

/** Seeds every demo phase in order, reporting each; answers the demo units (id and public code). */
export const seedDemoData = (o: SeedProgressOptions) =>
  Effect.gen(function* () {
    const progress = makeSeedProgress(o)
    const units = yield* seedDemoEstate
    progress.phase(
      "estate",
      `${DEMO_PROJECTS.length} projects, ${BUILDINGS.length} buildings, ${units.length} units`,
    )
    const cases = yield* seedDemoCases
    progress.phase("cases", `${cases.length} case (${DEMO_CASE_ID}, ${cases[0]?.state ?? "?"})`)
    yield* seedDemoUsers
    progress.phase("users", `1 administrator (${DEMO_ADMIN.login})`)
    yield* seedDemoLottery
    progress.phase("lottery", `round ${DEMO_ROUND_ID}, ${DEMO_ENTRANTS.length} entrants, drawn`)
    progress.done(
      `${units.length} units, ${cases.length} case, 1 user, 1 lottery round (demo tokens and keys are public)`,
    )
    return units
  })
