/**
 * Lottery transcript (摇号记录, R53, R55): algorithm version, hash, pool root, counts per stratum, seed with
 * its sources, start number (起始编号), per-stratum outcome counts and the result digest (hash of result.csv).
 * Its canonical JSON (CanonicalJson.ts) is what gets signed: SM2 with SM3 over the canonical text of the
 * transcript without `signature`, user id 1234567812345678 unless stated. The domain only verifies (pure);
 * signing needs a secret nonce and goes through the application's Signer port.
 */
import { Data, Result, Schema } from "effect"
import { sm2 } from "sm-crypto-v2"
import { canonicalJson, type Json } from "./CanonicalJson.js"
import { type HashName, utf8 } from "./Digest.js"
import { ALGORITHM } from "./Pool.js"
import type { SeedSource } from "./Seed.js"

export interface StratumOutcome {
  readonly stratum: string
  readonly entrants: number
  /** Unit count of the stratum (R55); absent when the draw had no units file (everyone waits). */
  readonly units?: number
  readonly winners: number
}

export interface TranscriptSignature {
  readonly algorithm: "SM2-SM3"
  readonly userId: string
  /** Uncompressed public key, hex (04 ‖ x ‖ y). */
  readonly publicKey: string
  /** r ‖ s, 64 bytes hex. */
  readonly value: string
}

export interface Transcript {
  readonly algorithm: typeof ALGORITHM
  readonly hash: HashName
  readonly title?: string
  /** ISO-8601 instant supplied by the caller; informative, not part of any computation. */
  readonly drawnAt?: string
  readonly poolRoot: string
  readonly entrants: number
  readonly startNumber: number
  readonly seed: { readonly sources: ReadonlyArray<SeedSource>; readonly value: string }
  readonly strata: ReadonlyArray<StratumOutcome>
  /** H(UTF-8 bytes of result.csv) with the transcript's hash, lower-case hex. */
  readonly resultDigest: string
  readonly signature?: TranscriptSignature
}

const Hex64 = Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/u))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const note = Schema.optionalKey(Schema.String)

/** A seed source as recorded in a transcript (and by the LotteryStore); validity is checked by `combineSeed`. */
export const SeedSourceSchema = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("digits"), digits: Schema.String, note }),
  Schema.Struct({
    kind: Schema.Literal("drand"),
    chain: Schema.String,
    round: Schema.Int,
    randomness: Schema.String,
    signature: Schema.optionalKey(Schema.String),
    note,
  }),
  Schema.Struct({ kind: Schema.Literal("hex"), value: Schema.String, note }),
])

export const TranscriptSchema = Schema.Struct({
  algorithm: Schema.Literal(ALGORITHM),
  hash: Schema.Literals(["SM3", "SHA-256"]),
  title: Schema.optionalKey(Schema.String),
  drawnAt: Schema.optionalKey(Schema.String),
  poolRoot: Hex64,
  entrants: Count,
  startNumber: Count,
  seed: Schema.Struct({ sources: Schema.Array(SeedSourceSchema), value: Hex64 }),
  strata: Schema.Array(
    Schema.Struct({
      stratum: Schema.String,
      entrants: Count,
      units: Schema.optionalKey(Count),
      winners: Count,
    }),
  ),
  resultDigest: Hex64,
  signature: Schema.optionalKey(
    Schema.Struct({
      algorithm: Schema.Literal("SM2-SM3"),
      userId: Schema.String,
      publicKey: Schema.String,
      value: Schema.String,
    }),
  ),
})

/** The transcript text is not JSON or not a transcript of this algorithm version. */
export class TranscriptMalformed extends Data.TaggedError("TranscriptMalformed")<{
  readonly message: string
}> {}

/** The SM2 signature is missing, malformed, made with another key, or does not match the transcript. */
export class SignatureInvalid extends Data.TaggedError("SignatureInvalid")<{
  readonly reason: "missing" | "unexpected-key" | "mismatch"
  readonly message: string
}> {}

const decode = Schema.decodeUnknownResult(TranscriptSchema, { onExcessProperty: "error" })

/** Decodes a parsed JSON value into a transcript (unknown keys are an error: they would escape the signature). */
export const decodeTranscript = (value: unknown): Result.Result<Transcript, TranscriptMalformed> => {
  const r = decode(value)
  return Result.isSuccess(r)
    ? Result.succeed(r.success as Transcript)
    : Result.fail(new TranscriptMalformed({ message: r.failure.message }))
}

/** Parses transcript.json text (canonical or pretty-printed). */
export const parseTranscript = (text: string): Result.Result<Transcript, TranscriptMalformed> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return Result.fail(new TranscriptMalformed({ message: `not JSON: ${(e as Error).message}` }))
  }
  return decodeTranscript(value)
}

/** Canonical JSON text of the whole transcript (including any signature). */
export const encodeTranscript = (t: Transcript): string => canonicalJson(t as unknown as Json)

/** The bytes an SM2 signature covers: canonical JSON of the transcript without `signature`. */
export const signingBytes = (t: Transcript): Uint8Array => {
  const { signature: _, ...unsigned } = t
  return utf8(canonicalJson(unsigned as unknown as Json))
}

export const DEFAULT_SM2_USER_ID = "1234567812345678"

/**
 * The transcript with `signature` set (replacing any earlier one). Signing itself happens outside the domain,
 * through the application's `Signer` port over `signingBytes(t)`: SM2 needs a secret nonce per signature.
 */
export const withSignature = (t: Transcript, signature: TranscriptSignature): Transcript => ({
  ...t,
  signature: {
    ...signature,
    publicKey: signature.publicKey.toLowerCase(),
    value: signature.value.toLowerCase(),
  },
})

/** True when `signature` is a valid SM2-SM3 signature of `bytes` (deterministic; a malformed key is false). */
export const sm2SignatureValid = (bytes: Uint8Array, signature: TranscriptSignature): boolean => {
  if (signature.algorithm !== "SM2-SM3" || !/^[0-9a-f]{128}$/iu.test(signature.value)) return false
  try {
    return sm2.doVerifySignature(bytes, signature.value.toLowerCase(), signature.publicKey, {
      hash: true,
      der: false,
      userId: signature.userId,
    })
  } catch {
    return false // a malformed public key is a mismatch, not a defect
  }
}

/** Checks the signature; with `expectedPublicKey`, also that it was made with that key. */
export const verifyTranscriptSignature = (
  t: Transcript,
  expectedPublicKey?: string,
): Result.Result<void, SignatureInvalid> => {
  const s = t.signature
  if (s === undefined)
    return Result.fail(new SignatureInvalid({ reason: "missing", message: "transcript is not signed" }))
  if (expectedPublicKey !== undefined && expectedPublicKey.toLowerCase() !== s.publicKey.toLowerCase())
    return Result.fail(
      new SignatureInvalid({ reason: "unexpected-key", message: "signed with another public key" }),
    )
  const ok = sm2SignatureValid(signingBytes(t), s)
  return ok
    ? Result.succeed(undefined)
    : Result.fail(
        new SignatureInvalid({ reason: "mismatch", message: "SM2 signature does not match the transcript" }),
      )
}
