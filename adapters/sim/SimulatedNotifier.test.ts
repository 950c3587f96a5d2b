import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Notice } from "../../application/ports/Notifier.js"
import { makeSimulator } from "./SimulatedNotifier.js"

const notice = (id: string): Notice => ({
  id,
  to: { caseId: "C-1", role: "applicant" },
  template: "case.admitted",
  params: { certificateNumber: "Z-1" },
})

describe("SimulatedNotifier", () => {
  it.effect("records each notice id once; a repeat is a duplicate and sends nothing", () =>
    Effect.gen(function* () {
      const sim = makeSimulator()
      expect(yield* sim.service.send(notice("n1"))).toEqual({ duplicate: false })
      expect(yield* sim.service.send(notice("n1"))).toEqual({ duplicate: true })
      expect(yield* sim.service.send(notice("n2"))).toEqual({ duplicate: false })
      expect(sim.sent().map((n) => n.id)).toEqual(["n1", "n2"])
      expect(sim.calls()).toBe(3)
    }),
  )

  it.effect("seeded faults replay exactly; a lost acknowledgement still records the notice once", () =>
    Effect.gen(function* () {
      const runOnce = Effect.fnUntraced(function* () {
        const sim = makeSimulator({ failBefore: 0.3, failAfter: 0.3, seed: 5 })
        const outcomes: Array<string> = []
        for (let i = 0; i < 200; i++) {
          const r = yield* Effect.result(sim.service.send(notice(`n${i % 50}`)))
          outcomes.push(r._tag === "Success" ? (r.success.duplicate ? "dup" : "ok") : r.failure.reason._tag)
        }
        return { outcomes, sent: sim.sent().map((n) => n.id) }
      })
      const a = yield* runOnce()
      const b = yield* runOnce()
      expect(a).toEqual(b)
      expect(a.outcomes.filter((o) => o === "Unavailable").length).toBeGreaterThan(40)
      expect(new Set(a.sent).size).toBe(a.sent.length)
      expect(a.sent.length).toBe(50)
    }),
  )
})
