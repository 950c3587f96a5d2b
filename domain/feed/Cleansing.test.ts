/**
 * Cleansing and validation (M185): the demo city passes whole; each rule rejects exactly the offending
 * record with its rule id — duplicate ids, unknown enumerations (aliases mapped), unit conversion,
 * negative amounts, household → building → area references, area floor area and balance against Σ
 * households, dates outside the period, figures that differ from the detail's.
 */
import { describe, expect, it } from "vitest"
import { DEMO_CITY, demoCityDetail } from "../../hosts/demo/DemoFeed.js"
import { figuresOfDetail } from "./Aggregation.js"
import { cleanse, hundredths } from "./Cleansing.js"
import type { FeedRecord } from "./FeedRecord.js"

const period = "2026-11"
const ctx = { period, province: DEMO_CITY.province, city: DEMO_CITY.city }
const detail = demoCityDetail({ period, households: 80 })
const run = (records: ReadonlyArray<unknown>) =>
  cleanse(records, { period, recompute: (d) => figuresOfDetail(d, ctx) })
const find = (kind: string, pick?: (r: FeedRecord) => boolean) =>
  detail.find((r) => r.kind === kind && (pick === undefined || pick(r)))!

describe("cleansing", () => {
  it("accepts the demo city whole, figures included", () => {
    const out = run([...detail, ...figuresOfDetail(detail, ctx)])
    expect(out.rejected).toEqual([])
    expect(out.accepted.length).toBe(detail.length + figuresOfDetail(detail, ctx).length)
  })

  it("keeps the first of duplicate identifiers", () => {
    const h = find("organisation")
    const out = run([...detail, { ...h, name: "another" }])
    expect(out.rejected).toEqual([
      expect.objectContaining({ kind: "organisation", id: h.id, rule: "M185.dedupe" }),
    ])
    expect(out.accepted.find((r) => r.id === h.id)?.["name"]).toBe(h["name"])
  })

  it("maps enumeration aliases and refuses unknown codes", () => {
    const a = find("area")
    const mapped = run(detail.map((r) => (r === a ? { ...r, stage: "自管" } : r)))
    expect(mapped.rejected).toEqual([])
    expect(mapped.accepted.find((r) => r.id === a.id && r.kind === "area")?.["stage"]).toBe("self-managed")
    const bad = run([
      ...detail,
      { kind: "use", id: "U-x", area: a.id, date: `${period}-02`, amount: 1, category: "spaceship" },
    ])
    expect(bad.rejected).toEqual([
      expect.objectContaining({ id: "U-x", rule: "M185.enum", field: "category" }),
    ])
  })

  it("converts yuan and m² to fen and hundredths, exactly", () => {
    expect(hundredths("88.5")).toBe(8850)
    expect(hundredths("12.345")).toBeUndefined()
    const a = find("area")
    const out = run([
      ...detail,
      { kind: "income", id: "I-y", area: a.id, date: `${period}-03`, amountYuan: "12.34", type: "利息" },
    ])
    expect(out.accepted.find((r) => r.id === "I-y")).toEqual({
      kind: "income",
      id: "I-y",
      area: a.id,
      date: `${period}-03`,
      amount: 1234,
      type: "interest",
    })
    const bad = run([
      ...detail,
      { kind: "income", id: "I-z", area: a.id, date: `${period}-03`, amountYuan: "1.234", type: "interest" },
    ])
    expect(bad.rejected[0]).toMatchObject({ id: "I-z", rule: "M185.unit" })
  })

  it("rejects negative amounts", () => {
    const a = find("area")
    const out = run([
      ...detail,
      { kind: "use", id: "U-neg", area: a.id, date: `${period}-02`, amount: -5, category: "roof" },
    ])
    expect(out.rejected).toEqual([expect.objectContaining({ id: "U-neg", rule: "M185.negative" })])
  })

  it("rejects broken references household → building → area and what hangs on them", () => {
    const b = find("building")
    const withoutBuilding = detail.filter((r) => r !== b)
    const out = run(withoutBuilding)
    const orphans = detail.filter((r) => r.kind === "household" && r["building"] === b.id)
    expect(orphans.length).toBeGreaterThan(0)
    for (const h of orphans)
      expect(out.rejected).toContainEqual(
        expect.objectContaining({ kind: "household", id: h.id, rule: "M185.reference" }),
      )
    // Their accounts go with them, so the area's balance and floor area no longer add up.
    expect(out.rejected).toContainEqual(
      expect.objectContaining({ kind: "household-account", rule: "M185.reference" }),
    )
    expect(out.rejected).toContainEqual(
      expect.objectContaining({ kind: "area-account", id: b["area"], rule: "M185.area-balance" }),
    )
    expect(out.rejected).toContainEqual(
      expect.objectContaining({ kind: "area", id: b["area"], rule: "M185.area-floor" }),
    )
  })

  it("checks area balance = Σ household balances and dates inside the period", () => {
    const acc = find("area-account")
    const out = run(detail.map((r) => (r === acc ? { ...r, balance: (r["balance"] as number) + 1 } : r)))
    expect(out.rejected).toEqual([
      expect.objectContaining({ kind: "area-account", id: acc.id, rule: "M185.area-balance" }),
    ])
    const use = find("use")
    const late = run(detail.map((r) => (r === use ? { ...r, date: "2026-12-01" } : r)))
    expect(late.rejected).toEqual([expect.objectContaining({ kind: "use", id: use.id, rule: "M185.period" })])
  })

  it("rejects figures that differ from the accepted detail's", () => {
    const figures = figuresOfDetail(detail, ctx)
    const wrong = { ...figures[0]!, depositPaid: figures[0]!.depositPaid + 100 }
    const out = run([...detail, wrong, ...figures.slice(1)])
    expect(out.rejected).toEqual([
      expect.objectContaining({ kind: "figures", id: wrong.id, rule: "M185.figures", field: "depositPaid" }),
    ])
  })

  it("refuses unknown kinds and fields", () => {
    const out = run([
      ...detail,
      { kind: "spaceship", id: "S" },
      { ...find("organisation"), id: "O-2", colour: "red" },
    ])
    expect(out.rejected.map((r) => r.rule)).toEqual(["FEED.shape", "FEED.shape"])
  })
})
