/**
 * Import jobs (导入任务): a stock import accepted by a host runs off the request path, one at a time in
 * arrival order (the embedded database has one session), and is polled by id for its state, progress and
 * final report. Jobs live IN MEMORY in the host process for now: a restart forgets them (the worker /
 * job-queue issue moves them to a durable queue). Finished jobs are kept for `keepFinished` and at most
 * `maxJobs` are remembered. Ids and time come from the caller; the job's work is a plain async function.
 */
import type { ImportProgress, ImportReport } from "./ImportStock.js"

export type ImportJobState = "queued" | "running" | "succeeded" | "failed"

/** A failure that is not a report (the store unavailable, a defect): what the poller is told. */
export interface ImportJobProblem {
  readonly error: string
  readonly message: string
  readonly retryable: boolean
}

export interface ImportJob {
  readonly id: string
  /** Who submitted it (`Actor.id`): only they can poll it. */
  readonly owner: string
  readonly state: ImportJobState
  readonly partial: boolean
  readonly progress: ImportProgress
  readonly submittedAt: number
  readonly finishedAt: number | undefined
  /** When finished with a report: `committed` true → succeeded, false → failed (nothing written). */
  readonly report: ImportReport | undefined
  readonly problem: ImportJobProblem | undefined
}

/** The outcome of running a job's work: a report, or a problem. */
export type ImportJobOutcome =
  | { readonly _tag: "Report"; readonly report: ImportReport }
  | { readonly _tag: "Problem"; readonly problem: ImportJobProblem }

export interface ImportJobs {
  /** Queues `work`; it starts when every earlier job has finished. */
  readonly submit: (
    job: { readonly id: string; readonly owner: string; readonly partial: boolean },
    work: (onProgress: (p: ImportProgress) => void) => Promise<ImportJobOutcome>,
  ) => ImportJob
  readonly get: (id: string) => ImportJob | undefined
  /** Resolves when every job submitted so far has finished (tests, graceful shutdown). */
  readonly idle: () => Promise<void>
}

export const makeImportJobs = (options: {
  readonly now: () => number
  readonly keepFinished?: number
  readonly maxJobs?: number
}): ImportJobs => {
  const keepFinished = options.keepFinished ?? 60 * 60 * 1000
  const maxJobs = options.maxJobs ?? 1000
  const jobs = new Map<string, ImportJob>()
  let tail: Promise<void> = Promise.resolve()

  const update = (id: string, change: Partial<ImportJob>) => {
    const job = jobs.get(id)
    if (job !== undefined) jobs.set(id, { ...job, ...change })
  }
  const evict = () => {
    const now = options.now()
    for (const [id, j] of jobs)
      if (j.finishedAt !== undefined && now - j.finishedAt > keepFinished) jobs.delete(id)
    // Oldest finished jobs go first when too many are remembered (Map keeps insertion order).
    for (const [id, j] of jobs) {
      if (jobs.size < maxJobs) break
      if (j.finishedAt !== undefined) jobs.delete(id)
    }
  }

  return {
    submit: (spec, work) => {
      evict()
      const job: ImportJob = {
        ...spec,
        state: "queued",
        progress: { rowsRead: 0, rowsChecked: 0, rowsWritten: 0 },
        submittedAt: options.now(),
        finishedAt: undefined,
        report: undefined,
        problem: undefined,
      }
      jobs.set(job.id, job)
      tail = tail.then(async () => {
        update(job.id, { state: "running" })
        let outcome: ImportJobOutcome
        try {
          outcome = await work((progress) => update(job.id, { progress }))
        } catch {
          outcome = {
            _tag: "Problem",
            problem: {
              error: "internal",
              message: "the import failed (internal error)",
              retryable: false,
            },
          }
        }
        update(
          job.id,
          outcome._tag === "Report"
            ? {
                state: outcome.report.committed ? "succeeded" : "failed",
                report: outcome.report,
                finishedAt: options.now(),
              }
            : { state: "failed", problem: outcome.problem, finishedAt: options.now() },
        )
      })
      return job
    },
    get: (id) => jobs.get(id),
    idle: () => tail,
  }
}
