/**
 * StaticActorVerifier: bearer tokens for people and API keys for systems (never the other way round),
 * applicants by blind index, unknown credentials refused, and start-up failures for a malformed table,
 * short tokens, an unreadable file or both sources set — without echoing a secret.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Result } from "effect"
import * as MemoryFieldCipher from "../memory/MemoryFieldCipher.js"
import { ActorVerifier } from "../../application/ports/ActorVerifier.js"
import { FieldCipher } from "../../application/ports/FieldCipher.js"
import * as StaticActorVerifier from "./StaticActorVerifier.js"

const TABLE = {
  "district-officer-token-0001": { role: "district", id: "pd-1", district: "310115" },
  "system-api-key-0000000000001": { role: "system", id: "banjianku", districts: "all" },
  "applicant-token-00000000001": { role: "applicant", id: "wang", idNumber: "310115198503120012" },
} as const
const cipher = MemoryFieldCipher.layer()
const withTable = (env: Record<string, string>) =>
  StaticActorVerifier.layerConfig.pipe(
    Layer.provide(cipher),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
  )
const verify = (c: Parameters<ActorVerifier["Service"]["verify"]>[0]) =>
  Effect.gen(function* () {
    return yield* Effect.result((yield* ActorVerifier).verify(c))
  })

describe("StaticActorVerifier", () => {
  it.effect("maps bearer tokens to people and API keys to systems, and nothing else", () =>
    Effect.gen(function* () {
      const officer = yield* verify({ _tag: "Bearer", token: "district-officer-token-0001" })
      expect(Result.getOrThrow(officer)).toEqual({ role: "district", id: "pd-1", district: "310115" })
      const system = yield* verify({ _tag: "ApiKey", key: "system-api-key-0000000000001" })
      expect(Result.getOrThrow(system)).toMatchObject({ role: "system", districts: "all" })
      const idIndex = yield* (yield* FieldCipher).blindIndex("idNumber", "310115198503120012")
      expect(
        Result.getOrThrow(yield* verify({ _tag: "Bearer", token: "applicant-token-00000000001" })),
      ).toEqual({ role: "applicant", id: "wang", idIndex })
      for (const wrong of [
        { _tag: "ApiKey", key: "district-officer-token-0001" },
        { _tag: "Bearer", token: "system-api-key-0000000000001" },
        { _tag: "Bearer", token: "district-officer-token-0002" },
        { _tag: "Bearer", token: "" },
      ] as const) {
        const r = yield* verify(wrong)
        expect(Result.isFailure(r) && r.failure.reason._tag).toBe("Unauthenticated")
      }
    }).pipe(Effect.provide(Layer.merge(withTable({ ANJU_TOKENS: JSON.stringify(TABLE) }), cipher))),
  )

  it.effect("reads ANJU_TOKENS_FILE; with no table every credential is refused", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "anju-tokens-")))
      const file = join(dir, "tokens.json")
      yield* Effect.promise(() => writeFile(file, JSON.stringify(TABLE)))
      const fromFile = yield* verify({ _tag: "Bearer", token: "district-officer-token-0001" }).pipe(
        Effect.provide(withTable({ ANJU_TOKENS_FILE: file })),
      )
      expect(Result.isSuccess(fromFile)).toBe(true)
      const empty = yield* verify({ _tag: "Bearer", token: "district-officer-token-0001" }).pipe(
        Effect.provide(withTable({})),
      )
      expect(Result.isFailure(empty)).toBe(true)
    }),
  )

  it("fails at start for a malformed table, short tokens, an unreadable file or two sources", async () => {
    const start = async (env: Record<string, string>) => {
      const exit = await Effect.runPromiseExit(Layer.build(withTable(env)).pipe(Effect.scoped))
      return Exit.isFailure(exit)
        ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as Error).message : "")).join(";")
        : "ok"
    }
    expect(await start({ ANJU_TOKENS: "{" })).toMatch(/not valid JSON/u)
    const badRole = await start({
      ANJU_TOKENS: JSON.stringify({ "a-secret-token-000001": { role: "mayor", id: "x" } }),
    })
    expect(badRole).toMatch(/must map each token to an actor/u)
    expect(badRole).not.toContain("a-secret-token-000001")
    expect(await start({ ANJU_TOKENS: JSON.stringify({ short: { role: "city", id: "c" } }) })).toMatch(
      /shorter than 16/u,
    )
    expect(await start({ ANJU_TOKENS_FILE: "/nonexistent/tokens.json" })).toMatch(/cannot read/u)
    expect(await start({ ANJU_TOKENS: "{}", ANJU_TOKENS_FILE: "/x" })).toMatch(/not both/u)
  })

  it("parseTokens accepts the documented shape", () => {
    expect(Result.isSuccess(StaticActorVerifier.parseTokens(JSON.stringify(TABLE), "t"))).toBe(true)
  })
})
