/**
 * Run-once (R53): a pool with a standing (non-annulled) draw cannot be drawn again — under either hash —
 * until that draw has an annulment with a reason; annulments cannot predate their draw.
 */
import { DateTime, Result } from "effect"
import { describe, expect, it } from "vitest"
import { type Annulment, checkCanDraw, type DrawRecord, makeAnnulment } from "./Annulment.js"
import { pureSha256, pureSm3 } from "./Digest.js"
import { commitPool, makePool } from "./Pool.js"

const pool = Result.getOrThrow(makePool([{ id: "A1" }, { id: "A2" }, { id: "A3" }]))
const other = Result.getOrThrow(makePool([{ id: "A1" }, { id: "A2" }]))
const rootOf = (p: typeof pool) => (hash: "SM3" | "SHA-256") =>
  commitPool(p, hash === "SM3" ? pureSm3 : pureSha256).poolRoot
const at = (iso: string) => DateTime.makeUnsafe(iso) as DateTime.Utc
const first: DrawRecord = {
  drawId: "d1",
  hash: "SHA-256",
  poolRoot: rootOf(pool)("SHA-256"),
  drawnAt: at("2025-06-01T02:00:00Z"),
}

describe("run-once (R53)", () => {
  it("refuses a second draw of the same pool, even under another hash", () => {
    const r = checkCanDraw({ rootOf: rootOf(pool), draws: [first], annulments: [] })
    expect(Result.isFailure(r) && r.failure.drawId).toBe("d1")
    expect(Result.isSuccess(checkCanDraw({ rootOf: rootOf(other), draws: [first], annulments: [] }))).toBe(
      true,
    )
  })
  it("allows it once the earlier draw is annulled with a reason", () => {
    const annulment: Annulment = Result.getOrThrow(
      makeAnnulment(first, { reason: "公证员未到场，依规作废", annulledAt: at("2025-06-01T03:00:00Z") }),
    )
    expect(
      Result.isSuccess(checkCanDraw({ rootOf: rootOf(pool), draws: [first], annulments: [annulment] })),
    ).toBe(true)
    const second: DrawRecord = { ...first, drawId: "d2", hash: "SM3", poolRoot: rootOf(pool)("SM3") }
    expect(
      Result.isFailure(
        checkCanDraw({ rootOf: rootOf(pool), draws: [first, second], annulments: [annulment] }),
      ),
    ).toBe(true)
  })
  it("an annulment needs a reason and cannot precede its draw", () => {
    expect(
      Result.isFailure(makeAnnulment(first, { reason: "  ", annulledAt: at("2025-06-02T00:00:00Z") })),
    ).toBe(true)
    expect(
      Result.isFailure(makeAnnulment(first, { reason: "x", annulledAt: at("2025-05-31T00:00:00Z") })),
    ).toBe(true)
    // At least ANNULMENT_REASON_MIN_LENGTH (4) code points after trimming; four Chinese characters suffice.
    const later = at("2025-06-02T00:00:00Z")
    expect(Result.isFailure(makeAnnulment(first, { reason: " 重摇一 ", annulledAt: later }))).toBe(true)
    expect(Result.getOrThrow(makeAnnulment(first, { reason: " 设备故障 ", annulledAt: later })).reason).toBe(
      "设备故障",
    )
  })
})
