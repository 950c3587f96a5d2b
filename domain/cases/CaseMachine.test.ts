/**
 * Tests of the case state machine: each kind's happy path, R57, R58, R68, R69, R72 expiry, and the
 * property that random command sequences stay inside the machine and every closure out of review frees
 * the in-review slot (R12).
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as CivilDate from "../values/CivilDate.js"
import {
  CASE_STATES,
  type Case,
  type CaseId,
  type CaseKind,
  CHECK_SOURCES,
  holdsReviewSlot,
  isTerminal,
} from "./Case.js"
import { DEFAULT_CASE_POLICY } from "./CaseParameters.js"
import { type CaseCommand, decide, openCase, requiredChecks } from "./CaseMachine.js"
import { dibaoFullYear } from "./Dibao.js"
import { entrust, step } from "./EconomicCheck.js"

const DAY = 86_400_000
const T0 = CivilDate.startOfDayInstant("2026-03-02" as CivilDate.CivilDate) + 9 * 3_600_000
const ctx = (now: number) => ({ now, policy: DEFAULT_CASE_POLICY })
const member = {
  role: "applicant" as const,
  name: "张三",
  idNumber: "11010519491231002X",
  phone: null,
  bankCard: null,
}

const open = (
  kind: CaseKind,
  channel: "online" | "window" | "offline" = "offline",
  materials = ["id_card"],
) =>
  Result.getOrThrow(
    openCase(
      {
        id: `C-${kind}` as CaseId,
        kind,
        channel,
        district: "310115",
        projectId: null,
        members: [member],
        requiredMaterials: ["id_card"],
        receivedMaterials: materials,
        predecessorId: null,
      },
      T0,
    ),
  ).case

const run = (c: Case, cmds: ReadonlyArray<CaseCommand>, now = T0) =>
  cmds.reduce((acc, cmd) => Result.getOrThrow(decide(acc, cmd, ctx(now))).case, c)

const passAll = (c: Case, now = T0): ReadonlyArray<CaseCommand> =>
  requiredChecks(c).map((source) => ({
    type: "recordCheck",
    evidence: { source, at: now, requestDigest: "d", result: "pass", detail: "ok" },
  }))

const toAdmission = (kind: CaseKind): Case => {
  let c = run(open(kind), [{ type: "submitDraft" }, { type: "accept" }])
  c = run(c, [...passAll(c), { type: "completeVerification" }])
  if (kind === "baozu") return c
  c = run(c, [{ type: "approveFirstReview", location: "街道公示栏" }])
  c = run(
    c,
    [
      { type: "concludeFirstNotice", objection: false },
      { type: "approveSecondReview", location: "网站" },
    ],
    T0 + 8 * DAY,
  )
  return run(c, [{ type: "concludeOnlineNotice", objection: false }], T0 + 16 * DAY)
}

describe("case machine", () => {
  it.each(["gongzu", "baozu", "lianzu", "gongyou"] as const)(
    "%s: happy path to admission with its validity",
    (kind) => {
      const c = toAdmission(kind)
      expect(c.state).toBe("awaiting_admission")
      const admitted = Result.getOrThrow(
        decide(c, { type: "admit", certificateNumber: "Z-1" }, ctx(T0 + 20 * DAY)),
      )
      expect(admitted.case.state).toBe("admitted")
      const years = DEFAULT_CASE_POLICY.validityYears[kind]
      const from = CivilDate.fromInstant(T0 + 20 * DAY)
      expect(admitted.case.certificate?.validUntil).toBe(
        CivilDate.addDays(CivilDate.addYears(from, years), -1),
      )
      expect(admitted.events.map((e) => e.type)).toContain("CaseAdmitted")
    },
  )

  it("R57: a missing mandatory material blocks acceptance but not rejection", () => {
    const c = run(open("gongzu", "offline", []), [{ type: "submitDraft" }])
    const refused = decide(c, { type: "accept" }, ctx(T0))
    expect(Result.isFailure(refused) && refused.failure).toMatchObject({
      rule: "R57.missing-material",
      state: "awaiting_acceptance",
      command: "accept",
    })
    const rejected = Result.getOrThrow(decide(c, { type: "reject", reason: "材料不全" }, ctx(T0)))
    expect(rejected.case.state).toBe("rejected")
    expect(rejected.events.map((e) => e.type)).toEqual(["CaseClosed", "ReviewSlotReleased"])
  })

  it("R58: 保租 pre-review auto-passes on timeout with a tag; other kinds wait", () => {
    const c = open("baozu", "online")
    expect(Result.getOrThrow(decide(c, { type: "tick" }, ctx(T0 + 2 * DAY))).case.state).toBe(
      "awaiting_pre_review",
    )
    const auto = Result.getOrThrow(decide(c, { type: "tick" }, ctx(T0 + 3 * DAY)))
    expect(auto.case.state).toBe("awaiting_acceptance")
    expect(auto.case.tags).toContain("auto_pre_review")
    const g = open("gongzu", "online")
    expect(Result.getOrThrow(decide(g, { type: "tick" }, ctx(T0 + 30 * DAY))).case.state).toBe(
      "awaiting_pre_review",
    )
  })

  it("R68: a failed check forces a failure closure with a reason of at least 15 characters", () => {
    const c = run(open("lianzu"), [
      { type: "submitDraft" },
      { type: "accept" },
      {
        type: "recordCheck",
        evidence: { source: "marriage", at: T0, requestDigest: "d", result: "fail", detail: "x" },
      },
    ])
    const fwd = decide(c, { type: "completeVerification" }, ctx(T0))
    expect(Result.isFailure(fwd) && fwd.failure.rule).toBe("R68.failed-check")
    const short = decide(c, { type: "failReview", reason: "太短" }, ctx(T0))
    expect(Result.isFailure(short) && short.failure.rule).toBe("R68.reason-length")
    const closed = Result.getOrThrow(
      decide(c, { type: "failReview", reason: "婚姻核查不通过，申请人离婚未满三年" }, ctx(T0)),
    )
    expect(closed.case.state).toBe("review_failed")
    expect(closed.events.some((e) => e.type === "ReviewSlotReleased")).toBe(true)
  })

  it("R69: a notice cannot be concluded while it runs", () => {
    let c = toAdmission("gongzu")
    c = run(open("gongzu"), [{ type: "submitDraft" }, { type: "accept" }])
    c = run(c, [
      ...passAll(c),
      { type: "completeVerification" },
      { type: "approveFirstReview", location: "公示栏" },
    ])
    const early = decide(c, { type: "concludeFirstNotice", objection: false }, ctx(T0 + 6 * DAY))
    expect(Result.isFailure(early) && early.failure.rule).toBe("R69.notice-running")
  })

  it("R72/R77: admission becomes expiring-soon, then expired", () => {
    const c = run(toAdmission("gongzu"), [{ type: "admit", certificateNumber: "Z-2" }])
    const until = c.certificate!.validUntil
    const at = (d: CivilDate.CivilDate) => CivilDate.startOfDayInstant(d) + 3_600_000
    const soon = Result.getOrThrow(decide(c, { type: "tick" }, ctx(at(CivilDate.addDays(until, -90))))).case
    expect(soon.state).toBe("expiring_soon")
    const gone = Result.getOrThrow(decide(soon, { type: "tick" }, ctx(at(CivilDate.addDays(until, 1))))).case
    expect(gone.state).toBe("expired")
  })

  it("illegal transitions name the state and the command", () => {
    const r = decide(open("gongzu"), { type: "admit", certificateNumber: "x" }, ctx(T0))
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      state: "draft",
      command: "admit",
      rule: "case.illegal-transition",
    })
  })

  it("R82 and R169: 低保 13-month rule and the economic-check life cycle", () => {
    const months = Array.from({ length: 13 }, (_, i) =>
      CivilDate.addMonths("2025-02-15" as CivilDate.CivilDate, i),
    )
    expect(dibaoFullYear(months, "2026-03-02" as CivilDate.CivilDate)).toBe(true)
    expect(dibaoFullYear(months.slice(1), "2026-03-02" as CivilDate.CivilDate)).toBe(false)
    const e = entrust("2026-04-01" as CivilDate.CivilDate, T0)
    const s = Result.getOrThrow(step(e, { type: "suspend", reason: "缺材料" }, T0))
    expect(Result.isFailure(step(s, { type: "report", passed: true, reportRef: "r" }, T0))).toBe(true)
    const c = Result.getOrThrow(step(s, { type: "continue", notice: "n", reason: "补齐" }, T0))
    const done = Result.getOrThrow(step(c, { type: "report", passed: true, reportRef: "r" }, T0))
    expect(done.state).toBe("report_passed")
    expect(Result.isFailure(step(done, { type: "terminate", reason: "x" }, T0))).toBe(true)
    expect(done.log.map((l) => l.time)).toContain("2026-03-02 00:00:00")
  })
})

// ---------------------------------------------------------------------------------------------

const reason = "核查结果不符合申请条件，依规办结不予通过"
const commandArb: fc.Arbitrary<CaseCommand> = fc.oneof(
  fc.constantFrom<CaseCommand>(
    { type: "submitDraft" },
    { type: "signIn" },
    { type: "passPreReview" },
    { type: "failPreReview", reason: "不符合" },
    { type: "accept" },
    { type: "reject", reason: "不予受理" },
    { type: "requestSupplement", materials: ["income_proof"] },
    { type: "submitSupplement", materials: ["income_proof", "id_card"] },
    { type: "completeVerification" },
    { type: "failReview", reason },
    { type: "failReview", reason: "短" },
    { type: "approveFirstReview", location: "公示栏" },
    { type: "concludeFirstNotice", objection: false },
    { type: "concludeFirstNotice", objection: true, upheld: true, opinion: reason },
    { type: "approveSecondReview", location: "网站" },
    { type: "concludeOnlineNotice", objection: false },
    { type: "admit", certificateNumber: "Z" },
    { type: "tick" },
    { type: "abandon" },
    { type: "cancel", reason: "抽查发现隐瞒收入" },
    { type: "delete", approvedBy: "city-1" },
  ),
  fc
    .record({
      source: fc.constantFrom(...CHECK_SOURCES),
      result: fc.constantFrom("pass", "pass", "fail", "pending"),
    })
    .map(({ source, result }) => ({
      type: "recordCheck" as const,
      evidence: {
        source,
        at: 0,
        requestDigest: "d",
        result: result as "pass" | "fail" | "pending",
        detail: "",
      },
    })),
)

describe("case machine properties", () => {
  it("random command sequences stay inside the machine; every closure out of review frees the slot (R12)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CaseKind>("gongzu", "baozu", "lianzu", "gongyou"),
        fc.constantFrom("online", "window", "offline"),
        fc.array(fc.tuple(commandArb, fc.integer({ min: 0, max: 400 })), { maxLength: 60 }),
        (kind, channel, steps) => {
          let c = open(kind, channel as "online")
          let now = T0
          for (const [cmd, advanceDays] of steps) {
            now += advanceDays * DAY
            const r = decide(c, cmd, ctx(now))
            if (Result.isFailure(r)) {
              expect(r.failure.state).toBe(c.state)
              expect(r.failure.command).toBe(cmd.type)
              continue
            }
            const next = r.success.case
            expect(CASE_STATES).toContain(next.state)
            if (isTerminal(c.state)) throw new Error("a terminal state accepted a command")
            const released = r.success.events.some((e) => e.type === "ReviewSlotReleased")
            expect(released).toBe(holdsReviewSlot(c.state) && !holdsReviewSlot(next.state))
            if (isTerminal(next.state)) expect(next.closure).not.toBeNull()
            if (next.state !== c.state || r.success.events.length > 0)
              expect(next.version).toBe(c.version + 1)
            c = next
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
