/**
 * Audit checkpoint (签名检查点): a signed statement "the audit log's record `lastSeq` has hash `lastHash`",
 * made periodically with SM2 over a canonical text. Because every hash commits to all earlier records, a
 * good checkpoint seals the whole prefix 1..lastSeq: rewriting any of it, even with recomputed hashes, or
 * cutting it short is detected. `firstSeq` is the first record not covered by the previous checkpoint, so
 * consecutive checkpoints tile the log and a deleted checkpoint leaves a visible hole.
 */
import { Option } from "effect"
import { sm2SignatureValid, type TranscriptSignature } from "../lottery/Transcript.js"
import type { ChainHead } from "./AuditChain.js"

/** SM2-SM3 signature: signer id, uncompressed public key (hex), r ‖ s (hex). */
export type CheckpointSignature = TranscriptSignature

export interface UnsignedCheckpoint {
  readonly firstSeq: number
  readonly lastSeq: number
  /** Stored hash of record `lastSeq` (lower-case hex). */
  readonly lastHash: string
  /** UTC instant the checkpoint was made (`YYYY-MM-DDTHH:MM:SS.sssZ`). */
  readonly at: string
}

export interface AuditCheckpoint extends UnsignedCheckpoint {
  readonly signature: CheckpointSignature
}

export const CHECKPOINT_TAG = "anju-audit-checkpoint/v1"

/** The exact signed text: `anju-audit-checkpoint/v1\n<firstSeq>\n<lastSeq>\n<lastHash>\n<at>`. */
export const checkpointText = (c: UnsignedCheckpoint): string =>
  `${CHECKPOINT_TAG}\n${c.firstSeq}\n${c.lastSeq}\n${c.lastHash}\n${c.at}`

/** UTF-8 of `checkpointText`: what the SM2 signature is over (SM3 with Z inside SM2). */
export const checkpointBytes = (c: UnsignedCheckpoint): Uint8Array =>
  new TextEncoder().encode(checkpointText(c))

/**
 * The next checkpoint to sign for the log's head, after the latest stored checkpoint; none when the log is
 * empty or nothing was appended since.
 */
export const planCheckpoint = (
  head: ChainHead,
  latest: UnsignedCheckpoint | undefined,
  at: string,
): Option.Option<UnsignedCheckpoint> => {
  const firstSeq = latest === undefined ? 1 : latest.lastSeq + 1
  return head.seq < firstSeq
    ? Option.none()
    : Option.some({ firstSeq, lastSeq: head.seq, lastHash: head.hash, at })
}

/**
 * Whether the signature verifies over the checkpoint text and, with trusted keys (the current one and any
 * retired ones, uncompressed hex), was made with one of them.
 */
export const checkpointSignatureProblem = (
  c: AuditCheckpoint,
  trusted?: string | ReadonlyArray<string>,
): "unexpected-key" | "bad-signature" | null => {
  if (trusted !== undefined) {
    const keys = (typeof trusted === "string" ? [trusted] : trusted).map((k) => k.toLowerCase())
    if (!keys.includes(c.signature.publicKey.toLowerCase())) return "unexpected-key"
  }
  return sm2SignatureValid(checkpointBytes(c), c.signature) ? null : "bad-signature"
}
