/**
 * The worker's schedules as data: the shipped policy/worker/schedules.yaml parses, every entry names rule
 * ids and a kind the worker handles; a broken file is refused with EVERY problem named (bad cron, bad
 * interval, duplicate id, unknown key, missing rules, another time zone).
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { intervalMs, parseScheduleTable } from "./ScheduleTable.js"
import { workerHandlers } from "./WorkerJobs.js"

const shipped = readFileSync(
  resolve(import.meta.dirname, "..", "..", "policy", "worker", "schedules.yaml"),
  "utf8",
)

describe("schedule table", () => {
  it("the shipped file: relay tick, case ticks (R58/R72/R77), audit checkpoint, queue windows (R43/R44), 廉租 subsidy (R118–R123, R23), all with handlers", () => {
    const r = parseScheduleTable(shipped)
    if (r._tag !== "Ok") throw new Error(r.problems.join("\n"))
    const kinds = new Set(workerHandlers([]).map((h) => h.definition.kind))
    expect(r.schedules.map((s) => s.id)).toEqual([
      "relay.pump",
      "cases.tick",
      "audit.checkpoint",
      "queue.windows",
      "subsidy.monthly",
      "supervision.rechecks",
    ])
    for (const s of r.schedules) {
      expect(kinds.has(s.kind)).toBe(true)
      expect(s.rules.length).toBeGreaterThan(0)
    }
    expect(r.schedules.find((s) => s.id === "cases.tick")?.rules).toEqual(["R58", "R72", "R77"])
    expect(r.schedules.find((s) => s.id === "relay.pump")?.every).toEqual({ _tag: "Interval", ms: 5_000 })
  })

  it("names every problem of a broken file at once", () => {
    const r = parseScheduleTable(
      [
        "time_zone: UTC",
        "schedules:",
        "  - { id: a, kind: x.y, every: { cron: 'not a cron' }, rules: [R1] }",
        "  - { id: a, kind: x.y, every: { interval: 5x }, rules: [R1] }",
        "  - { id: b, kind: x.y, every: { interval: 1s }, rules: [], colour: red }",
      ].join("\n"),
      "s.yaml",
    )
    expect(r._tag).toBe("Invalid")
    const text = r._tag === "Invalid" ? r.problems.join("\n") : ""
    expect(text).toMatch(/time_zone must be Asia\/Shanghai/u)
    expect(text).toMatch(/schedules\[0\]\.every: not a cron expression/u)
    expect(text).toMatch(/schedules\[1\]\.id: a is listed twice/u)
    expect(text).toMatch(/schedules\[1\]\.every\.interval/u)
    expect(text).toMatch(/schedules\[2\]: unknown key `colour`/u)
    expect(text).toMatch(/schedules\[2\]\.rules/u)
  })

  it("intervals: s, m, h, d; at least one second", () => {
    expect(intervalMs("5s")).toBe(5_000)
    expect(intervalMs("10m")).toBe(600_000)
    expect(intervalMs("1d")).toBe(86_400_000)
    expect(intervalMs("0s")).toBeNull()
    expect(intervalMs("5")).toBeNull()
  })
})
