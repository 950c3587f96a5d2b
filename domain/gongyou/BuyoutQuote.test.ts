/**
 * 共有产权 five-year business (R125–R127): the five-year boundary on either side of the anniversary,
 * the quote's exact price and single rounding, its validity, the stored variables and R127.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { loadPolicy, requireParameters } from "../policy/PolicyTable.js"
import type { CivilDate } from "../values/CivilDate.js"
import { cancellationBlocked, decodeGongyouUnit, quoteBuyout } from "./BuyoutQuote.js"
import { allGongyouParameters } from "./GongyouParameters.js"

const policyDir = join(import.meta.dirname, "..", "..", "policy")
const files = readdirSync(policyDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ name: `policy/${f}`, text: readFileSync(join(policyDir, f), "utf8") }))
const table = Result.getOrThrow(
  loadPolicy(files).pipe(Result.flatMap((t) => requireParameters(t, allGongyouParameters))),
)
const d = (s: string) => s as CivilDate
const unit = (extra: Record<string, unknown> = {}) =>
  Result.getOrThrow(
    decodeGongyouUnit({
      address: "浦东新区三林路 100 弄 5 号 1201 室",
      area: "85.50",
      governmentShare: "40%",
      contractSignedOn: "2020-06-30",
      handoverOn: "2021-03-15",
      appraisal: { unitPrice: "¥45,678.90", appraisedOn: "2026-01-02" },
      ...extra,
    }),
  )
const quote = (u: ReturnType<typeof unit>, on: string) => Result.getOrThrow(quoteBuyout(table, u, d(on)))

describe("five-year test", () => {
  it("runs from the later of contract and handover: not reached the day before the anniversary, reached on it", () => {
    expect(quote(unit(), "2026-03-14").fiveYear).toMatchObject({ basisDate: "2021-03-15", reached: false })
    expect(quote(unit(), "2026-03-15").fiveYear).toMatchObject({ reachedOn: "2026-03-15", reached: true })
  })
  it("a basis needing the handover date fails without it", () => {
    const u = Result.getOrThrow(
      decodeGongyouUnit({
        address: "x",
        area: "50.00",
        governmentShare: "1/2",
        contractSignedOn: "2020-01-01",
        appraisal: { unitPrice: "¥1.00", appraisedOn: "2026-01-02" },
      }),
    )
    expect(Result.isFailure(quoteBuyout(table, u, d("2026-02-01")))).toBe(true)
  })
})

describe("price quote", () => {
  it("is unit price × area × share, computed exactly and rounded half-up once", () => {
    const q = quote(unit({ area: "85.55", governmentShare: "1/3" }), "2026-02-01")
    // 4567890 × 8555 / 100 / 3 = 130260996.5 exactly → half-up 130260997
    expect(q.variables.shareExactFen).toBe("260521993/2")
    expect(q.price).toBe(130260997)
    expect(q.validFrom).toBe("2026-02-01")
    expect(q.validUntil).toBe("2026-05-01") // 90 days counting the quote date
    expect(q.parameters.map((p) => p.path).sort()).toEqual([
      "gongyou.five_year.basis",
      "gongyou.five_year.years",
      "gongyou.quote.rounding",
      "gongyou.quote.validity_days",
    ])
  })
  it("the rounded price is within half a fen of the exact product and monotone in area", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 30000 }),
        fc.integer({ min: 100_000, max: 20_000_000 }),
        fc.integer({ min: 1, max: 99 }),
        (area, price, pct) => {
          const mk = (a: number) =>
            quote(
              unit({
                area: `${Math.trunc(a / 100)}.${String(a % 100).padStart(2, "0")}`,
                governmentShare: `${pct}%`,
                appraisal: {
                  unitPrice: `¥${Math.trunc(price / 100)}.${String(price % 100).padStart(2, "0")}`,
                  appraisedOn: "2026-01-02",
                },
              }),
              "2026-02-01",
            ).price
          const exactTimes20000 = BigInt(price) * BigInt(area) * BigInt(pct) * 2n // exact fen × 20000
          const p = BigInt(mk(area)) * 20000n
          expect(p - exactTimes20000 <= 10000n && exactTimes20000 - p <= 10000n).toBe(true) // |price − exact| ≤ ½ fen
          expect(mk(area + 1)).toBeGreaterThanOrEqual(mk(area))
        },
      ),
      { numRuns: 100 },
    )
  })
  it("rejects a share outside (0, 1) and a quote before the appraisal", () => {
    expect(
      Result.isFailure(
        decodeGongyouUnit({
          address: "x",
          area: "1.00",
          governmentShare: "100%",
          contractSignedOn: "2020-01-01",
          appraisal: { unitPrice: "¥1.00", appraisedOn: "2026-01-02" },
        }),
      ),
    ).toBe(true)
    expect(Result.isFailure(quoteBuyout(table, unit(), d("2026-01-01")))).toBe(true)
  })
})

describe("R127", () => {
  it("cancellation is blocked only while a registration is in progress", () => {
    expect(cancellationBlocked("in_progress")).toBe(true)
    expect(cancellationBlocked("closed")).toBe(false)
    expect(cancellationBlocked("rejected")).toBe(false)
    expect(cancellationBlocked("none")).toBe(false)
  })
})
