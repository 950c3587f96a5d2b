// Hash chain (M109): the domain SM3 matches the standard vector; a chain verifies; changing any entry's
// content, reordering or dropping entries is reported at the first affected entry.
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import type { HouseholdId } from "./HouseholdId.js"
import { GENESIS_HASH, chainAfter, sm3Hex, verifyChain } from "./JournalChain.js"
import { deposit } from "./PostingRules.js"

const entry = (i: number, amount: number) =>
  Result.getOrThrow(
    deposit({
      id: `E${i}`,
      book: "commodity",
      date: "2024-01-01" as CivilDate,
      kind: "first",
      households: [{ household: `H${i % 3}` as HouseholdId, amount: amount as Money }],
    }),
  )

describe("journal chain", () => {
  it("SM3 matches the GB/T 32905 vector", () => {
    expect(sm3Hex("abc")).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
  })
  it("verifies, and an altered memo or a dropped entry breaks at that entry", () =>
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 15 }),
        fc.nat(),
        (amounts, k) => {
          const chained = chainAfter(
            { seq: 0, hash: GENESIS_HASH },
            amounts.map((a, i) => entry(i, a)),
          )
          expect(verifyChain(chained)).toMatchObject({
            ok: true,
            entries: amounts.length,
            head: chained.at(-1)!.hash,
          })
          const i = k % amounts.length
          const tampered = chained.map((c, j) =>
            j === i ? { ...c, entry: { ...c.entry, memo: `${c.entry.memo}!` } } : c,
          )
          expect(verifyChain(tampered).firstBreak).toMatchObject({ seq: i + 1, problem: "hash-mismatch" })
          // Dropping any entry but the last breaks the chain (a cut tail needs the published head to detect).
          if (i < amounts.length - 1) {
            const dropped = chained.filter((_, j) => j !== i)
            expect(verifyChain(dropped).ok).toBe(false)
          }
        },
      ),
      { numRuns: 50 },
    ))
})
