/**
 * `anju audit verify` and `anju audit checkpoint` as plain functions (the CLI parser wires flags to them):
 * verify reads the configured store, recomputes the SM3 chain, checks every SM2 checkpoint (against the
 * trusted key `ANJU_AUDIT_PUBLIC_KEY` when set) and prints one verdict line — exit 0 intact, 1 broken
 * (first bad record and why), 2 when the store cannot be read or an option is malformed. checkpoint signs
 * the current head with `ANJU_SM2_PRIVATE_KEY` (exit 0 signed or already sealed, 2 on failure).
 */
import { ConfigProvider, Exit, Layer, ManagedRuntime, Option } from "effect"
import { checkpointAudit } from "../../../application/audit/CheckpointAudit.js"
import { verifyAudit } from "../../../application/audit/VerifyAudit.js"
import * as Sm2Signer from "../../../adapters/sm/Sm2Signer.js"
import { verdictLine } from "../../../domain/audit/AuditVerification.js"
import { auditLogLayer } from "../../AuditStores.js"
import { describeStorage, type StorageChoice } from "../../StoreSelection.js"
import type { CliIo } from "../Io.js"

/**
 * Environment variable naming the SM2 public key (uncompressed, 130 hex) checkpoints must be signed with;
 * several keys (the current one and retired ones) separated by commas.
 */
export const AUDIT_PUBLIC_KEY_ENV = "ANJU_AUDIT_PUBLIC_KEY"

const PUBLIC_KEY = /^04[0-9a-fA-F]{128}$/u

type Io = Pick<CliIo, "out" | "err" | "env">

export interface AuditVerifyOptions {
  readonly storage: StorageChoice
  /** Overrides `ANJU_AUDIT_PUBLIC_KEY` (same syntax: one key, or several separated by commas). */
  readonly trustedPublicKey?: string
  /** Print the full verification (every finding) as JSON instead of the verdict line. */
  readonly json?: boolean
}

export const auditVerify = async (options: AuditVerifyOptions, io: Io): Promise<number> => {
  const key = options.trustedPublicKey ?? io.env[AUDIT_PUBLIC_KEY_ENV]
  const keys = (key ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "")
  if (keys.some((k) => !PUBLIC_KEY.test(k))) {
    io.err(
      `audit verify: ${AUDIT_PUBLIC_KEY_ENV} must hold uncompressed SM2 public keys (04 and 128 hex digits), separated by commas`,
    )
    return 2
  }
  const trusted = keys.length === 0 ? undefined : keys.map((k) => k.toLowerCase())
  const runtime = ManagedRuntime.make(auditLogLayer(options.storage))
  try {
    const exit = await runtime.runPromiseExit(
      verifyAudit(trusted === undefined ? {} : { trustedPublicKey: trusted }),
    )
    if (Exit.isFailure(exit)) {
      io.err(`audit verify could not read the audit log on ${describeStorage(options.storage)}`)
      return 2
    }
    const v = exit.value
    io.out(options.json === true ? JSON.stringify(v, null, 2) : verdictLine(v))
    if (trusted === undefined && v.checkpoints > 0)
      io.err(
        `note: checkpoint signatures were checked without a trusted key; set ${AUDIT_PUBLIC_KEY_ENV} to pin the signer`,
      )
    return v.ok ? 0 : 1
  } finally {
    await runtime.dispose()
  }
}

export const auditCheckpoint = async (
  options: { readonly storage: StorageChoice },
  io: Io,
): Promise<number> => {
  const signer = Sm2Signer.layerConfig.pipe(
    Layer.provide(
      ConfigProvider.layer(ConfigProvider.fromEnvRecord({ ...io.env } as Record<string, string>)),
    ),
  )
  const runtime = ManagedRuntime.make(Layer.merge(auditLogLayer(options.storage), signer))
  try {
    const exit = await runtime.runPromiseExit(checkpointAudit())
    if (Exit.isFailure(exit)) {
      const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
      const why =
        failure?._tag === "Fail" && failure.error instanceof Error
          ? failure.error.message
          : `the audit log on ${describeStorage(options.storage)} cannot be read or the key is missing`
      io.err(`audit checkpoint failed: ${why}`)
      return 2
    }
    const c = exit.value
    io.out(
      Option.isSome(c)
        ? `audit checkpoint signed: records ${c.value.firstSeq}–${c.value.lastSeq}, hash ${c.value.lastHash}`
        : "audit checkpoint: nothing to sign (the head is already sealed or the log is empty)",
    )
    return 0
  } finally {
    await runtime.dispose()
  }
}
