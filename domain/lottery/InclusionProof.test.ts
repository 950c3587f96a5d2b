/**
 * Per-entrant inclusion proofs (R53): every member's proof checks against the published root with only its
 * own (stratum, id) and the path; non-members, other entrants, other roots and tampered paths fail.
 */
import { createHash } from "node:crypto"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import type { Digest } from "./Digest.js"
import { checkInclusionProof, inclusionProof, poolTree } from "./InclusionProof.js"
import { commitPool, makePool } from "./Pool.js"

const pool = Result.getOrThrow(
  makePool(
    Array.from({ length: 37 }, (_, i) => ({
      id: `N${(i * 7919) % 1000}`,
      stratum: i % 3 === 0 ? "P1" : "P2",
    })),
  ),
)
const root = commitPool(pool).poolRoot

describe("inclusion proofs (R53)", () => {
  it("verify for every member of the pool", () => {
    const tree = poolTree(pool)
    for (const e of pool.entrants) {
      const proof = Result.getOrThrow(tree.proofFor(e.id))
      expect(proof.poolRoot).toBe(root)
      expect(Result.isSuccess(checkInclusionProof(proof, e, root))).toBe(true)
      // The checker needs only hash, index, size and path — not the informative fields.
      const bare = {
        hash: proof.hash,
        leafIndex: proof.leafIndex,
        treeSize: proof.treeSize,
        path: proof.path,
      }
      expect(Result.isSuccess(checkInclusionProof(bare, e, root))).toBe(true)
    }
  })
  it("fail for non-members, other entrants, other roots and tampered paths", () => {
    expect(Result.isFailure(inclusionProof(pool, "NOPE"))).toBe(true)
    const e = pool.entrants[5]!
    const proof = Result.getOrThrow(inclusionProof(pool, e.id))
    const bare = { hash: proof.hash, leafIndex: proof.leafIndex, treeSize: proof.treeSize, path: proof.path }
    expect(Result.isFailure(checkInclusionProof(bare, { id: "NOPE", stratum: e.stratum }, root))).toBe(true)
    expect(Result.isFailure(checkInclusionProof(bare, { id: e.id, stratum: "P9" }, root))).toBe(true)
    expect(Result.isFailure(checkInclusionProof(proof, e, "00".repeat(32)))).toBe(true)
    const flip = (h: string) => (h[0] === "0" ? "1" : "0") + h.slice(1)
    expect(
      Result.isFailure(
        checkInclusionProof({ ...bare, path: [flip(bare.path[0]!), ...bare.path.slice(1)] }, e, root),
      ),
    ).toBe(true)
    expect(Result.isFailure(checkInclusionProof({ ...bare, path: bare.path.slice(1) }, e, root))).toBe(true)
    expect(Result.isFailure(checkInclusionProof({ ...bare, leafIndex: bare.leafIndex + 1 }, e, root))).toBe(
      true,
    )
    expect(Result.isFailure(checkInclusionProof({ ...bare, path: ["zz"] }, e, root))).toBe(true)
  })
  it("are identical with an injected native digest", () => {
    const native: Digest = { name: "SM3", hash: (d) => new Uint8Array(createHash("sm3").update(d).digest()) }
    const e = pool.entrants[11]!
    expect(Result.getOrThrow(inclusionProof(pool, e.id, native))).toEqual(
      Result.getOrThrow(inclusionProof(pool, e.id)),
    )
    expect(
      Result.isSuccess(
        checkInclusionProof(Result.getOrThrow(inclusionProof(pool, e.id)), e, root, { SM3: native }),
      ),
    ).toBe(true)
  })
})
