/**
 * Deterministic SecureRandom for tests and scenario replay: xorshift128+ from a numeric seed, so the
 * same seed yields the same public codes. Never use it outside tests and replays.
 */
import { Effect, Layer } from "effect"
import { SecureRandom } from "../../application/ports/SecureRandom.js"

export const make = (seed: number) =>
  Effect.sync(() => {
    let s0 = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n)
    let s1 = BigInt.asUintN(64, s0 ^ 0xbf58476d1ce4e5b9n)
    const nextByte = () => {
      let x = s0
      const y = s1
      s0 = y
      x = BigInt.asUintN(64, x ^ (x << 23n))
      s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n)
      return Number(BigInt.asUintN(64, s1 + y) >> 56n)
    }
    return SecureRandom.of({ bytes: (n) => Effect.sync(() => Uint8Array.from({ length: n }, nextByte)) })
  })

export const layer = (seed: number) => Layer.effect(SecureRandom, make(seed))
