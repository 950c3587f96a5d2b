/**
 * IdentityStore: stored identities (seed 003 #219–#232) — users with their role grants, custom roles (the
 * built-in ones live in the domain and are never stored), sessions and API keys kept only as SHA-256
 * digests of their secrets, and the append-only login log (登录日志: who, when, from where, outcome).
 * Writes are atomic per call; a revocation is visible to the very next read. Names are case-folded by the
 * caller; the store compares them exactly.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { LoginOutcome, User } from "../../domain/access/Identity.js"
import type { Permission } from "../../domain/access/Access.js"

/** A custom role as stored (`builtIn` is always false). */
export interface StoredRole {
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<Permission>
  readonly updatedAt: number
}

export interface Session {
  /** Hex SHA-256 of the session token; the token itself is never stored. */
  readonly digest: string
  readonly userId: string
  readonly issuedAt: number
  readonly expiresAt: number
  /** When it was revoked (logout, revoke, user disabled), null while live. */
  readonly revokedAt: number | null
}

/** An API key for another system (外部系统): a system-scope actor with granted roles. */
export interface ApiKeyRecord {
  readonly id: string
  readonly label: string
  /** Hex SHA-256 of the key. */
  readonly digest: string
  /** Districts the system may see (`all` or GB/T 2260 codes). */
  readonly districts: "all" | ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
  readonly createdAt: number
  readonly createdBy: string
  readonly revokedAt: number | null
}

export interface LoginRecord {
  readonly at: number
  /** The login name as submitted (case-folded), whether or not a user has it. */
  readonly login: string
  /** The user it named, when one exists. */
  readonly userId: string | null
  /** Client address as the host saw it (may be empty when unknown). */
  readonly ip: string
  readonly outcome: LoginOutcome
}

export interface LoginQuery {
  readonly login?: string
  readonly userId?: string
  /** Inclusive lower bound, epoch ms. */
  readonly since?: number
  /** Exclusive upper bound, epoch ms. */
  readonly until?: number
  /** Only these outcomes (lockout reads failures and successes, so a flood of `locked` rows hides nothing). */
  readonly outcomes?: ReadonlyArray<LoginOutcome>
  /** 1..1000; newest first. */
  readonly limit: number
}

export type IdentityStoreErrorReason =
  /** The id, login name, role name or key digest is taken. */
  | {
      readonly _tag: "Conflict"
      readonly entity: "user" | "role" | "apiKey" | "session"
      readonly id: string
    }
  /** The user, role or API key to change does not exist. */
  | { readonly _tag: "NotFound"; readonly entity: "user" | "role" | "apiKey"; readonly id: string }
  /** The store refused a value its schema forbids (a caller's defect; not retryable). */
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class IdentityStoreError extends Data.TaggedError("IdentityStoreError")<{
  readonly reason: IdentityStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    if (r._tag === "Conflict") return `${r.entity} ${r.id} already exists`
    if (r._tag === "NotFound") return `no ${r.entity} ${r.id}`
    return r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class IdentityStore extends Context.Service<
  IdentityStore,
  {
    /** Conflict when the id or the login name is taken. */
    readonly createUser: (user: User) => Effect.Effect<void, IdentityStoreError>
    /** Replaces the user with this id (login name included); NotFound when absent, Conflict on a taken login. */
    readonly updateUser: (user: User) => Effect.Effect<void, IdentityStoreError>
    readonly getUser: (id: string) => Effect.Effect<Option.Option<User>, IdentityStoreError>
    readonly findUserByLogin: (login: string) => Effect.Effect<Option.Option<User>, IdentityStoreError>
    /** Every user in id order. */
    readonly listUsers: () => Effect.Effect<ReadonlyArray<User>, IdentityStoreError>

    /** Conflict when the name is taken. */
    readonly createRole: (role: StoredRole) => Effect.Effect<void, IdentityStoreError>
    /** NotFound when absent. */
    readonly updateRole: (role: StoredRole) => Effect.Effect<void, IdentityStoreError>
    /** Custom roles in name order. */
    readonly listRoles: () => Effect.Effect<ReadonlyArray<StoredRole>, IdentityStoreError>

    /** Conflict when the digest exists. */
    readonly createSession: (session: Session) => Effect.Effect<void, IdentityStoreError>
    readonly findSession: (digest: string) => Effect.Effect<Option.Option<Session>, IdentityStoreError>
    /** Marks the session revoked at `at` (idempotent: an earlier revocation stands); false if unknown. */
    readonly revokeSession: (digest: string, at: number) => Effect.Effect<boolean, IdentityStoreError>
    /** Revokes every live session of the user; returns how many. */
    readonly revokeUserSessions: (userId: string, at: number) => Effect.Effect<number, IdentityStoreError>

    /** Conflict when the id or digest exists. */
    readonly createApiKey: (key: ApiKeyRecord) => Effect.Effect<void, IdentityStoreError>
    readonly findApiKey: (digest: string) => Effect.Effect<Option.Option<ApiKeyRecord>, IdentityStoreError>
    /** Every key (revoked ones included) in id order. */
    readonly listApiKeys: () => Effect.Effect<ReadonlyArray<ApiKeyRecord>, IdentityStoreError>
    /** NotFound when no key has the id; an earlier revocation stands. */
    readonly revokeApiKey: (id: string, at: number) => Effect.Effect<void, IdentityStoreError>

    /** Appends to the login log (never updated or deleted). */
    readonly appendLogin: (record: LoginRecord) => Effect.Effect<void, IdentityStoreError>
    /** Login records matching the query, newest first (ties: latest appended first). */
    readonly listLogins: (query: LoginQuery) => Effect.Effect<ReadonlyArray<LoginRecord>, IdentityStoreError>
  }
>()("anju/IdentityStore") {}
