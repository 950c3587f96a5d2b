/**
 * FieldCipher with the Chinese national algorithms and envelope encryption (信封加密): every value is
 * sealed with SM4-GCM (GB/T 32907, GCM as in RFC 8998) under its own fresh data key and IV, the field name
 * and KMS key id as associated data; the data key travels beside it wrapped by the KeyManagement port. The
 * blind index is HMAC-SM3 (GB/T 32905) under a separate key that no rotation touches. Values of format v1
 * (one SM4 key from `ANJU_FIELD_KEY`, before envelope encryption) still open and are re-sealed by `rewrap`.
 * Formats (base64): v1 = 01 ‖ IV ‖ C ‖ tag; v2 = 02 ‖ len ‖ key id ‖ u32 version ‖ u16 len ‖ wrapped key ‖ IV ‖ C ‖ tag.
 */
import { createHmac, randomBytes } from "node:crypto"
import { Config, Data, Effect, Layer, Option, Redacted } from "effect"
import { FieldCipher, FieldCipherError, type SensitiveField } from "../../application/ports/FieldCipher.js"
import {
  KeyManagement,
  type KeyManagementError,
  type WrappedKey,
} from "../../application/ports/KeyManagement.js"
import * as Sm4Gcm from "./Sm4Gcm.js"

/** Configuration names read by `layerConfig`. */
export const CONFIG = {
  encryptionKey: "ANJU_FIELD_KEY",
  indexKey: "ANJU_INDEX_KEY",
  keyId: "ANJU_FIELD_KEY_ID",
  kmsKeyId: "ANJU_FIELD_KMS_KEY",
} as const

/** The KMS key that wraps the field cipher's data keys unless `kmsKeyId` says otherwise. */
export const DEFAULT_KMS_KEY_ID = "anju-field"

export interface Sm4Keys {
  /**
   * The format-v1 SM4 key (32 hex characters): only needed to open values sealed before envelope
   * encryption, until `anju keys rotate` has re-sealed them all.
   */
  readonly encryptionKey?: Redacted.Redacted<string>
  /** HMAC-SM3 key of the blind index, 32 hex characters; must differ from the v1 key. */
  readonly indexKey: Redacted.Redacted<string>
  /** The v1 key's id, stored beside its ciphertexts (default `sm4-1`). */
  readonly keyId?: string
  /** KMS key id wrapping the data keys (default `anju-field`). */
  readonly kmsKeyId?: string
}

/** The keys are missing or malformed: a start-up failure, never a port error. */
export class Sm4KeyInvalid extends Data.TaggedError("Sm4KeyInvalid")<{ readonly message: string }> {}

const V1 = 1
const V2 = 2
const HEX_KEY = /^[0-9a-fA-F]{32}$/u
const utf8 = new TextEncoder()

const decodeKey = (name: string, key: Redacted.Redacted<string>): Uint8Array | Sm4KeyInvalid => {
  const text = Redacted.value(key).trim()
  return HEX_KEY.test(text)
    ? Uint8Array.from(Buffer.from(text, "hex"))
    : new Sm4KeyInvalid({
        message: `${name} must be 32 hexadecimal characters (a 128-bit SM4/HMAC-SM3 key); got ${text.length} characters`,
      })
}

const aadV1 = (keyId: string, field: SensitiveField) => `anju/field/v1|${keyId}|${field}`
/** The version is left out on purpose: re-wrapping the data key leaves the value's ciphertext valid. */
const aadV2 = (kmsKeyId: string, field: SensitiveField) => `anju/field/v2|${kmsKeyId}|${field}`

interface Envelope {
  readonly wrapped: WrappedKey
  /** IV ‖ C ‖ tag */
  readonly body: Uint8Array
}

/** `<KMS key id>@<version>`: the label stored as `SealedField.keyId`, checked against the header. */
export const labelOf = (w: Pick<WrappedKey, "keyId" | "version">) => `${w.keyId}@${w.version}`

const encodeV2 = (e: Envelope): string => {
  const id = utf8.encode(e.wrapped.keyId)
  const wrapped = Buffer.from(e.wrapped.wrapped, "base64")
  const head = Buffer.alloc(1 + 1 + id.length + 4 + 2)
  head[0] = V2
  head[1] = id.length
  Buffer.from(id).copy(head, 2)
  head.writeUInt32BE(e.wrapped.version, 2 + id.length)
  head.writeUInt16BE(wrapped.length, 6 + id.length)
  return Buffer.concat([head, wrapped, e.body]).toString("base64")
}

const decodeV2 = (raw: Buffer): Envelope => {
  if (raw.length < 8 || raw[0] !== V2) throw new Error("format")
  const n = raw[1]!
  if (n === 0 || raw.length < 8 + n) throw new Error("format")
  const keyId = new TextDecoder("utf-8", { fatal: true }).decode(raw.subarray(2, 2 + n))
  const version = raw.readUInt32BE(2 + n)
  const m = raw.readUInt16BE(6 + n)
  const start = 8 + n
  if (raw.length < start + m + Sm4Gcm.IV_BYTES + Sm4Gcm.TAG_BYTES) throw new Error("format")
  return {
    wrapped: { keyId, version, wrapped: raw.subarray(start, start + m).toString("base64") },
    body: Uint8Array.from(raw.subarray(start + m)),
  }
}

/**
 * Builds the cipher over the KeyManagement in context; fails with Sm4KeyInvalid for malformed keys. `iv`
 * is for tests only (a fixed IV breaks GCM's security); production uses the OS CSPRNG for every value.
 */
export const make = (
  keys: Sm4Keys,
  options: { readonly iv?: () => Uint8Array } = {},
): Effect.Effect<FieldCipher["Service"], Sm4KeyInvalid, KeyManagement> =>
  Effect.gen(function* () {
    const kms = yield* KeyManagement
    const legacy =
      keys.encryptionKey === undefined ? undefined : decodeKey(CONFIG.encryptionKey, keys.encryptionKey)
    if (legacy instanceof Sm4KeyInvalid) return yield* Effect.fail(legacy)
    const indexKey = decodeKey(CONFIG.indexKey, keys.indexKey)
    if (indexKey instanceof Sm4KeyInvalid) return yield* Effect.fail(indexKey)
    if (legacy !== undefined && Buffer.from(legacy).equals(Buffer.from(indexKey)))
      return yield* new Sm4KeyInvalid({
        message: `${CONFIG.indexKey} must differ from ${CONFIG.encryptionKey}`,
      })
    const legacyKeyId = keys.keyId ?? "sm4-1"
    const kmsKeyId = keys.kmsKeyId ?? DEFAULT_KMS_KEY_ID
    const nextIv = options.iv ?? (() => Uint8Array.from(randomBytes(Sm4Gcm.IV_BYTES)))
    const undecryptable = (field: SensitiveField, id: string) =>
      new FieldCipherError({ reason: { _tag: "Undecryptable", field, keyId: id } })
    const fromKms = (field: SensitiveField, label: string) => (e: KeyManagementError) =>
      e.isRetryable
        ? new FieldCipherError({ reason: { _tag: "Unavailable", detail: `key management: ${e.message}` } })
        : undecryptable(field, label)

    const sealV2 = (field: SensitiveField, plaintext: string) =>
      Effect.gen(function* () {
        const dk = yield* kms.generateDataKey(kmsKeyId).pipe(Effect.mapError(fromKms(field, kmsKeyId)))
        const body = Sm4Gcm.seal(dk.plaintext, nextIv(), utf8.encode(plaintext), aadV2(kmsKeyId, field))
        dk.plaintext.fill(0)
        return { keyId: labelOf(dk.wrapped), ciphertext: encodeV2({ wrapped: dk.wrapped, body }) }
      })

    const parse = (field: SensitiveField, sealed: { keyId: string; ciphertext: string }) =>
      Effect.try({
        try: () => {
          const raw = Buffer.from(sealed.ciphertext, "base64")
          if (raw[0] === V1) return { format: "v1" as const, raw }
          const envelope = decodeV2(raw)
          // The label is bound to the header: a re-labelled value does not open.
          if (labelOf(envelope.wrapped) !== sealed.keyId || envelope.wrapped.keyId !== kmsKeyId)
            throw new Error("label")
          return { format: "v2" as const, envelope }
        },
        catch: () => undecryptable(field, sealed.keyId),
      })

    const openV1 = (field: SensitiveField, keyId: string, raw: Buffer) =>
      Effect.try({
        try: () => {
          if (legacy === undefined || keyId !== legacyKeyId) throw new Error("unknown key")
          return new TextDecoder("utf-8", { fatal: true }).decode(
            Sm4Gcm.open(legacy, raw.subarray(1), aadV1(legacyKeyId, field)),
          )
        },
        catch: () => undecryptable(field, keyId),
      })

    const openV2 = (field: SensitiveField, label: string, envelope: Envelope) =>
      Effect.gen(function* () {
        const dek = yield* kms.unwrap(envelope.wrapped).pipe(Effect.mapError(fromKms(field, label)))
        return yield* Effect.try({
          try: () =>
            new TextDecoder("utf-8", { fatal: true }).decode(
              Sm4Gcm.open(dek, envelope.body, aadV2(envelope.wrapped.keyId, field)),
            ),
          catch: () => undecryptable(field, label),
        })
      })

    const service: FieldCipher["Service"] = {
      seal: sealV2,
      open: (field, sealed) =>
        Effect.gen(function* () {
          const p = yield* parse(field, sealed)
          return p.format === "v1"
            ? yield* openV1(field, sealed.keyId, p.raw)
            : yield* openV2(field, sealed.keyId, p.envelope)
        }),
      blindIndex: (field, plaintext) =>
        Effect.sync(() => createHmac("sm3", indexKey).update(`${field}\u0000${plaintext}`).digest("hex")),
      rewrap: (field, sealed) =>
        Effect.gen(function* () {
          const p = yield* parse(field, sealed)
          if (p.format === "v1")
            return Option.some(yield* sealV2(field, yield* openV1(field, sealed.keyId, p.raw)))
          const moved = yield* kms
            .rewrap(p.envelope.wrapped)
            .pipe(Effect.mapError(fromKms(field, sealed.keyId)))
          if (moved.version === p.envelope.wrapped.version) return Option.none()
          // The body is kept as it is: only the data key's wrapping changes.
          return Option.some({
            keyId: labelOf(moved),
            ciphertext: encodeV2({ wrapped: moved, body: p.envelope.body }),
          })
        }),
    }
    return service
  })

export const layer = (keys: Sm4Keys): Layer.Layer<FieldCipher, Sm4KeyInvalid, KeyManagement> =>
  Layer.effect(FieldCipher, make(keys))

/**
 * Keys from configuration: `ANJU_INDEX_KEY` (required), `ANJU_FIELD_KEY` and `ANJU_FIELD_KEY_ID` (format-v1
 * values only), `ANJU_FIELD_KMS_KEY` (default `anju-field`); the KeyManagement in context wraps data keys.
 */
export const layerConfig: Layer.Layer<FieldCipher, Sm4KeyInvalid, KeyManagement> = Layer.effect(
  FieldCipher,
  Effect.gen(function* () {
    const optional = <A>(name: string, config: Config.Config<A>) =>
      Config.option(config).pipe(
        Effect.mapError(() => new Sm4KeyInvalid({ message: `${name} cannot be read` })),
      )
    const indexKey = yield* optional(CONFIG.indexKey, Config.Redacted(CONFIG.indexKey))
    if (Option.isNone(indexKey))
      return yield* new Sm4KeyInvalid({
        message: `${CONFIG.indexKey} is not set: the blind index of ID numbers is HMAC-SM3 under it (32 hex characters)`,
      })
    const encryptionKey = yield* optional(CONFIG.encryptionKey, Config.Redacted(CONFIG.encryptionKey))
    const keyId = yield* optional(CONFIG.keyId, Config.String(CONFIG.keyId))
    const kmsKeyId = yield* optional(CONFIG.kmsKeyId, Config.String(CONFIG.kmsKeyId))
    return yield* make({
      indexKey: indexKey.value,
      ...(Option.isSome(encryptionKey) ? { encryptionKey: encryptionKey.value } : {}),
      ...(Option.isSome(keyId) ? { keyId: keyId.value } : {}),
      ...(Option.isSome(kmsKeyId) ? { kmsKeyId: kmsKeyId.value } : {}),
    })
  }),
)
