/**
 * Merkle tree over the frozen lottery pool (R53 pool commitment), exactly the RFC 6962 / RFC 9162 tree:
 * leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right); built bottom-up, an odd last node is promoted
 * unchanged to the next level (never duplicated). Inclusion proofs are RFC 9162 audit paths, checkable with
 * the root, the entrant's own leaf and the path alone.
 */
import { type Digest, type HashInto, hashIntoOf } from "./Digest.js"

export const LEAF_PREFIX = 0x00
export const NODE_PREFIX = 0x01

/** H(0x00 ‖ data). */
export const leafHash = (digest: Digest, data: Uint8Array): Uint8Array => {
  const b = new Uint8Array(data.length + 1)
  b[0] = LEAF_PREFIX
  b.set(data, 1)
  return digest.hash(b)
}

/** H(0x01 ‖ left ‖ right). */
export const nodeHash = (digest: Digest, left: Uint8Array, right: Uint8Array): Uint8Array => {
  const b = new Uint8Array(65)
  b[0] = NODE_PREFIX
  b.set(left, 1)
  b.set(right, 33)
  return digest.hash(b)
}

/** Hashes one level into the next, in place: `buf` holds `m` hashes; returns the next level's size. */
const reduceLevel = (
  hashInto: HashInto,
  buf: Uint8Array,
  m: number,
  into: Uint8Array,
  scratch: Uint8Array,
): number => {
  const pairs = m >>> 1
  for (let k = 0; k < pairs; k++) {
    const src = 64 * k
    for (let i = 0; i < 64; i++) scratch[1 + i] = buf[src + i]!
    hashInto(scratch, 0, 65, into, 32 * k)
  }
  if (m % 2 === 1) {
    // The odd last node is promoted unchanged. `into` may be `buf` itself (in-place reduction).
    if (into === buf) into.copyWithin(32 * pairs, 32 * (m - 1), 32 * m)
    else into.set(buf.subarray(32 * (m - 1), 32 * m), 32 * pairs)
  }
  return pairs + (m % 2)
}

/**
 * Root of `n` leaf hashes laid out contiguously (32 bytes each, canonical order); `n ≥ 1`. Does not modify
 * `leaves`; `work` (≥ 32·n bytes, overwritten) saves allocating a copy.
 */
export const merkleRoot = (digest: Digest, leaves: Uint8Array, n: number, work?: Uint8Array): Uint8Array => {
  if (n < 1) throw new RangeError("a Merkle tree needs at least one leaf")
  let buf: Uint8Array
  if (work !== undefined && work.length >= 32 * n && work !== leaves) {
    buf = work
    buf.set(leaves.subarray(0, 32 * n))
  } else buf = leaves.slice(0, 32 * n)
  const scratch = new Uint8Array(65)
  scratch[0] = NODE_PREFIX
  const hashInto = hashIntoOf(digest)
  let m = n
  while (m > 1) m = reduceLevel(hashInto, buf, m, buf, scratch)
  return buf.slice(0, 32)
}

/** Every level of the tree, leaves first, root last (one 32-byte hash). Memory: about 64 bytes per leaf. */
export interface MerkleTree {
  readonly size: number
  readonly levels: ReadonlyArray<Uint8Array>
}

export const buildTree = (digest: Digest, leaves: Uint8Array, n: number): MerkleTree => {
  if (n < 1) throw new RangeError("a Merkle tree needs at least one leaf")
  const levels: Array<Uint8Array> = [leaves.slice(0, 32 * n)]
  const scratch = new Uint8Array(65)
  scratch[0] = NODE_PREFIX
  let m = n
  while (m > 1) {
    const next = new Uint8Array(32 * ((m + 1) >>> 1))
    m = reduceLevel(hashIntoOf(digest), levels[levels.length - 1]!, m, next, scratch)
    levels.push(next)
  }
  return { size: n, levels }
}

export const treeRoot = (tree: MerkleTree): Uint8Array => tree.levels[tree.levels.length - 1]!.slice(0, 32)

/** RFC 9162 audit path of leaf `index`: sibling hashes bottom-up; promoted levels contribute nothing. */
export const auditPath = (tree: MerkleTree, index: number): ReadonlyArray<Uint8Array> => {
  if (!Number.isInteger(index) || index < 0 || index >= tree.size)
    throw new RangeError("leaf index out of range")
  const path: Array<Uint8Array> = []
  let i = index
  let m = tree.size
  for (let level = 0; m > 1; level++) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1
    if (sibling < m) path.push(tree.levels[level]!.slice(32 * sibling, 32 * sibling + 32))
    i >>>= 1
    m = (m + 1) >>> 1
  }
  return path
}

/**
 * The root implied by a leaf hash at `index` in a tree of `size` leaves and its audit path (RFC 9162
 * §2.1.3.2), or `undefined` when the path has the wrong length for that position.
 */
export const rootFromAuditPath = (
  digest: Digest,
  leaf: Uint8Array,
  index: number,
  size: number,
  path: ReadonlyArray<Uint8Array>,
): Uint8Array | undefined => {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(digest, p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(digest, r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : undefined
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
