/**
 * KeyManagement in software (软件密钥管理): each key version is a random 128-bit SM4 key kept in the KeyRing
 * sealed under the master key (SM4-GCM, AAD binds key id and version, so a version row cannot be moved or
 * renumbered). Data keys are wrapped with SM4-GCM under a version key (AAD again binds key id and version).
 * Opened version keys are cached; the ring is read again when a version is unknown here and at most every
 * `refreshMillis` for the current version, so a host notices another process's rotation without restarting.
 */
import { randomBytes } from "node:crypto"
import { Clock, Config, Data, Effect, Layer, Option, Redacted } from "effect"
import {
  KeyManagement,
  KeyManagementError,
  type KeyVersionInfo,
  type WrappedKey,
} from "../../application/ports/KeyManagement.js"
import * as Sm4Gcm from "../sm/Sm4Gcm.js"
import { KeyRing, type StoredKeyVersion } from "./KeyRing.js"
import * as KeyRings from "./KeyRing.js"

/** Configuration name read by `layerConfig`. */
export const CONFIG = { masterKey: "ANJU_KMS_MASTER_KEY" } as const

/** The master key is missing or malformed: a start-up failure, never a port error. */
export class KmsMasterKeyInvalid extends Data.TaggedError("KmsMasterKeyInvalid")<{
  readonly message: string
}> {}

export interface SoftwareKmsOptions {
  /** 32 hex characters (128-bit SM4 key). */
  readonly masterKey: Redacted.Redacted<string>
  /** How long the current version is trusted before the ring is read again (default 2 000 ms). */
  readonly refreshMillis?: number
  /** Tests only: deterministic bytes. Production uses the OS CSPRNG. */
  readonly random?: (n: number) => Uint8Array
}

const FORMAT = 1
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u
const HEX_KEY = /^[0-9a-fA-F]{32}$/u

const materialAad = (keyId: string, version: number) => `anju/kms/v1|${keyId}|${version}`
const dekAad = (keyId: string, version: number) => `anju/kms/dek/v1|${keyId}|${version}`
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
const unb64 = (s: string) => Uint8Array.from(Buffer.from(s, "base64"))

const fail = (reason: KeyManagementError["reason"]) => Effect.fail(new KeyManagementError({ reason }))

export const decodeMasterKey = (key: Redacted.Redacted<string>): Uint8Array | KmsMasterKeyInvalid => {
  const text = Redacted.value(key).trim()
  return HEX_KEY.test(text)
    ? Uint8Array.from(Buffer.from(text, "hex"))
    : new KmsMasterKeyInvalid({
        message: `${CONFIG.masterKey} must be 32 hexadecimal characters (a 128-bit SM4 key); got ${text.length} characters`,
      })
}

const info = (v: StoredKeyVersion): KeyVersionInfo => ({
  keyId: v.keyId,
  version: v.version,
  state: v.state,
  createdAt: v.createdAt,
})

/** The KMS over the KeyRing in context; fails at start for a malformed master key. */
export const make = (
  options: SoftwareKmsOptions,
): Effect.Effect<KeyManagement["Service"], KmsMasterKeyInvalid, KeyRing> =>
  Effect.gen(function* () {
    const master = decodeMasterKey(options.masterKey)
    if (master instanceof KmsMasterKeyInvalid) return yield* Effect.fail(master)
    const ring = yield* KeyRing
    const random = options.random ?? ((n: number) => Uint8Array.from(randomBytes(n)))
    const refreshMillis = options.refreshMillis ?? 2_000
    /** keyId → version → { state, key } (keys opened lazily). */
    const known = new Map<string, Map<number, StoredKeyVersion>>()
    const opened = new Map<string, Uint8Array>()
    const loadedAt = new Map<string, number>()

    const reload = (keyId: string) =>
      Effect.gen(function* () {
        const rows = yield* ring.load(keyId)
        known.set(keyId, new Map(rows.map((r) => [r.version, r])))
        loadedAt.set(keyId, yield* Clock.currentTimeMillis)
        return rows
      })

    const openVersion = (v: StoredKeyVersion): Effect.Effect<Uint8Array, KeyManagementError> => {
      const cached = opened.get(`${v.keyId}\u0000${v.version}`)
      if (cached !== undefined) return Effect.succeed(cached)
      return Effect.try({
        try: () => {
          const raw = unb64(v.material)
          if (raw[0] !== FORMAT) throw new Error("format")
          const key = Sm4Gcm.open(master, raw.subarray(1), materialAad(v.keyId, v.version))
          if (key.length !== Sm4Gcm.KEY_BYTES) throw new Error("length")
          opened.set(`${v.keyId}\u0000${v.version}`, key)
          return key
        },
        catch: () =>
          new KeyManagementError({
            reason: { _tag: "Undecryptable", keyId: v.keyId, version: v.version },
          }),
      })
    }

    const currentOf = (keyId: string) =>
      [...(known.get(keyId)?.values() ?? [])].find((v) => v.state === "current")

    const checkKeyId = (keyId: string) =>
      KEY_ID.test(keyId)
        ? Effect.void
        : fail({
            _tag: "Refused",
            detail: "a key id is 1–64 of A-Z a-z 0-9 . _ - (starting with a letter or digit)",
          })

    /** Adds version `next` (1 for a new key) unless another process did first; then reads the ring. */
    const addVersion = (keyId: string, next: number) =>
      Effect.gen(function* () {
        const key = random(Sm4Gcm.KEY_BYTES)
        const sealed = Sm4Gcm.seal(master, random(Sm4Gcm.IV_BYTES), key, materialAad(keyId, next))
        const row: StoredKeyVersion = {
          keyId,
          version: next,
          state: "current",
          createdAt: yield* Clock.currentTimeMillis,
          material: b64(Uint8Array.of(FORMAT, ...sealed)),
        }
        const outcome = yield* ring.addVersion(row)
        yield* reload(keyId)
        return outcome
      })

    /** The current version, reading the ring when it is stale; creates version 1 of a new key. */
    const current = (keyId: string) =>
      Effect.gen(function* () {
        yield* checkKeyId(keyId)
        const now = yield* Clock.currentTimeMillis
        let v = currentOf(keyId)
        if (v === undefined || now - (loadedAt.get(keyId) ?? 0) >= refreshMillis) {
          yield* reload(keyId)
          v = currentOf(keyId)
        }
        if (v === undefined) {
          yield* addVersion(keyId, 1) // "conflict": another process created it; the reload sees theirs
          v = currentOf(keyId)
        }
        if (v === undefined) return yield* fail({ _tag: "UnknownKey", keyId, version: null })
        return { version: v, key: yield* openVersion(v) }
      })

    /** A version for unwrapping: read the ring once when it is not known (another process rotated). */
    const versionFor = (keyId: string, version: number) =>
      Effect.gen(function* () {
        let v = known.get(keyId)?.get(version)
        if (v === undefined || v.state === "retired") {
          yield* reload(keyId)
          v = known.get(keyId)?.get(version)
        }
        if (v === undefined) return yield* fail({ _tag: "UnknownKey", keyId, version })
        if (v.state === "retired") return yield* fail({ _tag: "Retired", keyId, version })
        return v
      })

    const wrapUnder = (v: StoredKeyVersion, key: Uint8Array, dek: Uint8Array): WrappedKey => ({
      keyId: v.keyId,
      version: v.version,
      wrapped: b64(
        Uint8Array.of(FORMAT, ...Sm4Gcm.seal(key, random(Sm4Gcm.IV_BYTES), dek, dekAad(v.keyId, v.version))),
      ),
    })

    const unwrap = (w: WrappedKey) =>
      Effect.gen(function* () {
        const v = yield* versionFor(w.keyId, w.version)
        const key = yield* openVersion(v)
        return yield* Effect.try({
          try: () => {
            const raw = unb64(w.wrapped)
            if (raw[0] !== FORMAT) throw new Error("format")
            const dek = Sm4Gcm.open(key, raw.subarray(1), dekAad(w.keyId, w.version))
            if (dek.length !== Sm4Gcm.KEY_BYTES) throw new Error("length")
            return dek
          },
          catch: () =>
            new KeyManagementError({ reason: { _tag: "Undecryptable", keyId: w.keyId, version: w.version } }),
        })
      })

    return KeyManagement.of({
      generateDataKey: (keyId) =>
        Effect.gen(function* () {
          const { version, key } = yield* current(keyId)
          const plaintext = random(Sm4Gcm.KEY_BYTES)
          return { plaintext, wrapped: wrapUnder(version, key, plaintext) }
        }),
      wrap: (keyId, plaintext) =>
        Effect.gen(function* () {
          if (plaintext.length !== Sm4Gcm.KEY_BYTES)
            return yield* fail({ _tag: "Refused", detail: "a data key is 16 bytes (SM4-128)" })
          const { version, key } = yield* current(keyId)
          return wrapUnder(version, key, plaintext)
        }),
      unwrap,
      rewrap: (w) =>
        Effect.gen(function* () {
          const { version, key } = yield* current(w.keyId)
          if (version.version === w.version) {
            yield* unwrap(w) // still proves the value opens: a tampered key is not passed on as current
            return w
          }
          return wrapUnder(version, key, yield* unwrap(w))
        }),
      rotate: (keyId) =>
        Effect.gen(function* () {
          yield* checkKeyId(keyId)
          const rows = yield* reload(keyId)
          const next = rows.reduce((m, r) => Math.max(m, r.version), 0) + 1
          const outcome = yield* addVersion(keyId, next)
          if (outcome === "conflict")
            return yield* fail({
              _tag: "Contention",
              detail: `key ${keyId} was rotated by another process; retry`,
            })
          const v = known.get(keyId)?.get(next)
          if (v === undefined) return yield* fail({ _tag: "UnknownKey", keyId, version: next })
          yield* openVersion(v) // a wrong master key fails here, not at the first seal
          return info(v)
        }),
      retire: (keyId, version) =>
        Effect.gen(function* () {
          yield* reload(keyId)
          const v = known.get(keyId)?.get(version)
          if (v === undefined) return yield* fail({ _tag: "UnknownKey", keyId, version })
          if (v.state === "current")
            return yield* fail({
              _tag: "Refused",
              detail: `key ${keyId} version ${version} is current; rotate first`,
            })
          if (v.state === "previous" && !(yield* ring.retire(keyId, version)))
            return yield* fail({ _tag: "Contention", detail: `key ${keyId} changed meanwhile; retry` })
          const rows = yield* reload(keyId)
          const after = rows.find((r) => r.version === version)
          return after === undefined ? info(v) : info(after)
        }),
      versions: (keyId) => Effect.map(ring.load(keyId), (rows) => rows.map(info)),
    })
  })

export const layer = (
  options: SoftwareKmsOptions,
): Layer.Layer<KeyManagement, KmsMasterKeyInvalid, KeyRing> => Layer.effect(KeyManagement, make(options))

/** The KMS over a ring in memory (tests, `--memory` hosts): nothing survives the process. */
export const layerMemory = (options: SoftwareKmsOptions): Layer.Layer<KeyManagement, KmsMasterKeyInvalid> =>
  layer(options).pipe(Layer.provide(KeyRings.layerMemory))

/** Master key from configuration (`ANJU_KMS_MASTER_KEY`), over the KeyRing in context. */
export const layerConfig: Layer.Layer<KeyManagement, KmsMasterKeyInvalid, KeyRing> = Layer.effect(
  KeyManagement,
  Effect.gen(function* () {
    const key = yield* Config.option(Config.Redacted(CONFIG.masterKey)).pipe(
      Effect.mapError(() => new KmsMasterKeyInvalid({ message: `${CONFIG.masterKey} cannot be read` })),
    )
    if (Option.isNone(key))
      return yield* new KmsMasterKeyInvalid({
        message: `${CONFIG.masterKey} is not set: the KMS seals its key versions under it (32 hex characters, e.g. from openssl rand -hex 16)`,
      })
    return yield* make({ masterKey: key.value })
  }),
)
