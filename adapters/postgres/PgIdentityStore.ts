/**
 * IdentityStore over PostgreSQL (or PGlite) through Kysely (tables in IdentitySchema, migrations 500–).
 * Each call is one statement (or one transaction), so it is atomic; revocations are single UPDATEs that
 * keep an earlier revocation time. Rows are decoded into domain values with Schema here; Kysely row types
 * never leave the adapter. Driver errors are classified in `classifyIdentityError` by SQLSTATE and
 * constraint name; their text never leaves as anything but an Unavailable/Rejected detail for the logs.
 */
import { Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import { type Kysely, sql } from "kysely"
import { PERMISSIONS } from "../../domain/access/Access.js"
import type { User } from "../../domain/access/Identity.js"
import {
  type ApiKeyRecord,
  IdentityStore,
  IdentityStoreError,
  type IdentityStoreErrorReason,
  type LoginRecord,
  type Session,
  type StoredRole,
} from "../../application/ports/IdentityStore.js"
import type { IdentityTables } from "./IdentitySchema.js"
import { type Database, PgDatabase } from "./PgDatabase.js"

const Ids = Schema.Array(Schema.String)
const Districts = Schema.Union([Schema.Literal("all"), Ids])
const Scope = Schema.Union([
  Schema.Struct({ role: Schema.Literal("city") }),
  Schema.Struct({ role: Schema.Literal("district"), district: Schema.String }),
  Schema.Struct({ role: Schema.Literal("operator"), projectIds: Ids }),
  Schema.Struct({ role: Schema.Literal("propertyArea"), areaIds: Ids }),
  Schema.Struct({ role: Schema.Literal("household"), householdIds: Ids }),
  Schema.Struct({ role: Schema.Literal("applicant"), idIndex: Schema.String }),
  Schema.Struct({ role: Schema.Literal("system"), districts: Districts }),
])
const Permissions = Schema.Array(Schema.Literals(PERMISSIONS))

class Abort {
  constructor(readonly reason: IdentityStoreErrorReason) {}
}
const abort = (reason: IdentityStoreErrorReason): never => {
  throw new Abort(reason)
}

const decode = <S extends Schema.Top>(schema: S, value: unknown, what: string): S["Type"] => {
  // Both drivers (pg, PGlite) hand jsonb over parsed.
  const r = Schema.decodeUnknownResult(schema as never)(value)
  return Result.isSuccess(r)
    ? (r.success as S["Type"])
    : abort({ _tag: "Unavailable", detail: `a stored ${what} does not decode: ${String(r.failure)}` })
}

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/**
 * 23505 → Conflict (entity by constraint), 23503 → NotFound user (a session for a missing user),
 * 23514/23502/22xxx → Rejected, 40001/40P01 and anything else → Unavailable.
 */
export const classifyIdentityError = (e: unknown): IdentityStoreErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = field(e, "code")
  const constraint = field(e, "constraint") ?? ""
  const message = field(e, "message") ?? String(e)
  if (code === "23505") {
    const entity = constraint.startsWith("identity_roles")
      ? "role"
      : constraint.startsWith("identity_api_keys")
        ? "apiKey"
        : constraint.startsWith("identity_sessions")
          ? "session"
          : "user"
    return { _tag: "Conflict", entity, id: "" }
  }
  if (code === "23503") return { _tag: "NotFound", entity: "user", id: "" }
  if (code === "23514" || code === "23502" || code?.startsWith("22") === true)
    return { _tag: "Rejected", detail: `${code}: ${constraint || message}` }
  return { _tag: "Unavailable", detail: code === undefined ? message : `${code}: ${message}` }
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => new IdentityStoreError({ reason: classifyIdentityError(e) }),
  }).pipe(
    Effect.retry({
      while: (e: IdentityStoreError) =>
        e.reason._tag === "Unavailable" && /^40(001|P01)/u.test(e.reason.detail),
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const json = (v: unknown) => JSON.stringify(v)
const num = (v: string | number) => Number(v)
const numOrNull = (v: string | number | null) => (v === null ? null : Number(v))

type Row<T extends keyof IdentityTables> = {
  [K in keyof IdentityTables[T]]: IdentityTables[T][K] extends { __select__: infer S }
    ? S
    : IdentityTables[T][K]
}

const userOf = (r: Row<"identity_users">): User => ({
  id: r.id,
  login: r.login,
  displayName: r.display_name,
  scope: decode(Scope, r.scope, "user scope") as User["scope"],
  roles: decode(Ids, r.roles, "role list"),
  status: r.status === "disabled" ? "disabled" : "active",
  passwordHash: r.password_hash,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
})

const userRow = (u: User) => ({
  id: u.id,
  login: u.login,
  display_name: u.displayName,
  scope: json(u.scope),
  roles: json(u.roles),
  status: u.status,
  password_hash: u.passwordHash,
  created_at: u.createdAt,
  updated_at: u.updatedAt,
})

const sessionOf = (r: Row<"identity_sessions">): Session => ({
  digest: r.digest,
  userId: r.user_id,
  issuedAt: num(r.issued_at),
  expiresAt: num(r.expires_at),
  revokedAt: numOrNull(r.revoked_at),
})

const keyOf = (r: Row<"identity_api_keys">): ApiKeyRecord => ({
  id: r.id,
  label: r.label,
  digest: r.digest,
  districts: decode(Districts, r.districts, "district list"),
  roles: decode(Ids, r.roles, "role list"),
  createdAt: num(r.created_at),
  createdBy: r.created_by,
  revokedAt: numOrNull(r.revoked_at),
})

const roleOf = (r: Row<"identity_roles">): StoredRole => ({
  name: r.name,
  description: r.description,
  permissions: decode(Permissions, r.permissions, "permission list"),
  updatedAt: num(r.updated_at),
})

/** The IdentityStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db: Kysely<Database & IdentityTables> = database.db
    .withTables<IdentityTables>()
    .withSchema(database.schema)

  return IdentityStore.of({
    createUser: (user) =>
      run(() =>
        db
          .insertInto("identity_users")
          .values(userRow(user))
          .execute()
          .then(() => {}),
      ),
    updateUser: (user) =>
      run(async () => {
        const r = await db
          .updateTable("identity_users")
          .set(userRow(user))
          .where("id", "=", user.id)
          .executeTakeFirst()
        if (r.numUpdatedRows !== 1n) abort({ _tag: "NotFound", entity: "user", id: user.id })
      }),
    getUser: (id) =>
      run(async () => {
        const r = await db.selectFrom("identity_users").selectAll().where("id", "=", id).executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(userOf(r))
      }),
    findUserByLogin: (login) =>
      run(async () => {
        const r = await db
          .selectFrom("identity_users")
          .selectAll()
          .where("login", "=", login)
          .executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(userOf(r))
      }),
    listUsers: () =>
      run(async () =>
        (await db.selectFrom("identity_users").selectAll().orderBy(sql`id collate "C"`).execute()).map(
          userOf,
        ),
      ),

    createRole: (role) =>
      run(() =>
        db
          .insertInto("identity_roles")
          .values({
            name: role.name,
            description: role.description,
            permissions: json(role.permissions),
            updated_at: role.updatedAt,
          })
          .execute()
          .then(() => {}),
      ),
    updateRole: (role) =>
      run(async () => {
        const r = await db
          .updateTable("identity_roles")
          .set({
            description: role.description,
            permissions: json(role.permissions),
            updated_at: role.updatedAt,
          })
          .where("name", "=", role.name)
          .executeTakeFirst()
        if (r.numUpdatedRows !== 1n) abort({ _tag: "NotFound", entity: "role", id: role.name })
      }),
    listRoles: () =>
      run(async () =>
        (await db.selectFrom("identity_roles").selectAll().orderBy(sql`name collate "C"`).execute()).map(
          roleOf,
        ),
      ),

    createSession: (s) =>
      run(() =>
        db
          .insertInto("identity_sessions")
          .values({
            digest: s.digest,
            user_id: s.userId,
            issued_at: s.issuedAt,
            expires_at: s.expiresAt,
            revoked_at: s.revokedAt,
          })
          .execute()
          .then(() => {}),
      ),
    findSession: (digest) =>
      run(async () => {
        const r = await db
          .selectFrom("identity_sessions")
          .selectAll()
          .where("digest", "=", digest)
          .executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(sessionOf(r))
      }),
    revokeSession: (digest, at) =>
      run(async () => {
        const r = await db
          .updateTable("identity_sessions")
          .set({ revoked_at: sql<number>`coalesce(revoked_at, ${at})` })
          .where("digest", "=", digest)
          .executeTakeFirst()
        return r.numUpdatedRows === 1n
      }),
    revokeUserSessions: (userId, at) =>
      run(async () => {
        const r = await db
          .updateTable("identity_sessions")
          .set({ revoked_at: at })
          .where("user_id", "=", userId)
          .where("revoked_at", "is", null)
          .executeTakeFirst()
        return Number(r.numUpdatedRows)
      }),

    createApiKey: (k) =>
      run(() =>
        db
          .insertInto("identity_api_keys")
          .values({
            id: k.id,
            label: k.label,
            digest: k.digest,
            districts: json(k.districts),
            roles: json(k.roles),
            created_at: k.createdAt,
            created_by: k.createdBy,
            revoked_at: k.revokedAt,
          })
          .execute()
          .then(() => {}),
      ),
    findApiKey: (digest) =>
      run(async () => {
        const r = await db
          .selectFrom("identity_api_keys")
          .selectAll()
          .where("digest", "=", digest)
          .executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(keyOf(r))
      }),
    listApiKeys: () =>
      run(async () =>
        (await db.selectFrom("identity_api_keys").selectAll().orderBy(sql`id collate "C"`).execute()).map(
          keyOf,
        ),
      ),
    revokeApiKey: (id, at) =>
      run(async () => {
        const r = await db
          .updateTable("identity_api_keys")
          .set({ revoked_at: sql<number>`coalesce(revoked_at, ${at})` })
          .where("id", "=", id)
          .executeTakeFirst()
        if (r.numUpdatedRows !== 1n) abort({ _tag: "NotFound", entity: "apiKey", id })
      }),

    appendLogin: (rec) =>
      run(() =>
        db
          .insertInto("identity_logins")
          .values({ at: rec.at, login: rec.login, user_id: rec.userId, ip: rec.ip, outcome: rec.outcome })
          .execute()
          .then(() => {}),
      ),
    listLogins: (q) =>
      run(async () => {
        const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)))
        const rows = await db
          .selectFrom("identity_logins")
          .selectAll()
          .$if(q.login !== undefined, (qb) => qb.where("login", "=", q.login!))
          .$if(q.userId !== undefined, (qb) => qb.where("user_id", "=", q.userId!))
          .$if(q.since !== undefined, (qb) => qb.where("at", ">=", q.since!))
          .$if(q.until !== undefined, (qb) => qb.where("at", "<", q.until!))
          .$if(q.outcomes !== undefined, (qb) =>
            qb.where("outcome", "=", sql<string>`any(${[...q.outcomes!]}::text[])`),
          )
          .orderBy("at", "desc")
          .orderBy("seq", "desc")
          .limit(limit)
          .execute()
        return rows.map(
          (r): LoginRecord => ({
            at: num(r.at),
            login: r.login,
            userId: r.user_id,
            ip: r.ip,
            outcome: r.outcome === "success" ? "success" : r.outcome === "locked" ? "locked" : "failure",
          }),
        )
      }),
  })
})

/** IdentityStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<IdentityStore, never, PgDatabase> = Layer.effect(IdentityStore, make)
