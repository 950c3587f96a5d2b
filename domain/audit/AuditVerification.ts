/**
 * Pure verifier of a stored audit log (审计日志校验): given its records in seq order, its checkpoints and
 * optionally the stored head and the trusted public key, it recomputes the SM3 chain and checks every
 * checkpoint. It reports every finding, ordered by seq, and the first one: a missing record (gap in seq), a
 * changed record (content no longer hashes to its hash), a broken link (a record rewritten with a recomputed
 * hash, or one inserted), a record out of order, a head that does not match, and checkpoints whose
 * signature fails, whose key is not the trusted one, whose hash no longer matches, or that leave a hole.
 */
import { type HashHex, sm3Hex, walkChain } from "../integrity/HashChain.js"
import { type AuditRecord, type ChainHead, canonicalEncoding, EMPTY_HEAD } from "./AuditChain.js"
import { type AuditCheckpoint, checkpointSignatureProblem } from "./AuditCheckpoint.js"

export type AuditProblem =
  /** Records are missing: a gap in seq, or records a checkpoint or the head vouch for are gone. */
  | "missing"
  /** A record's content no longer hashes to its stored hash. */
  | "changed"
  /** A record does not name its predecessor's hash: the predecessor was rewritten with a new hash, or it was inserted. */
  | "broken-link"
  /** A record's seq does not increase (duplicated, reordered or inserted). */
  | "out-of-order"
  /** The stored head names another last record than the log holds. */
  | "head-mismatch"
  /** A checkpoint's SM2 signature does not verify over its text. */
  | "checkpoint-signature"
  /** A checkpoint was signed with another key than the trusted one. */
  | "checkpoint-key"
  /** The record a checkpoint vouches for has another hash: records up to it were rewritten. */
  | "checkpoint-hash"
  /** Checkpoints do not tile the log (one was deleted, or a range is malformed). */
  | "checkpoint-range"

export interface AuditFinding {
  /** The first record concerned. */
  readonly seq: number
  readonly problem: AuditProblem
  readonly message: string
  /** `lastSeq` of the checkpoint concerned, for checkpoint findings. */
  readonly checkpoint?: number
}

export interface AuditVerification {
  readonly ok: boolean
  /** Records examined. */
  readonly records: number
  /** Seq and hash of the last stored record (EMPTY_HEAD when none). */
  readonly head: ChainHead
  readonly checkpoints: number
  /** Highest seq sealed by a good checkpoint (0 when none): later records are protected by the chain only. */
  readonly signedThrough: number
  /** Every finding, by seq (chain findings before checkpoint findings at the same seq). */
  readonly findings: ReadonlyArray<AuditFinding>
  /** `findings[0]`, when not ok. */
  readonly first?: AuditFinding
}

export interface AuditVerifyInput {
  /** Stored records in seq order, as read (never re-validated: the verifier judges what is there). */
  readonly records: Iterable<AuditRecord>
  readonly checkpoints: ReadonlyArray<AuditCheckpoint>
  /** The head the store keeps beside the records, when it keeps one. */
  readonly storedHead?: ChainHead
  /**
   * The public key(s) checkpoints must be signed with (the current and retired ones); without any,
   * signatures are only checked to verify.
   */
  readonly trustedPublicKey?: string | ReadonlyArray<string>
  readonly hash?: HashHex
}

const RANK: Readonly<Record<AuditProblem, number>> = {
  missing: 0,
  "out-of-order": 1,
  "broken-link": 2,
  changed: 3,
  "head-mismatch": 4,
  "checkpoint-range": 5,
  "checkpoint-hash": 6,
  "checkpoint-key": 7,
  "checkpoint-signature": 8,
}

export const verifyAuditLog = (input: AuditVerifyInput): AuditVerification => {
  const records = [...input.records]
  const findings: AuditFinding[] = []
  const walk = walkChain(canonicalEncoding, records, { hash: input.hash ?? sm3Hex })
  for (const f of walk.findings) {
    const seq = f.link.seq
    switch (f.problem) {
      case "seq-gap":
        findings.push(
          seq > f.expectedSeq
            ? {
                seq: f.expectedSeq,
                problem: "missing",
                message:
                  seq - f.expectedSeq === 1
                    ? `record ${f.expectedSeq} is missing`
                    : `records ${f.expectedSeq}–${seq - 1} are missing`,
              }
            : {
                seq,
                problem: "out-of-order",
                message: `record ${seq} appears after record ${f.expectedSeq - 1} (duplicated, reordered or inserted)`,
              },
        )
        break
      case "prev-hash-mismatch":
        findings.push({
          seq,
          problem: "broken-link",
          message: `record ${seq} does not follow record ${seq - 1}: record ${seq - 1} was rewritten with a recomputed hash, or record ${seq} was inserted`,
        })
        break
      case "hash-mismatch":
        findings.push({
          seq,
          problem: "changed",
          message: `record ${seq} was changed: its content no longer hashes to its stored hash`,
        })
        break
    }
  }
  const head = records.length === 0 ? EMPTY_HEAD : walk.last
  const stored = input.storedHead
  if (stored !== undefined && (stored.seq !== head.seq || stored.hash !== head.hash))
    findings.push(
      stored.seq > head.seq
        ? {
            seq: head.seq + 1,
            problem: "missing",
            message: `the stored head is record ${stored.seq}, but the log ends at record ${head.seq}: records ${head.seq + 1}–${stored.seq} are missing`,
          }
        : {
            seq: Math.min(stored.seq + 1, head.seq),
            problem: "head-mismatch",
            message:
              stored.seq < head.seq
                ? `the stored head is record ${stored.seq}, but the log holds records up to ${head.seq}`
                : `the stored head names another hash for record ${head.seq}: it was rewritten`,
          },
    )

  const hashBySeq = new Map<number, string>()
  for (const r of records) if (!hashBySeq.has(r.seq)) hashBySeq.set(r.seq, r.hash)
  const sorted = [...input.checkpoints].sort((a, b) => a.lastSeq - b.lastSeq)
  let expectedFirst = 1
  let signedThrough = 0
  for (const c of sorted) {
    const at = (problem: AuditProblem, seq: number, message: string): AuditFinding => ({
      seq,
      problem,
      message,
      checkpoint: c.lastSeq,
    })
    const mine: AuditFinding[] = []
    if (!(Number.isSafeInteger(c.firstSeq) && c.firstSeq >= 1 && c.firstSeq <= c.lastSeq))
      mine.push(
        at(
          "checkpoint-range",
          c.lastSeq,
          `checkpoint ${c.lastSeq} has a malformed range ${c.firstSeq}–${c.lastSeq}`,
        ),
      )
    else if (c.firstSeq !== expectedFirst)
      mine.push(
        at(
          "checkpoint-range",
          Math.min(expectedFirst, c.firstSeq),
          c.firstSeq > expectedFirst
            ? `no checkpoint covers records ${expectedFirst}–${c.firstSeq - 1}: a checkpoint was deleted`
            : `checkpoint ${c.lastSeq} overlaps the previous one (starts at ${c.firstSeq})`,
        ),
      )
    const signature = checkpointSignatureProblem(c, input.trustedPublicKey)
    if (signature === "unexpected-key")
      mine.push(
        at(
          "checkpoint-key",
          c.lastSeq,
          `checkpoint ${c.lastSeq} is signed with another key than the trusted one`,
        ),
      )
    else if (signature === "bad-signature")
      mine.push(
        at("checkpoint-signature", c.lastSeq, `the signature of checkpoint ${c.lastSeq} does not verify`),
      )
    const h = hashBySeq.get(c.lastSeq)
    if (h === undefined)
      mine.push(
        at("missing", c.lastSeq, `record ${c.lastSeq}, sealed by checkpoint ${c.lastSeq}, is missing`),
      )
    else if (h !== c.lastHash)
      mine.push(
        at(
          "checkpoint-hash",
          c.lastSeq,
          `record ${c.lastSeq} no longer has the hash checkpoint ${c.lastSeq} signed: records up to ${c.lastSeq} were rewritten`,
        ),
      )
    if (mine.length === 0 && !walk.findings.some((f) => f.link.seq <= c.lastSeq)) signedThrough = c.lastSeq
    findings.push(...mine)
    expectedFirst = Math.max(expectedFirst, c.lastSeq + 1)
  }

  findings.sort((a, b) => a.seq - b.seq || RANK[a.problem] - RANK[b.problem])
  const first = findings[0]
  return {
    ok: first === undefined,
    records: records.length,
    head,
    checkpoints: sorted.length,
    signedThrough,
    findings,
    ...(first === undefined ? {} : { first }),
  }
}

/** One line for operators: `audit log verified: …` or `audit log BROKEN at record n: why`. */
export const verdictLine = (v: AuditVerification): string =>
  v.first === undefined
    ? `audit log verified: ${v.records} records, head ${v.head.seq} ${v.head.hash}, ${v.checkpoints} checkpoints, signed through record ${v.signedThrough}`
    : `audit log BROKEN at record ${v.first.seq} (${v.first.problem}): ${v.first.message}${
        v.findings.length > 1 ? ` (${v.findings.length - 1} more findings)` : ""
      }`
