/**
 * Timeouts and retries for any AgencyRecords adapter (the port leaves them to adapters): each attempt is
 * bounded by `attemptTimeout` (→ `Timeout`), retryable failures (`Timeout`, `Unavailable`) are retried
 * with exponential backoff up to `retries` times, `Rejected` never is. Agency queries are reads, so
 * repeating one is safe. Wrap a real client or the simulator: `layer(options)` over their layer.
 */
import { Duration, Effect, Layer, Schedule } from "effect"
import { AgencyRecords, AgencyRecordsError } from "../../application/ports/AgencyRecords.js"

export interface RetryOptions {
  /** Bound on one attempt (default 10 s). */
  readonly attemptTimeout?: Duration.Input
  /** Further attempts after the first failure (default 2). */
  readonly retries?: number
  /** First backoff delay, doubled each time (default 200 ms). */
  readonly backoff?: Duration.Input
}

export const wrap = (
  inner: AgencyRecords["Service"],
  options: RetryOptions = {},
): AgencyRecords["Service"] => ({
  query: (request) =>
    inner.query(request).pipe(
      Effect.timeoutOrElse({
        duration: options.attemptTimeout ?? Duration.seconds(10),
        orElse: () =>
          Effect.fail(new AgencyRecordsError({ reason: { _tag: "Timeout", source: request.source } })),
      }),
      Effect.retry({
        schedule: Schedule.exponential(options.backoff ?? Duration.millis(200)),
        times: options.retries ?? 2,
        while: (e) => e.isRetryable,
      }),
    ),
})

/** Decorates the AgencyRecords provided below it. */
export const layer = (options: RetryOptions = {}): Layer.Layer<AgencyRecords, never, AgencyRecords> =>
  Layer.effect(
    AgencyRecords,
    Effect.gen(function* () {
      return wrap(yield* AgencyRecords, options)
    }),
  )
