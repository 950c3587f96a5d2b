/**
 * Signer with SM2 (GB/T 32918) and SM3, as the lottery transcript requires (R53): Z is computed with the
 * user id (default 1234567812345678), the value is r ‖ s (64 bytes hex, no DER). The private key is a
 * 64-hex scalar in [1, n − 2] travelling as `Redacted`; a missing or malformed key fails the layer at start.
 * The nonce comes from sm-crypto-v2's CSPRNG (Web Crypto `getRandomValues`, the OS generator on Node); every
 * signature is verified under the public key before it is returned, so a fault never leaves this adapter.
 */
import { Config, Data, Effect, Layer, Option, Redacted } from "effect"
import { sm2 } from "sm-crypto-v2"
import { type Signature, Signer, SignerError } from "../../application/ports/Signer.js"
import { DEFAULT_SM2_USER_ID, sm2SignatureValid } from "../../domain/lottery/Transcript.js"

/** Configuration names read by `layerConfig`. */
export const CONFIG = {
  privateKey: "ANJU_SM2_PRIVATE_KEY",
  userId: "ANJU_SM2_USER_ID",
} as const

export interface Sm2Key {
  /** The private scalar d, 64 hex characters. */
  readonly privateKey: Redacted.Redacted<string>
  /** SM2 signer id entering Z (default `1234567812345678`). */
  readonly userId?: string
}

/** The key is missing or malformed: a start-up failure, never a port error. Never contains the key. */
export class Sm2KeyInvalid extends Data.TaggedError("Sm2KeyInvalid")<{ readonly message: string }> {}

/** Order n of the SM2 base point (GB/T 32918.5). */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n
const HEX_KEY = /^[0-9a-fA-F]{64}$/u

/** Builds the signer; fails with Sm2KeyInvalid when the key is not a valid SM2 private scalar. */
export const make = (key: Sm2Key): Effect.Effect<Signer["Service"], Sm2KeyInvalid> =>
  Effect.suspend(() => {
    const d = Redacted.value(key.privateKey).trim().toLowerCase()
    if (!HEX_KEY.test(d))
      return Effect.fail(
        new Sm2KeyInvalid({
          message: `${CONFIG.privateKey} must be 64 hexadecimal characters (an SM2 private key); got ${d.length} characters`,
        }),
      )
    const scalar = BigInt(`0x${d}`)
    if (scalar < 1n || scalar > N - 2n)
      return Effect.fail(new Sm2KeyInvalid({ message: `${CONFIG.privateKey} is outside [1, n − 2]` }))
    const userId = key.userId ?? DEFAULT_SM2_USER_ID
    if (userId.length === 0 || new TextEncoder().encode(userId).length > 8191)
      return Effect.fail(new Sm2KeyInvalid({ message: "the SM2 user id must be 1–8191 bytes" }))
    const publicKey = sm2.getPublicKeyFromPrivateKey(d).toLowerCase()
    const sign = (bytes: Uint8Array) =>
      Effect.try({
        try: (): Signature => {
          const value = sm2.doSignature(bytes.slice(), d, { hash: true, der: false, publicKey, userId })
          const signature: Signature = { algorithm: "SM2-SM3", userId, publicKey, value: value.toLowerCase() }
          if (!sm2SignatureValid(bytes, signature)) throw new Error("the signature does not verify")
          return signature
        },
        catch: (e) =>
          new SignerError({
            reason: { _tag: "Failed", detail: e instanceof Error ? e.message : "SM2 signing failed" },
          }),
      })
    return Effect.succeed({ publicKey, sign })
  })

export const layer = (key: Sm2Key): Layer.Layer<Signer, Sm2KeyInvalid> => Layer.effect(Signer, make(key))

/** Key from configuration: `ANJU_SM2_PRIVATE_KEY` (secret), optional `ANJU_SM2_USER_ID`. */
export const layerConfig: Layer.Layer<Signer, Sm2KeyInvalid> = Layer.effect(
  Signer,
  Effect.gen(function* () {
    const privateKey = yield* Config.option(Config.Redacted(CONFIG.privateKey)).pipe(
      Effect.mapError(() => new Sm2KeyInvalid({ message: `${CONFIG.privateKey} cannot be read` })),
      Effect.flatMap(
        Option.match({
          onNone: () =>
            Effect.fail(
              new Sm2KeyInvalid({
                message: `${CONFIG.privateKey} is not set: signing needs an SM2 private key (64 hex characters)`,
              }),
            ),
          onSome: Effect.succeed,
        }),
      ),
    )
    const userId = yield* Config.option(Config.String(CONFIG.userId)).pipe(
      Effect.orElseSucceed(() => Option.none<string>()),
    )
    return yield* make({ privateKey, ...(Option.isSome(userId) ? { userId: userId.value } : {}) })
  }),
)
