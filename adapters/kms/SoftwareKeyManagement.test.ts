/**
 * SoftwareKeyManagement in memory: the KeyManagement contract, the master key's start-up checks, that the
 * ring never holds key material in clear and refuses another master key, and that a second process over
 * the same ring sees a rotation (refresh) and keeps unwrapping the versions it knew.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { KeyManagement } from "../../application/ports/KeyManagement.js"
import { suite } from "../../contracts-tests/KeyManagement.contract.js"
import * as KeyRings from "./KeyRing.js"
import * as SoftwareKeyManagement from "./SoftwareKeyManagement.js"

const MASTER = Redacted.make("00112233445566778899aabbccddeeff")

suite("software (memory ring)", SoftwareKeyManagement.layerMemory({ masterKey: MASTER }))

describe("SoftwareKeyManagement", () => {
  it.effect("the ring holds version keys sealed; another master key cannot open them", () =>
    Effect.gen(function* () {
      const ring = KeyRings.makeMemory()
      const kms = yield* SoftwareKeyManagement.make({ masterKey: MASTER }).pipe(
        Effect.provideService(KeyRings.KeyRing, ring),
      )
      const dk = yield* kms.generateDataKey("field")
      const rows = yield* ring.load()
      expect(rows).toHaveLength(1)
      expect(rows[0]!.material).not.toContain(Buffer.from(dk.plaintext).toString("base64"))
      const other = yield* SoftwareKeyManagement.make({
        masterKey: Redacted.make("ffeeddccbbaa99887766554433221100"),
      }).pipe(Effect.provideService(KeyRings.KeyRing, ring))
      const exit = yield* Effect.exit(other.unwrap(dk.wrapped))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(JSON.stringify(exit)).toMatch(/Undecryptable/u)
    }),
  )

  it.effect("a second process over the same ring sees a rotation and still unwraps what it wrapped", () =>
    Effect.gen(function* () {
      const ring = KeyRings.makeMemory()
      const mk = () =>
        SoftwareKeyManagement.make({ masterKey: MASTER, refreshMillis: 0 }).pipe(
          Effect.provideService(KeyRings.KeyRing, ring),
        )
      const host = yield* mk()
      const operator = yield* mk()
      const before = yield* host.generateDataKey("field")
      yield* operator.rotate("field")
      const after = yield* host.generateDataKey("field")
      expect(after.wrapped.version).toBe(2)
      expect(yield* host.unwrap(before.wrapped)).toEqual(before.plaintext)
      expect(yield* operator.unwrap(after.wrapped)).toEqual(after.plaintext)
    }),
  )

  it("fails at start for a missing or malformed master key, never echoing it", async () => {
    const start = (env: Record<string, string>) =>
      Effect.runPromiseExit(
        Layer.build(
          SoftwareKeyManagement.layerConfig.pipe(
            Layer.provide(KeyRings.layerMemory),
            Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
          ),
        ).pipe(Effect.scoped),
      )
    expect(JSON.stringify(await start({}))).toMatch(/ANJU_KMS_MASTER_KEY is not set/u)
    const bad = JSON.stringify(await start({ ANJU_KMS_MASTER_KEY: "abc123secret" }))
    expect(bad).toMatch(/ANJU_KMS_MASTER_KEY must be 32 hexadecimal characters/u)
    expect(bad).not.toContain("abc123secret")
    expect(Exit.isSuccess(await start({ ANJU_KMS_MASTER_KEY: Redacted.value(MASTER) }))).toBe(true)
    const kms = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* KeyManagement
      }).pipe(Effect.provide(SoftwareKeyManagement.layerMemory({ masterKey: MASTER }))),
    )
    expect(typeof kms.rotate).toBe("function")
  })
})
