/**
 * Sm4FieldCipher: the FieldCipher contract (envelope encryption over the software KMS), the SM4 block vector
 * of GB/T 32907 (via both libraries), the SM4-GCM vector of RFC 8998 A.1 through the same primitive, the
 * HMAC-SM3 blind index, the v2 envelope layout, read compatibility with values sealed by the v1 code
 * (fixture Sm4FieldCipherV1.fixture.json, written by the code before envelope encryption), rotation and
 * re-wrapping, and start-up failures for missing, malformed or shared keys (with the key never echoed).
 */
import { createCipheriv, createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { ConfigProvider, Effect, Exit, Layer, Option, Redacted } from "effect"
import { sm4 } from "sm-crypto-v2"
import { suite } from "../../contracts-tests/FieldCipher.contract.js"
import { FieldCipher, type SealedField, type SensitiveField } from "../../application/ports/FieldCipher.js"
import { KeyManagement } from "../../application/ports/KeyManagement.js"
import * as SoftwareKeyManagement from "../kms/SoftwareKeyManagement.js"
import * as Sm4FieldCipher from "./Sm4FieldCipher.js"

const KEY = "0123456789abcdeffedcba9876543210"
const INDEX_KEY = "00112233445566778899aabbccddeeff"
const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"))
const MASTER = Redacted.make("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
const keys = { encryptionKey: Redacted.make(KEY), indexKey: Redacted.make(INDEX_KEY) }
const kms = SoftwareKeyManagement.layerMemory({ masterKey: MASTER })
const cipherLayer = (k: Sm4FieldCipher.Sm4Keys = keys) => Layer.provideMerge(Sm4FieldCipher.layer(k), kms)

suite("sm4-gcm envelope", cipherLayer())
suite("sm4-gcm envelope, no v1 key", cipherLayer({ indexKey: Redacted.make(INDEX_KEY) }))

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
    }).pipe(Effect.provide(cipherLayer())),
  )

  it.effect("the sealed form is v2 ‖ key id ‖ version ‖ wrapped data key ‖ IV ‖ ciphertext ‖ tag", () =>
    Effect.gen(function* () {
      const c = yield* Sm4FieldCipher.make(keys, { iv: () => hex("00001234567800000000abcd") })
      const sealed = yield* c.seal("phone", "13800138000")
      const raw = Buffer.from(sealed.ciphertext, "base64")
      expect(sealed.keyId).toBe("anju-field@1")
      expect(raw[0]).toBe(2)
      expect(raw[1]).toBe("anju-field".length)
      expect(raw.subarray(2, 12).toString("utf8")).toBe("anju-field")
      expect(raw.readUInt32BE(12)).toBe(1)
      const wrappedLength = raw.readUInt16BE(16)
      expect(wrappedLength).toBe(1 + 12 + 16 + 16) // the KMS's format byte, IV, SM4 block, tag
      const body = raw.subarray(18 + wrappedLength)
      expect(body.subarray(0, 12).toString("hex")).toBe("00001234567800000000abcd")
      expect(body.length).toBe(12 + 11 + 16)
    }).pipe(Effect.provide(kms)),
  )
})

interface FixtureValue {
  readonly field: SensitiveField
  readonly plaintext: string
  readonly sealed: SealedField
  readonly blindIndex: string
}
const V1_FIXTURE = JSON.parse(
  readFileSync(new URL("./Sm4FieldCipherV1.fixture.json", import.meta.url), "utf8"),
) as { readonly values: ReadonlyArray<FixtureValue> }

describe("read compatibility and rotation", () => {
  it.effect("values sealed by the v1 code open, keep their blind index, and rewrap re-seals them as v2", () =>
    Effect.gen(function* () {
      const c = yield* FieldCipher
      expect(V1_FIXTURE.values.length).toBeGreaterThanOrEqual(4)
      for (const v of V1_FIXTURE.values) {
        expect(Buffer.from(v.sealed.ciphertext, "base64")[0]).toBe(1)
        expect(yield* c.open(v.field, v.sealed)).toBe(v.plaintext)
        expect(yield* c.blindIndex(v.field, v.plaintext)).toBe(v.blindIndex)
        const moved = yield* c.rewrap(v.field, v.sealed)
        expect(Option.isSome(moved)).toBe(true)
        if (Option.isSome(moved)) {
          expect(moved.value.keyId).toBe("anju-field@1")
          expect(Buffer.from(moved.value.ciphertext, "base64")[0]).toBe(2)
          expect(yield* c.open(v.field, moved.value)).toBe(v.plaintext)
          expect(yield* c.rewrap(v.field, moved.value)).toEqual(Option.none())
        }
      }
    }).pipe(Effect.provide(cipherLayer())),
  )

  it.effect("without the v1 key a v1 value is Undecryptable (and says so without the text)", () =>
    Effect.gen(function* () {
      const c = yield* FieldCipher
      const v = V1_FIXTURE.values.find((x) => x.field === "idNumber")!
      const exit = yield* Effect.exit(c.open(v.field, v.sealed))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(JSON.stringify(exit)).toMatch(/Undecryptable/u)
      expect(JSON.stringify(exit)).not.toContain(v.plaintext)
    }).pipe(Effect.provide(cipherLayer({ indexKey: Redacted.make(INDEX_KEY) }))),
  )

  it.effect(
    "after a rotation old values open; rewrap moves only the wrapped key; retiring the old version after rewrap loses nothing",
    () =>
      Effect.gen(function* () {
        const c = yield* FieldCipher
        const k = yield* KeyManagement
        const before = yield* c.seal("idNumber", "310115198503120012")
        const index = yield* c.blindIndex("idNumber", "310115198503120012")
        yield* k.rotate(Sm4FieldCipher.DEFAULT_KMS_KEY_ID)
        expect(yield* c.open("idNumber", before)).toBe("310115198503120012")
        const fresh = yield* c.seal("idNumber", "310115198503120012")
        expect(fresh.keyId).toBe("anju-field@2")
        const moved = yield* c.rewrap("idNumber", before)
        expect(Option.isSome(moved)).toBe(true)
        const after = Option.getOrThrow(moved)
        expect(after.keyId).toBe("anju-field@2")
        // The value's own IV ‖ C ‖ tag is unchanged: only the envelope header differs.
        expect(Buffer.from(after.ciphertext, "base64").subarray(-39)).toEqual(
          Buffer.from(before.ciphertext, "base64").subarray(-39),
        )
        expect(yield* c.blindIndex("idNumber", "310115198503120012")).toBe(index)
        yield* k.retire(Sm4FieldCipher.DEFAULT_KMS_KEY_ID, 1)
        expect(yield* c.open("idNumber", after)).toBe("310115198503120012")
        const stale = yield* Effect.exit(c.open("idNumber", before))
        expect(JSON.stringify(stale)).toMatch(/Undecryptable/u)
        // A value whose label was moved to another version does not open (the label is bound to the header).
        const relabelled = yield* Effect.exit(c.open("idNumber", { ...after, keyId: "anju-field@1" }))
        expect(Exit.isFailure(relabelled)).toBe(true)
      }).pipe(Effect.provide(cipherLayer())),
  )
})

describe("Sm4FieldCipher configuration", () => {
  const start = (env: Record<string, string>) =>
    Effect.runPromiseExit(
      Layer.build(
        Sm4FieldCipher.layerConfig.pipe(
          Layer.provide(kms),
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
        ),
      ).pipe(Effect.scoped),
    )
  const messageOf = (exit: Exit.Exit<unknown, unknown>) =>
    Exit.isFailure(exit)
      ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as Error).message : "")).join(";")
      : ""

  it("starts with an index key, an optional v1 key with its id, and an optional KMS key id", async () => {
    expect(Exit.isSuccess(await start({ ANJU_INDEX_KEY: INDEX_KEY }))).toBe(true)
    expect(Exit.isSuccess(await start({ ANJU_INDEX_KEY: INDEX_KEY, ANJU_FIELD_KMS_KEY: "field-2" }))).toBe(
      true,
    )
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
