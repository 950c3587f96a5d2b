/**
 * Contract suite for the KeyManagement port (密钥管理): unwrap ∘ wrap = id for generated and given data
 * keys (property, fixed seed) across rotations; a rotation makes a new current version while every older
 * one still unwraps; rewrap moves a data key to the current version without changing it; retiring refuses
 * the current version and makes a retired one stop unwrapping; tampered, unknown and malformed input fails
 * with the one error type, never echoing key material. Key ids carry a fresh tag so runs may share a store.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer } from "effect"
import * as fc from "fast-check"
import { KeyManagement, type KeyManagementError } from "../application/ports/KeyManagement.js"

let counter = 0
const freshKey = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const failure = (exit: Exit.Exit<unknown, KeyManagementError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const flip = (base64: string, at: (n: number) => number): string => {
  const raw = Buffer.from(base64, "base64")
  const i = at(raw.length)
  raw[i] = raw[i]! ^ 0x01
  return raw.toString("base64")
}

export const suite = (name: string, kmsLayer: Layer.Layer<KeyManagement, unknown>) =>
  describe(`KeyManagement contract: ${name}`, () => {
    layer(kmsLayer, { timeout: "120 seconds" })((it) => {
      it.effect(
        "a generated data key is 16 bytes, wrapped under version 1 of a new key, and unwraps to itself",
        () =>
          Effect.gen(function* () {
            const kms = yield* KeyManagement
            const keyId = freshKey("gen")
            const a = yield* kms.generateDataKey(keyId)
            const b = yield* kms.generateDataKey(keyId)
            expect(a.plaintext).toHaveLength(16)
            expect(hex(a.plaintext)).not.toBe(hex(b.plaintext))
            expect([a.wrapped.keyId, a.wrapped.version]).toEqual([keyId, 1])
            expect(a.wrapped.wrapped).not.toContain(hex(a.plaintext))
            expect(Buffer.from(a.wrapped.wrapped, "base64").toString("hex")).not.toContain(hex(a.plaintext))
            expect(hex(yield* kms.unwrap(a.wrapped))).toBe(hex(a.plaintext))
            expect(hex(yield* kms.unwrap(b.wrapped))).toBe(hex(b.plaintext))
            const listed = yield* kms.versions(keyId)
            expect(listed.map((v) => [v.keyId, v.version, v.state])).toEqual([[keyId, 1, "current"]])
          }),
      )

      it.effect(
        "rotation: the new version is current, older versions still unwrap, rewrap moves keys forward",
        () =>
          Effect.gen(function* () {
            const kms = yield* KeyManagement
            const keyId = freshKey("rot")
            const v1 = yield* kms.generateDataKey(keyId)
            const r2 = yield* kms.rotate(keyId)
            expect([r2.keyId, r2.version, r2.state]).toEqual([keyId, 2, "current"])
            const v2 = yield* kms.generateDataKey(keyId)
            expect(v2.wrapped.version).toBe(2)
            expect(hex(yield* kms.unwrap(v1.wrapped))).toBe(hex(v1.plaintext))
            const moved = yield* kms.rewrap(v1.wrapped)
            expect([moved.keyId, moved.version]).toEqual([keyId, 2])
            expect(moved.wrapped).not.toBe(v1.wrapped.wrapped)
            expect(hex(yield* kms.unwrap(moved))).toBe(hex(v1.plaintext))
            expect(yield* kms.rewrap(v2.wrapped)).toEqual(v2.wrapped)
            yield* kms.rotate(keyId)
            expect((yield* kms.versions(keyId)).map((v) => [v.version, v.state])).toEqual([
              [1, "previous"],
              [2, "previous"],
              [3, "current"],
            ])
            expect(hex(yield* kms.unwrap(v1.wrapped))).toBe(hex(v1.plaintext))
            expect(hex(yield* kms.unwrap(v2.wrapped))).toBe(hex(v2.plaintext))
            // A rotation of a key that was never used creates versions 1 and 2 in order.
            const fresh = freshKey("rot-new")
            expect((yield* kms.rotate(fresh)).version).toBe(1)
          }),
      )

      it.effect(
        "unwrap ∘ wrap = id for any 16-byte key, before and after rotations (property, fixed seed)",
        () =>
          Effect.gen(function* () {
            const kms = yield* KeyManagement
            const keyId = freshKey("prop")
            const samples = fc.sample(fc.uint8Array({ minLength: 16, maxLength: 16 }), {
              seed: 1500,
              numRuns: 24,
            })
            const wrapped = []
            for (const [i, key] of samples.entries()) {
              if (i % 8 === 7) yield* kms.rotate(keyId)
              wrapped.push({ key, w: yield* kms.wrap(keyId, key) })
            }
            for (const { key, w } of wrapped) expect(hex(yield* kms.unwrap(w))).toBe(hex(key))
            expect(new Set(wrapped.map(({ w }) => w.version))).toEqual(new Set([1, 2, 3, 4]))
            const short = failure(yield* Effect.exit(kms.wrap(keyId, new Uint8Array(8))))
            expect(short?.reason._tag).toBe("Refused")
          }),
      )

      it.effect("retire: refused for the current version; a retired version stops unwrapping", () =>
        Effect.gen(function* () {
          const kms = yield* KeyManagement
          const keyId = freshKey("ret")
          const old = yield* kms.generateDataKey(keyId)
          const current = failure(yield* Effect.exit(kms.retire(keyId, 1)))
          expect(current?.reason._tag).toBe("Refused")
          expect(current?.isRetryable).toBe(false)
          yield* kms.rotate(keyId)
          const moved = yield* kms.rewrap(old.wrapped)
          const retired = yield* kms.retire(keyId, 1)
          expect([retired.version, retired.state]).toEqual([1, "retired"])
          const e = failure(yield* Effect.exit(kms.unwrap(old.wrapped)))
          expect(e?.reason).toEqual({ _tag: "Retired", keyId, version: 1 })
          expect(e?.isRetryable).toBe(false)
          expect(failure(yield* Effect.exit(kms.rewrap(old.wrapped)))?.reason._tag).toBe("Retired")
          expect(hex(yield* kms.unwrap(moved))).toBe(hex(old.plaintext))
          expect((yield* kms.versions(keyId)).map((v) => v.state)).toEqual(["retired", "current"])
          expect(failure(yield* Effect.exit(kms.retire(keyId, 9)))?.reason._tag).toBe("UnknownKey")
        }),
      )

      it.effect("tampered, re-labelled, unknown or malformed input fails with KeyManagementError", () =>
        Effect.gen(function* () {
          const kms = yield* KeyManagement
          const keyId = freshKey("bad")
          const { plaintext, wrapped } = yield* kms.generateDataKey(keyId)
          yield* kms.rotate(keyId)
          const attempts = [
            { ...wrapped, wrapped: flip(wrapped.wrapped, (n) => n - 1) },
            { ...wrapped, wrapped: flip(wrapped.wrapped, (n) => Math.floor(n / 2)) },
            { ...wrapped, wrapped: wrapped.wrapped.slice(0, 8) },
            { ...wrapped, wrapped: "" },
            { ...wrapped, version: 2 }, // another version's label: the AAD binds the version
          ]
          for (const bad of attempts) {
            const e = failure(yield* Effect.exit(kms.unwrap(bad)))
            expect(e?.reason._tag).toBe("Undecryptable")
            expect(e?.isRetryable).toBe(false)
            expect(e?.message).not.toContain(hex(plaintext))
          }
          expect(failure(yield* Effect.exit(kms.unwrap({ ...wrapped, version: 99 })))?.reason).toEqual({
            _tag: "UnknownKey",
            keyId,
            version: 99,
          })
          const other = freshKey("none")
          expect(failure(yield* Effect.exit(kms.unwrap({ ...wrapped, keyId: other })))?.reason._tag).toBe(
            "UnknownKey",
          )
          for (const badId of ["", "with space", "x".repeat(65), "../etc"])
            expect(failure(yield* Effect.exit(kms.generateDataKey(badId)))?.reason._tag).toBe("Refused")
        }),
      )

      it.effect("concurrent first uses and rotations leave one current version per key", () =>
        Effect.gen(function* () {
          const kms = yield* KeyManagement
          const keyId = freshKey("conc")
          const keys = yield* Effect.all(
            Array.from({ length: 4 }, () => kms.generateDataKey(keyId)),
            { concurrency: 4 },
          )
          expect(new Set(keys.map((k) => k.wrapped.version))).toEqual(new Set([1]))
          yield* Effect.all(
            Array.from({ length: 3 }, () =>
              Effect.retry(kms.rotate(keyId), { while: (e) => e.isRetryable, times: 5 }),
            ),
            { concurrency: 3 },
          )
          const versions = yield* kms.versions(keyId)
          expect(versions.filter((v) => v.state === "current")).toHaveLength(1)
          expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4])
          for (const k of keys) expect(hex(yield* kms.unwrap(k.wrapped))).toBe(hex(k.plaintext))
        }),
      )
    })
  })
