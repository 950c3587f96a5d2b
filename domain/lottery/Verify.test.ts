/**
 * Offline verification (R53): a draw verifies against its own pool, transcript and result.csv, also with
 * native digests; it is rejected — with the first mismatch as a typed error — for a swapped pair, a dropped
 * entrant, a changed seed, altered strata, a tampered or foreign SM2 signature.
 */
import { createHash } from "node:crypto"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Digest, pureSha256, toHex } from "./Digest.js"
import { draw, type LotteryDraw } from "./Draw.js"
import { makePool, type Pool } from "./Pool.js"
import { sm2 } from "sm-crypto-v2"
import {
  DEFAULT_SM2_USER_ID,
  encodeTranscript,
  parseTranscript,
  signingBytes,
  type Transcript,
  withSignature,
} from "./Transcript.js"
import { verify } from "./Verify.js"

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success: ${JSON.stringify(r.failure)}`)
  return r.success
}
const failure = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected a failure")
  return r.failure
}
const KEYS = {
  privateKey: "33f0b9506348f3ce003b116cf148858c1d46196e8fa94bceac21509d6395d01e",
  publicKey:
    "04d6f18559256f650f77f6318448f3b04cba87953b3223ca7a641c7da090635d10c4843daf104bb162c473b1fa12956bc275d407a0be644e4a86594b390ed3d9e6",
}
/** Test-only signing (production signs through the Signer port): SM2-SM3 over `signingBytes`. */
const signTranscript = (t: Transcript, keys: typeof KEYS) =>
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
const text = (b: Uint8Array) => new TextDecoder().decode(b)

const pool: Pool = ok(
  makePool([
    ...Array.from({ length: 30 }, (_, i) => ({ id: `A${1000 + i}`, stratum: "P1-2R" })),
    ...Array.from({ length: 12 }, (_, i) => ({ id: `B${2000 + i}`, stratum: "P2-1R" })),
  ]),
)
const units = new Map([
  ["P1-2R", 5],
  ["P2-1R", 3],
])
const base: LotteryDraw = ok(
  draw({
    pool,
    seed: [
      { kind: "digits", digits: "839201" },
      { kind: "hex", value: "00ff" },
    ],
    units,
    startNumber: 100,
  }),
)

describe("verify (R53)", () => {
  it("accepts the draw with its pool, transcript and result.csv (bytes, text, CRLF + BOM)", () => {
    expect(Result.isSuccess(verify({ pool, transcript: base.transcript }))).toBe(true)
    expect(Result.isSuccess(verify({ pool, transcript: base.transcript, resultCsv: base.resultCsv }))).toBe(
      true,
    )
    const excel = `\uFEFF${text(base.resultCsv).replaceAll("\n", "\r\n")}`
    expect(Result.isSuccess(verify({ pool, transcript: base.transcript, resultCsv: excel }))).toBe(true)
  })
  it("accepts a transcript read back from its canonical JSON, with native digests injected", () => {
    const native: Digest = { name: "SM3", hash: (d) => new Uint8Array(createHash("sm3").update(d).digest()) }
    const t = ok(parseTranscript(encodeTranscript(base.transcript)))
    const v = ok(verify({ pool, transcript: t, resultCsv: base.resultCsv, digests: { SM3: native } }))
    expect(v.resultCsv).toEqual(base.resultCsv)
  })
  it("rejects a swapped pair of rows, naming the stratum and rank", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 42 }), fc.integer({ min: 1, max: 42 }), (a, b) => {
        fc.pre(a !== b)
        const lines = text(base.resultCsv).split("\n")
        const ids = lines.map((l) => l.split(",")[3])
        const [x, y] = [Math.min(a, b), Math.max(a, b)]
        fc.pre(ids[x] !== ids[y])
        const swap = (l: string, id: string) =>
          l
            .split(",")
            .map((c, i) => (i === 3 ? id : c))
            .join(",")
        const tampered = [...lines]
        tampered[x] = swap(lines[x]!, ids[y]!)
        tampered[y] = swap(lines[y]!, ids[x]!)
        const e = failure(verify({ pool, transcript: base.transcript, resultCsv: tampered.join("\n") }))
        expect(e._tag).toBe("ResultMismatch")
        if (e._tag !== "ResultMismatch") return
        expect(e.line).toBe(x + 1)
        expect(e.stratum).toBe(lines[x]!.split(",")[0])
        expect(e.rank).toBe(Number(lines[x]!.split(",")[1]))
      }),
      { numRuns: 40 },
    )
  })
  it("rejects a dropped or added entrant (pool root)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 41 }), (i) => {
        const dropped = ok(makePool(pool.entrants.filter((_, k) => k !== i)))
        expect(failure(verify({ pool: dropped, transcript: base.transcript }))._tag).toBe("PoolRootMismatch")
      }),
      { numRuns: 20 },
    )
    const added = ok(makePool([...pool.entrants, { id: "Z9", stratum: "P1-2R" }]))
    expect(failure(verify({ pool: added, transcript: base.transcript }))._tag).toBe("PoolRootMismatch")
  })
  it("rejects a changed seed: value, a source, or both consistently", () => {
    const t = base.transcript
    const flipped = (t.seed.value[0] === "0" ? "1" : "0") + t.seed.value.slice(1)
    expect(failure(verify({ pool, transcript: { ...t, seed: { ...t.seed, value: flipped } } }))._tag).toBe(
      "SeedMismatch",
    )
    const sources = [{ kind: "digits", digits: "839202" } as const, t.seed.sources[1]!]
    expect(failure(verify({ pool, transcript: { ...t, seed: { ...t.seed, sources } } }))._tag).toBe(
      "SeedMismatch",
    )
    // Someone redraws with another seed and keeps the published result: the result digest gives it away.
    const other = ok(draw({ pool, seed: sources, units, startNumber: 100 }))
    const forged: Transcript = { ...other.transcript, resultDigest: t.resultDigest }
    expect(failure(verify({ pool, transcript: forged }))._tag).toBe("ResultDigestMismatch")
    expect(failure(verify({ pool, transcript: other.transcript, resultCsv: base.resultCsv }))._tag).toBe(
      "ResultMismatch",
    )
  })
  it("rejects altered strata, units, start number and hash", () => {
    const t = base.transcript
    const moreWinners = {
      ...t,
      strata: t.strata.map((s, i) => (i === 0 ? { ...s, units: 6, winners: 6 } : s)),
    }
    expect(failure(verify({ pool, transcript: moreWinners }))._tag).toBe("ResultDigestMismatch")
    const inconsistent = { ...t, strata: t.strata.map((s, i) => (i === 0 ? { ...s, winners: 6 } : s)) }
    expect(failure(verify({ pool, transcript: inconsistent }))._tag).toBe("StrataMismatch")
    expect(failure(verify({ pool, transcript: { ...t, startNumber: 1 } }))._tag).toBe("ResultDigestMismatch")
    expect(failure(verify({ pool, transcript: { ...t, hash: "SHA-256" } }))._tag).toBe("PoolRootMismatch")
    expect(failure(verify({ pool, transcript: { ...t, hash: "MD5" as "SM3" } }))._tag).toBe(
      "AlgorithmUnsupported",
    )
  })
  it("checks an SM2 signature over the canonical transcript (R53 transcript signing)", () => {
    const signed = signTranscript(base.transcript, KEYS)
    expect(Result.isSuccess(verify({ pool, transcript: signed, expectedPublicKey: KEYS.publicKey }))).toBe(
      true,
    )
    const reread = ok(parseTranscript(JSON.stringify(signed, null, 2)))
    expect(Result.isSuccess(verify({ pool, transcript: reread, expectedPublicKey: KEYS.publicKey }))).toBe(
      true,
    )
    const tampered = { ...signed, title: "changed" }
    expect(failure(verify({ pool, transcript: tampered }))._tag).toBe("SignatureInvalid")
    expect(
      failure(verify({ pool, transcript: base.transcript, expectedPublicKey: KEYS.publicKey }))._tag,
    ).toBe("SignatureInvalid")
    const foreign = `04${"11".repeat(64)}`
    expect(failure(verify({ pool, transcript: signed, expectedPublicKey: foreign }))._tag).toBe(
      "SignatureInvalid",
    )
  })
  it("works the same under SHA-256", () => {
    const d = ok(
      draw({ pool, seed: [{ kind: "hex", value: toHex(new Uint8Array([1, 2, 3])) }], digest: pureSha256 }),
    )
    expect(d.transcript.hash).toBe("SHA-256")
    expect(Result.isSuccess(verify({ pool, transcript: d.transcript, resultCsv: d.resultCsv }))).toBe(true)
  })
})
