import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { type AgencyRequest, AgencyRecordsError } from "../../application/ports/AgencyRecords.js"
import { wrap } from "./RetryingAgencyRecords.js"

const request = {
  source: "marriage",
  caseId: "C1",
  kind: "gongzu",
  subjects: [],
  requestDigest: "d",
} as unknown as AgencyRequest

/** An agency that fails `failures` times with `reason`, then answers; counts calls. */
const flaky = (failures: number, reason: "Unavailable" | "Rejected" | "hang") => {
  let calls = 0
  return {
    calls: () => calls,
    service: {
      query: (r: AgencyRequest) =>
        Effect.suspend(() => {
          calls++
          if (calls > failures) return Effect.succeed({ result: "pass" as const, detail: "ok" })
          if (reason === "hang") return Effect.never
          return Effect.fail(
            new AgencyRecordsError({
              reason:
                reason === "Rejected"
                  ? { _tag: "Rejected", source: r.source, detail: "bad" }
                  : { _tag: "Unavailable", source: r.source, detail: "down" },
            }),
          )
        }),
    },
  }
}

describe("RetryingAgencyRecords", () => {
  it.effect("retries retryable failures with backoff and then answers", () =>
    Effect.gen(function* () {
      const agency = flaky(2, "Unavailable")
      const fiber = yield* Effect.forkChild(
        wrap(agency.service, { retries: 2, backoff: "100 millis" }).query(request),
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual({ result: "pass", detail: "ok" })
      expect(agency.calls()).toBe(3)
    }),
  )

  it.effect("never retries a Rejected answer", () =>
    Effect.gen(function* () {
      const agency = flaky(5, "Rejected")
      const exit = yield* Effect.exit(wrap(agency.service, { retries: 3 }).query(request))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(agency.calls()).toBe(1)
    }),
  )

  it.effect("a hanging attempt times out and is retried; when all attempts hang the error is Timeout", () =>
    Effect.gen(function* () {
      const once = flaky(1, "hang")
      const f1 = yield* Effect.forkChild(
        wrap(once.service, { attemptTimeout: "1 second", retries: 1, backoff: "10 millis" }).query(request),
      )
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(f1)).toMatchObject({ result: "pass" })
      const always = flaky(99, "hang")
      const f2 = yield* Effect.forkChild(
        wrap(always.service, { attemptTimeout: "1 second", retries: 2, backoff: "10 millis" }).query(request),
      )
      yield* TestClock.adjust("10 seconds")
      const exit = yield* Fiber.await(f2)
      expect(
        Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
          ? exit.cause.reasons[0].error.reason._tag
          : undefined,
      ).toBe("Timeout")
      expect(always.calls()).toBe(3)
    }),
  )
})
