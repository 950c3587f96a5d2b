/**
 * Transcript encoding and seed binding (R53): canonical JSON is key-sorted and stable under re-parsing,
 * unknown keys are refused, SM2 signatures cover the canonical bytes; seed sources combine order-free,
 * duplicates and forged drand randomness fail, command-line seeds parse.
 */
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { canonicalJson } from "./CanonicalJson.js"
import { pureSha256, pureSm3, toHex } from "./Digest.js"
import { combineSeed, parseSeedArgument, type SeedSource } from "./Seed.js"
import { sha256 } from "./Sha256.js"
import { sm2 } from "sm-crypto-v2"
import {
  DEFAULT_SM2_USER_ID,
  decodeTranscript,
  encodeTranscript,
  parseTranscript,
  signingBytes,
  type Transcript,
  verifyTranscriptSignature,
  withSignature,
} from "./Transcript.js"

/** Test-only signing (production signs through the Signer port): SM2-SM3 over `signingBytes`. */
const signTranscript = (t: Transcript, keys: { readonly privateKey: string; readonly publicKey: string }) =>
  withSignature(t, {
    algorithm: "SM2-SM3",
    userId: DEFAULT_SM2_USER_ID,
    publicKey: keys.publicKey,
    value: sm2.doSignature(signingBytes(t), keys.privateKey, {
      hash: true,
      der: false,
      publicKey: keys.publicKey,
      userId: DEFAULT_SM2_USER_ID,
    }),
  })

const transcript = {
  algorithm: "anju-lottery/1",
  hash: "SM3",
  poolRoot: "ab".repeat(32),
  entrants: 3,
  startNumber: 1,
  seed: { sources: [{ kind: "digits", digits: "123", note: "公证处" }], value: "cd".repeat(32) },
  strata: [{ stratum: "P1", entrants: 3, units: 1, winners: 1 }],
  resultDigest: "ef".repeat(32),
} as const

describe("canonical JSON and transcripts (R53)", () => {
  it("sorts keys, drops whitespace, keeps strings exact", () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x"\u2028'], c: undefined })).toBe(
      '{"a":[true,null,"x\\"\u2028"],"b":1}',
    )
    expect(() => canonicalJson(1.5)).toThrow(RangeError)
  })
  it("is stable: parse ∘ encode = id and encode ∘ parse ∘ encode = encode", () => {
    const t = Result.getOrThrow(decodeTranscript(transcript))
    const text = encodeTranscript(t)
    expect(text.startsWith('{"algorithm":"anju-lottery/1","entrants":3,"hash":"SM3"')).toBe(true)
    expect(Result.getOrThrow(parseTranscript(text))).toEqual(t)
    expect(encodeTranscript(Result.getOrThrow(parseTranscript(JSON.stringify(t, null, 2))))).toBe(text)
  })
  it("refuses unknown keys, bad hex and other algorithms", () => {
    expect(Result.isFailure(decodeTranscript({ ...transcript, extra: 1 }))).toBe(true)
    expect(Result.isFailure(decodeTranscript({ ...transcript, poolRoot: "AB".repeat(32) }))).toBe(true)
    expect(Result.isFailure(decodeTranscript({ ...transcript, algorithm: "anju-lottery/2" }))).toBe(true)
    expect(Result.isFailure(parseTranscript("{"))).toBe(true)
  })
  it("SM2 signatures cover the canonical transcript", () => {
    const keys = {
      privateKey: "33f0b9506348f3ce003b116cf148858c1d46196e8fa94bceac21509d6395d01e",
      publicKey:
        "04d6f18559256f650f77f6318448f3b04cba87953b3223ca7a641c7da090635d10c4843daf104bb162c473b1fa12956bc275d407a0be644e4a86594b390ed3d9e6",
    }
    const t = Result.getOrThrow(decodeTranscript(transcript))
    const signed = signTranscript(t, keys)
    expect(signed.signature?.userId).toBe("1234567812345678")
    expect(Result.isSuccess(verifyTranscriptSignature(signed, keys.publicKey))).toBe(true)
    expect(Result.isFailure(verifyTranscriptSignature({ ...signed, entrants: 4 }))).toBe(true)
    expect(
      Result.isFailure(
        verifyTranscriptSignature({ ...signed, signature: { ...signed.signature!, userId: "x" } }),
      ),
    ).toBe(true)
    expect(Result.isFailure(verifyTranscriptSignature(t))).toBe(true)
  })
})

describe("seed binding (R53)", () => {
  const digits: SeedSource = { kind: "digits", digits: "0042" }
  const hex: SeedSource = { kind: "hex", value: "DEADBEEF" }
  it("combines sources independently of their order; notes are not hashed", () => {
    const a = Result.getOrThrow(combineSeed(pureSm3, [digits, hex]))
    const b = Result.getOrThrow(combineSeed(pureSm3, [hex, { ...digits, note: "公证员" }]))
    expect(toHex(a.seed)).toBe(toHex(b.seed))
    expect(toHex(Result.getOrThrow(combineSeed(pureSha256, [digits, hex])).seed)).not.toBe(toHex(a.seed))
    // Leading zeros of notary digits are significant.
    expect(
      toHex(Result.getOrThrow(combineSeed(pureSm3, [{ kind: "digits", digits: "42" }, hex])).seed),
    ).not.toBe(toHex(a.seed))
  })
  it("rejects duplicates, empty sets and malformed sources", () => {
    expect(Result.isFailure(combineSeed(pureSm3, [hex, { kind: "hex", value: "deadbeef" }]))).toBe(true)
    expect(Result.isFailure(combineSeed(pureSm3, []))).toBe(true)
    expect(Result.isFailure(combineSeed(pureSm3, [{ kind: "digits", digits: "12a" }]))).toBe(true)
    expect(Result.isFailure(combineSeed(pureSm3, [{ kind: "hex", value: "abc" }]))).toBe(true)
  })
  it("checks drand randomness = SHA-256(signature) when the signature is recorded", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 48, maxLength: 96 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (sig, round) => {
          const good: SeedSource = {
            kind: "drand",
            chain: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
            round,
            randomness: toHex(sha256(sig)),
            signature: toHex(sig),
          }
          expect(Result.isSuccess(combineSeed(pureSm3, [good]))).toBe(true)
          expect(Result.isFailure(combineSeed(pureSm3, [{ ...good, randomness: "00".repeat(32) }]))).toBe(
            true,
          )
        },
      ),
      { numRuns: 20 },
    )
  })
  it("parses command-line seeds", () => {
    expect(Result.getOrThrow(parseSeedArgument("123456"))).toEqual([{ kind: "digits", digits: "123456" }])
    expect(Result.getOrThrow(parseSeedArgument("0xABCD"))).toEqual([{ kind: "hex", value: "abcd" }])
    expect(
      Result.getOrThrow(parseSeedArgument(`digits:007+drand:${"a".repeat(64)}:42:${"b".repeat(64)}`)),
    ).toEqual([
      { kind: "digits", digits: "007" },
      { kind: "drand", chain: "a".repeat(64), round: 42, randomness: "b".repeat(64) },
    ])
    expect(Result.isFailure(parseSeedArgument("drand:x:1:y"))).toBe(true)
  })
})
