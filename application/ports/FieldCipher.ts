/**
 * FieldCipher: sealing of personal data (个人信息: names, ID numbers, phones, bank cards) before it is
 * stored, and a keyed blind index (盲索引) so a case can be found by ID number without storing it in
 * clear. The SM4 adapter comes with the crypto work; an in-memory adapter serves tests and replays.
 * Plaintext never appears in errors. `blindIndex` is deterministic per key and field; `seal` need not be.
 */
import { Context, Data, type Effect } from "effect"

export type SensitiveField = "name" | "idNumber" | "phone" | "bankCard"

/** Ciphertext with the id of the key that sealed it (key rotation re-seals lazily). */
export interface SealedField {
  readonly keyId: string
  readonly ciphertext: string
}

export type FieldCipherErrorReason =
  /** The ciphertext was not produced by any known key, or was tampered with. */
  | { readonly _tag: "Undecryptable"; readonly field: SensitiveField; readonly keyId: string }
  /** The key service cannot be reached: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class FieldCipherError extends Data.TaggedError("FieldCipherError")<{
  readonly reason: FieldCipherErrorReason
}> {
  override get message(): string {
    const r = this.reason
    return r._tag === "Undecryptable" ? `cannot open a sealed ${r.field} (key ${r.keyId})` : r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class FieldCipher extends Context.Service<
  FieldCipher,
  {
    readonly seal: (field: SensitiveField, plaintext: string) => Effect.Effect<SealedField, FieldCipherError>
    readonly open: (field: SensitiveField, sealed: SealedField) => Effect.Effect<string, FieldCipherError>
    /** Keyed, deterministic look-up token (hex); equal plaintexts of one field give equal tokens. */
    readonly blindIndex: (field: SensitiveField, plaintext: string) => Effect.Effect<string, FieldCipherError>
  }
>()("anju/FieldCipher") {}
