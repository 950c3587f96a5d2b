/**
 * CaseRoutes over memory adapters: authentication (401 without or with an unknown credential), an
 * idempotent open, a command, scope refusal (403) for another district, detail without clear ID numbers.
 */
import { readFile } from "node:fs/promises"
import { Effect, type Exit, Layer, ManagedRuntime } from "effect"
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import * as MemoryAgencyRecords from "../../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../../adapters/memory/MemoryPolicySource.js"
import type { Actor } from "../../application/cases/CaseActor.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import { type CaseServices, registerCaseRoutes } from "./CaseRoutes.js"
import { caseRoutes, guard } from "./Routes.js"

const files = await Promise.all(
  ["cases.yaml", "guard.yaml"].map(async (f) => ({
    name: f,
    text: await readFile(new URL(`../../policy/${f}`, import.meta.url), "utf8"),
  })),
)
const actors: Record<string, Actor> = {
  "t-pudong": { role: "district", id: "pudong", district: "310115" },
  "t-xuhui": { role: "district", id: "xuhui", district: "310104" },
}
const verifier = Layer.succeed(ActorVerifier, {
  verify: (c) => {
    const a = c._tag === "Bearer" ? actors[c.token] : undefined
    return a === undefined
      ? Effect.fail(new ActorVerifierError({ reason: { _tag: "Unauthenticated" } }))
      : Effect.succeed(a)
  },
})
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    MemoryCaseStore.layer,
    MemoryFieldCipher.layer(),
    MemoryPolicySource.layer(files),
    MemoryAgencyRecords.layer(),
    verifier,
  ),
)
const guarded = new Hono()
guarded.use(
  "*",
  guard({
    routes: caseRoutes("/api/v1"),
    notFound: (c) => c.json({ error: "not_found" }, 404),
    authenticate: (credential) =>
      runtime.runPromiseExit(
        Effect.gen(function* () {
          return yield* (yield* ActorVerifier).verify(credential)
        }),
      ),
  }),
)
const app = registerCaseRoutes(guarded, {
  run: <A, E>(e: Effect.Effect<A, E, CaseServices>) =>
    runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
})
const req = (method: string, path: string, token: string | undefined, body?: unknown, key?: string) =>
  app.request(path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const open = {
  id: "H-1",
  kind: "gongzu",
  channel: "offline",
  district: "310115",
  members: [{ role: "applicant", name: "王五", idNumber: "310115198503120012" }],
}

describe("case routes", () => {
  it("authenticates, opens idempotently, applies commands and enforces scope", async () => {
    expect((await req("POST", "/api/v1/cases", undefined, open, "k1")).status).toBe(401)
    expect((await req("POST", "/api/v1/cases", "nobody", open, "k1")).status).toBe(401)
    expect((await req("POST", "/api/v1/cases", "t-pudong", open)).status).toBe(400)
    const created = await req("POST", "/api/v1/cases", "t-pudong", open, "k1")
    expect(created.status).toBe(201)
    expect(await (await req("POST", "/api/v1/cases", "t-pudong", open, "k1")).json()).toMatchObject({
      replayed: true,
    })
    const submit = await req("POST", "/api/v1/cases/H-1/commands/submitDraft", "t-pudong", {}, "k2")
    expect(await submit.json()).toMatchObject({ state: "awaiting_acceptance" })
    // Another district's officer: the same 404 as for a case that does not exist (no oracle).
    const outside = await req("POST", "/api/v1/cases/H-1/commands/accept", "t-xuhui", {}, "k3")
    const missing = await req("POST", "/api/v1/cases/H-404/commands/accept", "t-xuhui", {}, "k3b")
    expect(outside.status).toBe(404)
    expect(missing.status).toBe(404)
    expect(((await outside.json()) as { error: string }).error).toBe(
      ((await missing.json()) as { error: string }).error,
    )
    expect((await req("GET", "/api/v1/cases/H-1", "t-xuhui")).status).toBe(404)
    const refused = await req(
      "POST",
      "/api/v1/cases/H-1/commands/admit",
      "t-pudong",
      { certificateNumber: "Z" },
      "k4",
    )
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({
      error: "CaseTransitionRefused",
      rule: "case.illegal-transition",
    })
    const detail = await (await req("GET", "/api/v1/cases/H-1", "t-pudong")).text()
    expect(detail).not.toContain("310115198503120012")
    expect(detail).toContain("310115********0012")
    expect(await (await req("GET", "/api/v1/cases?box=todo", "t-xuhui")).json()).toMatchObject({ items: [] })
  })
})
