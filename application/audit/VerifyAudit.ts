/**
 * Verification of the stored audit log (审计日志校验): reads the checkpoints, the head and every record
 * (pages of 1000), and hands them to the pure verifier. The head is read before and after the records;
 * when it moved (appends meanwhile), the new records are read too and the head again, so honest appends
 * during a verification never look like a cut or an insertion. Checkpoints are read first: a checkpoint
 * never names a record that did not exist then.
 */
import { Effect } from "effect"
import type { AuditRecord } from "../../domain/audit/AuditChain.js"
import { type AuditVerification, verifyAuditLog } from "../../domain/audit/AuditVerification.js"
import { AuditLog, MAX_AUDIT_PAGE } from "../ports/AuditLog.js"

export interface VerifyAuditOptions {
  /**
   * The SM2 public key(s) (uncompressed hex) checkpoints must carry — the current one and retired ones;
   * without any, signatures only have to verify.
   */
  readonly trustedPublicKey?: string | ReadonlyArray<string>
}

/** Rounds of "the head moved while reading" before records past the last head read are left for next time. */
const ROUNDS = 5

export const verifyAudit = Effect.fn("Audit.verify")(function* (options: VerifyAuditOptions = {}) {
  const log = yield* AuditLog
  const checkpoints = yield* log.checkpoints()
  let head = yield* log.head()
  let records: AuditRecord[] = []
  for (let round = 1; ; round++) {
    for (;;) {
      const page = yield* log.read((records.at(-1)?.seq ?? 0) + 1, MAX_AUDIT_PAGE)
      records.push(...page)
      if (page.length < MAX_AUDIT_PAGE) break
    }
    const again = yield* log.head()
    if (again.seq === head.seq && again.hash === head.hash) break
    head = again
    if (round === ROUNDS) {
      records = records.filter((r) => r.seq <= head.seq)
      break
    }
  }
  const verification: AuditVerification = verifyAuditLog({
    records,
    checkpoints,
    storedHead: head,
    ...(options.trustedPublicKey === undefined ? {} : { trustedPublicKey: options.trustedPublicKey }),
  })
  return verification
})
