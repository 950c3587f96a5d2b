/**
 * Ranking laws (R45–R50): the ranking is a permutation of the admitted households, deterministic,
 * independent of input order, ordered lexicographically by the plan's key chain then id, and equal to a
 * naive comparator sort. Plus the built-in plans' admission rules and plan-file errors naming the field.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as CivilDate from "../values/CivilDate.js"
import type { Applicant } from "./Applicant.js"
import {
  BUILTIN_PLANS,
  GONGYOU,
  GONGZU,
  ORDER_KEYS,
  type QueuePlan,
  decodePlan,
  parsePlanYaml,
} from "./QueuePlan.js"
import { poolKey, rank, sortKey } from "./Ranking.js"

const ON = "2025-06-30" as CivilDate.CivilDate
const ON_DAY = CivilDate.toDayNumber(ON)
const BASE_MS = CivilDate.startOfDayInstant("2025-01-01" as CivilDate.CivilDate)

const applicantArb: fc.Arbitrary<Omit<Applicant, "id">> = fc.record(
  {
    project: fc.constantFrom("P1", "P2"),
    unitType: fc.constantFrom("1室", "2室"),
    unit: fc.constantFrom("U1", "U2", "U3"),
    // few distinct values, so that ties happen and the id tie-break is exercised
    entryAt: fc.integer({ min: 0, max: 5 }).map((h) => BASE_MS + h * 3_600_000 * 24 * 7),
    qualifiedOn: fc.integer({ min: ON_DAY - 400, max: ON_DAY - 395 }),
    certificateValidUntil: fc.integer({ min: ON_DAY - 2, max: ON_DAY + 2 }),
    hardship: fc.constantFrom("tekun", "dibao", "none"),
    industry: fc.constantFrom("教育", "医疗", "制造"),
    income: fc.integer({ min: 10_000, max: 120_000 }),
    housingArea: fc.integer({ min: 0, max: 30 }),
    ownsHome: fc.boolean(),
    intention: fc.constantFrom("first", "second", "none"),
    familySize: fc.integer({ min: 1, max: 5 }),
  },
  { requiredKeys: ["project", "unitType", "entryAt", "qualifiedOn", "hardship", "intention"] },
)
const applicantsArb = fc
  .array(applicantArb, { maxLength: 60 })
  .map((xs) => xs.map((x, i) => ({ ...x, id: `A${(i * 7919) % 1000}-${i}` }) as Applicant))

const PRIORITY: QueuePlan = {
  id: "priority",
  pool: "unit-type",
  priorityGroups: [
    { id: "hardship", all: [{ attribute: "hardship", in: ["tekun", "dibao"] }] },
    { id: "industry", all: [{ attribute: "industry", in: ["教育", "医疗"] }] },
    { id: "income", all: [{ attribute: "income", max: 40_000 }] },
    {
      id: "housing",
      all: [
        { attribute: "housingArea", max: 15 },
        { attribute: "ownsHome", equals: false },
      ],
    },
  ],
  order: [{ by: "priorityCount" }, { by: "entryTime" }, { by: "qualificationDate" }, { by: "id" }],
}

const randomPlanArb: fc.Arbitrary<QueuePlan> = fc
  .record({
    keys: fc.shuffledSubarray(ORDER_KEYS.filter((k) => k !== "id")),
    dirs: fc.array(fc.constantFrom("asc" as const, "desc" as const), { minLength: 5, maxLength: 5 }),
    pool: fc.constantFrom("unit-type" as const, "unit" as const),
  })
  .map(({ keys, dirs, pool }) => ({
    ...PRIORITY,
    pool,
    order: [...keys.map((by, i) => ({ by, direction: dirs[i]! })), { by: "id" as const }],
  }))

const planArb = fc.oneof(fc.constantFrom(...Object.values(BUILTIN_PLANS), PRIORITY), randomPlanArb)

const cmpTuple = (a: ReadonlyArray<number | string>, b: ReadonlyArray<number | string>) => {
  for (let i = 0; i < a.length; i++) if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1
  return 0
}
const fullKey = (p: QueuePlan, a: Applicant) => [poolKey(p, a) ?? "", ...sortKey(p, a), a.id]

const ranked = (p: QueuePlan, xs: ReadonlyArray<Applicant>) => {
  const r = rank(p, xs, ON)
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return { r: r.success, ids: Array.from(r.success.order, (i) => xs[i]!.id) }
}

describe("rank", () => {
  it("is a permutation of the admitted households, respects the key chain and equals a naive sort", () => {
    fc.assert(
      fc.property(planArb, applicantsArb, (plan, xs) => {
        const { r, ids } = ranked(plan, xs)
        expect(new Set(r.order).size).toBe(r.order.length)
        expect(r.order.length + r.excluded.length).toBe(xs.length)
        const excluded = new Set(r.excluded.map((e) => e.index))
        for (const i of r.order) expect(excluded.has(i)).toBe(false)
        const naive = xs
          .filter((_, i) => !excluded.has(i))
          .sort((a, b) => cmpTuple(fullKey(plan, a), fullKey(plan, b)))
          .map((a) => a.id)
        expect(ids).toEqual(naive)
        for (let j = 1; j < r.order.length; j++) {
          const a = xs[r.order[j - 1]!]!
          const b = xs[r.order[j]!]!
          expect(cmpTuple(fullKey(plan, a), fullKey(plan, b))).toBe(-1)
          expect(r.position[j]).toBe(r.pool[j] === r.pool[j - 1] ? r.position[j - 1]! + 1 : 1)
        }
      }),
      { numRuns: 300 },
    )
  })

  it("is deterministic and independent of input order", () => {
    fc.assert(
      fc.property(planArb, applicantsArb, fc.infiniteStream(fc.nat()), (plan, xs, noise) => {
        const shuffled = [...xs]
          .map((x) => ({ x, k: noise.next().value }))
          .sort((a, b) => a.k - b.k)
          .map((e) => e.x)
        expect(ranked(plan, shuffled).ids).toEqual(ranked(plan, xs).ids)
        expect(ranked(plan, xs).ids).toEqual(ranked(plan, xs).ids)
      }),
      { numRuns: 200 },
    )
  })

  it("R45: 公租 admits only valid certificates and orders by admission date, earliest first", () => {
    const mk = (id: string, q: number, valid: number): Applicant => ({
      id,
      project: "P",
      unitType: "1室",
      entryAt: BASE_MS,
      qualifiedOn: ON_DAY - q,
      certificateValidUntil: ON_DAY + valid,
      hardship: "none",
      intention: "none",
    })
    const xs = [mk("late", 10, 5), mk("early", 300, 5), mk("expired", 700, -1), mk("lastDay", 200, 0)]
    const { r, ids } = ranked(GONGZU, xs)
    expect(ids).toEqual(["early", "lastDay", "late"])
    expect(r.excluded).toEqual([{ index: 2, reason: "certificate-invalid" }])
  })

  it("R46: 共有产权 takes only marked households, 1次 before 2次", () => {
    const mk = (id: string, intention: Applicant["intention"]): Applicant => ({
      id,
      project: "P",
      unitType: "1室",
      entryAt: BASE_MS,
      qualifiedOn: ON_DAY - 10,
      certificateValidUntil: ON_DAY + 100,
      hardship: "none",
      intention,
    })
    const { r, ids } = ranked(GONGYOU, [mk("b", "second"), mk("c", "none"), mk("a", "first")])
    expect(ids).toEqual(["a", "b"])
    expect(r.excluded.map((e) => e.reason)).toEqual(["not-marked"])
  })

  it("rejects duplicate ids", () => {
    const a: Applicant = {
      id: "X",
      project: "P",
      unitType: "T",
      entryAt: 0,
      qualifiedOn: 0,
      hardship: "none",
      intention: "none",
    }
    expect(Result.isFailure(rank(BUILTIN_PLANS["builtin:baozu"]!, [a, a], ON))).toBe(true)
  })
})

describe("plan files", () => {
  it("decode a YAML plan with bare order keys", () => {
    const r = parsePlanYaml(
      "id: p\npool: unit\norder: [entryTime, { by: priorityCount, direction: desc }, id]\n",
    )
    expect(Result.isSuccess(r) && r.success.order.map((o) => o.by)).toEqual([
      "entryTime",
      "priorityCount",
      "id",
    ])
  })
  it("errors name the field", () => {
    const bad = (v: unknown) => {
      const r = decodePlan(v)
      return Result.isFailure(r) ? r.failure.message : "ok"
    }
    expect(bad({ id: "p", pool: "unit", order: ["entryTime", "shoeSize", "id"] })).toContain('["order"][1]')
    expect(bad({ id: "p", pool: "unit", order: ["entryTime"] })).toContain('["order"]')
    expect(bad({ id: "p", pool: "unit", order: ["id"], color: 1 })).toContain('["color"]')
    expect(bad({ id: "p", pool: "unit", order: ["id"], exit: { groups: ["x"] } })).toContain(
      '["exit"]["groups"][0]',
    )
    expect(
      bad({
        id: "p",
        pool: "unit",
        order: ["id"],
        priorityGroups: [{ id: "g", all: [{ attribute: "income", max: "x" }] }],
      }),
    ).toContain('["priorityGroups"][0]["all"][0]')
  })
})
