/**
 * Per-entrant inclusion proof (R53): an RFC 9162 audit path from the entrant's own leaf to the published pool
 * root. A family checks it with its own (stratum, id), the path and the root alone — without seeing anyone
 * else's data (siblings are hashes). Leaf positions follow the canonical order (ascending leaf hash).
 */
import { Data, Result } from "effect"
import { type Digest, type Digests, fromHex, pureSm3, selectDigest, toHex } from "./Digest.js"
import {
  auditPath,
  buildTree,
  bytesEqual,
  leafHash,
  type MerkleTree,
  rootFromAuditPath,
} from "./MerkleTree.js"
import {
  ALGORITHM,
  canonicalText,
  encodeEntrant,
  type Entrant,
  type FrozenPool,
  freezePool,
  type Pool,
} from "./Pool.js"

export interface InclusionProof {
  readonly algorithm: typeof ALGORITHM
  readonly hash: Digest["name"]
  readonly poolRoot: string
  readonly stratum: string
  readonly id: string
  readonly leafIndex: number
  readonly treeSize: number
  /** Sibling hashes bottom-up, lower-case hex. */
  readonly path: ReadonlyArray<string>
}

export class EntrantNotInPool extends Data.TaggedError("EntrantNotInPool")<{ readonly id: string }> {}

export class InclusionProofInvalid extends Data.TaggedError("InclusionProofInvalid")<{
  readonly reason: "malformed" | "unexpected-root" | "mismatch"
  readonly message: string
}> {}

/** A frozen pool with its whole tree kept, to issue proofs for many entrants (about 64 bytes per entrant). */
export interface PoolTree {
  readonly frozen: FrozenPool
  readonly tree: MerkleTree
  readonly proofFor: (id: string) => Result.Result<InclusionProof, EntrantNotInPool>
}

export const poolTree = (pool: Pool, digest: Digest = pureSm3): PoolTree => {
  const frozen = freezePool(pool, digest)
  const tree = buildTree(digest, frozen.leaves, frozen.size)
  const root = toHex(frozen.root)
  const positionOf = new Map<string, number>()
  for (let k = 0; k < frozen.size; k++) positionOf.set(pool.entrants[frozen.order[k]!]!.id, k)
  return {
    frozen,
    tree,
    proofFor: (id) => {
      const k = positionOf.get(id)
      if (k === undefined) return Result.fail(new EntrantNotInPool({ id }))
      const e = pool.entrants[frozen.order[k]!]!
      return Result.succeed({
        algorithm: ALGORITHM,
        hash: digest.name,
        poolRoot: root,
        stratum: e.stratum,
        id: e.id,
        leafIndex: k,
        treeSize: frozen.size,
        path: auditPath(tree, k).map(toHex),
      })
    },
  }
}

/** One proof (builds the tree; use `poolTree` to issue many). */
export const inclusionProof = (
  pool: Pool,
  id: string,
  digest: Digest = pureSm3,
): Result.Result<InclusionProof, EntrantNotInPool> => poolTree(pool, digest).proofFor(id)

/**
 * Checks a proof for `entrant` against `poolRoot` (hex, e.g. from the transcript). Needs only the root, the
 * entrant's own (stratum, id) and the path; `proof.stratum/id/poolRoot` are informative and must agree.
 */
export const checkInclusionProof = (
  proof: Pick<InclusionProof, "hash" | "leafIndex" | "treeSize" | "path"> &
    Partial<Pick<InclusionProof, "poolRoot" | "stratum" | "id">>,
  entrant: Entrant,
  poolRoot: string,
  digests: Digests = {},
): Result.Result<void, InclusionProofInvalid> => {
  const d = selectDigest(proof.hash, digests)
  if (Result.isFailure(d))
    return Result.fail(new InclusionProofInvalid({ reason: "malformed", message: d.failure.message }))
  if (
    (proof.poolRoot !== undefined && proof.poolRoot.toLowerCase() !== poolRoot.toLowerCase()) ||
    (proof.id !== undefined && proof.id !== entrant.id) ||
    (proof.stratum !== undefined && proof.stratum !== entrant.stratum)
  )
    return Result.fail(
      new InclusionProofInvalid({
        reason: "unexpected-root",
        message: "proof is for another root or entrant",
      }),
    )
  const id = canonicalText(entrant.id, "id")
  const stratum = canonicalText(entrant.stratum, "stratum")
  if (!("text" in id) || !("text" in stratum))
    return Result.fail(
      new InclusionProofInvalid({ reason: "malformed", message: "not a valid (stratum, id)" }),
    )
  const root = fromHex(poolRoot)
  const path = proof.path.map(fromHex)
  if (root === undefined || root.length !== 32 || path.some((p) => p === undefined || p.length !== 32))
    return Result.fail(
      new InclusionProofInvalid({ reason: "malformed", message: "root and path are 32-byte hex hashes" }),
    )
  const implied = rootFromAuditPath(
    d.success,
    leafHash(d.success, encodeEntrant({ id: id.text, stratum: stratum.text })),
    proof.leafIndex,
    proof.treeSize,
    path as ReadonlyArray<Uint8Array>,
  )
  return implied !== undefined && bytesEqual(implied, root)
    ? Result.succeed(undefined)
    : Result.fail(
        new InclusionProofInvalid({ reason: "mismatch", message: "the path does not lead to the pool root" }),
      )
}
