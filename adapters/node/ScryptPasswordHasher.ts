/**
 * PasswordHasher on node:crypto scrypt (RFC 7914): 16-byte random salt, 32-byte key, cost N = 2^15, r = 8,
 * p = 1 by default (~32 MiB, tens of ms). The stored string carries its parameters —
 * `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<key b64url>` — so the cost can be raised later and old hashes
 * still verify. Keys are compared with timingSafeEqual; an unknown user (`null`) or a malformed hash costs
 * the same scrypt run and answers false.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { PasswordHasher, PasswordHasherError } from "../../application/ports/PasswordHasher.js"

export interface ScryptParams {
  /** log2 of the CPU/memory cost N (10..20). */
  readonly logN: number
  readonly r: number
  readonly p: number
}

export const DEFAULT_PARAMS: ScryptParams = { logN: 15, r: 8, p: 1 }
const KEY_BYTES = 32
const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{43})$/u

const derive = (password: string, salt: Buffer, params: ScryptParams) =>
  Effect.callback<Buffer, PasswordHasherError>((resume) => {
    const N = 2 ** params.logN
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_BYTES,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 },
      (err, key) =>
        resume(
          err === null
            ? Effect.succeed(key)
            : Effect.fail(
                new PasswordHasherError({
                  reason: { _tag: "Unavailable", detail: `scrypt: ${err.message}` },
                }),
              ),
        ),
    )
  })

const parse = (stored: string | null) => {
  const m = FORMAT.exec(stored ?? "")
  if (m === null) return undefined
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }
  if (params.logN < 10 || params.logN > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16)
    return undefined
  return { params, salt: Buffer.from(m[4]!, "base64url"), key: Buffer.from(m[5]!, "base64url") }
}

export const make = (params: ScryptParams = DEFAULT_PARAMS): PasswordHasher["Service"] => {
  const dummySalt = randomBytes(16)
  return PasswordHasher.of({
    hash: (password) =>
      Effect.gen(function* () {
        const salt = randomBytes(16)
        const key = yield* derive(Redacted.value(password), salt, params)
        return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString("base64url")}$${key.toString("base64url")}`
      }),
    verify: (password, stored) =>
      Effect.gen(function* () {
        const parsed = parse(stored)
        const key = yield* derive(
          Redacted.value(password),
          parsed?.salt ?? dummySalt,
          parsed?.params ?? params,
        )
        const expected = parsed?.key ?? Buffer.alloc(KEY_BYTES)
        return timingSafeEqual(key, expected) && parsed !== undefined
      }),
  })
}

export const layer = (params: ScryptParams = DEFAULT_PARAMS): Layer.Layer<PasswordHasher> =>
  Layer.succeed(PasswordHasher, make(params))
