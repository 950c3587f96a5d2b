/**
 * Deterministic random bit generator of the lottery (R53, R55): a hash in counter mode, one independent
 * stream per stratum. key = H(0x03 ‖ "anju-lottery/1" ‖ 0x00 ‖ poolRoot ‖ seed ‖ u32be(len s) ‖ UTF-8 stratum);
 * block i = H(0x04 ‖ key ‖ u64be(i)), i = 0, 1, …; each 32-byte block yields eight big-endian uint32 in order.
 * `below(m)` is exact: rejection sampling against the largest multiple of m ≤ 2^32, never a bare modulo.
 */
import { type Digest, type HashInto, hashIntoOf, utf8 } from "./Digest.js"
import { ALGORITHM } from "./Pool.js"

export const KEY_PREFIX = 0x03
export const BLOCK_PREFIX = 0x04

/** The per-stratum DRBG key (32 bytes). */
export const stratumKey = (
  digest: Digest,
  poolRoot: Uint8Array,
  seed: Uint8Array,
  stratum: string,
): Uint8Array => {
  const tag = utf8(ALGORITHM)
  const s = utf8(stratum)
  const b = new Uint8Array(1 + tag.length + 1 + poolRoot.length + seed.length + 4 + s.length)
  let p = 0
  b[p++] = KEY_PREFIX
  b.set(tag, p)
  p += tag.length + 1 // 0x00 separator
  b.set(poolRoot, p)
  p += poolRoot.length
  b.set(seed, p)
  p += seed.length
  new DataView(b.buffer).setUint32(p, s.length)
  b.set(s, p + 4)
  return digest.hash(b)
}

export class HashCounterDrbg {
  private readonly input: Uint8Array
  private readonly block: Uint8Array = new Uint8Array(32)
  private readonly hashInto: HashInto
  private word = 8
  private counter = 0
  /** Number of blocks produced so far (for tests and cost accounting). */
  get blocks(): number {
    return this.counter
  }

  constructor(digest: Digest, key: Uint8Array) {
    this.hashInto = hashIntoOf(digest)
    this.input = new Uint8Array(1 + key.length + 8)
    this.input[0] = BLOCK_PREFIX
    this.input.set(key, 1)
  }

  /** Next uint32 of the stream. */
  nextUint32(): number {
    if (this.word === 8) {
      const p = this.input.length - 8
      const c = this.counter++
      const hi = Math.floor(c / 0x100000000)
      const inp = this.input
      inp[p] = hi >>> 24
      inp[p + 1] = hi >>> 16
      inp[p + 2] = hi >>> 8
      inp[p + 3] = hi
      inp[p + 4] = c >>> 24
      inp[p + 5] = c >>> 16
      inp[p + 6] = c >>> 8
      inp[p + 7] = c
      this.hashInto(inp, 0, inp.length, this.block, 0)
      this.word = 0
    }
    const b = this.block
    const o = 4 * this.word++
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
  }

  /** Uniform integer in [0, m) for 1 ≤ m ≤ 2^32, by rejection sampling (no modulo bias). */
  below(m: number): number {
    if (!Number.isInteger(m) || m < 1 || m > 0x100000000) throw new RangeError(`below(${m})`)
    const limit = 0x100000000 - (0x100000000 % m)
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % m
    }
  }
}
