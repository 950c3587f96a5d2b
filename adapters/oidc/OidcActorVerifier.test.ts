/**
 * OIDC bearer tokens against a locally generated key pair: a good token maps sub, scope and roles to an
 * actor with exactly its roles' permissions; wrong issuer, audience, signer, expiry, scope claim or a
 * non-JWT are Unauthenticated; the JWKS served over HTTP on 127.0.0.1 (remote path) verifies, and an
 * unreachable JWKS is Unavailable (retryable) rather than a refusal. Also the chain: stored → OIDC.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose"
import { afterAll, beforeAll } from "vitest"
import { ActorVerifier, type ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import * as Chained from "../identity/ChainedActorVerifier.js"
import { make, scopeOfClaim } from "./OidcActorVerifier.js"

const ISSUER = "https://idp.example.gov.cn/realms/anju"
const AUDIENCE = "anju-api"

const { publicKey, privateKey } = await generateKeyPair("ES256")
const other = await generateKeyPair("ES256")
const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" }
const jwks = { keys: [jwk] }

const sign = (
  claims: Record<string, unknown>,
  o: { iss?: string; aud?: string; exp?: string | number; key?: typeof privateKey; kid?: string } = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: o.kid ?? "k1" })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject("oidc-li.si")
    .setIssuedAt()
    .setExpirationTime(o.exp ?? "10m")
    .sign(o.key ?? privateKey)

const reasonOf = <A>(exit: Exit.Exit<A, ActorVerifierError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason._tag] : []))[0]
    : "Success"

const local = make({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: jwks } })
const bearer = (token: string) => ({ _tag: "Bearer" as const, token })

describe("OidcActorVerifier (local JWKS)", () => {
  it.effect("maps sub, scope and roles to an actor with exactly its roles' permissions", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const token = yield* Effect.promise(() =>
        sign({ anju_scope: "district:310115", anju_roles: ["district-officer", "unknown-role"] }),
      )
      const actor = yield* local.verify(bearer(token))
      expect(actor).toMatchObject({ role: "district", id: "oidc-li.si", district: "310115" })
      expect(actor.permissions).toContain("cases.command")
      expect(actor.permissions).not.toContain("identity.manage")
      const bare = yield* local.verify(bearer(yield* Effect.promise(() => sign({ anju_scope: "city" }))))
      expect(bare).toMatchObject({ role: "city", permissions: [] })
      const spaced = yield* local.verify(
        bearer(yield* Effect.promise(() => sign({ anju_scope: "system:all", anju_roles: "auditor system" }))),
      )
      expect(spaced).toMatchObject({ role: "system", districts: "all" })
      expect(spaced.permissions).toContain("audit.read")
    }),
  )

  it.effect(
    "refuses wrong issuer, audience, signer, kid, expired tokens, bad scope claims and non-JWTs",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const bad = yield* Effect.promise(() =>
          Promise.all([
            sign({ anju_scope: "city" }, { iss: "https://evil.example" }),
            sign({ anju_scope: "city" }, { aud: "other-api" }),
            sign({ anju_scope: "city" }, { key: other.privateKey }),
            sign({ anju_scope: "city" }, { kid: "k2" }),
            sign({ anju_scope: "city" }, { exp: Math.floor(Date.now() / 1000) - 3600 }),
            sign({ anju_scope: "district:abc" }),
            sign({ anju_scope: "applicant:x" }),
            sign({}),
          ]),
        )
        for (const token of [...bad, "anju_s_0123", "a.b", "x.y.z"])
          expect(reasonOf(yield* Effect.exit(local.verify(bearer(token))))).toBe("Unauthenticated")
        expect(reasonOf(yield* Effect.exit(local.verify({ _tag: "ApiKey", key: bad[0]! })))).toBe(
          "Unauthenticated",
        )
      }),
  )

  it("scope claims parse exactly", () => {
    expect(scopeOfClaim("a", "operator:P-1,P-2")).toEqual({
      role: "operator",
      id: "a",
      projectIds: ["P-1", "P-2"],
    })
    expect(scopeOfClaim("a", "system:310115,310104")).toEqual({
      role: "system",
      id: "a",
      districts: ["310115", "310104"],
    })
    expect(scopeOfClaim("a", "city:extra")).toBeUndefined()
    expect(scopeOfClaim("a", "operator:")).toBeUndefined()
    expect(scopeOfClaim("a", ["city"])).toBeUndefined()
  })
})

describe("OidcActorVerifier (remote JWKS over HTTP on 127.0.0.1)", () => {
  let server: Server
  let url = ""
  let hits = 0
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++
      if (req.url === "/jwks.json") {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(jwks))
      } else {
        res.writeHead(404)
        res.end()
      }
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it.effect("fetches the keys and verifies; an unreachable JWKS is Unavailable", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const remote = make({ issuer: ISSUER, audience: AUDIENCE, jwks: { url: `${url}/jwks.json` } })
      const token = yield* Effect.promise(() => sign({ anju_scope: "city", anju_roles: ["city-admin"] }))
      const actor = yield* remote.verify(bearer(token))
      expect(actor).toMatchObject({ role: "city", id: "oidc-li.si" })
      expect(actor.permissions).toContain("identity.manage")
      expect(hits).toBeGreaterThan(0)
      const missing = make({ issuer: ISSUER, audience: AUDIENCE, jwks: { url: `${url}/nothing.json` } })
      expect(reasonOf(yield* Effect.exit(missing.verify(bearer(token))))).toBe("Unavailable")
      const down = make({ issuer: ISSUER, audience: AUDIENCE, jwks: { url: "http://127.0.0.1:1/jwks.json" } })
      expect(reasonOf(yield* Effect.exit(down.verify(bearer(token))))).toBe("Unavailable")
    }),
  )

  it.effect("the chain tries verifiers in order: unknown to the first, accepted by OIDC", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const token = yield* Effect.promise(() =>
        sign({ anju_scope: "district:310104", anju_roles: ["auditor"] }),
      )
      const chain = yield* Effect.service(ActorVerifier).pipe(
        Effect.provide(
          Chained.layer([
            Layer.succeed(
              ActorVerifier,
              make({ issuer: "https://other", audience: AUDIENCE, jwks: { keys: jwks } }),
            ),
            Layer.succeed(ActorVerifier, local),
          ]),
        ),
      )
      expect(yield* chain.verify(bearer(token))).toMatchObject({ role: "district", district: "310104" })
      expect(reasonOf(yield* Effect.exit(chain.verify(bearer("nope"))))).toBe("Unauthenticated")
      const withDown = Chained.make([
        make({ issuer: ISSUER, audience: AUDIENCE, jwks: { url: "http://127.0.0.1:1/jwks.json" } }),
      ])
      expect(reasonOf(yield* Effect.exit(withDown.verify(bearer(token))))).toBe("Unavailable")
    }),
  )
})
