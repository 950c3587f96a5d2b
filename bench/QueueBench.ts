/**
 * Benchmark of queue ranking (R45, R46, issue 4): 1,000,000 households ranked under the built-in 公租 and
 * 共有产权 plans, median of 3 timed runs after one warm-up (goal ≤ 2 s each). Households come from a fixed
 * linear congruential generator (no Math.random: reproducible runs); generating them is not timed.
 * Run alone: `npx tsx bench/QueueBench.ts` (BENCH_APPLICANTS overrides the count).
 */
import { pathToFileURL } from "node:url"
import { Result } from "effect"
import type { Applicant } from "../domain/queue/Applicant.js"
import { GONGYOU, GONGZU, type QueuePlan } from "../domain/queue/QueuePlan.js"
import { rank } from "../domain/queue/Ranking.js"
import * as CivilDate from "../domain/values/CivilDate.js"

const ON = "2025-06-30" as CivilDate.CivilDate

const median = (xs: ReadonlyArray<number>): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Deterministic households: 40 projects × 4 unit types, qualification dates over 4 years, entry times to the second. */
export const syntheticApplicants = (n: number): ReadonlyArray<Applicant> => {
  let x = 20250630
  const next = (m: number) => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x % m
  }
  const onDay = CivilDate.toDayNumber(ON)
  const base = CivilDate.startOfDayInstant("2021-01-01" as CivilDate.CivilDate)
  const hardships = ["none", "none", "none", "none", "dibao", "tekun"] as const
  const intentions = ["first", "second", "none"] as const
  return Array.from({ length: n }, (_, i) => {
    const qualifiedOn = onDay - 1460 + next(1460)
    return {
      id: `SQ${String(i).padStart(8, "0")}`,
      project: `P${next(40)}`,
      unitType: `${1 + next(4)}室`,
      entryAt: base + next(1460) * 86_400_000 + next(86_400) * 1000,
      qualifiedOn,
      certificateValidUntil: qualifiedOn + 730 + next(365),
      hardship: hardships[next(6)]!,
      intention: intentions[next(3)]!,
      income: 20_000 + next(80_000),
    }
  })
}

export interface QueueBenchResult {
  readonly applicants: number
  readonly gongzuMedianMs: number
  readonly gongyouMedianMs: number
}

const timeRank = (plan: QueuePlan, xs: ReadonlyArray<Applicant>) => {
  const once = () => {
    const t0 = performance.now()
    const r = rank(plan, xs, ON)
    const ms = performance.now() - t0
    if (Result.isFailure(r)) throw new Error(r.failure.message)
    return { ms, ranked: r.success.order.length }
  }
  once()
  const runs = [once(), once(), once()]
  return { ms: median(runs.map((r) => r.ms)), ranked: runs[0]!.ranked, all: runs.map((r) => r.ms) }
}

export const benchQueue = async (
  options: { readonly applicants?: number } = {},
): Promise<QueueBenchResult> => {
  const n = options.applicants ?? 1_000_000
  const xs = syntheticApplicants(n)
  const results: Record<string, number> = {}
  for (const plan of [GONGZU, GONGYOU]) {
    const r = timeRank(plan, xs)
    results[plan.id] = r.ms
    console.log(
      `rank ${n.toLocaleString("en")} applicants under ${plan.id}: median ${r.ms.toFixed(0)} ms of 3 (${r.all.map((t) => t.toFixed(0)).join(", ")} ms; ${r.ranked.toLocaleString("en")} admitted; goal ≤ 2,000 ms)`,
    )
  }
  return { applicants: n, gongzuMedianMs: results[GONGZU.id]!, gongyouMedianMs: results[GONGYOU.id]! }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await benchQueue({ applicants: Number(process.env["BENCH_APPLICANTS"] ?? 1_000_000) })
