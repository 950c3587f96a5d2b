/**
 * Signer: digital signatures (数字签名) over bytes the domain prepares — for the lottery, the canonical
 * transcript (`signingBytes`, R53). Signing needs a secret key and a fresh secret nonce, so it lives behind
 * this port and never in domain/; verification is pure and stays in the domain. A signature carries its
 * algorithm, signer id (SM2 user id) and public key, so a verifier needs nothing else.
 */
import { Context, Data, type Effect } from "effect"
import type { TranscriptSignature } from "../../domain/lottery/Transcript.js"

/** The signature of some bytes: SM2-SM3, r ‖ s (64 bytes hex), uncompressed public key (04 ‖ x ‖ y, hex). */
export type Signature = TranscriptSignature

export type SignerErrorReason =
  /** The key store or device (HSM, signing service) cannot be reached: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }
  /**
   * The signer refused or produced a signature that does not verify under its own public key (wrong key
   * material, a fault). Not retryable: an operator must look at the key.
   */
  | { readonly _tag: "Failed"; readonly detail: string }

export class SignerError extends Data.TaggedError("SignerError")<{ readonly reason: SignerErrorReason }> {
  override get message(): string {
    return `signing failed (${this.reason._tag}): ${this.reason.detail}`
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class Signer extends Context.Service<
  Signer,
  {
    /** The uncompressed public key (hex) signatures verify under; constant for the service's lifetime. */
    readonly publicKey: string
    /**
     * Signs `bytes` (hashed with SM3 and the user id inside SM2). Two signatures of the same bytes may
     * differ (random nonce); each verifies. The bytes are not retained or modified.
     */
    readonly sign: (bytes: Uint8Array) => Effect.Effect<Signature, SignerError>
  }
>()("anju/Signer") {}
