/**
 * Progress of a long job (长任务进度): a handler reports how far it is (`done` of `total` items) and the
 * worker host writes a `job.progress` log line every few seconds while the job runs (job id, kind,
 * done/total, elapsed). Outside the worker the default reporter does nothing, so use-cases may report freely.
 */
import { Context, Effect } from "effect"

export interface JobProgressReporter {
  /** `total` null when unknown. Cheap: the worker only keeps the latest figures. */
  readonly report: (done: number, total: number | null) => void
}

export const JobProgress = Context.Reference<JobProgressReporter>("anju/JobProgress", {
  defaultValue: () => ({ report: () => {} }),
})

/** Reports `done` of `total` items for the running job (a no-op outside the worker). */
export const reportProgress = (done: number, total: number | null = null) =>
  Effect.flatMap(Effect.service(JobProgress), (p) => Effect.sync(() => p.report(done, total)))
