/**
 * Password login, logout and session look-up (登录、注销、会话). Login reads the name's recent attempts and
 * applies the lockout rule (#221, R158) before checking anything, verifies the password with the slow
 * hasher (also for an unknown name, so the answer and its timing are alike), records every attempt in the
 * login log, and issues a session token of 256 random bits (SecureRandom) of which only the SHA-256 digest
 * is stored. A dormant account (R158) fails like a wrong password until an administrator changes it.
 * Logout and revocation take effect at the next request. Time comes from Effect's Clock.
 */
import { Clock, Effect, Option, Redacted } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import {
  BUILT_IN_ROLES,
  DEFAULT_DORMANT_AFTER_MS,
  DEFAULT_LOCKOUT,
  admitLogin,
  isDormant,
  actorOfUser,
  type LockoutPolicy,
  lockoutHorizonMs,
  permissionsOfRoles,
  type Role,
  type User,
} from "../../domain/access/Identity.js"
import { sha256 } from "../../domain/lottery/Sha256.js"
import { IdentityStore, type IdentityStoreError } from "../ports/IdentityStore.js"
import { PasswordHasher, type PasswordHasherError } from "../ports/PasswordHasher.js"
import { SecureRandom, type SecureRandomError } from "../ports/SecureRandom.js"
import { LoginFailed, LoginLocked } from "./IdentityErrors.js"

/** Parameters of login and sessions; hosts may override them (the defaults are documented in docs/security.md). */
export interface IdentitySettings {
  readonly lockout: LockoutPolicy
  /** Session lifetime from login, ms (default 8 h: one working day). */
  readonly sessionTtlMs: number
  /** R158: no successful login for this long locks the account until an administrator changes it; null: never. */
  readonly dormantAfterMs: number | null
}

export const DEFAULT_IDENTITY_SETTINGS: IdentitySettings = {
  lockout: DEFAULT_LOCKOUT,
  sessionTtlMs: 8 * 3_600_000,
  dormantAfterMs: DEFAULT_DORMANT_AFTER_MS,
}

/** Prefixes that let a verifier tell its own secrets apart without a look-up. */
export const SESSION_PREFIX = "anju_s_"
export const API_KEY_PREFIX = "anju_k_"

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** Hex SHA-256 of a secret's UTF-8 bytes: the only form in which tokens and keys are stored. */
export const secretDigest = (secret: string): string => hex(sha256(new TextEncoder().encode(secret)))

/** A fresh secret: the prefix and 256 random bits in hex. */
export const newSecret = Effect.fn("Identity.newSecret")(function* (prefix: string) {
  const bytes = yield* (yield* SecureRandom).bytes(32)
  if (bytes.length !== 32) return yield* Effect.die(new Error("SecureRandom returned too few bytes"))
  return `${prefix}${hex(bytes)}`
})

/** Login names are compared case-folded and trimmed. */
export const foldLogin = (login: string): string => login.trim().toLowerCase()

/** The built-in roles and the stored custom ones (which never shadow a built-in name). */
export const allRoles = Effect.fn("Identity.roles")(function* () {
  const stored = yield* (yield* IdentityStore).listRoles()
  const builtIn = new Set(BUILT_IN_ROLES.map((r) => r.name))
  return [
    ...BUILT_IN_ROLES,
    ...stored.filter((r) => !builtIn.has(r.name)).map((r): Role => ({ ...r, builtIn: false })),
  ]
})

export interface LoginRequest {
  readonly login: string
  readonly password: Redacted.Redacted<string>
  /** Client address for the login log ("" when unknown). */
  readonly ip: string
}

export interface LoginGranted {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
  readonly userId: string
}

export const login = Effect.fn("Identity.login")(function* (
  request: LoginRequest,
  settings: IdentitySettings = DEFAULT_IDENTITY_SETTINGS,
): Effect.fn.Return<
  LoginGranted,
  LoginFailed | LoginLocked | IdentityStoreError | PasswordHasherError | SecureRandomError,
  IdentityStore | PasswordHasher | SecureRandom
> {
  const store = yield* IdentityStore
  const hasher = yield* PasswordHasher
  const now = yield* Clock.currentTimeMillis
  const name = foldLogin(request.login).slice(0, 128)
  const ip = request.ip.slice(0, 64)
  const recent = yield* store.listLogins({
    login: name,
    since: now - lockoutHorizonMs(settings.lockout),
    outcomes: ["success", "failure"],
    limit: 1000,
  })
  const found = yield* store.findUserByLogin(name)
  const user: User | undefined = Option.getOrUndefined(found)
  const admission = admitLogin(recent, now, settings.lockout)
  if (admission._tag === "Locked") {
    yield* store.appendLogin({ at: now, login: name, userId: user?.id ?? null, ip, outcome: "locked" })
    return yield* new LoginLocked({
      until: admission.until,
      retryAfterSeconds: Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
    })
  }
  const matches = yield* hasher.verify(request.password, user?.passwordHash ?? null)
  // Queried for unknown names too, so both paths do the same work.
  const lastSuccess = yield* store.listLogins({ userId: user?.id ?? "", outcomes: ["success"], limit: 1 })
  const dormant =
    user !== undefined &&
    settings.dormantAfterMs !== null &&
    isDormant(user, lastSuccess[0]?.at ?? null, now, settings.dormantAfterMs)
  if (user === undefined || !matches || user.status !== "active" || dormant) {
    yield* store.appendLogin({ at: now, login: name, userId: user?.id ?? null, ip, outcome: "failure" })
    return yield* new LoginFailed()
  }
  const token = yield* newSecret(SESSION_PREFIX)
  const expiresAt = now + settings.sessionTtlMs
  yield* store.createSession({
    digest: secretDigest(token),
    userId: user.id,
    issuedAt: now,
    expiresAt,
    revokedAt: null,
  })
  yield* store.appendLogin({ at: now, login: name, userId: user.id, ip, outcome: "success" })
  return { token: Redacted.make(token), expiresAt, userId: user.id }
})

/** Revokes the session of this token (logout); true when it was a known session. Effective at once. */
export const logout = Effect.fn("Identity.logout")(function* (token: Redacted.Redacted<string>) {
  const now = yield* Clock.currentTimeMillis
  return yield* (yield* IdentityStore).revokeSession(secretDigest(Redacted.value(token)), now)
})

/**
 * The actor of a live session token: known digest, not revoked, not expired, user active. None otherwise.
 * The actor holds exactly the union of the user's roles' permissions.
 */
export const sessionActor = Effect.fn("Identity.sessionActor")(function* (token: string) {
  const store = yield* IdentityStore
  const now = yield* Clock.currentTimeMillis
  const session = Option.getOrUndefined(yield* store.findSession(secretDigest(token)))
  if (session === undefined || session.revokedAt !== null || now >= session.expiresAt)
    return Option.none<Actor>()
  const user = Option.getOrUndefined(yield* store.getUser(session.userId))
  if (user === undefined || user.status !== "active") return Option.none<Actor>()
  return Option.some(actorOfUser(user, yield* allRoles()))
})

/** The system actor of a live API key, with exactly its roles' permissions. None otherwise. */
export const apiKeyActor = Effect.fn("Identity.apiKeyActor")(function* (key: string) {
  const store = yield* IdentityStore
  const record = Option.getOrUndefined(yield* store.findApiKey(secretDigest(key)))
  if (record === undefined || record.revokedAt !== null) return Option.none<Actor>()
  return Option.some<Actor>({
    role: "system",
    id: record.id,
    districts: record.districts,
    permissions: permissionsOfRoles(record.roles, yield* allRoles()),
  })
})
