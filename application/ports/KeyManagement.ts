/**
 * KeyManagement (密钥管理, KMS): named key-encryption keys with numbered versions that wrap and unwrap the
 * data keys of envelope encryption. Exactly one version of a key is current (new wraps use it); older
 * versions still unwrap until they are retired, so a rotation never makes stored data unreadable.
 * Key material never leaves the port except a freshly generated data key handed to its caller.
 */
import { Context, Data, type Effect } from "effect"

/** A data key wrapped under one version of a key: what is stored beside the data it protects. */
export interface WrappedKey {
  readonly keyId: string
  /** 1, 2, … in order of creation. */
  readonly version: number
  /** Opaque to callers; base64. */
  readonly wrapped: string
}

export interface KeyVersionInfo {
  readonly keyId: string
  readonly version: number
  /** `current`: wraps and unwraps; `previous`: unwraps only; `retired`: refuses both. */
  readonly state: "current" | "previous" | "retired"
  /** epoch ms */
  readonly createdAt: number
}

export type KeyManagementErrorReason =
  /** No such key, or no such version of it. */
  | { readonly _tag: "UnknownKey"; readonly keyId: string; readonly version: number | null }
  /** The version was retired after its data keys were re-wrapped: it no longer unwraps. */
  | { readonly _tag: "Retired"; readonly keyId: string; readonly version: number }
  /** The wrapped key was tampered with, or the stored versions do not open under the master key. */
  | { readonly _tag: "Undecryptable"; readonly keyId: string; readonly version: number }
  /** Retiring the current version, or a key id outside `[A-Za-z0-9._-]{1,64}`. */
  | { readonly _tag: "Refused"; readonly detail: string }
  /** Another process rotated at the same moment: safe to retry. */
  | { readonly _tag: "Contention"; readonly detail: string }
  /** The key store cannot be reached: safe to retry. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class KeyManagementError extends Data.TaggedError("KeyManagementError")<{
  readonly reason: KeyManagementErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "UnknownKey":
        return r.version === null ? `no key ${r.keyId}` : `key ${r.keyId} has no version ${r.version}`
      case "Retired":
        return `key ${r.keyId} version ${r.version} is retired`
      case "Undecryptable":
        return `a key wrapped under ${r.keyId} version ${r.version} does not open (tampered, or another master key)`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class KeyManagement extends Context.Service<
  KeyManagement,
  {
    /**
     * A fresh 128-bit data key and the same key wrapped under the key's current version. Creates version 1
     * of a key that does not exist yet (idempotent across processes).
     */
    readonly generateDataKey: (
      keyId: string,
    ) => Effect.Effect<{ readonly plaintext: Uint8Array; readonly wrapped: WrappedKey }, KeyManagementError>
    /** Wraps a caller's data key under the current version (creating version 1 as above). */
    readonly wrap: (keyId: string, plaintext: Uint8Array) => Effect.Effect<WrappedKey, KeyManagementError>
    /** The data key inside `wrapped`; works for every version that is not retired. */
    readonly unwrap: (wrapped: WrappedKey) => Effect.Effect<Uint8Array, KeyManagementError>
    /** `wrapped` under the current version; the same value when it already is (no new randomness spent). */
    readonly rewrap: (wrapped: WrappedKey) => Effect.Effect<WrappedKey, KeyManagementError>
    /** Adds a version and makes it current; the former current one becomes `previous`. Returns the new one. */
    readonly rotate: (keyId: string) => Effect.Effect<KeyVersionInfo, KeyManagementError>
    /** Marks a `previous` version retired (it stops unwrapping). Refused for the current version. */
    readonly retire: (keyId: string, version: number) => Effect.Effect<KeyVersionInfo, KeyManagementError>
    /** Every version of every key (or of one key), by key id then version. */
    readonly versions: (keyId?: string) => Effect.Effect<ReadonlyArray<KeyVersionInfo>, KeyManagementError>
  }
>()("anju/KeyManagement") {}
