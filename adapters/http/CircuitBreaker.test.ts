/**
 * CircuitBreaker on the TestClock: opens after N consecutive retryable failures and then fails with
 * Unavailable without calling the agency; after the cool-down one probe goes through (others fail fast
 * meanwhile); a successful probe closes it, a failed one re-opens it; Rejected answers reset the count.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Result } from "effect"
import { TestClock } from "effect/testing"
import {
  type AgencyRecords,
  AgencyRecordsError,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"
import { wrap } from "./CircuitBreaker.js"

const request = {
  source: "marriage",
  caseId: "C1",
  kind: "gongzu",
  subjects: [],
  requestDigest: "d",
} as unknown as AgencyRequest

type Outcome = "ok" | "down" | "rejected"
/** An agency whose next answers are scripted; counts calls. */
const scripted = () => {
  let calls = 0
  let next: Outcome = "ok"
  const service: AgencyRecords["Service"] = {
    query: (r) =>
      Effect.suspend(() => {
        calls++
        return next === "ok"
          ? Effect.succeed({ result: "pass" as const, detail: "ok" })
          : Effect.fail(
              new AgencyRecordsError({
                reason:
                  next === "down"
                    ? { _tag: "Unavailable", source: r.source, detail: "down" }
                    : { _tag: "Rejected", source: r.source, detail: "no" },
              }),
            )
      }),
  }
  return { service, calls: () => calls, set: (o: Outcome) => (next = o) }
}

describe("CircuitBreaker", () => {
  it.effect(
    "opens after N consecutive failures, fails fast without calling, probes after the cool-down",
    () =>
      Effect.gen(function* () {
        const agency = scripted()
        const breaker = wrap(agency.service, { failures: 3, cooldown: "10 seconds" })
        agency.set("down")
        for (let i = 0; i < 3; i++) yield* Effect.result(breaker.service.query(request))
        expect(breaker.state()._tag).toBe("Open")
        expect(agency.calls()).toBe(3)
        const fast = yield* Effect.result(breaker.service.query(request))
        expect(Result.isFailure(fast) && fast.failure.reason).toMatchObject({ _tag: "Unavailable" })
        expect(Result.isFailure(fast) && fast.failure.message).toMatch(/circuit open/u)
        expect(agency.calls()).toBe(3)
        // Cool-down passes; the probe fails → open again, still no extra calls until the next cool-down.
        yield* TestClock.adjust("10 seconds")
        yield* Effect.result(breaker.service.query(request))
        expect(agency.calls()).toBe(4)
        expect(breaker.state()._tag).toBe("Open")
        yield* Effect.result(breaker.service.query(request))
        expect(agency.calls()).toBe(4)
        // Next probe succeeds → closed, traffic flows again.
        yield* TestClock.adjust("10 seconds")
        agency.set("ok")
        expect(yield* breaker.service.query(request)).toMatchObject({ result: "pass" })
        expect(breaker.state()).toEqual({ _tag: "Closed", failures: 0 })
        yield* breaker.service.query(request)
        expect(agency.calls()).toBe(6)
      }),
  )

  it.effect("lets exactly one probe through while half-open", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      let calls = 0
      let slow = false
      const breaker = wrap(
        {
          query: (r) =>
            Effect.suspend(() => {
              calls++
              return slow
                ? Deferred.await(gate).pipe(Effect.as({ result: "pass" as const, detail: "ok" }))
                : Effect.fail(new AgencyRecordsError({ reason: { _tag: "Timeout", source: r.source } }))
            }),
        },
        { failures: 1, cooldown: "1 second" },
      )
      yield* Effect.result(breaker.service.query(request))
      yield* TestClock.adjust("1 second")
      slow = true
      const probe = yield* Effect.forkChild(breaker.service.query(request))
      yield* Effect.yieldNow
      expect(breaker.state()._tag).toBe("HalfOpen")
      const other = yield* Effect.result(breaker.service.query(request))
      expect(Result.isFailure(other) && other.failure.message).toMatch(/half-open/u)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(probe)).toMatchObject({ result: "pass" })
      expect(calls).toBe(2)
      expect(breaker.state()._tag).toBe("Closed")
    }),
  )

  it.effect("a Rejected answer shows the agency is up: it resets the count and never opens the circuit", () =>
    Effect.gen(function* () {
      const agency = scripted()
      const breaker = wrap(agency.service, { failures: 2 })
      agency.set("down")
      yield* Effect.result(breaker.service.query(request))
      agency.set("rejected")
      for (let i = 0; i < 5; i++) yield* Effect.result(breaker.service.query(request))
      agency.set("down")
      yield* Effect.result(breaker.service.query(request))
      expect(breaker.state()).toEqual({ _tag: "Closed", failures: 1 })
    }),
  )
})
