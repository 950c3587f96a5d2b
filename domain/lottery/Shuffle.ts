/**
 * Fisher–Yates shuffle (Durstenfeld) driven by the lottery DRBG (R53, R55): for i = n−1 down to 1,
 * j = below(i + 1), swap a[i] and a[j]. Every permutation is equally likely given uniform `below`; the input
 * order is the stratum's canonical order, the output order is the draw order (rank 1 first).
 */
import type { HashCounterDrbg } from "./Drbg.js"

/** Shuffles `a` in place and returns it. */
export const shuffleInPlace = <A extends { [i: number]: number; readonly length: number }>(
  drbg: HashCounterDrbg,
  a: A,
): A => {
  for (let i = a.length - 1; i >= 1; i--) {
    const j = drbg.below(i + 1)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a
}
