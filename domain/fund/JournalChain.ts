/**
 * Hash chain of the journal (日记账防篡改, M109): entry n stores prev_hash = hash of entry n − 1 (64 zeros
 * for the first) and hash = SM3(UTF-8 of `anju-ledger/v1\n<seq>\n<prev_hash>\n<fingerprint>`), where the
 * fingerprint is the entry's canonical JSON (JournalEntry.fingerprint). Changing any stored field of any
 * entry, reordering or dropping entries breaks the chain from that point; `verifyChain` names the first
 * break. The chaining and walking are the shared domain/integrity/HashChain (the audit log uses it too);
 * SM3 from sm-crypto-v2 (pure JS); adapters may pass node:crypto's identical `sm3` for speed.
 */
import {
  type ChainHead,
  chainAfter as chainLinks,
  GENESIS_HASH,
  type HashHex,
  type Link,
  sm3Hex,
  walkChain,
} from "../integrity/HashChain.js"
import { type JournalEntry, fingerprint } from "./JournalEntry.js"

export { GENESIS_HASH, type HashHex, sm3Hex }

/** The exact text that is hashed for entry `seq` (1-based) after `prevHash`. */
export const canonicalEncoding = (seq: number, prevHash: string, entry: JournalEntry): string =>
  `anju-ledger/v1\n${seq}\n${prevHash}\n${fingerprint(entry)}`

export const chainHash = (
  seq: number,
  prevHash: string,
  entry: JournalEntry,
  hash: HashHex = sm3Hex,
): string => hash(canonicalEncoding(seq, prevHash, entry))

export type ChainedEntry = Link<JournalEntry>

/** Chains entries after a head (`seq` of the last stored entry and its hash; 0 and GENESIS when empty). */
export const chainAfter = (
  head: ChainHead,
  entries: ReadonlyArray<JournalEntry>,
  hash: HashHex = sm3Hex,
): ReadonlyArray<ChainedEntry> => chainLinks(canonicalEncoding, head, entries, hash)

export interface ChainBreak {
  readonly seq: number
  readonly entryId: string
  readonly problem: "seq-gap" | "prev-hash-mismatch" | "hash-mismatch" | "head-mismatch"
  readonly message: string
}

export interface ChainVerification {
  readonly ok: boolean
  readonly entries: number
  /** Hash of the last entry (GENESIS when empty). */
  readonly head: string
  /** The first break, when not ok. */
  readonly firstBreak?: ChainBreak
}

/**
 * Recomputes the chain over stored records in seq order; stops at the first break. With `expectedHead`
 * (a stored or published head), a journal cut after that head is a `head-mismatch`.
 */
export const verifyChain = (
  records: Iterable<ChainedEntry>,
  hash: HashHex = sm3Hex,
  expectedHead?: { readonly seq: number; readonly hash: string },
): ChainVerification => {
  const walk = walkChain(canonicalEncoding, records, { hash, stopAtFirst: true })
  const first = walk.findings[0]
  if (first !== undefined) {
    const r = first.link
    const message =
      first.problem === "seq-gap"
        ? `expected entry ${first.expectedSeq}, found ${r.seq}`
        : first.problem === "prev-hash-mismatch"
          ? `entry ${r.seq} (${r.entry.id}) does not follow entry ${r.seq - 1}`
          : `entry ${r.seq} (${r.entry.id}) was altered: its content no longer hashes to the stored hash`
    return {
      ok: false,
      entries: walk.walked,
      head: first.expectedPrevHash,
      firstBreak: { seq: r.seq, entryId: r.entry.id, problem: first.problem, message },
    }
  }
  const n = walk.walked
  const prev = walk.last.hash
  if (expectedHead !== undefined && (expectedHead.seq !== n || expectedHead.hash !== prev))
    return {
      ok: false,
      entries: n,
      head: prev,
      firstBreak: {
        seq: Math.min(n + 1, expectedHead.seq),
        entryId: "",
        problem: "head-mismatch",
        message: `the recorded head is entry ${expectedHead.seq}, but the journal ends at entry ${n}`,
      },
    }
  return { ok: true, entries: n, head: prev }
}
