/**
 * The Merkle–Damgård frame SHA-256 and SM3 share: 64-byte blocks, 0x80 padding and the 64-bit big-endian
 * bit length, eight 32-bit state words written out big-endian. Each algorithm supplies its IV, its state
 * array and its compression function; the frame allocates nothing but the result of `hash`.
 */

export interface MerkleDamgardHash {
  /** Hash of `data[start, end)` written to `out[outOffset, outOffset + 32)`; allocates nothing. */
  readonly into: (data: Uint8Array, start: number, end: number, out: Uint8Array, outOffset: number) => void
  /** Hash of `data` as a fresh 32-byte array. */
  readonly hash: (data: Uint8Array) => Uint8Array
}

/**
 * `compress(block, offset)` must fold the 64 bytes at `offset` into `state`. Not re-entrant (module-level
 * scratch), which is fine for synchronous code that never awaits inside a hash.
 */
export const merkleDamgard = (
  iv: Int32Array,
  state: Int32Array,
  compress: (block: Uint8Array, offset: number) => void,
): MerkleDamgardHash => {
  const tail = new Uint8Array(128)
  const into = (data: Uint8Array, start: number, end: number, out: Uint8Array, outOffset: number): void => {
    state.set(iv)
    const n = end - start
    let off = start
    for (; off + 64 <= end; off += 64) compress(data, off)
    const r = end - off
    tail.fill(0)
    for (let i = 0; i < r; i++) tail[i] = data[off + i]!
    tail[r] = 0x80
    const total = r + 9 <= 64 ? 64 : 128
    const hi = Math.floor(n / 0x20000000) // bit length = 8n, split into 32-bit halves
    const lo = (n << 3) >>> 0
    tail[total - 8] = hi >>> 24
    tail[total - 7] = hi >>> 16
    tail[total - 6] = hi >>> 8
    tail[total - 5] = hi
    tail[total - 4] = lo >>> 24
    tail[total - 3] = lo >>> 16
    tail[total - 2] = lo >>> 8
    tail[total - 1] = lo
    compress(tail, 0)
    if (total === 128) compress(tail, 64)
    for (let i = 0; i < 8; i++) {
      const v = state[i]!
      const o = outOffset + 4 * i
      out[o] = v >>> 24
      out[o + 1] = v >>> 16
      out[o + 2] = v >>> 8
      out[o + 3] = v
    }
  }
  return {
    into,
    hash: (data) => {
      const out = new Uint8Array(32)
      into(data, 0, data.length, out, 0)
      return out
    },
  }
}
