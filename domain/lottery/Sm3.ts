/**
 * Pure SM3 (GB/T 32905-2016, GM/T 0004-2012), the lottery's default hash (R53). Tuned for many short
 * messages: no allocation but the 32-byte result, module-level scratch state (not re-entrant, never awaits).
 * Byte-identical to node:crypto's "sm3" and to sm-crypto-v2 — checked by Digest.test.ts
 * (standard vector SM3("abc") = 66c7f0f4…8f4ba8e0 and random inputs).
 */
import { merkleDamgard } from "./MerkleDamgard.js"

const IV = Int32Array.from([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
])
/** T_j rotated left by j mod 32, precomputed. */
const TR = Int32Array.from({ length: 64 }, (_, j) => {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a
  const k = j % 32
  return k === 0 ? t : (t << k) | (t >>> (32 - k))
})
const W = new Int32Array(68)
const S = new Int32Array(8)

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

const compress = (b: Uint8Array, off: number): void => {
  for (let i = 0; i < 16; i++) {
    const j = off + 4 * i
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!
  }
  for (let j = 16; j < 68; j++) {
    const x = W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15)
    W[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!
  }
  let a = S[0]!
  let b1 = S[1]!
  let c = S[2]!
  let d = S[3]!
  let e = S[4]!
  let f = S[5]!
  let g = S[6]!
  let h = S[7]!
  for (let j = 0; j < 64; j++) {
    const a12 = rotl(a, 12)
    const ss1 = rotl((a12 + e + TR[j]!) | 0, 7)
    const ss2 = ss1 ^ a12
    const wj = W[j]!
    const wj1 = wj ^ W[j + 4]!
    const ff = j < 16 ? a ^ b1 ^ c : (a & b1) | (a & c) | (b1 & c)
    const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g)
    const tt1 = (ff + d + ss2 + wj1) | 0
    const tt2 = (gg + h + ss1 + wj) | 0
    d = c
    c = rotl(b1, 9)
    b1 = a
    a = tt1
    h = g
    g = rotl(f, 19)
    f = e
    e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)
  }
  S[0] = S[0]! ^ a
  S[1] = S[1]! ^ b1
  S[2] = S[2]! ^ c
  S[3] = S[3]! ^ d
  S[4] = S[4]! ^ e
  S[5] = S[5]! ^ f
  S[6] = S[6]! ^ g
  S[7] = S[7]! ^ h
}

const frame = merkleDamgard(IV, S, compress)

/** SM3 of `data[start, end)` written to `out[outOffset, outOffset + 32)`; allocates nothing. */
export const sm3Into = frame.into

/** SM3 of `data` as a fresh 32-byte array. */
export const sm3 = frame.hash
