/**
 * Stored identities (用户、角色、授权), seed 003 #219–#232: roles are named permission sets (built-in ones
 * from DEFAULT_PERMISSIONS, plus custom ones); a user has a login name, a data scope (the Actor scope
 * variants), granted roles and a status; the actor of a user holds exactly the union of its roles'
 * permissions (never the scope defaults). Also the password policy and the login lockout rule (#221, R158:
 * 账号锁停), pure functions of their inputs. No I/O, clock or randomness: times are epoch-ms arguments.
 */
import { Result } from "effect"
import { type Actor, type ActorRole, DEFAULT_PERMISSIONS, type Permission, PERMISSIONS } from "./Access.js"

// ---------------------------------------------------------------------------------------------
// Roles

/** Role names: lower-case words joined by `-`, 2–48 characters (`district-officer`). */
export const ROLE_NAME = /^[a-z][a-z0-9-]{1,47}$/u
/** Login names: 3–64 of a-z 0-9 . _ - @ (case-folded before use). */
export const LOGIN_NAME = /^[a-z0-9][a-z0-9._@-]{2,63}$/u
/** User ids and API-key ids: as every id the database enforces. */
export const IDENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u

export interface Role {
  readonly name: string
  readonly description: string
  /** Distinct, in PERMISSIONS order. */
  readonly permissions: ReadonlyArray<Permission>
  /** Built-in roles come from the code and cannot be changed or shadowed. */
  readonly builtIn: boolean
}

const sorted = (ps: Iterable<Permission>): ReadonlyArray<Permission> => {
  const set = new Set(ps)
  return PERMISSIONS.filter((p) => set.has(p))
}

const builtIn = (name: string, description: string, permissions: Iterable<Permission>): Role => ({
  name,
  description,
  permissions: sorted(permissions),
  builtIn: true,
})

/**
 * The roles every installation has, seeded from DEFAULT_PERMISSIONS so that a user holding the role of
 * their scope kind may do what a static token of that kind may do.
 */
export const BUILT_IN_ROLES: ReadonlyArray<Role> = [
  builtIn(
    "city-admin",
    "市级管理员: every permission, including users, roles and the audit log",
    PERMISSIONS,
  ),
  builtIn(
    "city-officer",
    "市级经办: city officer",
    DEFAULT_PERMISSIONS.city.filter(
      (p) => p !== "identity.manage" && p !== "audit.read" && p !== "ops.metrics",
    ),
  ),
  builtIn("district-officer", "区级经办: district officer", DEFAULT_PERMISSIONS.district),
  builtIn("operator-officer", "运营机构经办: operating-company officer", DEFAULT_PERMISSIONS.operator),
  builtIn("fund-officer", "维修资金经办: maintenance-fund officer", [
    "fund.read",
    "fund.write",
    "stock.read",
  ]),
  builtIn("property-area", "物业管理区域 (业委会/物业): fund read-only", DEFAULT_PERMISSIONS.propertyArea),
  builtIn("household", "业主: own fund accounts", DEFAULT_PERMISSIONS.household),
  builtIn("auditor", "审计: reads everything, changes nothing", [
    ...PERMISSIONS.filter((p) => p.endsWith(".read")),
  ]),
  builtIn("applicant", "申请人: own cases", DEFAULT_PERMISSIONS.applicant),
  builtIn("system", "外部系统 (API key): data exchange", DEFAULT_PERMISSIONS.system),
]

export const builtInRole = (name: string): Role | undefined => BUILT_IN_ROLES.find((r) => r.name === name)

/** The union of the named roles' permissions; names without a role grant nothing. */
export const permissionsOfRoles = (
  names: ReadonlyArray<string>,
  roles: ReadonlyArray<Role>,
): ReadonlyArray<Permission> =>
  sorted(roles.filter((r) => names.includes(r.name)).flatMap((r) => r.permissions))

// ---------------------------------------------------------------------------------------------
// Users

/** The data scope of a user: an Actor without its id and permissions (one of the seven scope kinds). */
export type UserScope = Actor extends infer A
  ? A extends Actor
    ? Omit<A, "id" | "permissions">
    : never
  : never

export type UserStatus = "active" | "disabled"

export interface User {
  readonly id: string
  /** Case-folded login name (LOGIN_NAME), unique. */
  readonly login: string
  readonly displayName: string
  readonly scope: UserScope
  /** Granted role names (授权), distinct. */
  readonly roles: ReadonlyArray<string>
  readonly status: UserStatus
  /** The PasswordHasher's encoded hash, or null for a user who cannot log in with a password. */
  readonly passwordHash: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** The actor a user acts as: its scope, its id, and exactly its roles' permissions. */
export const actorOfUser = (user: User, roles: ReadonlyArray<Role>): Actor =>
  ({ ...user.scope, id: user.id, permissions: permissionsOfRoles(user.roles, roles) }) as Actor

export const scopeKind = (scope: UserScope): ActorRole => scope.role

// ---------------------------------------------------------------------------------------------
// Password policy

/**
 * Password policy (口令复杂度, GB/T 22239 三级 identity authentication): at least `minLength` characters
 * (code points), at most 256, not the login name (any case), not one repeated character.
 */
export const PASSWORD_POLICY = { minLength: 12, maxLength: 256 } as const

export type PasswordProblem = "too_short" | "too_long" | "equals_login" | "one_character"

export const checkPassword = (
  password: string,
  login: string,
  policy: { readonly minLength: number; readonly maxLength: number } = PASSWORD_POLICY,
): Result.Result<void, PasswordProblem> => {
  const chars = [...password]
  if (chars.length < policy.minLength) return Result.fail("too_short")
  if (chars.length > policy.maxLength) return Result.fail("too_long")
  if (password.toLowerCase().includes(login.toLowerCase()) && login.length > 0)
    return Result.fail("equals_login")
  if (new Set(chars).size === 1) return Result.fail("one_character")
  return Result.void
}

export const PASSWORD_PROBLEM_TEXT: Readonly<Record<PasswordProblem, string>> = {
  too_short: `a password has at least ${PASSWORD_POLICY.minLength} characters`,
  too_long: `a password has at most ${PASSWORD_POLICY.maxLength} characters`,
  equals_login: "a password must not contain the login name",
  one_character: "a password must not be one repeated character",
}

// ---------------------------------------------------------------------------------------------
// Login lockout

/**
 * Outcome of one login attempt in the login log (登录日志): `success`, `failure` (unknown login, wrong
 * password or disabled user: recorded alike), `locked` (refused unchecked during a lock window).
 */
export type LoginOutcome = "success" | "failure" | "locked"

export interface LoginAttempt {
  /** epoch ms */
  readonly at: number
  readonly outcome: LoginOutcome
}

/**
 * Lockout policy (账号锁停, seed 003 #221 / R158: "automatic locking by policy"). The seed gives no numbers;
 * these defaults follow common 等保三级 practice: `maxFailures` failures within `windowMs` lock the login
 * name for `lockMs`. Invariant required of any policy: `lockMs >= windowMs` (a lock outlasts the window, so
 * failures before a lock never combine with failures after it).
 */
export interface LockoutPolicy {
  readonly maxFailures: number
  readonly windowMs: number
  readonly lockMs: number
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 30 * 60_000,
}

/** How far back `lockedUntil` needs the log: one window before the longest possible lock. */
export const lockoutHorizonMs = (p: LockoutPolicy): number => p.windowMs + p.lockMs

/**
 * The end (epoch ms) of the lock the attempts impose, or 0 when none ever applied. Attempts in time order
 * (any order is sorted). Failures accumulate within a sliding window; a success clears them; the
 * `maxFailures`-th failure within `windowMs` locks until `at + lockMs` and starts a fresh count; attempts
 * inside a lock (recorded `locked`) neither count nor extend it.
 */
export const lockedUntil = (attempts: ReadonlyArray<LoginAttempt>, p: LockoutPolicy): number => {
  const ordered = [...attempts].sort((a, b) => a.at - b.at)
  let until = 0
  let failures: Array<number> = []
  for (const a of ordered) {
    if (a.at < until || a.outcome === "locked") continue
    if (a.outcome === "success") {
      failures = []
      continue
    }
    failures = [...failures.filter((t) => t > a.at - p.windowMs), a.at]
    if (failures.length >= p.maxFailures) {
      until = a.at + p.lockMs
      failures = []
    }
  }
  return until
}

export type LoginAdmission =
  | { readonly _tag: "Admitted" }
  | { readonly _tag: "Locked"; readonly until: number; readonly retryAfterMs: number }

/** Whether a login attempt at `now` may check its password, given the name's recent attempts. */
export const admitLogin = (
  attempts: ReadonlyArray<LoginAttempt>,
  now: number,
  p: LockoutPolicy = DEFAULT_LOCKOUT,
): LoginAdmission => {
  const until = lockedUntil(attempts, p)
  return now < until ? { _tag: "Locked", until, retryAfterMs: until - now } : { _tag: "Admitted" }
}

/**
 * Dormant accounts (R158: "3个月以上未登录" locks automatically): a user whose last successful login — or
 * last change by an administrator, which is how an administrator unlocks it — is more than
 * `dormantAfterMs` ago may not log in. Default 90 days.
 */
export const DEFAULT_DORMANT_AFTER_MS = 90 * 24 * 3_600_000

export const isDormant = (
  user: Pick<User, "updatedAt">,
  lastSuccessAt: number | null,
  now: number,
  dormantAfterMs: number = DEFAULT_DORMANT_AFTER_MS,
): boolean => now - Math.max(user.updatedAt, lastSuccessAt ?? 0) > dormantAfterMs
