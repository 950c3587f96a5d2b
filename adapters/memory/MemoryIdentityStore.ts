/**
 * In-memory IdentityStore: the reference implementation the contract suite is written against. Each call
 * checks before it mutates, so it is atomic; JavaScript's single thread makes each call serialisable.
 * Values are cloned in and out (no aliasing). The login log is an append-only array.
 */
import { Effect, Layer, Option } from "effect"
import type { User } from "../../domain/access/Identity.js"
import {
  type ApiKeyRecord,
  IdentityStore,
  IdentityStoreError,
  type LoginRecord,
  type Session,
  type StoredRole,
} from "../../application/ports/IdentityStore.js"

const fail = (reason: IdentityStoreError["reason"]) => Effect.fail(new IdentityStoreError({ reason }))
const byKey =
  <T>(k: (t: T) => string) =>
  (a: T, b: T) =>
    k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0
const clone = structuredClone

export const make = Effect.sync((): IdentityStore["Service"] => {
  const users = new Map<string, User>()
  const roles = new Map<string, StoredRole>()
  const sessions = new Map<string, Session>()
  const keys = new Map<string, ApiKeyRecord>()
  const logins: Array<LoginRecord> = []
  const loginTaken = (login: string, except: string | null) =>
    [...users.values()].some((u) => u.login === login && u.id !== except)

  return {
    createUser: (user) =>
      Effect.suspend(() => {
        if (users.has(user.id)) return fail({ _tag: "Conflict", entity: "user", id: user.id })
        if (loginTaken(user.login, null)) return fail({ _tag: "Conflict", entity: "user", id: user.login })
        users.set(user.id, clone(user))
        return Effect.void
      }),
    updateUser: (user) =>
      Effect.suspend(() => {
        if (!users.has(user.id)) return fail({ _tag: "NotFound", entity: "user", id: user.id })
        if (loginTaken(user.login, user.id)) return fail({ _tag: "Conflict", entity: "user", id: user.login })
        users.set(user.id, clone(user))
        return Effect.void
      }),
    getUser: (id) => Effect.sync(() => Option.map(Option.fromUndefinedOr(users.get(id)), clone)),
    findUserByLogin: (login) =>
      Effect.sync(() =>
        Option.map(Option.fromUndefinedOr([...users.values()].find((u) => u.login === login)), clone),
      ),
    listUsers: () => Effect.sync(() => clone([...users.values()].sort(byKey((u) => u.id)))),

    createRole: (role) =>
      Effect.suspend(() => {
        if (roles.has(role.name)) return fail({ _tag: "Conflict", entity: "role", id: role.name })
        roles.set(role.name, clone(role))
        return Effect.void
      }),
    updateRole: (role) =>
      Effect.suspend(() => {
        if (!roles.has(role.name)) return fail({ _tag: "NotFound", entity: "role", id: role.name })
        roles.set(role.name, clone(role))
        return Effect.void
      }),
    listRoles: () => Effect.sync(() => clone([...roles.values()].sort(byKey((r) => r.name)))),

    createSession: (s) =>
      Effect.suspend(() => {
        if (sessions.has(s.digest)) return fail({ _tag: "Conflict", entity: "session", id: "" })
        sessions.set(s.digest, clone(s))
        return Effect.void
      }),
    findSession: (digest) =>
      Effect.sync(() => Option.map(Option.fromUndefinedOr(sessions.get(digest)), clone)),
    revokeSession: (digest, at) =>
      Effect.sync(() => {
        const s = sessions.get(digest)
        if (s === undefined) return false
        if (s.revokedAt === null) sessions.set(digest, { ...s, revokedAt: at })
        return true
      }),
    revokeUserSessions: (userId, at) =>
      Effect.sync(() => {
        let n = 0
        for (const [d, s] of sessions)
          if (s.userId === userId && s.revokedAt === null) {
            sessions.set(d, { ...s, revokedAt: at })
            n++
          }
        return n
      }),

    createApiKey: (k) =>
      Effect.suspend(() => {
        if (keys.has(k.id)) return fail({ _tag: "Conflict", entity: "apiKey", id: k.id })
        if ([...keys.values()].some((x) => x.digest === k.digest))
          return fail({ _tag: "Conflict", entity: "apiKey", id: k.id })
        keys.set(k.id, clone(k))
        return Effect.void
      }),
    findApiKey: (digest) =>
      Effect.sync(() =>
        Option.map(Option.fromUndefinedOr([...keys.values()].find((k) => k.digest === digest)), clone),
      ),
    listApiKeys: () => Effect.sync(() => clone([...keys.values()].sort(byKey((k) => k.id)))),
    revokeApiKey: (id, at) =>
      Effect.suspend(() => {
        const k = keys.get(id)
        if (k === undefined) return fail({ _tag: "NotFound", entity: "apiKey", id })
        if (k.revokedAt === null) keys.set(id, { ...k, revokedAt: at })
        return Effect.void
      }),

    appendLogin: (r) =>
      Effect.sync(() => {
        logins.push(clone(r))
      }),
    listLogins: (q) =>
      Effect.sync(() => {
        const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)))
        const out: Array<LoginRecord> = []
        // Newest first; among equal times the latest appended first.
        const ordered = logins.map((r, i) => ({ r, i })).sort((a, b) => b.r.at - a.r.at || b.i - a.i)
        for (const { r } of ordered) {
          if (out.length >= limit) break
          if (q.login !== undefined && r.login !== q.login) continue
          if (q.userId !== undefined && r.userId !== q.userId) continue
          if (q.since !== undefined && r.at < q.since) continue
          if (q.until !== undefined && r.at >= q.until) continue
          if (q.outcomes !== undefined && !q.outcomes.includes(r.outcome)) continue
          out.push(clone(r))
        }
        return out
      }),
  }
})

export const layer = Layer.effect(IdentityStore, make)
