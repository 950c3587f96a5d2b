import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { catchUp, nextDue } from "./Recurrence.js"

const DAY = 86_400_000

describe("Recurrence", () => {
  it("interval catch-up: one run at the latest due time ≤ now, coalescing exactly the others; next > now", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 * DAY }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.integer({ min: 0, max: 30 * DAY }),
        (ms, anchor, lag, late) => {
          const every = { _tag: "Interval", ms } as const
          const pendingAt = nextDue(every, anchor + lag, anchor)
          const now = pendingAt + late
          const c = catchUp(every, pendingAt, now, anchor)
          const dueTimes = Math.floor(late / ms) + 1 // pendingAt, pendingAt+ms, … ≤ now
          expect(c.due).toBe(true)
          expect(c.coalesced).toBe(dueTimes - 1)
          expect(c.dueAt).toBe(pendingAt + (dueTimes - 1) * ms)
          expect(c.nextAt).toBeGreaterThan(now)
          expect(c.nextAt - c.dueAt!).toBe(ms)
          expect(catchUp(every, c.nextAt, now, anchor).due).toBe(false)
        },
      ),
    ))

  it("daily cron at 02:00 Asia/Shanghai: d days late → one run, d coalesced, next is tomorrow 02:00", () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: DAY - 1 }), (days, within) => {
        const every = { _tag: "Cron", expression: "0 2 * * *" } as const
        const first = Date.UTC(2024, 0, 1, 18, 0) // 2024-01-02 02:00 +08:00
        const now = first + days * DAY + within
        const c = catchUp(every, first, now, 0)
        expect(c).toEqual({
          due: true,
          dueAt: first + days * DAY,
          coalesced: days,
          nextAt: first + (days + 1) * DAY,
        })
      }),
      { numRuns: 50 },
    ))

  it("cron due times are in Asia/Shanghai", () => {
    const every = { _tag: "Cron", expression: "30 8 * * 1" } as const // Mondays 08:30 Shanghai
    expect(new Date(nextDue(every, Date.UTC(2024, 5, 1), 0)).toISOString()).toBe("2024-06-03T00:30:00.000Z")
  })
})
