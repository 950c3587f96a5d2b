/**
 * Circuit breaker (熔断) for any AgencyRecords service: after `failures` consecutive retryable failures
 * (Timeout, Unavailable, or a defect) the circuit opens and every query fails at once with `Unavailable`,
 * without calling the inner service, until `cooldown` has passed on the Effect clock; then one probe is let
 * through (half-open) — success closes the circuit, a retryable failure opens it for another cool-down.
 * An answer or a non-retryable failure (Rejected, Untrusted) proves the agency reachable and resets the count.
 */
import { Cause, Clock, Duration, Effect, Exit } from "effect"
import {
  type AgencyRecords,
  AgencyRecordsError,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"

export interface BreakerOptions {
  /** Consecutive retryable failures that open the circuit (default 5, at least 1). */
  readonly failures?: number
  /** How long the circuit stays open before a probe (default 30 s). */
  readonly cooldown?: Duration.Input
}

export type BreakerState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen" }

export interface Breaker {
  readonly service: AgencyRecords["Service"]
  /** The current state (for tests and health output). */
  readonly state: () => BreakerState
}

export const wrap = (inner: AgencyRecords["Service"], options: BreakerOptions = {}): Breaker => {
  const threshold = Math.max(1, Math.trunc(options.failures ?? 5))
  const cooldown = Duration.toMillis(Duration.fromInputUnsafe(options.cooldown ?? "30 seconds"))
  let state: BreakerState = { _tag: "Closed", failures: 0 }
  const openFail = (request: AgencyRequest, detail: string) =>
    Effect.fail(new AgencyRecordsError({ reason: { _tag: "Unavailable", source: request.source, detail } }))

  const settle = (probe: boolean, exit: Exit.Exit<unknown, AgencyRecordsError>) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (Exit.isSuccess(exit)) {
        state = { _tag: "Closed", failures: 0 }
        return
      }
      const failure = exit.cause.reasons.find(Cause.isFailReason)
      const died = exit.cause.reasons.some(Cause.isDieReason)
      if (failure !== undefined && !failure.error.isRetryable) {
        state = { _tag: "Closed", failures: 0 }
        return
      }
      if (failure === undefined && !died) {
        // Interrupted by the caller: no verdict on the agency; a pending probe may be retried at once.
        if (probe) state = { _tag: "Open", until: now }
        return
      }
      if (probe) state = { _tag: "Open", until: now + cooldown }
      else {
        const failures = (state._tag === "Closed" ? state.failures : 0) + 1
        state = failures >= threshold ? { _tag: "Open", until: now + cooldown } : { _tag: "Closed", failures }
      }
    })

  const service: AgencyRecords["Service"] = {
    query: (request) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        let probe = false
        if (state._tag === "Open") {
          if (now < state.until)
            return yield* openFail(
              request,
              `circuit open after ${threshold} consecutive failures; next attempt in ${Math.ceil((state.until - now) / 1000)} s`,
            )
          state = { _tag: "HalfOpen" }
          probe = true
        } else if (state._tag === "HalfOpen")
          return yield* openFail(request, "circuit half-open: a probe request is in flight")
        return yield* inner.query(request).pipe(Effect.onExit((exit) => settle(probe, exit)))
      }),
  }
  return { service, state: () => state }
}
