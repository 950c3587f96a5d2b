/**
 * FieldCipher: sealing of personal data (个人信息: names, ID numbers, phones, bank cards, household income
 * and assets) before it is stored, and a keyed blind index (盲索引) so a case can be found by ID number
 * without storing it in clear. The SM4 adapter seals by envelope encryption under the KeyManagement port;
 * an in-memory adapter serves tests and replays. Plaintext never appears in errors. `blindIndex` is
 * deterministic per key and field and does not change when the sealing key rotates; `seal` need not be.
 */
import { Context, Data, type Effect, type Option } from "effect"

export type SensitiveField =
  | "name"
  | "idNumber"
  | "phone"
  | "bankCard"
  /** A household's declared annual disposable income (yuan, as text). */
  | "income"
  /** A household's declared property and assets (yuan, as text). */
  | "assets"

/** Ciphertext with the id of the key that sealed it (for the SM4 adapter: `<KMS key id>@<version>`). */
export interface SealedField {
  readonly keyId: string
  readonly ciphertext: string
}

export type FieldCipherErrorReason =
  /** The ciphertext was not produced by any known key, or was tampered with. */
  | { readonly _tag: "Undecryptable"; readonly field: SensitiveField; readonly keyId: string }
  /** The key service cannot be reached (or was rotated meanwhile): safe to retry. */
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
    /**
     * The same value with its data key re-wrapped under the current key version (the value's own ciphertext
     * is kept), or re-sealed when it is of an older format; `None` when it is current already. Reveals
     * nothing to the caller; opening the result gives what opening `sealed` gave.
     */
    readonly rewrap: (
      field: SensitiveField,
      sealed: SealedField,
    ) => Effect.Effect<Option.Option<SealedField>, FieldCipherError>
  }
>()("anju/FieldCipher") {}
