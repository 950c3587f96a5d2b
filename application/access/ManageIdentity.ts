/**
 * Managing identities (用户、角色、授权、接口密钥、登录日志; seed 003 #219–#232). Every use-case requires
 * `identity.manage`, and tiered administration (#222, #227) holds: a city manager manages everyone, a
 * district manager only users scoped to its own district, nobody else anyone; a manager can grant only
 * roles whose permissions it holds itself (no escalation). Users out of the manager's reach answer as
 * missing. Disabling a user revokes its sessions at once. Secrets are shown once and stored as digests.
 */
import { Clock, Effect, Option, Redacted, Result } from "effect"
import { type Actor, isPermission, type Permission, permissionsOf } from "../../domain/access/Access.js"
import {
  checkPassword,
  IDENTITY_ID,
  LOGIN_NAME,
  PASSWORD_PROBLEM_TEXT,
  permissionsOfRoles,
  ROLE_NAME,
  type Role,
  type User,
  type UserScope,
} from "../../domain/access/Identity.js"
import { AccessDenied, requirePermission } from "./AccessDenied.js"
import {
  type ApiKeyRecord,
  IdentityStore,
  type IdentityStoreError,
  type LoginRecord,
  type StoredRole,
} from "../ports/IdentityStore.js"
import { PasswordHasher } from "../ports/PasswordHasher.js"
import { allRoles, API_KEY_PREFIX, foldLogin, newSecret, secretDigest } from "./Login.js"
import { IdentityConflict, IdentityInputRejected, IdentityNotFound } from "./IdentityErrors.js"

/** A user as shown to managers: never the password hash. */
export type UserView = Omit<User, "passwordHash"> & { readonly hasPassword: boolean }
export type ApiKeyView = Omit<ApiKeyRecord, "digest">

export const userView = ({ passwordHash, ...rest }: User): UserView => ({
  ...rest,
  hasPassword: passwordHash !== null,
})
const keyView = ({ digest: _digest, ...rest }: ApiKeyRecord): ApiKeyView => rest

const DISTRICT = /^[0-9]{6}$/u
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters
const SAFE_TEXT = /^[^\u0000-\u001f\u007f\uD800-\uDFFF]*$/u

const reject = (field: string, rule: string, message: string) =>
  Effect.fail(new IdentityInputRejected({ field, rule, message }))

/** Whether `actor` may manage identities with this scope (tiered administration, #222). */
export const mayManage = (actor: Actor, scope: UserScope): boolean => {
  switch (actor.role) {
    case "city":
      return true
    case "district":
      return scope.role === "district" && scope.district === actor.district
    default:
      return false
  }
}

const requireManager = (actor: Actor) =>
  Effect.gen(function* () {
    yield* requirePermission(actor, "identity.manage")
    if (actor.role !== "city" && actor.role !== "district")
      return yield* new AccessDenied({
        actorId: actor.id,
        permission: "identity.manage",
        object: "identities",
      })
  })

/** Store failures: Conflict/NotFound become the use-case's errors, Unavailable stays the store's. */
const mapStore =
  (entity: "user" | "role" | "apiKey", id: string) =>
  (e: IdentityStoreError): Effect.Effect<never, IdentityStoreError | IdentityConflict | IdentityNotFound> => {
    const r = e.reason
    if (r._tag === "Conflict")
      return Effect.fail(
        new IdentityConflict({ entity, id, message: `${entity} ${id} (or its login name) is taken` }),
      )
    if (r._tag === "NotFound") return Effect.fail(new IdentityNotFound({ entity, id }))
    return Effect.fail(e)
  }

const checkText = (field: string, value: string, max: number) =>
  value.trim().length === 0 || value.length > max || !SAFE_TEXT.test(value)
    ? reject(field, "text", `${field} is 1–${max} characters without control characters`)
    : Effect.void

const checkIds = (field: string, ids: ReadonlyArray<string>) =>
  ids.length === 0 || ids.length > 500 || ids.some((i) => !IDENTITY_ID.test(i))
    ? reject(field, "ids", `${field} lists 1–500 ids of A-Z a-z 0-9 . _ -`)
    : Effect.void

export const checkScope = (scope: UserScope) => {
  switch (scope.role) {
    case "city":
      return Effect.void
    case "district":
      return DISTRICT.test(scope.district)
        ? Effect.void
        : reject("scope.district", "district", "scope.district is a six-digit GB/T 2260 code")
    case "operator":
      return checkIds("scope.projectIds", scope.projectIds)
    case "propertyArea":
      return checkIds("scope.areaIds", scope.areaIds)
    case "household":
      return checkIds("scope.householdIds", scope.householdIds)
    case "applicant":
      return /^[0-9a-f]{16,128}$/u.test(scope.idIndex)
        ? Effect.void
        : reject("scope.idIndex", "blind_index", "scope.idIndex is the FieldCipher blind index (hex)")
    case "system":
      return scope.districts === "all" || scope.districts.every((d) => DISTRICT.test(d))
        ? Effect.void
        : reject("scope.districts", "district", 'scope.districts is "all" or six-digit codes')
  }
}

/** The named roles exist and the granter holds every permission they carry (no escalation, #227). */
const checkGrant = (actor: Actor, names: ReadonlyArray<string>, field = "roles") =>
  Effect.gen(function* () {
    if (new Set(names).size !== names.length || names.length > 50)
      return yield* reject(field, "distinct", `${field} lists at most 50 distinct role names`)
    const roles = yield* allRoles()
    const unknown = names.filter((n) => !roles.some((r) => r.name === n))
    if (unknown.length > 0) return yield* reject(field, "known_role", `no such role: ${unknown.join(", ")}`)
    const mine = permissionsOf(actor)
    const beyond = permissionsOfRoles(names, roles).filter((p) => !mine.includes(p))
    if (beyond.length > 0)
      return yield* reject(
        field,
        "no_escalation",
        `you cannot grant permissions you lack: ${beyond.join(", ")}`,
      )
  })

const checkPasswordOf = (password: Redacted.Redacted<string>, login: string) => {
  const r = checkPassword(Redacted.value(password), login)
  return Result.isFailure(r) ? reject("password", r.failure, PASSWORD_PROBLEM_TEXT[r.failure]) : Effect.void
}

/** The user with this id if the actor may manage it; otherwise the same not-found as a missing one. */
const managedUser = (actor: Actor, userId: string) =>
  Effect.gen(function* () {
    const user = Option.getOrUndefined(yield* (yield* IdentityStore).getUser(userId))
    if (user === undefined || !mayManage(actor, user.scope))
      return yield* new IdentityNotFound({ entity: "user", id: userId })
    return user
  })

export interface NewUser {
  readonly id: string
  readonly login: string
  readonly displayName: string
  readonly scope: UserScope
  readonly roles: ReadonlyArray<string>
  /** Omitted: the user cannot log in with a password until one is set. */
  readonly password?: Redacted.Redacted<string>
}

export const createUser = Effect.fn("Identity.createUser")(function* (actor: Actor, input: NewUser) {
  yield* requireManager(actor)
  const login = foldLogin(input.login)
  if (!IDENTITY_ID.test(input.id)) return yield* reject("id", "id", "id is 1–64 of A-Z a-z 0-9 . _ -")
  if (!LOGIN_NAME.test(login)) return yield* reject("login", "login", "login is 3–64 of a-z 0-9 . _ - @")
  yield* checkText("displayName", input.displayName, 100)
  yield* checkScope(input.scope)
  if (!mayManage(actor, input.scope))
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "identity.manage",
      object: `user:${input.id}`,
    })
  yield* checkGrant(actor, input.roles)
  if (input.password !== undefined) yield* checkPasswordOf(input.password, login)
  const passwordHash =
    input.password === undefined ? null : yield* (yield* PasswordHasher).hash(input.password)
  const now = yield* Clock.currentTimeMillis
  const user: User = {
    id: input.id,
    login,
    displayName: input.displayName.trim(),
    scope: input.scope,
    roles: [...input.roles],
    status: "active",
    passwordHash,
    createdAt: now,
    updatedAt: now,
  }
  yield* (yield* IdentityStore).createUser(user).pipe(Effect.catch(mapStore("user", input.id)))
  return userView(user)
})

export const listUsers = Effect.fn("Identity.listUsers")(function* (actor: Actor) {
  yield* requireManager(actor)
  const users = yield* (yield* IdentityStore).listUsers()
  return users.filter((u) => mayManage(actor, u.scope)).map(userView)
})

const saveUser = (user: User) =>
  Effect.gen(function* () {
    yield* (yield* IdentityStore).updateUser(user).pipe(Effect.catch(mapStore("user", user.id)))
    return userView(user)
  })

/** Disables the user and revokes every live session at once (the next request is 401). Idempotent. */
export const disableUser = Effect.fn("Identity.disableUser")(function* (actor: Actor, userId: string) {
  yield* requireManager(actor)
  const user = yield* managedUser(actor, userId)
  const now = yield* Clock.currentTimeMillis
  const view = yield* saveUser({ ...user, status: "disabled", updatedAt: now })
  yield* (yield* IdentityStore).revokeUserSessions(userId, now)
  return view
})

/** Re-enables a disabled user (R158: administrators unlock accounts). */
export const enableUser = Effect.fn("Identity.enableUser")(function* (actor: Actor, userId: string) {
  yield* requireManager(actor)
  const user = yield* managedUser(actor, userId)
  return yield* saveUser({ ...user, status: "active", updatedAt: yield* Clock.currentTimeMillis })
})

/** Replaces the user's role grants; live sessions see the new permissions at their next request. */
export const assignRoles = Effect.fn("Identity.assignRoles")(function* (
  actor: Actor,
  userId: string,
  roles: ReadonlyArray<string>,
) {
  yield* requireManager(actor)
  const user = yield* managedUser(actor, userId)
  yield* checkGrant(actor, roles)
  return yield* saveUser({ ...user, roles: [...roles], updatedAt: yield* Clock.currentTimeMillis })
})

/** Sets a new password (policy checked) and revokes the user's sessions. */
export const setPassword = Effect.fn("Identity.setPassword")(function* (
  actor: Actor,
  userId: string,
  password: Redacted.Redacted<string>,
) {
  yield* requireManager(actor)
  const user = yield* managedUser(actor, userId)
  yield* checkPasswordOf(password, user.login)
  const passwordHash = yield* (yield* PasswordHasher).hash(password)
  const now = yield* Clock.currentTimeMillis
  const view = yield* saveUser({ ...user, passwordHash, updatedAt: now })
  yield* (yield* IdentityStore).revokeUserSessions(userId, now)
  return view
})

/** Revokes every live session of the user at once; returns how many. */
export const revokeSessions = Effect.fn("Identity.revokeSessions")(function* (actor: Actor, userId: string) {
  yield* requireManager(actor)
  yield* managedUser(actor, userId)
  return yield* (yield* IdentityStore).revokeUserSessions(userId, yield* Clock.currentTimeMillis)
})

// ---------------------------------------------------------------------------------------------
// Roles

export interface RoleInput {
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<string>
}

const checkRole = (actor: Actor, input: RoleInput) =>
  Effect.gen(function* () {
    if (!ROLE_NAME.test(input.name))
      return yield* reject("name", "role_name", "name is 2–48 of a-z 0-9 - starting with a letter")
    yield* checkText("description", input.description, 200)
    const unknown = input.permissions.filter((p) => !isPermission(p))
    if (unknown.length > 0)
      return yield* reject("permissions", "known_permission", `no such permission: ${unknown.join(", ")}`)
    const mine = permissionsOf(actor)
    const beyond = input.permissions.filter((p) => !mine.includes(p as Permission))
    if (beyond.length > 0)
      return yield* reject(
        "permissions",
        "no_escalation",
        `you cannot grant permissions you lack: ${beyond.join(", ")}`,
      )
    if (actor.role !== "city")
      return yield* new AccessDenied({
        actorId: actor.id,
        permission: "identity.manage",
        object: `role:${input.name}`,
      })
    const roles = yield* allRoles()
    if (roles.some((r) => r.builtIn && r.name === input.name))
      return yield* new IdentityConflict({
        entity: "role",
        id: input.name,
        message: `${input.name} is a built-in role`,
      })
    return {
      name: input.name,
      description: input.description.trim(),
      permissions: [...new Set(input.permissions as ReadonlyArray<Permission>)],
      updatedAt: yield* Clock.currentTimeMillis,
    } satisfies StoredRole
  })

/** Creates a custom role (city managers only: roles are installation-wide). */
export const createRole = Effect.fn("Identity.createRole")(function* (actor: Actor, input: RoleInput) {
  yield* requireManager(actor)
  const role = yield* checkRole(actor, input)
  yield* (yield* IdentityStore).createRole(role).pipe(Effect.catch(mapStore("role", input.name)))
  return { ...role, builtIn: false } satisfies Role
})

/** Replaces a custom role's description and permissions; built-in roles cannot change. */
export const updateRole = Effect.fn("Identity.updateRole")(function* (actor: Actor, input: RoleInput) {
  yield* requireManager(actor)
  const role = yield* checkRole(actor, input)
  yield* (yield* IdentityStore).updateRole(role).pipe(Effect.catch(mapStore("role", input.name)))
  return { ...role, builtIn: false } satisfies Role
})

export const listRoles = Effect.fn("Identity.listRoles")(function* (actor: Actor) {
  yield* requireManager(actor)
  return yield* allRoles()
})

// ---------------------------------------------------------------------------------------------
// API keys

export interface NewApiKey {
  readonly id: string
  readonly label: string
  readonly districts: "all" | ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
}

/** Issues an API key for another system; the key is in the answer once and stored only as its digest. */
export const issueApiKey = Effect.fn("Identity.issueApiKey")(function* (actor: Actor, input: NewApiKey) {
  yield* requireManager(actor)
  if (!IDENTITY_ID.test(input.id)) return yield* reject("id", "id", "id is 1–64 of A-Z a-z 0-9 . _ -")
  yield* checkText("label", input.label, 100)
  const scope: UserScope = { role: "system", districts: input.districts }
  yield* checkScope(scope)
  if (
    actor.role !== "city" &&
    !(
      actor.role === "district" &&
      input.districts !== "all" &&
      input.districts.every((d) => d === actor.district)
    )
  )
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "identity.manage",
      object: `apiKey:${input.id}`,
    })
  yield* checkGrant(actor, input.roles)
  const key = yield* newSecret(API_KEY_PREFIX)
  const record: ApiKeyRecord = {
    id: input.id,
    label: input.label.trim(),
    digest: secretDigest(key),
    districts: input.districts,
    roles: [...input.roles],
    createdAt: yield* Clock.currentTimeMillis,
    createdBy: actor.id,
    revokedAt: null,
  }
  yield* (yield* IdentityStore).createApiKey(record).pipe(Effect.catch(mapStore("apiKey", input.id)))
  return { key: Redacted.make(key), apiKey: keyView(record) }
})

const mayManageKey = (actor: Actor, k: ApiKeyRecord) =>
  actor.role === "city" ||
  (actor.role === "district" && k.districts !== "all" && k.districts.every((d) => d === actor.district))

export const listApiKeys = Effect.fn("Identity.listApiKeys")(function* (actor: Actor) {
  yield* requireManager(actor)
  return (yield* (yield* IdentityStore).listApiKeys()).filter((k) => mayManageKey(actor, k)).map(keyView)
})

/** Revokes the key at once (its next request is 401). Idempotent. */
export const revokeApiKey = Effect.fn("Identity.revokeApiKey")(function* (actor: Actor, id: string) {
  yield* requireManager(actor)
  const store = yield* IdentityStore
  const key = (yield* store.listApiKeys()).find((k) => k.id === id)
  if (key === undefined || !mayManageKey(actor, key))
    return yield* new IdentityNotFound({ entity: "apiKey", id })
  yield* store.revokeApiKey(id, yield* Clock.currentTimeMillis).pipe(Effect.catch(mapStore("apiKey", id)))
})

// ---------------------------------------------------------------------------------------------
// Login log

export interface LoginLogQuery {
  readonly login?: string
  readonly userId?: string
  readonly since?: number
  readonly until?: number
  /** 1..1000 (default 100), newest first. */
  readonly limit?: number
}

/** The login log (登录日志), newest first; a district manager sees only attempts on users it manages. */
export const listLoginLog = Effect.fn("Identity.listLoginLog")(function* (
  actor: Actor,
  query: LoginLogQuery,
) {
  yield* requireManager(actor)
  const store = yield* IdentityStore
  const limit = Math.max(1, Math.min(1000, Math.floor(query.limit ?? 100)))
  const records: ReadonlyArray<LoginRecord> = yield* store.listLogins({
    ...(query.login === undefined ? {} : { login: foldLogin(query.login) }),
    ...(query.userId === undefined ? {} : { userId: query.userId }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.until === undefined ? {} : { until: query.until }),
    limit,
  })
  if (actor.role === "city") return records
  const managed = new Set(
    (yield* store.listUsers()).filter((u) => mayManage(actor, u.scope)).map((u) => u.id),
  )
  return records.filter((r) => r.userId !== null && managed.has(r.userId))
})
