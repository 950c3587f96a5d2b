/**
 * The audit log's SM3 hash chain (审计日志防篡改), on the shared HashChain: record n stores prev_hash =
 * hash of record n − 1 (64 zeros for the first) and hash = SM3(UTF-8 of
 * `anju-audit/v1\n<seq>\n<prev_hash>\n<canonical body>`), the body being AuditRecord.canonicalBody. Any
 * change of a stored field, a deleted, inserted or reordered record shows in the chain (AuditVerification).
 */
import {
  type ChainHead,
  chainAfter,
  EMPTY_HEAD,
  type HashHex,
  type Link,
  sm3Hex,
} from "../integrity/HashChain.js"
import { type AuditEntry, canonicalBody } from "./AuditRecord.js"

export { type ChainHead, EMPTY_HEAD }

/** Domain tag of the chained text; a new canonical form gets a new version. */
export const AUDIT_CHAIN_TAG = "anju-audit/v1"

/** A stored audit record: its seq (1-based), the entry, and the chain hashes (lower-case hex). */
export type AuditRecord = Link<AuditEntry>

/** The exact text hashed for record `seq` holding `entry` after `prevHash`. */
export const canonicalEncoding = (seq: number, prevHash: string, entry: AuditEntry): string =>
  `${AUDIT_CHAIN_TAG}\n${seq}\n${prevHash}\n${canonicalBody(entry)}`

/** The record that follows `head` (seq head.seq + 1, prev_hash head.hash). */
export const chainNext = (head: ChainHead, entry: AuditEntry, hash: HashHex = sm3Hex): AuditRecord =>
  chainAfter(canonicalEncoding, head, [entry], hash)[0]!

/** Chains several entries after `head`. */
export const chainAll = (
  head: ChainHead,
  entries: ReadonlyArray<AuditEntry>,
  hash: HashHex = sm3Hex,
): ReadonlyArray<AuditRecord> => chainAfter(canonicalEncoding, head, entries, hash)

export const headOf = (records: ReadonlyArray<AuditRecord>): ChainHead => {
  const last = records.at(-1)
  return last === undefined ? EMPTY_HEAD : { seq: last.seq, hash: last.hash }
}
