/**
 * SelectionSeal: open ∘ seal = id; the sealed file is not plaintext; a flipped byte, a wrong public key or
 * a wrong SM4 key are refused.
 */
import { Result } from "effect"
import { sm2 } from "sm-crypto-v2"
import { describe, expect, it } from "vitest"
import { open, seal } from "./SelectionSeal.js"

const keys = sm2.generateKeyPairHex()
const other = sm2.generateKeyPairHex()
const SM4 = "0123456789abcdeffedcba9876543210"
const payload = new TextEncoder().encode('{"bindings":[{"family":"A1","unit":"1-101"}]}')

describe("SelectionSeal", () => {
  const sealed = seal(payload, { sm4Key: SM4, sm2PrivateKey: keys.privateKey })
  if (Result.isFailure(sealed)) throw new Error(sealed.failure.message)
  const bytes = sealed.success
  it("round-trips and is not plaintext", () => {
    expect(Buffer.from(bytes).includes(Buffer.from("A1"))).toBe(false)
    const opened = open(bytes, { sm4Key: SM4, sm2PublicKey: keys.publicKey })
    expect(Result.isSuccess(opened) && new TextDecoder().decode(opened.success)).toBe(
      new TextDecoder().decode(payload),
    )
  })
  it("refuses tampering, a wrong signer and a wrong key", () => {
    const flipped = Uint8Array.from(bytes)
    flipped[flipped.length - 1]! ^= 1
    const reason = (r: ReturnType<typeof open>) => (Result.isFailure(r) ? r.failure.reason : "ok")
    expect(reason(open(flipped, { sm4Key: SM4, sm2PublicKey: keys.publicKey }))).toBe("bad-signature")
    expect(reason(open(bytes, { sm4Key: SM4, sm2PublicKey: other.publicKey }))).toBe("bad-signature")
    expect(reason(open(bytes, { sm4Key: "00".repeat(16), sm2PublicKey: keys.publicKey }))).toBe(
      "undecryptable",
    )
    expect(reason(open(payload, { sm4Key: SM4, sm2PublicKey: keys.publicKey }))).toBe("not-sealed")
  })
})
