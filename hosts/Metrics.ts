/**
 * Metrics of the HTTP and worker hosts in the Prometheus text format (version 0.0.4): HTTP requests by
 * method, route template (never the raw path, so ids cannot blow up the series) and status; jobs run by
 * kind and outcome with a duration histogram; queue depth by kind and state, read from the JobQueue when
 * scraped. Counters only grow; one registry per process.
 */
import type { KindCounts } from "../application/ports/JobQueue.js"

export const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const

interface Histogram {
  readonly counts: Array<number>
  sum: number
  count: number
}

export interface Metrics {
  readonly observeHttp: (method: string, route: string, status: number) => void
  /** `outcome`: done, skipped, retry, dead, released. */
  readonly observeJob: (kind: string, outcome: string, durationMs: number) => void
  /** Where queue depth comes from when scraped (the host's JobQueue.counts); none: not reported. */
  readonly setQueueSource: (source: () => Promise<ReadonlyArray<KindCounts>>) => void
  readonly render: () => Promise<string>
}

const escapeLabel = (v: string) => v.replace(/\\/gu, "\\\\").replace(/\n/gu, "\\n").replace(/"/gu, '\\"')
const labels = (pairs: ReadonlyArray<readonly [string, string]>) =>
  `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export const makeMetrics = (): Metrics => {
  const http = new Map<string, { method: string; route: string; status: string; n: number }>()
  const jobs = new Map<string, { kind: string; outcome: string; n: number }>()
  const durations = new Map<string, Histogram>()
  let queue: (() => Promise<ReadonlyArray<KindCounts>>) | undefined
  return {
    observeHttp: (method, route, status) => {
      const key = `${method} ${route} ${status}`
      const e = http.get(key) ?? { method, route, status: String(status), n: 0 }
      e.n += 1
      http.set(key, e)
    },
    observeJob: (kind, outcome, durationMs) => {
      const key = `${kind} ${outcome}`
      const e = jobs.get(key) ?? { kind, outcome, n: 0 }
      e.n += 1
      jobs.set(key, e)
      const h = durations.get(kind) ?? { counts: BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 }
      const s = durationMs / 1000
      BUCKETS_SECONDS.forEach((b, i) => {
        if (s <= b) h.counts[i]! += 1
      })
      h.sum += s
      h.count += 1
      durations.set(kind, h)
    },
    setQueueSource: (source) => {
      queue = source
    },
    render: async () => {
      const out: Array<string> = []
      out.push(
        "# HELP anju_http_requests_total HTTP requests answered, by method, route template and status.",
      )
      out.push("# TYPE anju_http_requests_total counter")
      for (const e of http.values())
        out.push(
          `anju_http_requests_total${labels([
            ["method", e.method],
            ["route", e.route],
            ["status", e.status],
          ])} ${e.n}`,
        )
      out.push("# HELP anju_jobs_total Jobs finished by this process, by kind and outcome.")
      out.push("# TYPE anju_jobs_total counter")
      for (const e of jobs.values())
        out.push(
          `anju_jobs_total${labels([
            ["kind", e.kind],
            ["outcome", e.outcome],
          ])} ${e.n}`,
        )
      out.push("# HELP anju_job_duration_seconds Job latency from claim to completion, by kind.")
      out.push("# TYPE anju_job_duration_seconds histogram")
      for (const [kind, h] of durations) {
        BUCKETS_SECONDS.forEach((b, i) => {
          out.push(
            `anju_job_duration_seconds_bucket${labels([
              ["kind", kind],
              ["le", String(b)],
            ])} ${h.counts[i]}`,
          )
        })
        out.push(
          `anju_job_duration_seconds_bucket${labels([
            ["kind", kind],
            ["le", "+Inf"],
          ])} ${h.count}`,
        )
        out.push(`anju_job_duration_seconds_sum${labels([["kind", kind]])} ${h.sum}`)
        out.push(`anju_job_duration_seconds_count${labels([["kind", kind]])} ${h.count}`)
      }
      if (queue !== undefined) {
        const counts = await queue().catch(() => undefined)
        out.push("# HELP anju_queue_jobs Jobs in the queue, by kind and state.")
        out.push("# TYPE anju_queue_jobs gauge")
        for (const c of counts ?? [])
          for (const state of ["pending", "running", "done", "failed", "dead"] as const)
            out.push(
              `anju_queue_jobs${labels([
                ["kind", c.kind],
                ["state", state],
              ])} ${c[state]}`,
            )
        out.push("# HELP anju_queue_up Whether the queue answered this scrape (1) or not (0).")
        out.push("# TYPE anju_queue_up gauge")
        out.push(`anju_queue_up ${counts === undefined ? 0 : 1}`)
      }
      return `${out.join("\n")}\n`
    },
  }
}
