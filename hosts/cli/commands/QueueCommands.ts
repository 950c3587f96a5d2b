/**
 * `anju queue rank` and `anju queue simulate` (R45–R50, #207): rank an applicants.csv under a built-in or
 * YAML plan on a date (CSV on stdout, a summary of exclusions on stderr), and replay a history under
 * several plans, printing per-month queue metrics and waiting days per priority group.
 * Exit 0 on success, 1 on bad input files, 2 on usage errors.
 */
import { Result } from "effect"
import { Flag } from "effect/cli"
import { parseApplicantsCsv } from "../../../domain/queue/ApplicantCsv.js"
import { parseHistoryCsv, parseHistoryYaml } from "../../../domain/queue/HistoryFile.js"
import { BUILTIN_PLANS, type QueuePlan, parsePlanYaml } from "../../../domain/queue/QueuePlan.js"
import { groupNames, isDue, rank, waitingDays } from "../../../domain/queue/Ranking.js"
import { type SimulationReport, simulate } from "../../../domain/queue/Simulation.js"
import { toCsvLine } from "../../../domain/stock/Tabular.js"
import * as CivilDate from "../../../domain/values/CivilDate.js"
import { switchFlag, text as textFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo } from "../Io.js"

const text = async (io: CliIo, path: string) => new TextDecoder("utf-8").decode(await io.readFile(path))

/** `builtin:gongzu|gongyou|baozu` or a YAML file; undefined after printing the error. */
export const loadPlan = async (io: CliIo, spec: string): Promise<QueuePlan | undefined> => {
  if (spec.startsWith("builtin:")) {
    const p = BUILTIN_PLANS[spec]
    if (p === undefined)
      throw new UsageError(`unknown built-in plan ${spec} (known: ${Object.keys(BUILTIN_PLANS).join(", ")})`)
    return p
  }
  const r = parsePlanYaml(await text(io, spec), spec)
  if (Result.isFailure(r)) {
    io.err(`${spec}: ${r.failure.message}`)
    return undefined
  }
  return r.success
}

/** Epoch ms → `YYYY-MM-DD HH:MM:SS` in Asia/Shanghai. */
export const localTime = (ms: number): string =>
  new Date(ms + CivilDate.shanghaiOffsetMillis(ms)).toISOString().slice(0, 19).replace("T", " ")

export const RANK_HEADER = [
  "pool",
  "position",
  "id",
  "priority_groups",
  "priority_count",
  "qualification_date",
  "entry_time",
  "waiting_days",
  "due",
] as const

export const queueRank = defineCommand({
  words: ["queue", "rank"],
  description: "rank applicants under a plan on a date (CSV on stdout, exclusions on stderr)",
  examples: [
    {
      command: "anju queue rank --plan builtin:gongzu --applicants applicants.csv --on 2025-06-30",
      description: "pool, position, priority groups, waiting days, due",
    },
  ],
  config: {
    plan: textFlag("plan", "builtin:gongzu|builtin:gongyou|builtin:baozu|plan.yaml", "the queue plan"),
    applicants: textFlag("applicants", "applicants.csv", "the applicants (docs/queue.md)"),
    on: textFlag("on", "YYYY-MM-DD", "the ranking date"),
  },
  run: async (input, io) => {
    const onR = CivilDate.parse(input.on, "on")
    if (Result.isFailure(onR)) throw new UsageError(`--on: ${onR.failure.message}`)
    const plan = await loadPlan(io, input.plan)
    if (plan === undefined) return 1
    const file = input.applicants

    const parsed = parseApplicantsCsv(await text(io, file))
    if (Result.isFailure(parsed)) {
      io.err(`${file}: ${parsed.failure.field}: ${parsed.failure.message} [${parsed.failure.rule}]`)
      return 1
    }
    const xs = parsed.success
    const seen = new Set<string>()
    for (const a of xs) {
      if (seen.has(a.id)) {
        io.err(`${file}: applicant id ${a.id} appears twice [queue.unique-id]`)
        return 1
      }
      seen.add(a.id)
    }
    const r = rank(plan, xs, onR.success)
    if (Result.isFailure(r)) {
      io.err(`${file}: ${r.failure.message}`)
      return 1
    }
    const k = r.success
    const onDay = CivilDate.toDayNumber(onR.success)
    const lines = [RANK_HEADER.join(",")]
    for (let j = 0; j < k.order.length; j++) {
      const i = k.order[j]!
      const a = xs[i]!
      const mask = k.groups[i]!
      const names = groupNames(plan, mask)
      lines.push(
        toCsvLine([
          k.pools[k.pool[j]!]!,
          k.position[j]!,
          a.id,
          names.join(";"),
          names.length,
          CivilDate.fromDayNumber(a.qualifiedOn),
          localTime(a.entryAt),
          waitingDays(a, onDay),
          isDue(plan, a, mask, onDay) ? "yes" : "no",
        ]),
      )
    }
    io.out(lines.join("\n"))
    const reasons = new Map<string, Array<string>>()
    for (const e of k.excluded) reasons.set(e.reason, [...(reasons.get(e.reason) ?? []), xs[e.index]!.id])
    io.err(
      `${plan.id}: ranked ${k.order.length} in ${k.pools.length} pool(s) on ${onR.success}; excluded ${k.excluded.length}${[
        ...reasons,
      ]
        .map(([why, ids]) => `; ${why}: ${ids.slice(0, 10).join(" ")}${ids.length > 10 ? " …" : ""}`)
        .join("")}`,
    )
    return 0
  },
})

const fmt = (v: number | null, digits = 1) =>
  v === null ? "-" : Number.isFinite(v) ? v.toFixed(digits).replace(/\.0+$/u, "") : "inf"

export const formatSimulation = (r: SimulationReport): string =>
  [
    `## ${r.plan}`,
    `arrivals ${r.totals.arrivals}, allocated ${r.totals.allocated}, exits ${r.totals.exits}, removed ${r.totals.removed}, still waiting ${r.totals.finalQueue}, vacant units ${r.totals.vacantUnits}`,
    "period,arrivals,supplied,allocated,exits,removed,queue_length,supply_demand_ratio",
    ...r.periods.map((p) =>
      [
        p.period,
        p.arrivals,
        p.supplied,
        p.allocated,
        p.exits,
        p.removed,
        p.queueLength,
        fmt(p.supplyDemandRatio, 3),
      ].join(","),
    ),
    "group,allocated,mean_wait_days,median_wait_days,max_wait_days,still_waiting,mean_waiting_so_far_days",
    ...r.groups.map((g) =>
      [
        g.group,
        g.allocated,
        fmt(g.meanWaitDays),
        fmt(g.medianWaitDays),
        fmt(g.maxWaitDays),
        g.stillWaiting,
        fmt(g.meanWaitingSoFarDays),
      ].join(","),
    ),
  ].join("\n")

export const queueSimulate = defineCommand({
  words: ["queue", "simulate"],
  description: "replay a history under several plans: queue metrics per month, waiting days per group",
  examples: [
    {
      command: "anju queue simulate --plan builtin:gongzu --plan plan.yaml --history history.csv",
      description: "compare two plans",
    },
  ],
  config: {
    plans: textFlag("plan", "builtin:…|plan.yaml", "a plan; repeat to compare (at least one)").pipe(
      Flag.atLeast(1),
    ),
    history: textFlag("history", "history.csv|history.yaml", "arrivals, supply and exits"),
    json: switchFlag("json", "print JSON"),
  },
  run: async (input, io) => {
    const specs = input.plans
    const file = input.history

    const body = await text(io, file)
    const parsed = /\.ya?ml$/iu.test(file) ? parseHistoryYaml(body) : parseHistoryCsv(body)
    if (Result.isFailure(parsed)) {
      io.err(`${file}: ${parsed.failure.field}: ${parsed.failure.message} [${parsed.failure.rule}]`)
      return 1
    }
    const reports: Array<SimulationReport> = []
    for (const spec of specs) {
      const plan = await loadPlan(io, spec)
      if (plan === undefined) return 1
      reports.push(simulate(plan, parsed.success))
    }
    io.out(input.json ? JSON.stringify(reports, null, 2) : reports.map(formatSimulation).join("\n\n"))
    return 0
  },
})
