/**
 * Hash chain (哈希链, tamper evidence) shared by every append-only record of the kernel: the fund journal
 * (JournalChain, M109) and the audit log (AuditChain, GB/T 39786). Link n stores prev_hash = hash of link
 * n − 1 (64 zeros for the first) and hash = H(UTF-8 of `encode(seq, prevHash, entry)`); each user names
 * its own canonical encoding, which starts with a versioned domain tag. Pure; H defaults to SM3
 * (sm-crypto-v2), and adapters may pass node:crypto's byte-identical `sm3` for speed.
 */
import { sm3 } from "sm-crypto-v2"

/** prev_hash of the first link. */
export const GENESIS_HASH = "0".repeat(64)

/** Hex (lower-case) hash of a UTF-8 string. */
export type HashHex = (text: string) => string

const encoder = new TextEncoder()
export const sm3Hex: HashHex = (text) => sm3(encoder.encode(text))

/** The exact text hashed for the link `seq` (1-based) holding `entry` after `prevHash`. */
export type Encode<E> = (seq: number, prevHash: string, entry: E) => string

export interface Link<E> {
  readonly seq: number
  readonly entry: E
  readonly prevHash: string
  readonly hash: string
}

/** `seq` of the last link and its hash; 0 and GENESIS_HASH when the chain is empty. */
export interface ChainHead {
  readonly seq: number
  readonly hash: string
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH }

/** Chains entries after `head`, numbering them head.seq + 1, head.seq + 2, … */
export const chainAfter = <E>(
  encode: Encode<E>,
  head: ChainHead,
  entries: ReadonlyArray<E>,
  hash: HashHex = sm3Hex,
): ReadonlyArray<Link<E>> => {
  const out: Link<E>[] = []
  let prev = head.hash
  let seq = head.seq
  for (const entry of entries) {
    seq += 1
    const h = hash(encode(seq, prev, entry))
    out.push({ seq, entry, prevHash: prev, hash: h })
    prev = h
  }
  return out
}

/**
 * What can be wrong with one stored link, judged against its predecessor as stored:
 * - `seq-gap`: its seq is not the predecessor's + 1 (links missing before it, or inserted/reordered ones);
 * - `prev-hash-mismatch`: it does not name the predecessor's stored hash (the predecessor was rewritten
 *   together with its hash, or this link was inserted);
 * - `hash-mismatch`: its own content no longer hashes to its stored hash (it was altered).
 */
export type LinkProblem = "seq-gap" | "prev-hash-mismatch" | "hash-mismatch"

export interface LinkFinding<E> {
  readonly problem: LinkProblem
  readonly link: Link<E>
  /** Position of the link among the records walked (0-based). */
  readonly index: number
  /** The seq the link should have had (predecessor's + 1; 1 for the first). */
  readonly expectedSeq: number
  /** The stored hash of the predecessor (GENESIS_HASH for the first). */
  readonly expectedPrevHash: string
}

export interface ChainWalk<E> {
  /** In record order; within one link: seq-gap or prev-hash-mismatch first, then hash-mismatch. */
  readonly findings: ReadonlyArray<LinkFinding<E>>
  /** Links walked (all of them unless stopped at the first finding). */
  readonly walked: number
  /** Stored hash and seq of the last link walked (EMPTY_HEAD when none). */
  readonly last: ChainHead
}

/**
 * Checks every link locally against its stored predecessor, so one altered link is reported once and the
 * walk resynchronises after it (a deleted link shows as one seq-gap, not as every later link). A seq-gap
 * implies the link cannot follow its predecessor, so no prev-hash-mismatch is reported with it. With
 * `stopAtFirst`, the walk ends at the first link with a finding (`walked` then counts the good links).
 */
export const walkChain = <E>(
  encode: Encode<E>,
  records: Iterable<Link<E>>,
  options: { readonly hash?: HashHex; readonly stopAtFirst?: boolean } = {},
): ChainWalk<E> => {
  const hash = options.hash ?? sm3Hex
  const findings: LinkFinding<E>[] = []
  let last: ChainHead = EMPTY_HEAD
  let index = 0
  for (const link of records) {
    const expectedSeq = last.seq + 1
    const at = (problem: LinkProblem): LinkFinding<E> => ({
      problem,
      link,
      index,
      expectedSeq,
      expectedPrevHash: last.hash,
    })
    const before = findings.length
    if (link.seq !== expectedSeq) findings.push(at("seq-gap"))
    else if (link.prevHash !== last.hash) findings.push(at("prev-hash-mismatch"))
    if (hash(encode(link.seq, link.prevHash, link.entry)) !== link.hash) findings.push(at("hash-mismatch"))
    if (options.stopAtFirst === true && findings.length > before) return { findings, walked: index, last }
    last = { seq: link.seq, hash: link.hash }
    index += 1
  }
  return { findings, walked: index, last }
}
