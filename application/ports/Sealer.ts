/**
 * Sealer: applies an electronic seal (电子印章) to a PDF as a PDF signature — the holder's certified SM2
 * key signs the file's byte range (CMS SignedData with SM3/SM2, the seal picture as the visible
 * appearance). Each seal is an incremental update appended to the bytes it is given, so earlier seals
 * stay valid: the lessor seals first and the tenant second (R89/R90). Verification needs no key and lives
 * with the PDF adapters (`anju contract verify`).
 */
import { Context, Data, type Effect } from "effect"

export interface SealRequest {
  /** The signature field to fill (`lessor`, `tenant`, `centre`); created on the last page when absent. */
  readonly role: string
  /** Whose seal: a USCC for an organisation, an opaque holder id for a person. */
  readonly holder: string
  /** Printed in the seal and in the signature's /Name. */
  readonly name: string
  /** A round organisation seal (公章/合同专用章) or a person's square name seal. */
  readonly holderKind: "organisation" | "person"
  readonly reason: string
  /** The signing time (signed attribute and /M); the caller takes it from its Clock. */
  readonly signingTime: Date
}

export type SealerErrorReason =
  /** The seal platform or key store cannot be reached: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }
  /** The holder has no valid seal certificate (unknown, expired or revoked). Not retryable. */
  | { readonly _tag: "NoCertificate"; readonly detail: string }
  /** The bytes are not a PDF this sealer can update, or the field is already signed. Not retryable. */
  | { readonly _tag: "Unsealable"; readonly detail: string }
  /** The signer failed or produced a signature that does not verify. Not retryable. */
  | { readonly _tag: "Failed"; readonly detail: string }

export class SealerError extends Data.TaggedError("SealerError")<{ readonly reason: SealerErrorReason }> {
  override get message(): string {
    return `sealing failed (${this.reason._tag}): ${this.reason.detail}`
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class Sealer extends Context.Service<
  Sealer,
  {
    /** `pdf` with one more signature appended as an incremental update; the input bytes are a prefix of the output. */
    readonly seal: (pdf: Uint8Array, request: SealRequest) => Effect.Effect<Uint8Array, SealerError>
  }
>()("anju/Sealer") {}
