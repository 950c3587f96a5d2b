/**
 * Identities for HTTP tests (not used by any host): a bearer-token table covering every scope kind, a
 * wrong-scope officer and a token without permissions, and the ActorVerifier layer that reads it.
 */
import { Effect, Layer } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"

export const TEST_ACTORS = {
  "t-city": { role: "city", id: "city-1" },
  "t-pudong": { role: "district", id: "pudong-1", district: "310115" },
  "t-xuhui": { role: "district", id: "xuhui-1", district: "310104" },
  "t-operator": { role: "operator", id: "op-1", projectIds: ["P-op"] },
  "t-area": { role: "propertyArea", id: "area-1", areaIds: ["A-1"] },
  "t-household": { role: "household", id: "hh-1", householdIds: ["H-1"] },
  "t-applicant": { role: "applicant", id: "app-1", idIndex: "idx-none" },
  "t-system": { role: "system", id: "sys-1", districts: ["310115"] },
  "t-nothing": { role: "city", id: "nobody-1", permissions: [] },
} as const satisfies Record<string, Actor>

export type TestToken = keyof typeof TEST_ACTORS

export const testVerifierLayer: Layer.Layer<ActorVerifier> = Layer.succeed(ActorVerifier, {
  verify: (c) => {
    const a = c._tag === "Bearer" ? (TEST_ACTORS as Record<string, Actor>)[c.token] : undefined
    return a === undefined
      ? Effect.fail(new ActorVerifierError({ reason: { _tag: "Unauthenticated" } }))
      : Effect.succeed(a)
  },
})

export const bearer = (token: TestToken): Record<string, string> => ({ authorization: `Bearer ${token}` })
