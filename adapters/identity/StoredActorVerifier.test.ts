/**
 * StoredActorVerifier over the memory store: a session token authenticates until logout or disable (the
 * very next verify is Unauthenticated), an API key only as X-Api-Key and only until revoked, foreign secrets
 * are declined without a look-up, and a failing store is Unavailable (retryable), never a refusal.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { login, logout } from "../../application/access/Login.js"
import {
  createUser,
  disableUser,
  issueApiKey,
  revokeApiKey,
} from "../../application/access/ManageIdentity.js"
import { ActorVerifier, type ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import { IdentityStore, IdentityStoreError } from "../../application/ports/IdentityStore.js"
import type { Actor } from "../../domain/access/Access.js"
import * as MemoryIdentityStore from "../memory/MemoryIdentityStore.js"
import * as MemoryPasswordHasher from "../memory/MemoryPasswordHasher.js"
import * as SeededSecureRandom from "../memory/SeededSecureRandom.js"
import * as StoredActorVerifier from "./StoredActorVerifier.js"

const admin: Actor = { role: "city", id: "root" }
const PW = "安居工程-correct-horse"
const reasonOf = <A>(exit: Exit.Exit<A, ActorVerifierError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason._tag] : []))[0]
    : "Success"

const base = Layer.mergeAll(
  MemoryIdentityStore.layer,
  MemoryPasswordHasher.layer,
  SeededSecureRandom.layer(3),
)
const services = Layer.merge(base, StoredActorVerifier.layer.pipe(Layer.provide(base)))

describe("StoredActorVerifier", () => {
  it.effect("sessions until logout or disable; API keys until revoked; foreign secrets declined", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 5))
      const verifier = yield* ActorVerifier
      yield* createUser(admin, {
        id: "u-1",
        login: "li.si",
        displayName: "李四",
        scope: { role: "operator", projectIds: ["P-1"] },
        roles: ["operator-officer"],
        password: Redacted.make(PW),
      })
      const t1 = Redacted.value((yield* login({ login: "li.si", password: Redacted.make(PW), ip: "" })).token)
      const t2 = Redacted.value((yield* login({ login: "li.si", password: Redacted.make(PW), ip: "" })).token)
      const actor = yield* verifier.verify({ _tag: "Bearer", token: t1 })
      expect(actor).toMatchObject({ role: "operator", id: "u-1", projectIds: ["P-1"] })
      expect(actor.permissions).not.toContain("lottery.manage")
      // The session token is no API key.
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "ApiKey", key: t1 })))).toBe(
        "Unauthenticated",
      )
      yield* logout(Redacted.make(t1))
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: t1 })))).toBe(
        "Unauthenticated",
      )
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: t2 })))).toBe("Success")
      yield* disableUser(admin, "u-1")
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: t2 })))).toBe(
        "Unauthenticated",
      )

      const key = Redacted.value(
        (yield* issueApiKey(admin, { id: "gjj", label: "公积金中心", districts: "all", roles: ["system"] }))
          .key,
      )
      expect(yield* verifier.verify({ _tag: "ApiKey", key })).toMatchObject({ role: "system", id: "gjj" })
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: key })))).toBe(
        "Unauthenticated",
      )
      yield* revokeApiKey(admin, "gjj")
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "ApiKey", key })))).toBe("Unauthenticated")
      expect(reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: "t-city" })))).toBe(
        "Unauthenticated",
      )
    }).pipe(Effect.provide(services)),
  )

  it.effect("a failing store is Unavailable, not Unauthenticated", () =>
    Effect.gen(function* () {
      const down = new IdentityStoreError({ reason: { _tag: "Unavailable", detail: "connection refused" } })
      const broken = Layer.succeed(
        IdentityStore,
        new Proxy({} as IdentityStore["Service"], { get: () => () => Effect.fail(down) }),
      )
      const verifier = yield* Effect.service(ActorVerifier).pipe(
        Effect.provide(StoredActorVerifier.layer.pipe(Layer.provide(broken))),
      )
      expect(
        reasonOf(yield* Effect.exit(verifier.verify({ _tag: "Bearer", token: `anju_s_${"0".repeat(64)}` }))),
      ).toBe("Unavailable")
    }),
  )
})
