/**
 * Expected failures of the lottery use-cases (R53, R55) besides the ports' own errors (LotteryStoreError,
 * SignerError) and the domain's (PoolAlreadyDrawn, the verifier's mismatches): rejected input, an unknown
 * draw, and signing asked for without a Signer in the context.
 */
import { Data } from "effect"
import type { PoolInvalid } from "../../domain/lottery/Pool.js"
import type { InvalidValue } from "../../domain/values/InvalidValue.js"

/** Seed, units, start number, hash or pool cannot be used; nothing was drawn or recorded. */
export class LotteryInputRejected extends Data.TaggedError("LotteryInputRejected")<{
  readonly issue: InvalidValue | PoolInvalid
}> {
  override get message(): string {
    return `${this.issue.message} [${this.issue.rule}]`
  }
}

export class DrawNotFound extends Data.TaggedError("DrawNotFound")<{ readonly drawId: string }> {
  override get message(): string {
    return `no draw ${this.drawId}`
  }
}

/** `sign: true` without a Signer service: a composition error of the host, reported before drawing. */
export class SignerMissing extends Data.TaggedError("SignerMissing")<Record<never, never>> {
  override get message(): string {
    return "signing was requested but no Signer is configured"
  }
}
