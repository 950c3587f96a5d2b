/**
 * Sm2Signer: the Signer contract; a signature made here verifies with sm-crypto-v2 directly (the default
 * user id 1234567812345678, no DER); start-up fails for a missing, malformed or out-of-range key, without
 * ever echoing it; the key is read from configuration as a Redacted secret.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { sm2 } from "sm-crypto-v2"
import { suite } from "../../contracts-tests/Signer.contract.js"
import { Signer } from "../../application/ports/Signer.js"
import * as Sm2Signer from "./Sm2Signer.js"

const PRIVATE_KEY = "33f0b9506348f3ce003b116cf148858c1d46196e8fa94bceac21509d6395d01e"
const PUBLIC_KEY =
  "04d6f18559256f650f77f6318448f3b04cba87953b3223ca7a641c7da090635d10c4843daf104bb162c473b1fa12956bc275d407a0be644e4a86594b390ed3d9e6"

suite("sm2", Sm2Signer.layer({ privateKey: Redacted.make(PRIVATE_KEY) }))

const messageOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as Error).message : "")).join(";")
    : ""

describe("Sm2Signer", () => {
  it.effect("derives the public key and signs as sm-crypto-v2 verifies (default user id, r ‖ s)", () =>
    Effect.gen(function* () {
      const signer = yield* Signer
      expect(signer.publicKey).toBe(PUBLIC_KEY)
      const bytes = new TextEncoder().encode("摇号记录")
      const s = yield* signer.sign(bytes)
      expect(s.userId).toBe("1234567812345678")
      expect(
        sm2.doVerifySignature(bytes, s.value, PUBLIC_KEY, {
          hash: true,
          der: false,
          userId: "1234567812345678",
        }),
      ).toBe(true)
    }).pipe(Effect.provide(Sm2Signer.layer({ privateKey: Redacted.make(PRIVATE_KEY) }))),
  )

  it.effect("a configured user id enters Z", () =>
    Effect.gen(function* () {
      const signer = yield* Signer
      const bytes = Uint8Array.of(1, 2, 3)
      const s = yield* signer.sign(bytes)
      expect(s.userId).toBe("notary-01")
      expect(
        sm2.doVerifySignature(bytes, s.value, PUBLIC_KEY, { hash: true, der: false, userId: "notary-01" }),
      ).toBe(true)
      expect(sm2.doVerifySignature(bytes, s.value, PUBLIC_KEY, { hash: true, der: false })).toBe(false)
    }).pipe(Effect.provide(Sm2Signer.layer({ privateKey: Redacted.make(PRIVATE_KEY), userId: "notary-01" }))),
  )

  it("refuses malformed and out-of-range keys without echoing them", async () => {
    const start = (key: string) =>
      Effect.runPromiseExit(
        Layer.build(Sm2Signer.layer({ privateKey: Redacted.make(key) })).pipe(Effect.scoped),
      )
    for (const key of [
      "xyz",
      PRIVATE_KEY.slice(2),
      "0".repeat(64),
      "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123",
    ]) {
      const exit = await start(key)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(messageOf(exit)).toContain("ANJU_SM2_PRIVATE_KEY")
      if (key.length > 8) expect(messageOf(exit)).not.toContain(key)
    }
  })

  it("reads the key from configuration and fails clearly when it is missing", async () => {
    const start = (env: Record<string, string>) =>
      Effect.runPromiseExit(
        Effect.gen(function* () {
          return (yield* Signer).publicKey
        }).pipe(
          Effect.provide(
            Sm2Signer.layerConfig.pipe(
              Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
            ),
          ),
        ),
      )
    const ok = await start({ ANJU_SM2_PRIVATE_KEY: PRIVATE_KEY })
    expect(Exit.isSuccess(ok) && ok.value).toBe(PUBLIC_KEY)
    const missing = await start({})
    expect(messageOf(missing)).toContain("ANJU_SM2_PRIVATE_KEY is not set")
  })
})
