/**
 * ActorVerifier for an external identity provider's bearer tokens (OIDC-style JWT access tokens), verified
 * with `jose` against a JWKS document — fetched from a URL (`createRemoteJWKSet`, cached, refetched for an
 * unknown `kid`) or read from a file (`createLocalJWKSet`). Signature, `iss`, `aud`, `exp`/`nbf` (against
 * Effect's Clock) and the algorithm list are checked. Claim mapping (docs/security.md):
 *   sub → actor id;  `anju_scope` → data scope: `city` | `district:<code>` | `operator:<id>,<id>` |
 *   `propertyArea:<id>,…` | `household:<id>,…` | `system:all` | `system:<code>,…` (applicants are not
 *   accepted: their scope needs the ID-number blind index);  `anju_roles` → role names (array or
 *   space-separated), permissions = union of those roles (built-in, plus stored ones when given).
 * A token that is not a JWT, or fails any check, is Unauthenticated; an unreachable JWKS is Unavailable.
 */
import { readFile } from "node:fs/promises"
import { Clock, Config, Data, Effect, Layer, Option } from "effect"
import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose"
import type { Actor } from "../../domain/access/Access.js"
import { BUILT_IN_ROLES, IDENTITY_ID, permissionsOfRoles, type Role } from "../../domain/access/Identity.js"
import { allRoles } from "../../application/access/Login.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import { IdentityStore } from "../../application/ports/IdentityStore.js"

/** Environment variables of `layerConfig`. */
export const CONFIG = {
  issuer: "ANJU_OIDC_ISSUER",
  audience: "ANJU_OIDC_AUDIENCE",
  jwksUrl: "ANJU_OIDC_JWKS_URL",
  jwksFile: "ANJU_OIDC_JWKS_FILE",
  scopeClaim: "ANJU_OIDC_SCOPE_CLAIM",
  rolesClaim: "ANJU_OIDC_ROLES_CLAIM",
} as const

export interface OidcConfig {
  readonly issuer: string
  readonly audience: string
  /** Where the signing keys come from. */
  readonly jwks:
    | { readonly url: string }
    | { readonly keys: { readonly keys: ReadonlyArray<Record<string, unknown>> } }
  /** Claim holding the data scope (default `anju_scope`). */
  readonly scopeClaim?: string
  /** Claim holding role names (default `anju_roles`). */
  readonly rolesClaim?: string
  /** Accepted JWS algorithms (default RS256, PS256, ES256, EdDSA). */
  readonly algorithms?: ReadonlyArray<string>
  /** Allowed clock skew, seconds (default 30). */
  readonly clockToleranceSeconds?: number
  /** JWKS fetch timeout, ms (default 5000). */
  readonly timeoutMs?: number
}

/** The OIDC configuration is missing or unusable: a start-up failure naming the setting. */
export class OidcConfigInvalid extends Data.TaggedError("OidcConfigInvalid")<{ readonly message: string }> {}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/u
const DISTRICT = /^[0-9]{6}$/u

const idList = (text: string): ReadonlyArray<string> | undefined => {
  const ids = text.split(",").map((s) => s.trim())
  return ids.length > 0 && ids.length <= 500 && ids.every((i) => IDENTITY_ID.test(i)) ? ids : undefined
}

/** The scope claim's text → an actor without permissions, or undefined when it is malformed. */
export const scopeOfClaim = (id: string, claim: unknown): Actor | undefined => {
  if (typeof claim !== "string") return undefined
  const colon = claim.indexOf(":")
  const kind = colon < 0 ? claim : claim.slice(0, colon)
  const rest = colon < 0 ? "" : claim.slice(colon + 1)
  switch (kind) {
    case "city":
      return colon < 0 ? { role: "city", id } : undefined
    case "district":
      return DISTRICT.test(rest) ? { role: "district", id, district: rest } : undefined
    case "operator": {
      const ids = idList(rest)
      return ids === undefined ? undefined : { role: "operator", id, projectIds: ids }
    }
    case "propertyArea": {
      const ids = idList(rest)
      return ids === undefined ? undefined : { role: "propertyArea", id, areaIds: ids }
    }
    case "household": {
      const ids = idList(rest)
      return ids === undefined ? undefined : { role: "household", id, householdIds: ids }
    }
    case "system": {
      if (rest === "all") return { role: "system", id, districts: "all" }
      const ds = rest.split(",")
      return ds.every((d) => DISTRICT.test(d)) ? { role: "system", id, districts: ds } : undefined
    }
    default:
      return undefined
  }
}

const rolesOfClaim = (claim: unknown): ReadonlyArray<string> =>
  Array.isArray(claim)
    ? claim.filter((r): r is string => typeof r === "string")
    : typeof claim === "string"
      ? claim.split(/\s+/u).filter((r) => r !== "")
      : []

/** jose failures: a JWKS that cannot be fetched is Unavailable; every other failure is the token's fault. */
const isUnavailable = (e: unknown): boolean => {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined
  return code === "ERR_JWKS_TIMEOUT" || code === "ERR_JOSE_GENERIC" || code === undefined
}

const unauthenticated = new ActorVerifierError({ reason: { _tag: "Unauthenticated" } })

/** The verifier; `roles` supplies the role table (default: the built-in roles). */
export const make = (
  config: OidcConfig,
  roles: Effect.Effect<ReadonlyArray<Role>, unknown> = Effect.succeed(BUILT_IN_ROLES),
): ActorVerifier["Service"] => {
  const keySet: JWTVerifyGetKey =
    "url" in config.jwks
      ? createRemoteJWKSet(new URL(config.jwks.url), { timeoutDuration: config.timeoutMs ?? 5000 })
      : createLocalJWKSet(config.jwks.keys as never)
  const scopeClaim = config.scopeClaim ?? "anju_scope"
  const rolesClaim = config.rolesClaim ?? "anju_roles"
  const algorithms = [...(config.algorithms ?? ["RS256", "PS256", "ES256", "EdDSA"])]
  return ActorVerifier.of({
    verify: (credential) =>
      Effect.gen(function* () {
        if (credential._tag !== "Bearer" || !JWT.test(credential.token)) return yield* unauthenticated
        const now = yield* Clock.currentTimeMillis
        const payload = yield* Effect.tryPromise({
          try: () =>
            jwtVerify(credential.token, keySet, {
              issuer: config.issuer,
              audience: config.audience,
              algorithms,
              clockTolerance: config.clockToleranceSeconds ?? 30,
              currentDate: new Date(now),
            }).then((r): JWTPayload => r.payload),
          catch: (e) =>
            isUnavailable(e)
              ? new ActorVerifierError({
                  reason: { _tag: "Unavailable", detail: "the identity provider's keys cannot be fetched" },
                })
              : unauthenticated,
        })
        const sub = payload.sub
        if (typeof sub !== "string" || sub.length === 0 || sub.length > 128 || !/^[\x21-\x7E]+$/u.test(sub))
          return yield* unauthenticated
        const scope = scopeOfClaim(sub, payload[scopeClaim])
        if (scope === undefined) return yield* unauthenticated
        const table = yield* roles.pipe(
          Effect.mapError(
            () =>
              new ActorVerifierError({
                reason: { _tag: "Unavailable", detail: "the role table cannot be read" },
              }),
          ),
        )
        return {
          ...scope,
          permissions: permissionsOfRoles(rolesOfClaim(payload[rolesClaim]), table),
        } as Actor
      }),
  })
}

/** The verifier with the built-in roles only. */
export const layer = (config: OidcConfig): Layer.Layer<ActorVerifier> =>
  Layer.succeed(ActorVerifier, make(config))

/** The verifier with built-in and stored roles (custom roles of the IdentityStore apply to OIDC users too). */
export const layerWithStore = (config: OidcConfig): Layer.Layer<ActorVerifier, never, IdentityStore> =>
  Layer.effect(
    ActorVerifier,
    Effect.gen(function* () {
      const store = yield* IdentityStore
      return make(config, allRoles().pipe(Effect.provideService(IdentityStore, store)))
    }),
  )

/**
 * The configuration from the environment: issuer, audience and exactly one of the JWKS URL or file;
 * optional claim names. Fails naming each missing or malformed setting.
 */
export const readConfig: Effect.Effect<OidcConfig, OidcConfigInvalid> = Effect.gen(function* () {
  const opt = (name: string) =>
    Config.option(Config.String(name)).pipe(
      Effect.map(Option.getOrUndefined),
      Effect.mapError(() => new OidcConfigInvalid({ message: `${name} cannot be read` })),
    )
  const issuer = yield* opt(CONFIG.issuer)
  const audience = yield* opt(CONFIG.audience)
  const url = yield* opt(CONFIG.jwksUrl)
  const file = yield* opt(CONFIG.jwksFile)
  const scopeClaim = yield* opt(CONFIG.scopeClaim)
  const rolesClaim = yield* opt(CONFIG.rolesClaim)
  const problems: Array<string> = []
  if (issuer === undefined) problems.push(`${CONFIG.issuer} is not set`)
  if (audience === undefined) problems.push(`${CONFIG.audience} is not set`)
  if ((url === undefined) === (file === undefined))
    problems.push(`set exactly one of ${CONFIG.jwksUrl} and ${CONFIG.jwksFile}`)
  if (url !== undefined && !/^https?:\/\//u.test(url))
    problems.push(`${CONFIG.jwksUrl} must be an http(s) URL`)
  if (problems.length > 0) return yield* new OidcConfigInvalid({ message: problems.join("; ") })
  const jwks: OidcConfig["jwks"] =
    url !== undefined
      ? { url }
      : {
          keys: yield* Effect.tryPromise({
            try: async () => {
              const parsed = JSON.parse(await readFile(file!, "utf8")) as { keys?: unknown }
              if (!Array.isArray(parsed.keys)) throw new Error("no keys")
              return parsed as { keys: Array<Record<string, unknown>> }
            },
            catch: () =>
              new OidcConfigInvalid({
                message: `${CONFIG.jwksFile}: ${file} is not a readable JWKS document`,
              }),
          }),
        }
  return {
    issuer: issuer!,
    audience: audience!,
    jwks,
    ...(scopeClaim === undefined ? {} : { scopeClaim }),
    ...(rolesClaim === undefined ? {} : { rolesClaim }),
  }
})

/** The verifier from the environment (see `readConfig`), with built-in and stored roles. */
export const layerConfig: Layer.Layer<ActorVerifier, OidcConfigInvalid, IdentityStore> = Layer.unwrap(
  Effect.map(readConfig, layerWithStore),
)
