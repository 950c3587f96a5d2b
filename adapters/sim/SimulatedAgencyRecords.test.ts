/**
 * SimulatedAgencyRecords: deterministic answers from the request (same request → same answer; the
 * digest share fails), listed ID numbers fail, listed sources are pending, latency on the TestClock and
 * a Timeout beyond the deadline; details carry roles, never ID numbers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Result } from "effect"
import * as TestClock from "effect/testing/TestClock"
import type { AgencyRequest } from "../../application/ports/AgencyRecords.js"
import { CHECK_SOURCES } from "../../domain/cases/Case.js"
import * as Sim from "./SimulatedAgencyRecords.js"

const request = (source: AgencyRequest["source"], idNumber: string): AgencyRequest => ({
  source,
  caseId: "C-1",
  kind: "gongzu",
  subjects: [{ role: "applicant", name: "王五", idNumber }],
  requestDigest: "d",
})
const ID = "310115198503120012"

describe("SimulatedAgencyRecords", () => {
  it.effect("passes by default; the same request always gets the same answer", () =>
    Effect.gen(function* () {
      const sim = Sim.make()
      for (const s of CHECK_SOURCES) expect((yield* sim.query(request(s, ID))).result).toBe("pass")
      const half = Sim.make({ failPerMille: 500 })
      const answers = yield* Effect.forEach(CHECK_SOURCES, (s) => half.query(request(s, ID)))
      const again = yield* Effect.forEach(CHECK_SOURCES, (s) => half.query(request(s, ID)))
      expect(again).toEqual(answers)
      expect(answers.map((a) => a.result)).toEqual(
        CHECK_SOURCES.map((s) => (Sim.failsByDigest(s, ID, 500) ? "fail" : "pass")),
      )
    }),
  )

  it.effect("listed ID numbers fail, listed sources are pending, details hold no personal data", () =>
    Effect.gen(function* () {
      const sim = Sim.make({ failingIdNumbers: [ID], pendingSources: ["real_estate"] })
      const failed = yield* sim.query(request("marriage", ID))
      expect(failed.result).toBe("fail")
      expect(failed.detail).toContain("applicant")
      expect(failed.detail).not.toContain(ID)
      expect(failed.detail).not.toContain("王五")
      expect((yield* sim.query(request("real_estate", ID))).result).toBe("pending")
      expect((yield* sim.query(request("marriage", "11010519491231002X"))).result).toBe("pass")
    }),
  )

  it.effect("R82: a 低保 stopped for one person fails only the 低保 source, worded as a 低保 answer", () =>
    Effect.gen(function* () {
      const sim = Sim.make({ failingBySource: { dibao: [ID] } })
      const stopped = yield* sim.query(request("dibao", ID))
      expect(stopped.result).toBe("fail")
      expect(stopped.detail).toContain("未查到在保低保记录")
      expect(stopped.detail).not.toContain(ID)
      for (const s of CHECK_SOURCES.filter((x) => x !== "dibao"))
        expect((yield* sim.query(request(s, ID))).result).toBe("pass")
      const held = yield* sim.query(request("dibao", "11010519491231002X"))
      expect(held).toEqual({ result: "pass", detail: "dibao: 模拟器 — 低保在保 (simulated)" })
    }),
  )

  it.effect("simulates latency on the clock and times out beyond the deadline", () =>
    Effect.gen(function* () {
      const slow = Sim.make({ latency: "2 seconds", timeout: "5 seconds" })
      const f = yield* Effect.forkChild(slow.query(request("death", ID)))
      yield* TestClock.adjust("2 seconds")
      expect((yield* Fiber.join(f)).result).toBe("pass")
      const late = Sim.make({ latency: "10 seconds", timeout: "5 seconds" })
      const g = yield* Effect.forkChild(Effect.result(late.query(request("death", ID))))
      yield* TestClock.adjust("5 seconds")
      const r = yield* Fiber.join(g)
      expect(Result.isFailure(r) && r.failure.reason._tag).toBe("Timeout")
      expect(Result.isFailure(r) && r.failure.isRetryable).toBe(true)
    }),
  )
})
