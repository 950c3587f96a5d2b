/**
 * Pure SHA-256 (FIPS 180-4) tuned for many short messages (Merkle leaves and nodes of the lottery, R53):
 * no allocation but the 32-byte result, module-level scratch state (not re-entrant, never awaits).
 * Byte-identical to node:crypto's "sha256" — checked by Digest.test.ts on standard vectors and random inputs.
 */
import { merkleDamgard } from "./MerkleDamgard.js"

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const W = new Int32Array(64)
const S = new Int32Array(8)

const compress = (b: Uint8Array, off: number): void => {
  for (let i = 0; i < 16; i++) {
    const j = off + 4 * i
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!
    const y = W[i - 2]!
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
  }
  let a = S[0]!
  let c1 = S[1]!
  let c = S[2]!
  let d = S[3]!
  let e = S[4]!
  let f = S[5]!
  let g = S[6]!
  let h = S[7]!
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (s0 + ((a & c1) ^ (a & c) ^ (c1 & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = c1
    c1 = a
    a = (t1 + t2) | 0
  }
  S[0] = (S[0]! + a) | 0
  S[1] = (S[1]! + c1) | 0
  S[2] = (S[2]! + c) | 0
  S[3] = (S[3]! + d) | 0
  S[4] = (S[4]! + e) | 0
  S[5] = (S[5]! + f) | 0
  S[6] = (S[6]! + g) | 0
  S[7] = (S[7]! + h) | 0
}

const frame = merkleDamgard(IV, S, compress)

/** SHA-256 of `data[start, end)` written to `out[outOffset, outOffset + 32)`; allocates nothing. */
export const sha256Into = frame.into

/** SHA-256 of `data` as a fresh 32-byte array. */
export const sha256 = frame.hash
