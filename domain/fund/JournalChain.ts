/**
 * Hash chain of the journal (日记账防篡改, M109): entry n stores prev_hash = hash of entry n − 1 (64 zeros
 * for the first) and hash = SM3(UTF-8 of `anju-ledger/v1\n<seq>\n<prev_hash>\n<fingerprint>`), where the
 * fingerprint is the entry's canonical JSON (JournalEntry.fingerprint). Changing any stored field of any
 * entry, reordering or dropping entries breaks the chain from that point; `verifyChain` names the first
 * break. SM3 from sm-crypto-v2 (pure JS); adapters may pass node:crypto's identical `sm3` for speed.
 */
import { sm3 } from "sm-crypto-v2"
import { type JournalEntry, fingerprint } from "./JournalEntry.js"

export const GENESIS_HASH = "0".repeat(64)

/** Hex SM3 of a UTF-8 string. */
export type HashHex = (text: string) => string

const encoder = new TextEncoder()
export const sm3Hex: HashHex = (text) => sm3(encoder.encode(text))

/** The exact text that is hashed for entry `seq` (1-based) after `prevHash`. */
export const canonicalEncoding = (seq: number, prevHash: string, entry: JournalEntry): string =>
  `anju-ledger/v1\n${seq}\n${prevHash}\n${fingerprint(entry)}`

export const chainHash = (
  seq: number,
  prevHash: string,
  entry: JournalEntry,
  hash: HashHex = sm3Hex,
): string => hash(canonicalEncoding(seq, prevHash, entry))

export interface ChainedEntry {
  readonly seq: number
  readonly entry: JournalEntry
  readonly prevHash: string
  readonly hash: string
}

/** Chains entries after a head (`seq` of the last stored entry and its hash; 0 and GENESIS when empty). */
export const chainAfter = (
  head: { readonly seq: number; readonly hash: string },
  entries: ReadonlyArray<JournalEntry>,
  hash: HashHex = sm3Hex,
): ReadonlyArray<ChainedEntry> => {
  const out: ChainedEntry[] = []
  let prev = head.hash
  let seq = head.seq
  for (const entry of entries) {
    seq += 1
    const h = chainHash(seq, prev, entry, hash)
    out.push({ seq, entry, prevHash: prev, hash: h })
    prev = h
  }
  return out
}

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
  let prev = GENESIS_HASH
  let expected = 1
  let n = 0
  for (const r of records) {
    const brk = (problem: ChainBreak["problem"], message: string): ChainVerification => ({
      ok: false,
      entries: n,
      head: prev,
      firstBreak: { seq: r.seq, entryId: r.entry.id, problem, message },
    })
    if (r.seq !== expected) return brk("seq-gap", `expected entry ${expected}, found ${r.seq}`)
    if (r.prevHash !== prev)
      return brk("prev-hash-mismatch", `entry ${r.seq} (${r.entry.id}) does not follow entry ${r.seq - 1}`)
    const h = chainHash(r.seq, prev, r.entry, hash)
    if (h !== r.hash)
      return brk(
        "hash-mismatch",
        `entry ${r.seq} (${r.entry.id}) was altered: its content no longer hashes to the stored hash`,
      )
    prev = h
    expected += 1
    n += 1
  }
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
