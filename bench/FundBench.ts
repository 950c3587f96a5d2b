/**
 * Benchmark of the maintenance fund: apportionment over 10,000 units (goal ≤ 20 ms; median of many
 * runs), and balanced journal entries per second into PostgreSQL (goal ≥ 5,000/s) and into the memory
 * Ledger (goal ≥ 200,000/s). Entries are A1 deposits (2 lines, one household each), posted through the
 * Ledger port in batches of BATCH entries, one transaction per batch on PostgreSQL (hash chain, balance
 * deltas and the deferred balance trigger included), into a fresh private schema dropped afterwards.
 * Run alone: `npx tsx bench/FundBench.ts` (DATABASE_URL, default the local server).
 */
import { pathToFileURL } from "node:url"
import { Effect, Layer, ManagedRuntime, Result } from "effect"
import { Ledger } from "../application/ports/Ledger.js"
import { type ScopeUnit, apportion } from "../domain/fund/Apportionment.js"
import type { HouseholdId } from "../domain/fund/HouseholdId.js"
import type { JournalEntry } from "../domain/fund/JournalEntry.js"
import { deposit } from "../domain/fund/PostingRules.js"
import type { Area } from "../domain/values/Area.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"
import * as MemoryLedger from "../adapters/memory/MemoryLedger.js"
import { layerTest } from "../adapters/postgres/PgDatabase.js"
import * as PgLedger from "../adapters/postgres/PgLedger.js"

const BATCH = 1_000

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Deterministic pseudo-random areas 40.00–180.00 m² (no Math.random: reproducible runs). */
const units = (n: number): ReadonlyArray<ScopeUnit> => {
  let x = 12345
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2147483648
    return { unitId: `U${String(i).padStart(6, "0")}`, area: (4000 + (x % 14001)) as Area }
  })
}

export const entries = (n: number, prefix: string): ReadonlyArray<JournalEntry> =>
  Array.from({ length: n }, (_, i) =>
    Result.getOrThrow(
      deposit({
        id: `${prefix}-${i}`,
        book: "commodity",
        date: "2024-06-30" as CivilDate,
        kind: "first",
        households: [{ household: `H${i % 10_000}` as HouseholdId, amount: (10_000 + (i % 977)) as Money }],
      }),
    ),
  )

const postAllBatches = (xs: ReadonlyArray<JournalEntry>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    for (let i = 0; i < xs.length; i += BATCH) yield* ledger.post(xs.slice(i, i + BATCH))
  })

const throughput = async (layer: Layer.Layer<Ledger, unknown>, n: number, label: string) => {
  const runtime = ManagedRuntime.make(layer.pipe(Layer.orDie))
  try {
    await runtime.runPromise(postAllBatches(entries(BATCH, `${label}-warm`)))
    const xs = entries(n, label)
    const t0 = performance.now()
    await runtime.runPromise(postAllBatches(xs))
    const ms = performance.now() - t0
    const verified = await runtime.runPromise(
      Effect.gen(function* () {
        return yield* (yield* Ledger).verify()
      }),
    )
    return {
      perSecond: Math.round((n / ms) * 1000),
      ms,
      verified: verified.ok && verified.entries === n + BATCH,
    }
  } finally {
    await runtime.dispose()
  }
}

export interface FundBenchResult {
  readonly apportionMedianMs: number
  readonly postgresEntriesPerSecond: number
  readonly memoryEntriesPerSecond: number
}

export const benchFund = async (options: {
  readonly url: string
  readonly pgEntries?: number
  readonly memoryEntries?: number
  readonly runs?: number
}): Promise<FundBenchResult> => {
  const scope = units(10_000)
  const runs = options.runs ?? 200
  for (let i = 0; i < 20; i++) apportion(12_345_678 as Money, scope, "area")
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const r = apportion((12_345_678 + i) as Money, scope, "area")
    times.push(performance.now() - t0)
    if (Result.isFailure(r)) throw new Error(r.failure.message)
  }
  const apportionMedianMs = median(times)
  console.log(
    `apportion 10,000 units by area: median ${apportionMedianMs.toFixed(3)} ms over ${runs} runs (p90 ${[...times].sort((a, b) => a - b)[Math.floor(runs * 0.9)]!.toFixed(3)} ms; goal ≤ 20 ms)`,
  )
  const memN = options.memoryEntries ?? 500_000
  const mem = await throughput(MemoryLedger.layer, memN, "mem")
  console.log(
    `memory Ledger: ${mem.perSecond.toLocaleString("en")} balanced entries/s (${memN.toLocaleString("en")} A1 entries in batches of ${BATCH}, ${mem.ms.toFixed(0)} ms; chain verified: ${mem.verified}; goal ≥ 200,000/s)`,
  )
  const pgN = options.pgEntries ?? 50_000
  const pg = await throughput(Layer.provide(PgLedger.layer, layerTest({ url: options.url })), pgN, "pg")
  console.log(
    `PostgreSQL Ledger: ${pg.perSecond.toLocaleString("en")} balanced entries/s (${pgN.toLocaleString("en")} A1 entries, one transaction per batch of ${BATCH}: head lock, SM3 chain, unnest inserts, balance upserts, deferred balance trigger at commit; ${pg.ms.toFixed(0)} ms; chain verified: ${pg.verified}; goal ≥ 5,000/s)`,
  )
  return { apportionMedianMs, postgresEntriesPerSecond: pg.perSecond, memoryEntriesPerSecond: mem.perSecond }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await benchFund({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" })
