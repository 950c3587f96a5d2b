/**
 * KeyIndex behaves as a Map<string, V> for get/has/set/size and iterates keys in insertion order, for any
 * sequence of sets (property), including keys longer than the hashed tail that differ only at the front.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { KeyIndex } from "./KeyIndex.js"

describe("KeyIndex", () => {
  it("agrees with a Map on every operation and on key order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.string(), fc.string({ minLength: 30, maxLength: 40 })), fc.integer())),
        fc.array(fc.string()),
        (sets, probes) => {
          const index = new KeyIndex<number>()
          const map = new Map<string, number>()
          for (const [k, v] of sets) {
            index.set(k, v)
            map.set(k, v)
          }
          expect(index.size).toBe(map.size)
          expect([...index.keys()]).toEqual([...map.keys()])
          for (const k of [...map.keys(), ...probes]) {
            expect(index.get(k)).toBe(map.get(k))
            expect(index.has(k)).toBe(map.has(k))
          }
        },
      ),
    )
  })

  it("tells apart long keys that share their last 24 characters", () => {
    const index = new KeyIndex<number>()
    const tail = "x".repeat(24)
    index.set(`a${tail}`, 1).set(`b${tail}`, 2)
    expect(index.size).toBe(2)
    expect(index.get(`a${tail}`)).toBe(1)
    expect(index.get(`b${tail}`)).toBe(2)
    expect(index.has(`c${tail}`)).toBe(false)
  })
})
