/**
 * Scrypt hashes: verify the right password only, salts differ, the parameters travel in the string (a hash
 * made with other parameters still verifies), and malformed or absent hashes answer false.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { make } from "./ScryptPasswordHasher.js"

const pw = (s: string) => Redacted.make(s)

describe("ScryptPasswordHasher", () => {
  it.effect("verifies the right password only; two hashes of one password differ", () =>
    Effect.gen(function* () {
      const hasher = make({ logN: 12, r: 8, p: 1 })
      const h1 = yield* hasher.hash(pw("住房保障 correct horse"))
      const h2 = yield* hasher.hash(pw("住房保障 correct horse"))
      expect(h1).toMatch(/^scrypt\$12\$8\$1\$/u)
      expect(h1).not.toBe(h2)
      expect(h1).not.toContain("correct")
      expect(yield* hasher.verify(pw("住房保障 correct horse"), h1)).toBe(true)
      expect(yield* hasher.verify(pw("住房保障 correct hors"), h1)).toBe(false)
      expect(yield* hasher.verify(pw("住房保障 correct horse"), null)).toBe(false)
      expect(yield* hasher.verify(pw("x"), "scrypt$99$8$1$abc$def")).toBe(false)
      expect(yield* hasher.verify(pw("x"), "fast$00$11")).toBe(false)
    }),
  )

  it.effect("parameters are read from the stored string, so raising them keeps old hashes valid", () =>
    Effect.gen(function* () {
      const old = yield* make({ logN: 10, r: 8, p: 1 }).hash(pw("an older password"))
      const current = make() // default N = 2^15
      expect(yield* current.verify(pw("an older password"), old)).toBe(true)
      expect((yield* current.hash(pw("an older password"))).startsWith("scrypt$15$8$1$")).toBe(true)
    }),
  )
})
