/**
 * The scenario format shared by the replay runner (ScenarioRunner.ts) and the players it dispatches to
 * (AllocationScenario.ts): a scenario's steps and expectations, what a replay observes, and the hook for
 * commands other than the case workflow's. Types only; ScenarioRunner re-exports them.
 */
import type { Effect } from "effect"
import type * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import type { Actor } from "../../application/cases/CaseActor.js"

export interface StepExpectation {
  readonly state?: string
  /** `Tag` or `Tag:rule`, e.g. `CaseTransitionRefused:R57.missing-material`, `CaseAccessDenied`. */
  readonly error?: string
  /** Guard rule ids that must be among the warnings. */
  readonly warnings?: ReadonlyArray<string>
  /** For queries: the number of cases returned. */
  readonly count?: number
  /**
   * Allocation steps (AllocationScenario.ts): observed facts by name — a unit's status, inventory counts,
   * a family's queue place and waiting number, a round's status. Expected facts must equal the observed
   * ones; facts not named in the expectation are not compared.
   */
  readonly facts?: Readonly<Record<string, string | number | boolean | null>>
}

export type ScenarioStep = Scenario["steps"][number]

/**
 * A player for commands other than the case workflow's (allocation scenarios): returns the step's effect,
 * or undefined when the command is a case command.
 */
export type ExtraCommand<R> = (
  step: ScenarioStep,
  actor: Actor,
  index: number,
) => Effect.Effect<StepExpectation, unknown, R> | undefined

export interface Scenario {
  readonly name: string
  readonly start: string
  readonly actors: Readonly<Record<string, Record<string, unknown>>>
  readonly agencies?: ReadonlyArray<MemoryAgencyRecords.ScriptedAnswer>
  readonly steps: ReadonlyArray<{
    readonly actor: string
    readonly command: string
    readonly case?: string
    readonly key?: string
    /** `3d`, `12h`, `90m` or ms: time advanced before the step. */
    readonly advance?: string | number
    readonly payload?: Record<string, unknown>
    readonly expect?: StepExpectation
  }>
  readonly expect?: {
    readonly cases?: Readonly<Record<string, string>>
    readonly events?: ReadonlyArray<string>
  }
}

export interface Observed {
  readonly steps: ReadonlyArray<StepExpectation>
  readonly cases: Readonly<Record<string, string>>
  readonly events: ReadonlyArray<string>
}

export interface ScenarioResult {
  readonly name: string
  readonly passed: boolean
  readonly failures: ReadonlyArray<string>
  readonly observed: Observed
}
