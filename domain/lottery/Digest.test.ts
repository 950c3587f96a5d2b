/**
 * Pure SM3 and SHA-256 (R53 lottery hashes): standard vectors, and byte-identity with node:crypto and
 * sm-crypto-v2 on random inputs of every length class (the host may inject native digests; results must match).
 */
import { createHash } from "node:crypto"
import * as fc from "fast-check"
import { Result } from "effect"
import { sm3 as smCryptoSm3 } from "sm-crypto-v2"
import { describe, expect, it } from "vitest"
import { fromHex, pureSha256, pureSm3, selectDigest, toHex, utf8 } from "./Digest.js"

const abc = utf8("abc")
const abcd16 = utf8("abcd".repeat(16))

describe("pure digests match standard vectors (R53)", () => {
  it("SM3 (GB/T 32905-2016 appendix A)", () => {
    expect(toHex(pureSm3.hash(abc))).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    expect(toHex(pureSm3.hash(abcd16))).toBe(
      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
    )
  })
  it("SHA-256 (FIPS 180-4 examples)", () => {
    expect(toHex(pureSha256.hash(abc))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    )
    expect(toHex(pureSha256.hash(new Uint8Array(0)))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    )
    expect(toHex(pureSha256.hash(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    )
  })
  it("are byte-identical to node:crypto and sm-crypto-v2 on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (data) => {
        expect(toHex(pureSha256.hash(data))).toBe(createHash("sha256").update(data).digest("hex"))
        expect(toHex(pureSm3.hash(data))).toBe(createHash("sm3").update(data).digest("hex"))
        expect(toHex(pureSm3.hash(data))).toBe(smCryptoSm3(data))
      }),
      { numRuns: 500 },
    )
  })
  it("never modify their input", () => {
    const data = Uint8Array.from({ length: 130 }, (_, i) => i)
    const copy = data.slice()
    pureSm3.hash(data)
    pureSha256.hash(data)
    expect(data).toEqual(copy)
  })
})

describe("selectDigest", () => {
  it("takes host overrides under the same name and refuses mislabelled ones", () => {
    const native = {
      name: "SM3" as const,
      hash: (d: Uint8Array) => new Uint8Array(createHash("sm3").update(d).digest()),
    }
    expect(Result.isSuccess(selectDigest("SM3", { SM3: native }))).toBe(true)
    expect(Result.isFailure(selectDigest("SM3", { SM3: { ...native, name: "SHA-256" } }))).toBe(true)
    expect(Result.isFailure(selectDigest("MD5"))).toBe(true)
  })
  it("hex round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(fromHex(toHex(b))).toEqual(b)
      }),
    )
    expect(fromHex("abc")).toBeUndefined()
    expect(fromHex("zz")).toBeUndefined()
  })
})
