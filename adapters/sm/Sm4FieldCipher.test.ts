/**
 * Sm4FieldCipher: the FieldCipher contract, the SM4 block vector of GB/T 32907 (via both libraries), the
 * SM4-GCM vector of RFC 8998 A.1 through the same primitive, the HMAC-SM3 blind index, and start-up
 * failures for missing, malformed or shared keys (with the key never echoed).
 */
import { createCipheriv, createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { sm4 } from "sm-crypto-v2"
import { suite } from "../../contracts-tests/FieldCipher.contract.js"
import { FieldCipher } from "../../application/ports/FieldCipher.js"
import * as Sm4FieldCipher from "./Sm4FieldCipher.js"

const KEY = "0123456789abcdeffedcba9876543210"
const INDEX_KEY = "00112233445566778899aabbccddeeff"
const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"))
const keys = { encryptionKey: Redacted.make(KEY), indexKey: Redacted.make(INDEX_KEY) }

suite("sm4-gcm", Sm4FieldCipher.layer(keys))

describe("SM4 primitives", () => {
  it("SM4 block: key = plaintext = 0123…3210 → 681edf34d206965e86b3e94f536e4246 (GB/T 32907 A.1)", () => {
    const viaLib = sm4.encrypt(hex(KEY), KEY, { padding: "none", output: "array" })
    expect(Buffer.from(viaLib).toString("hex")).toBe("681edf34d206965e86b3e94f536e4246")
    const c = createCipheriv("sm4-ecb", hex(KEY), null).setAutoPadding(false)
    expect(Buffer.concat([c.update(hex(KEY)), c.final()]).toString("hex")).toBe(
      "681edf34d206965e86b3e94f536e4246",
    )
  })

  it("SM4-GCM matches RFC 8998 A.1 and refuses a wrong tag", () => {
    const iv = hex("00001234567800000000abcd")
    const aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    const pt = hex(
      "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
    )
    const r = sm4.encrypt(pt, KEY, { mode: "gcm", iv, associatedData: aad, output: "array", outputTag: true })
    expect(Buffer.from(r.output).toString("hex")).toBe(
      "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d",
    )
    expect(Buffer.from(r.tag!).toString("hex")).toBe("83de3541e4c2b58177e065a9bf7b62ec")
    const bad = Uint8Array.from(r.tag!)
    bad[0] = bad[0]! ^ 1
    expect(() =>
      sm4.decrypt(r.output, KEY, { mode: "gcm", iv, associatedData: aad, tag: bad, output: "array" }),
    ).toThrow()
  })

  it.effect("the blind index is HMAC-SM3 under the index key over field ‖ NUL ‖ value", () =>
    Effect.gen(function* () {
      const c = yield* FieldCipher
      expect(yield* c.blindIndex("idNumber", "310115198503120012")).toBe(
        createHmac("sm3", hex(INDEX_KEY)).update("idNumber\u0000310115198503120012").digest("hex"),
      )
    }).pipe(Effect.provide(Sm4FieldCipher.layer(keys))),
  )

  it.effect("the sealed form is v1 ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag, with the given IV", () =>
    Effect.gen(function* () {
      const c = yield* Sm4FieldCipher.make(keys, { iv: () => hex("00001234567800000000abcd") })
      const sealed = yield* c.seal("phone", "13800138000")
      const raw = Buffer.from(sealed.ciphertext, "base64")
      expect(sealed.keyId).toBe("sm4-1")
      expect(raw[0]).toBe(1)
      expect(raw.subarray(1, 13).toString("hex")).toBe("00001234567800000000abcd")
      expect(raw.length).toBe(1 + 12 + 11 + 16)
    }),
  )
})

describe("Sm4FieldCipher configuration", () => {
  const start = (env: Record<string, string>) =>
    Effect.runPromiseExit(
      Layer.build(
        Sm4FieldCipher.layerConfig.pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
        ),
      ).pipe(Effect.scoped),
    )
  const messageOf = (exit: Exit.Exit<unknown, unknown>) =>
    Exit.isFailure(exit)
      ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as Error).message : "")).join(";")
      : ""

  it("starts with two well-formed keys and an optional key id", async () => {
    expect(Exit.isSuccess(await start({ ANJU_FIELD_KEY: KEY, ANJU_INDEX_KEY: INDEX_KEY }))).toBe(true)
    expect(
      Exit.isSuccess(
        await start({
          ANJU_FIELD_KEY: KEY.toUpperCase(),
          ANJU_INDEX_KEY: INDEX_KEY,
          ANJU_FIELD_KEY_ID: "k2",
        }),
      ),
    ).toBe(true)
  })

  it("fails at start with a clear message for a missing, malformed or shared key, never echoing it", async () => {
    expect(messageOf(await start({ ANJU_INDEX_KEY: INDEX_KEY }))).toMatch(/ANJU_FIELD_KEY is not set/u)
    expect(messageOf(await start({ ANJU_FIELD_KEY: KEY }))).toMatch(/ANJU_INDEX_KEY is not set/u)
    const short = messageOf(await start({ ANJU_FIELD_KEY: "abc123", ANJU_INDEX_KEY: INDEX_KEY }))
    expect(short).toMatch(/ANJU_FIELD_KEY must be 32 hexadecimal characters/u)
    expect(short).not.toContain("abc123")
    const notHex = messageOf(
      await start({ ANJU_FIELD_KEY: KEY, ANJU_INDEX_KEY: "zz112233445566778899aabbccddeeff" }),
    )
    expect(notHex).toMatch(/ANJU_INDEX_KEY must be 32 hexadecimal/u)
    expect(messageOf(await start({ ANJU_FIELD_KEY: KEY, ANJU_INDEX_KEY: KEY }))).toMatch(/must differ/u)
  })
})
