/**
 * The lottery pool (摇号池) and its freezing (R53, R55): entrants are (application number, stratum) pairs,
 * never ID numbers; ids are unique across the pool. Freezing encodes each entrant canonically, hashes it as
 * a Merkle leaf, orders leaves by their hash (bytewise ascending) and yields the pool root that is published
 * before any randomness exists. Strata (project × unit type) are ordered by UTF-8 bytes of their names.
 */
import { Data, Result } from "effect"
import * as ResidentIdNumber from "../values/ResidentIdNumber.js"
import { type Digest, type HashName, hashIntoOf, pureSm3, toHex, utf8 } from "./Digest.js"
import { LEAF_PREFIX, merkleRoot } from "./MerkleTree.js"

/** Version tag of the whole algorithm (encoding, tree, seed, DRBG, shuffle, result digest); see docs/lottery.md. */
export const ALGORITHM = "anju-lottery/1"

export interface Entrant {
  /** Application number (申请编号); never a resident ID number. */
  readonly id: string
  /** Project × unit type (R55); "" when the pool has a single stratum. */
  readonly stratum: string
}

export interface Pool {
  readonly entrants: ReadonlyArray<Entrant>
}

/** A pool or units file that cannot be used; `line` is 1-based (file line, or position in a list). */
export class PoolInvalid extends Data.TaggedError("PoolInvalid")<{
  readonly file: "pool.csv" | "units.csv" | "entrants"
  readonly line: number
  readonly rule: string
  readonly value: string
  readonly message: string
}> {}

export const MAX_TEXT_LENGTH = 256

/**
 * Canonical text of an id or stratum: trimmed, NFC; `undefined` + rule when it is not acceptable.
 * Rejects control characters, lone surrogates, spreadsheet formula starts (= + @) and over-long values.
 */
export const canonicalText = (
  raw: string,
  what: "id" | "stratum",
): { readonly text: string } | { readonly rule: string; readonly message: string } => {
  let s = raw
  const n0 = s.length
  if (n0 > 0 && (s.charCodeAt(0) <= 0x20 || s.charCodeAt(n0 - 1) <= 0x20)) s = s.trim()
  let ascii = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) {
      ascii = false
      break
    }
  }
  if (!ascii) {
    s = s.trim()
    if (/\p{Cs}/u.test(s))
      return { rule: `R53.${what}-unicode`, message: `${what} is not well-formed Unicode` }
    s = s.normalize("NFC")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(s))
      return { rule: `R53.${what}-control`, message: `${what} contains a control character` }
  }
  if (s.length > MAX_TEXT_LENGTH)
    return { rule: `R53.${what}-length`, message: `${what} is longer than ${MAX_TEXT_LENGTH} characters` }
  if (what === "id" && s.length === 0) return { rule: "R53.id-empty", message: "id is empty" }
  const c0 = s.charCodeAt(0)
  if (c0 === 0x3d || c0 === 0x2b || c0 === 0x40)
    return { rule: `R53.${what}-formula`, message: `${what} starts with = + or @ (spreadsheet formula)` }
  if (
    what === "id" &&
    s.length === 18 &&
    /^\d{17}[\dXx]$/u.test(s) &&
    Result.isSuccess(ResidentIdNumber.parse(s))
  )
    return {
      rule: "R53.id-is-resident-id",
      message: "id is a resident ID number; pools carry application numbers, never ID numbers",
    }
  return { text: s }
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * The earliest position at which an id repeats one seen before, as [first, repeat] (0-based), looking only
 * at positions < `limit`. Equivalent to a left-to-right scan with a set, but sorts 32-bit string hashes
 * natively instead (a Map of a million strings costs several times more).
 */
export const findFirstDuplicate = (
  ids: ReadonlyArray<string>,
  limit = ids.length,
): readonly [number, number] | undefined => {
  const n = Math.min(limit, ids.length)
  if (n < 2) return undefined
  const keys = new BigUint64Array(n)
  const words = new Uint32Array(keys.buffer)
  const [lo, hi] = littleEndian ? [0, 1] : [1, 0]
  for (let k = 0; k < n; k++) {
    const s = ids[k]!
    let h = 0x811c9dc5
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    words[2 * k + hi] = h >>> 0
    words[2 * k + lo] = k
  }
  keys.sort()
  let best: readonly [number, number] | undefined
  for (let k = 0; k < n; ) {
    let e = k + 1
    while (e < n && words[2 * e + hi] === words[2 * k + hi]) e++
    // Within a run of equal hashes (sorted by position), the first repeat of any string.
    for (let a = k; a < e; a++)
      for (let b = a + 1; b < e; b++) {
        const pa = words[2 * a + lo]!
        const pb = words[2 * b + lo]!
        if (ids[pa] === ids[pb] && (best === undefined || pb < best[1])) best = [pa, pb]
      }
    k = e
  }
  return best
}

/** Builds a pool from values, applying the same checks as `pool.csv` (`line` = 1-based position). */
export const makePool = (
  entrants: Iterable<{ readonly id: string; readonly stratum?: string }>,
): Result.Result<Pool, PoolInvalid> => {
  const out: Array<Entrant> = []
  let line = 0
  for (const e of entrants) {
    line++
    const id = canonicalText(e.id, "id")
    if (!("text" in id))
      return Result.fail(
        new PoolInvalid({ file: "entrants", line, rule: id.rule, value: e.id, message: id.message }),
      )
    const st = canonicalText(e.stratum ?? "", "stratum")
    if (!("text" in st))
      return Result.fail(
        new PoolInvalid({
          file: "entrants",
          line,
          rule: st.rule,
          value: e.stratum ?? "",
          message: st.message,
        }),
      )
    out.push({ id: id.text, stratum: st.text })
  }
  const dup = findFirstDuplicate(out.map((e) => e.id))
  if (dup !== undefined) {
    const id = out[dup[1]]!.id
    return Result.fail(
      new PoolInvalid({
        file: "entrants",
        line: dup[1] + 1,
        rule: "R53.id-duplicate",
        value: id,
        message: `duplicate id ${id} at position ${dup[1] + 1} (first at ${dup[0] + 1})`,
      }),
    )
  }
  if (out.length === 0)
    return Result.fail(
      new PoolInvalid({
        file: "entrants",
        line: 0,
        rule: "R53.pool-empty",
        value: "",
        message: "pool is empty",
      }),
    )
  return Result.succeed({ entrants: out })
}

/** Orders strings by their UTF-8 bytes (= code point order), independent of UTF-16 quirks. */
export const compareUtf8 = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000
      }
      return x - y
    }
  }
  return a.length - b.length
}

const encoder = new TextEncoder()

/** Canonical entrant encoding (leaf data): u32be(len s) ‖ UTF-8 stratum ‖ u32be(len id) ‖ UTF-8 id. */
export const encodeEntrant = (e: Entrant): Uint8Array => {
  const s = utf8(e.stratum)
  const id = utf8(e.id)
  const out = new Uint8Array(8 + s.length + id.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, s.length)
  out.set(s, 4)
  v.setUint32(4 + s.length, id.length)
  out.set(id, 8 + s.length)
  return out
}

/** Leaf hashes of all entrants in input order, 32 bytes each: H(0x00 ‖ encodeEntrant(e)). */
const leafHashes = (
  digest: Digest,
  entrants: ReadonlyArray<Entrant>,
  stratumOf: Uint32Array,
  strataIndex: Map<string, number>,
): Uint8Array => {
  const n = entrants.length
  const out = new Uint8Array(32 * n)
  const strataList: Array<Uint8Array> = []
  const hashInto = hashIntoOf(digest)
  let scratch = new Uint8Array(1 + 8 + 4 * 2 * MAX_TEXT_LENGTH)
  for (let k = 0; k < n; k++) {
    const e = entrants[k]!
    let si = k > 0 && entrants[k - 1]!.stratum === e.stratum ? stratumOf[k - 1]! : strataIndex.get(e.stratum)
    if (si === undefined) {
      si = strataList.length
      strataIndex.set(e.stratum, si)
      strataList.push(utf8(e.stratum))
    }
    stratumOf[k] = si
    const sb = strataList[si]!
    const id = e.id
    if (scratch.length < 9 + sb.length + 3 * id.length)
      scratch = new Uint8Array(9 + sb.length + 3 * id.length)
    scratch[0] = LEAF_PREFIX
    const sl = sb.length
    scratch[1] = sl >>> 24
    scratch[2] = sl >>> 16
    scratch[3] = sl >>> 8
    scratch[4] = sl
    scratch.set(sb, 5)
    let p = 9 + sl
    let ascii = true
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i)
      if (c > 0x7f) {
        ascii = false
        break
      }
      scratch[p + i] = c
    }
    const il = ascii ? id.length : encoder.encodeInto(id, scratch.subarray(p)).written
    p = 5 + sl
    scratch[p] = il >>> 24
    scratch[p + 1] = il >>> 16
    scratch[p + 2] = il >>> 8
    scratch[p + 3] = il
    hashInto(scratch, 0, 9 + sl + il, out, 32 * k)
  }
  return out
}

const compareLeaves = (leaves: Uint8Array, a: number, b: number): number => {
  const pa = 32 * a
  const pb = 32 * b
  for (let i = 0; i < 32; i++) {
    const d = leaves[pa + i]! - leaves[pb + i]!
    if (d !== 0) return d
  }
  return 0
}

/**
 * Indices of `n` leaves in ascending bytewise order of their hashes. Sorts 64-bit keys natively:
 * the top (64 − b) bits are the leaf's first bytes, the low b bits the index; equal prefixes are then
 * resolved by comparing whole leaves, so the order is exact for any n < 2^32.
 */
export const sortLeaves = (leaves: Uint8Array, n: number): Uint32Array => {
  let b = 1
  while (2 ** b < n) b++
  const keys = new BigUint64Array(n)
  const words = new Uint32Array(keys.buffer)
  const [lo, hi] = littleEndian ? [0, 1] : [1, 0]
  const lowMask = b >= 32 ? 0 : ~0 << b
  for (let k = 0; k < n; k++) {
    const p = 32 * k
    words[2 * k + hi] =
      ((leaves[p]! << 24) | (leaves[p + 1]! << 16) | (leaves[p + 2]! << 8) | leaves[p + 3]!) >>> 0
    const next = (leaves[p + 4]! << 24) | (leaves[p + 5]! << 16) | (leaves[p + 6]! << 8) | leaves[p + 7]!
    words[2 * k + lo] = ((next & lowMask) | k) >>> 0
  }
  keys.sort()
  const idxMask = b >= 32 ? 0xffffffff : (1 << b) - 1
  const order = new Uint32Array(n)
  for (let k = 0; k < n; k++) order[k] = (words[2 * k + lo]! & idxMask) >>> 0
  // Runs with equal key prefixes (rare) are put in exact order by full comparison.
  let start = 0
  for (let k = 1; k <= n; k++) {
    const samePrefix =
      k < n &&
      words[2 * k + hi] === words[2 * (k - 1) + hi] &&
      (words[2 * k + lo]! & lowMask) >>> 0 === (words[2 * (k - 1) + lo]! & lowMask) >>> 0
    if (samePrefix) continue
    if (k - start > 1) {
      const run = Array.from(order.subarray(start, k)).sort((x, y) => compareLeaves(leaves, x, y))
      order.set(run, start)
    }
    start = k
  }
  return order
}

export interface FrozenStratum {
  readonly stratum: string
  /** Entrant indices (into `pool.entrants`) in canonical order: ascending leaf hash. */
  readonly members: Uint32Array
}

/** Everything later steps need from a frozen pool. */
export interface FrozenPool {
  readonly hash: HashName
  readonly size: number
  readonly root: Uint8Array
  /** Leaf hashes in canonical order, 32 bytes each. */
  readonly leaves: Uint8Array
  /** Canonical position → entrant index. */
  readonly order: Uint32Array
  /** Strata in UTF-8 byte order of their names. */
  readonly strata: ReadonlyArray<FrozenStratum>
}

/** Freezes a (non-empty, validated) pool: leaf hashes, canonical order, strata and root. */
export const freezePool = (pool: Pool, digest: Digest = pureSm3): FrozenPool => {
  const entrants = pool.entrants
  const n = entrants.length
  const strataIndex = new Map<string, number>()
  const stratumOf = new Uint32Array(n)
  const raw = leafHashes(digest, entrants, stratumOf, strataIndex)
  const order = sortLeaves(raw, n)
  const leaves = new Uint8Array(32 * n)
  for (let k = 0; k < n; k++) {
    const src = 32 * order[k]!
    const dst = 32 * k
    for (let i = 0; i < 32; i++) leaves[dst + i] = raw[src + i]!
  }
  const counts: Array<number> = Array.from(strataIndex, () => 0)
  for (let k = 0; k < n; k++) counts[stratumOf[k]!]!++
  const members = counts.map((c) => new Uint32Array(c))
  const fill = counts.map(() => 0)
  for (let k = 0; k < n; k++) {
    const e = order[k]!
    const si = stratumOf[e]!
    members[si]![fill[si]!++] = e
  }
  const strata = [...strataIndex.entries()]
    .sort(([a], [b]) => compareUtf8(a, b))
    .map(([stratum, si]) => ({ stratum, members: members[si]! }))
  // `raw` is no longer needed: it becomes the tree's work buffer (one 32 MB allocation less per million).
  return { hash: digest.name, size: n, root: merkleRoot(digest, leaves, n, raw), leaves, order, strata }
}

/** What `anju lottery commit` publishes before any randomness exists (R53). */
export interface PoolCommitment {
  readonly algorithm: typeof ALGORITHM
  readonly hash: HashName
  /** Merkle root, lower-case hex. */
  readonly poolRoot: string
  readonly entrants: number
  readonly strata: ReadonlyArray<{ readonly stratum: string; readonly entrants: number }>
}

export const commitmentOf = (frozen: FrozenPool): PoolCommitment => ({
  algorithm: ALGORITHM,
  hash: frozen.hash,
  poolRoot: toHex(frozen.root),
  entrants: frozen.size,
  strata: frozen.strata.map((s) => ({ stratum: s.stratum, entrants: s.members.length })),
})

export const commitPool = (pool: Pool, digest: Digest = pureSm3): PoolCommitment =>
  commitmentOf(freezePool(pool, digest))
