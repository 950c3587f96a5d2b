/**
 * Signed checkpoints of the audit log (审计日志签名检查点): signs the log's current head with the Signer port
 * (SM2) over the canonical checkpoint text and stores it. Run periodically (a worker or `anju audit
 * checkpoint`); nothing is signed when no record was appended since the latest checkpoint. Two runs racing
 * store one checkpoint (the port keeps the first). Failures: AuditLogError, SignerError.
 */
import { Clock, Effect, Option } from "effect"
import { checkpointBytes, planCheckpoint } from "../../domain/audit/AuditCheckpoint.js"
import { instantOf } from "../../domain/audit/AuditRecord.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Signer } from "../ports/Signer.js"

/** The stored checkpoint over the current head, or none when the head is already sealed (or the log empty). */
export const checkpointAudit = Effect.fn("Audit.checkpoint")(function* () {
  const log = yield* AuditLog
  const signer = yield* Signer
  const checkpoints = yield* log.checkpoints()
  const head = yield* log.head()
  const now = yield* Clock.currentTimeMillis
  const plan = planCheckpoint(head, checkpoints.at(-1), instantOf(now))
  if (Option.isNone(plan)) return Option.none()
  const signature = yield* signer.sign(checkpointBytes(plan.value))
  return Option.some(yield* log.putCheckpoint({ ...plan.value, signature }))
})
