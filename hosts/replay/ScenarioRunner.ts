/**
 * Scenario replay (场景回放) for the case workflow: a YAML scenario — fixed start time, actors, scripted
 * agency answers, steps (actor, command, payload, time advance) and expectations (states, errors,
 * fairness warnings, events) — runs through the application use-cases on a TestClock against a fresh
 * memory or PGlite store. Deterministic: ids come from the scenario, time only from the TestClock, so
 * the observed outcome is identical on every store. `record` rewrites the expectations from it.
 * One format family, one runner: a scenario's `kind:` (or, without one, its folder) picks the player —
 * `cases` here, `fund` in FundScenario.ts; `findScenarios` walks a folder tree for every scenario file.
 */
import { readdir, readFile, stat } from "node:fs/promises"
import { basename, dirname, join, sep } from "node:path"
import { Cause, Effect, Exit, Layer, Result } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { parse as parseYaml, stringify as stringifyYaml } from "yaml"
import type { Actor } from "../../application/cases/CaseActor.js"
import { auditContextFor, withAuditContext } from "../../application/audit/AuditContext.js"
import { caseDetail, lookupByIdNumber, workList } from "../../application/cases/CaseQueries.js"
import { openCaseCommand, runCaseCommand, runVerification } from "../../application/cases/CaseWorkflow.js"
import type { AgencyRecords } from "../../application/ports/AgencyRecords.js"
import { CaseStore } from "../../application/ports/CaseStore.js"
import { FieldCipher } from "../../application/ports/FieldCipher.js"
import type { PolicySource } from "../../application/ports/PolicySource.js"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import * as PgliteDatabase from "../../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../../adapters/postgres/PgCaseStore.js"
import { PgDatabase } from "../../adapters/postgres/PgDatabase.js"
import { migrate } from "../../adapters/postgres/Migrations.js"
import * as MemoryLedger from "../../adapters/memory/MemoryLedger.js"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import * as PgLotteryStore from "../../adapters/postgres/PgLotteryStore.js"
import * as PgQueueStore from "../../adapters/postgres/PgQueueStore.js"
import * as PgSelectionStore from "../../adapters/postgres/PgSelectionStore.js"
import * as PgStockStore from "../../adapters/postgres/PgStockStore.js"
import * as PgLedger from "../../adapters/postgres/PgLedger.js"
import type { Ledger } from "../../application/ports/Ledger.js"
import { loadPolicy, type PolicyTable } from "../../domain/policy/PolicyTable.js"
import { type AllocationScenario, allocationCommands, setupStock } from "./AllocationScenario.js"
import type { ExtraCommand, Observed, Scenario, ScenarioResult, StepExpectation } from "./ScenarioFormat.js"
import { type FundObserved, type FundSpec, isFundSpec, runFundScenario } from "./FundScenario.js"

export type StoreKind = "memory" | "pglite"

export type {
  ExtraCommand,
  Observed,
  Scenario,
  ScenarioResult,
  ScenarioStep,
  StepExpectation,
} from "./ScenarioFormat.js"

type Services = CaseStore | FieldCipher | PolicySource | AgencyRecords

const POLICY_FILES = ["cases.yaml", "guard.yaml"]

export const loadPolicyFiles = async (dir = new URL("../../policy/", import.meta.url)) =>
  Promise.all(
    POLICY_FILES.map(async (f) => ({ name: `policy/${f}`, text: await readFile(new URL(f, dir), "utf8") })),
  )

const durationMs = (d: string | number | undefined): number => {
  if (d === undefined) return 0
  if (typeof d === "number") return d
  const m = /^(\d+)\s*(d|h|m|s)$/u.exec(d.trim())
  if (m === null) throw new Error(`bad time advance "${d}" (use 3d, 12h, 30m, 10s)`)
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as "d"]
}

const errorOf = (cause: Cause.Cause<unknown>): string => {
  const e = Cause.squash(cause) as { _tag?: string; rule?: string; message?: string }
  const tag = e._tag ?? "Defect"
  if (tag === "Defect" || e._tag === undefined) throw Cause.squash(cause)
  return e.rule === undefined ? tag : `${tag}:${e.rule}`
}

const toActor = (name: string, spec: Record<string, unknown>) =>
  Effect.gen(function* () {
    const role = String(spec["role"])
    if (role === "applicant") {
      const cipher = yield* FieldCipher
      return {
        role,
        id: name,
        idIndex: yield* cipher.blindIndex("idNumber", String(spec["idNumber"])),
      } satisfies Actor
    }
    if (role === "district") return { role, id: name, district: String(spec["district"]) } satisfies Actor
    if (role === "operator")
      return { role, id: name, projectIds: (spec["projectIds"] as Array<string>) ?? [] } satisfies Actor
    if (role === "system")
      return {
        role,
        id: name,
        districts: spec["districts"] === "all" ? "all" : ((spec["districts"] as Array<string>) ?? []),
      } satisfies Actor
    return { role: "city", id: name } satisfies Actor
  })

/** Runs the steps on the services in context; returns what happened. */
export const play = <R = never>(scenario: Scenario, extra?: ExtraCommand<R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(scenario.start))
    const actors = new Map<string, Actor>()
    for (const [name, spec] of Object.entries(scenario.actors)) actors.set(name, yield* toActor(name, spec))
    const steps: Array<StepExpectation> = []
    const touched = new Set<string>()
    for (const [i, step] of scenario.steps.entries()) {
      if (step.advance !== undefined) yield* TestClock.adjust(durationMs(step.advance))
      const actor = actors.get(step.actor)
      if (actor === undefined) throw new Error(`step ${i + 1}: unknown actor ${step.actor}`)
      const key = step.key ?? `step-${i + 1}`
      const payload = step.payload ?? {}
      const caseId = step.case ?? String(payload["id"] ?? "")
      if (caseId !== "") touched.add(caseId)
      const other = extra?.(step, actor, i)
      const effect: Effect.Effect<StepExpectation, unknown, Services | R> =
        other !== undefined
          ? other
          : step.command === "open"
            ? Effect.map(openCaseCommand(actor, payload as never, key), (o) => ({
                state: o.state,
                ...(o.warnings.length > 0 ? { warnings: o.warnings.map((w) => w.rule) } : {}),
              }))
            : step.command === "verify"
              ? Effect.map(runVerification(actor, caseId, payload as never, key), (o) => ({ state: o.state }))
              : step.command === "detail"
                ? Effect.map(caseDetail(actor, caseId), (d) => ({ state: d.case.state }))
                : step.command === "todo" || step.command === "done"
                  ? Effect.map(workList(actor, step.command), (l) => ({ count: l.items.length }))
                  : step.command === "lookup"
                    ? Effect.map(lookupByIdNumber(actor, String(payload["idNumber"])), (r) => ({
                        count: Object.values(r).reduce(
                          (n, k) => n + k.inProgress.length + k.qualifications.length,
                          0,
                        ),
                      }))
                    : Effect.map(
                        runCaseCommand(actor, caseId, { type: step.command, ...payload } as never, key),
                        (o) => ({
                          state: o.state,
                          ...(o.warnings.length > 0 ? { warnings: o.warnings.map((w) => w.rule) } : {}),
                        }),
                      )
      // Each step runs as its actor in a `replay` audit context, so an auditing cipher attributes its decryptions.
      const exit = yield* Effect.exit(
        effect.pipe(
          withAuditContext(
            auditContextFor({ id: actor.id, role: "replay" }, { requestId: `replay-step-${i + 1}` }),
          ),
        ),
      )
      steps.push(Exit.isSuccess(exit) ? exit.value : { error: errorOf(exit.cause) })
    }
    const store = yield* CaseStore
    const cases: Record<string, string> = {}
    for (const id of [...touched].sort()) {
      const c = yield* store.get(id as never)
      if (c._tag === "Some") cases[id] = c.value.state
    }
    const events = (yield* store.outbox(0, 100_000)).map((e) => `${e.caseId}:${e.type}`)
    return { steps, cases, events } satisfies Observed
  })

export const compare = (scenario: Scenario, observed: Observed): Array<string> => {
  const failures: Array<string> = []
  scenario.steps.forEach((s, i) => {
    const exp = s.expect
    const got = observed.steps[i]!
    if (exp === undefined) {
      if (got.error !== undefined)
        failures.push(`step ${i + 1} (${s.command}): unexpected error ${got.error}`)
      return
    }
    if (exp.error !== undefined && exp.error !== got.error)
      failures.push(
        `step ${i + 1} (${s.command}): expected error ${exp.error}, got ${got.error ?? `state ${got.state}`}`,
      )
    if (exp.error === undefined && got.error !== undefined)
      failures.push(`step ${i + 1} (${s.command}): unexpected error ${got.error}`)
    if (exp.state !== undefined && exp.state !== got.state)
      failures.push(
        `step ${i + 1} (${s.command}): expected state ${exp.state}, got ${got.state ?? got.error}`,
      )
    if (exp.count !== undefined && exp.count !== got.count)
      failures.push(`step ${i + 1} (${s.command}): expected ${exp.count} cases, got ${got.count}`)
    for (const w of exp.warnings ?? [])
      if (!(got.warnings ?? []).includes(w))
        failures.push(`step ${i + 1} (${s.command}): expected warning ${w}`)
    for (const [name, value] of Object.entries(exp.facts ?? {}))
      if (got.facts?.[name] !== value)
        failures.push(
          `step ${i + 1} (${s.command}): expected ${name} = ${JSON.stringify(value)}, got ${JSON.stringify(got.facts?.[name] ?? "none")}`,
        )
  })
  for (const [id, state] of Object.entries(scenario.expect?.cases ?? {}))
    if (observed.cases[id] !== state)
      failures.push(`case ${id}: expected ${state}, got ${observed.cases[id] ?? "none"}`)
  if (scenario.expect?.events !== undefined) {
    const missing = scenario.expect.events.filter((e) => !observed.events.includes(e))
    if (missing.length > 0) failures.push(`events missing: ${missing.join(", ")}`)
  }
  return failures
}

export const parseScenario = (text: string): Scenario => {
  const s = parseYaml(text) as Scenario
  if (typeof s?.name !== "string" || typeof s.start !== "string" || !Array.isArray(s.steps))
    throw new Error("a scenario needs name, start and steps")
  return s
}

// ---------------------------------------------------------------------------------------------
// Every kind of scenario

export const SCENARIO_KINDS = ["cases", "fund", "allocation"] as const
export type ScenarioKind = (typeof SCENARIO_KINDS)[number]

/** A parsed scenario of any kind. */
export type AnyScenario =
  | { readonly kind: "cases"; readonly name: string; readonly scenario: Scenario }
  | { readonly kind: "fund"; readonly name: string; readonly spec: FundSpec }
  | { readonly kind: "allocation"; readonly name: string; readonly scenario: AllocationScenario }

export interface AnyResult {
  readonly kind: ScenarioKind
  readonly name: string
  readonly passed: boolean
  readonly failures: ReadonlyArray<string>
  /** Store-neutral: the same on memory and PGlite. */
  readonly observed: Observed | FundObserved | null
}

/** The kind of a scenario: its `kind:` field, else its folder (`…/fund/…` → fund), else `cases`. */
const kindOf = (value: unknown, path: string): ScenarioKind => {
  const declared = (value as { kind?: unknown } | null)?.kind
  if (declared !== undefined) {
    if (!SCENARIO_KINDS.includes(declared as ScenarioKind))
      throw new Error(`unknown scenario kind "${String(declared)}" (${SCENARIO_KINDS.join(", ")})`)
    return declared as ScenarioKind
  }
  const folders = dirname(path).split(sep)
  return folders.includes("fund") ? "fund" : folders.includes("allocation") ? "allocation" : "cases"
}

/** Parses a scenario file of any kind; throws with a readable message when it is not one. */
export const parseAnyScenario = (text: string, path: string): AnyScenario => {
  const value: unknown = parseYaml(text)
  const kind = kindOf(value, path)
  if (kind === "fund") {
    if (!isFundSpec(value)) throw new Error("a fund scenario needs estate, lift_repair and expect")
    return { kind, name: value.name ?? basename(path).replace(/\.ya?ml$/u, ""), spec: { ...value, kind } }
  }
  const scenario = parseScenario(text)
  if (kind === "allocation") return { kind, name: scenario.name, scenario: scenario as AllocationScenario }
  return { kind: "cases", name: scenario.name, scenario }
}

/** Every scenario file (*.yaml, *.yml) under `target`, subfolders included, in path order; a file is itself. */
export const findScenarios = async (target: string): Promise<ReadonlyArray<string> | undefined> => {
  const s = await stat(target).catch(() => undefined)
  if (s === undefined) return undefined
  if (!s.isDirectory()) return [target]
  const out: Array<string> = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile() && /\.ya?ml$/u.test(entry.name)) out.push(path)
    }
  }
  await walk(target)
  return out
}

const loadFundPolicy = async (dir = new URL("../../policy/", import.meta.url)): Promise<PolicyTable> => {
  const loaded = loadPolicy([
    { name: "policy/fund.yaml", text: await readFile(new URL("fund.yaml", dir), "utf8") },
  ])
  if (Result.isFailure(loaded)) throw new Error(`policy/fund.yaml: ${loaded.failure.message}`)
  return loaded.success
}

/** A replay session: one PGlite instance (if asked for) shared by its scenarios, one schema each. */
export const makeReplayer = async (store: StoreKind) => {
  const policy = MemoryPolicySource.layer(await loadPolicyFiles())
  const db = store === "pglite" ? await PgliteDatabase.makeKysely() : undefined
  let fundPolicy: PolicyTable | undefined
  let n = 0
  const freshSchema = async () => {
    const schema = `replay_${n++}`
    await migrate(db!, schema)
    return Layer.succeed(PgDatabase, { db: db!, schema })
  }
  const storeLayer = async (): Promise<Layer.Layer<CaseStore>> =>
    db === undefined ? MemoryCaseStore.layer : PgCaseStore.layer.pipe(Layer.provide(await freshSchema()))
  const ledgerLayer = async (): Promise<Layer.Layer<Ledger>> =>
    db === undefined ? MemoryLedger.layer : PgLedger.layer.pipe(Layer.provide(await freshSchema()))
  const run = async (scenario: Scenario): Promise<ScenarioResult> => {
    const layer = Layer.mergeAll(
      await storeLayer(),
      MemoryFieldCipher.layer(),
      policy,
      MemoryAgencyRecords.layer(scenario.agencies ?? []),
      TestClock.layer(),
    )
    const observed = await Effect.runPromise(play(scenario).pipe(Effect.provide(layer)))
    const failures = compare(scenario, observed)
    return { name: scenario.name, passed: failures.length === 0, failures, observed }
  }
  /** The allocation chain's stores on one database (one schema on PGlite), as a host composes them. */
  const allocationStores = async () => {
    // The memory selection store writes units through the same memory stock store (one instance).
    if (db === undefined)
      return Layer.mergeAll(
        MemoryCaseStore.layer,
        MemorySelectionStore.layer.pipe(Layer.provideMerge(MemoryStockStore.layer)),
        MemoryQueueStore.layer,
        MemoryLotteryStore.layer,
      )
    const schema = await freshSchema()
    return Layer.mergeAll(
      PgCaseStore.layer,
      PgStockStore.layer,
      PgQueueStore.layer,
      PgLotteryStore.layer,
      PgSelectionStore.layer,
    ).pipe(Layer.provide(schema))
  }
  const runAllocation = async (scenario: AllocationScenario): Promise<ScenarioResult> => {
    const layer = Layer.mergeAll(
      await allocationStores(),
      MemoryFieldCipher.layer(),
      policy,
      MemoryAgencyRecords.layer(scenario.agencies ?? []),
      SeededSecureRandom.layer(20261204),
      TestClock.layer(),
    )
    const observed = await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse(scenario.start))
        yield* setupStock(scenario.stock)
        return yield* play(scenario, allocationCommands())
      }).pipe(Effect.provide(layer)),
    )
    const failures = compare(scenario, observed)
    return { name: scenario.name, passed: failures.length === 0, failures, observed }
  }
  return {
    run,
    runAllocation,
    /** Runs a scenario of any kind on this session's store. */
    runAny: async (s: AnyScenario): Promise<AnyResult> => {
      if (s.kind === "cases") return { kind: s.kind, ...(await run(s.scenario)) }
      if (s.kind === "allocation") return { kind: s.kind, ...(await runAllocation(s.scenario)) }
      fundPolicy ??= await loadFundPolicy()
      const r = await runFundScenario(s.spec, fundPolicy, await ledgerLayer())
      return { kind: s.kind, name: s.name, passed: r.failures.length === 0, ...r }
    },
    close: async () => {
      await db?.destroy()
    },
  }
}

/** The scenario with its expectations replaced by what was observed (`anju replay --record`). */
export const recordScenario = (scenario: Scenario, observed: Observed): string =>
  stringifyYaml(
    {
      ...scenario,
      steps: scenario.steps.map((s, i) => ({ ...s, expect: observed.steps[i] })),
      expect: { cases: observed.cases, events: observed.events },
    },
    { lineWidth: 0 },
  )
