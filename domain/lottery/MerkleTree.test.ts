/**
 * Merkle tree of the pool commitment (R53): the bottom-up tree with promotion equals the RFC 6962 recursive
 * definition, audit paths verify for every leaf under the RFC 9162 algorithm, and tampering is rejected.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Digest, pureSha256, pureSm3, toHex } from "./Digest.js"
import {
  auditPath,
  buildTree,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromAuditPath,
  treeRoot,
} from "./MerkleTree.js"

/** RFC 6962 §2.1 MTH, written recursively and independently of MerkleTree.ts. */
const mth = (d: Digest, leaves: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (leaves.length === 1) return leaves[0]!
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return nodeHash(d, mth(d, leaves.slice(0, k)), mth(d, leaves.slice(k)))
}

const leavesOf = (d: Digest, n: number): { flat: Uint8Array; list: Array<Uint8Array> } => {
  const list = Array.from({ length: n }, (_, i) => leafHash(d, new TextEncoder().encode(`leaf-${i}`)))
  const flat = new Uint8Array(32 * n)
  list.forEach((l, i) => {
    flat.set(l, 32 * i)
  })
  return { flat, list }
}

describe.each([pureSm3, pureSha256])("Merkle tree with $name (R53)", (d) => {
  it("root equals the RFC 6962 recursive tree hash for sizes 1..70", () => {
    for (let n = 1; n <= 70; n++) {
      const { flat, list } = leavesOf(d, n)
      expect(toHex(merkleRoot(d, flat, n))).toBe(toHex(mth(d, list)))
      expect(toHex(treeRoot(buildTree(d, flat, n)))).toBe(toHex(mth(d, list)))
    }
  })
  it("every leaf's audit path leads to the root; a tampered path, leaf or index does not", () => {
    for (let n = 1; n <= 40; n++) {
      const { flat, list } = leavesOf(d, n)
      const tree = buildTree(d, flat, n)
      const root = toHex(treeRoot(tree))
      for (let i = 0; i < n; i++) {
        const path = auditPath(tree, i)
        expect(toHex(rootFromAuditPath(d, list[i]!, i, n, path) ?? new Uint8Array())).toBe(root)
        const wrongLeaf = leafHash(d, new TextEncoder().encode("not a member"))
        expect(toHex(rootFromAuditPath(d, wrongLeaf, i, n, path) ?? new Uint8Array())).not.toBe(root)
        if (path.length > 0) {
          const bad = path.map((p) => p.slice())
          bad[0]![0]! ^= 1
          expect(toHex(rootFromAuditPath(d, list[i]!, i, n, bad) ?? new Uint8Array())).not.toBe(root)
          expect(rootFromAuditPath(d, list[i]!, i, n, path.slice(1))).not.toEqual(treeRoot(tree))
        }
        if (n > 1)
          expect(toHex(rootFromAuditPath(d, list[i]!, (i + 1) % n, n, path) ?? new Uint8Array())).not.toBe(
            root,
          )
      }
    }
  })
  it("an inner node cannot pose as a leaf (domain separation 0x00 / 0x01)", () => {
    const { flat, list } = leavesOf(d, 4)
    const inner = nodeHash(d, list[0]!, list[1]!)
    // Treating the inner node as a leaf of a 2-leaf tree gives a different root.
    const two = new Uint8Array(64)
    two.set(inner, 0)
    two.set(nodeHash(d, list[2]!, list[3]!), 32)
    expect(toHex(merkleRoot(d, flat, 4))).toBe(toHex(nodeHash(d, inner, nodeHash(d, list[2]!, list[3]!))))
    expect(toHex(leafHash(d, inner))).not.toBe(toHex(inner))
  })
  it("changing any leaf changes the root", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (n, at, bit) => {
          const { flat } = leavesOf(d, n)
          const i = at % n
          const changed = flat.slice()
          changed[32 * i + (bit % 32)]! ^= 1 << (bit % 8)
          expect(toHex(merkleRoot(d, changed, n))).not.toBe(toHex(merkleRoot(d, flat, n)))
        },
      ),
      { numRuns: 100 },
    )
  })
})
