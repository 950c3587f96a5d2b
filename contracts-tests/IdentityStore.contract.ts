/**
 * Contract suite for the IdentityStore port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this
 * file through `suite(name, layer)`: user round trips with unique ids and login names, role create/update,
 * sessions and API keys by digest with immediate revocation, and the append-only login log queried newest
 * first with filters. Ids carry a fresh tag so runs may share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import type { User } from "../domain/access/Identity.js"
import {
  type ApiKeyRecord,
  IdentityStore,
  type IdentityStoreError,
  type LoginRecord,
} from "../application/ports/IdentityStore.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

export const sampleUser = (id: string, patch: Partial<User> = {}): User => ({
  id,
  login: id.toLowerCase(),
  displayName: "张三",
  scope: { role: "district", district: "310115" },
  roles: ["district-officer"],
  status: "active",
  passwordHash: "fast$00$11",
  createdAt: 1_770_000_000_000,
  updatedAt: 1_770_000_000_000,
  ...patch,
})

const reasonOf = <A>(exit: Exit.Exit<A, IdentityStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

const hexOf = (tag: string, n = 0) =>
  Array.from(`${tag}:${n}`, (c) => c.charCodeAt(0).toString(16))
    .join("")
    .padEnd(64, "0")
    .slice(0, 64)

export const suite = (name: string, storeLayer: Layer.Layer<IdentityStore, unknown>) =>
  describe(`IdentityStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("users round-trip every scope kind unchanged; ids and login names are unique", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("u")
          const scopes: ReadonlyArray<User["scope"]> = [
            { role: "city" },
            { role: "district", district: "310104" },
            { role: "operator", projectIds: ["P-1", "P-2"] },
            { role: "propertyArea", areaIds: ["A-1"] },
            { role: "household", householdIds: ["H-1"] },
            { role: "applicant", idIndex: "ab".repeat(16) },
            { role: "system", districts: "all" },
            { role: "system", districts: ["310115"] },
          ]
          for (const [i, scope] of scopes.entries()) {
            const u = sampleUser(`U-${tag}-${i}`, { scope, passwordHash: i === 0 ? null : "x$y", roles: [] })
            yield* store.createUser(u)
            expect(Option.getOrUndefined(yield* store.getUser(u.id))).toEqual(u)
            expect(Option.getOrUndefined(yield* store.findUserByLogin(u.login))).toEqual(u)
          }
          const first = sampleUser(`U-${tag}-0`)
          expect(
            reasonOf(yield* Effect.exit(store.createUser({ ...first, login: `other-${tag}` }))),
          ).toMatchObject({
            _tag: "Conflict",
            entity: "user",
          })
          expect(
            reasonOf(yield* Effect.exit(store.createUser(sampleUser(`U-${tag}-x`, { login: first.login })))),
          ).toMatchObject({ _tag: "Conflict", entity: "user" })
          expect(Option.isNone(yield* store.getUser(`U-${tag}-x`))).toBe(true)
          expect(Option.isNone(yield* store.findUserByLogin(`nobody-${tag}`))).toBe(true)
          const listed = (yield* store.listUsers()).filter((u) => u.id.startsWith(`U-${tag}-`))
          expect(listed.map((u) => u.id)).toEqual(scopes.map((_, i) => `U-${tag}-${i}`))
        }),
      )

      it.effect("updateUser replaces the user; missing → NotFound; a taken login → Conflict", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("upd")
          const a = sampleUser(`A-${tag}`)
          const b = sampleUser(`B-${tag}`)
          yield* store.createUser(a)
          yield* store.createUser(b)
          const changed = {
            ...a,
            status: "disabled" as const,
            roles: ["auditor", "fund-officer"],
            updatedAt: a.updatedAt + 1,
          }
          yield* store.updateUser(changed)
          expect(Option.getOrUndefined(yield* store.getUser(a.id))).toEqual(changed)
          expect(reasonOf(yield* Effect.exit(store.updateUser(sampleUser(`C-${tag}`))))).toMatchObject({
            _tag: "NotFound",
            entity: "user",
          })
          expect(reasonOf(yield* Effect.exit(store.updateUser({ ...a, login: b.login })))).toMatchObject({
            _tag: "Conflict",
          })
          expect(Option.getOrUndefined(yield* store.getUser(a.id))?.login).toBe(a.login)
        }),
      )

      it.effect("custom roles: create, conflict on the name, update, NotFound for a missing one", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("r")
            .toLowerCase()
            .replace(/[^a-z0-9-]/gu, "-")
          const role = {
            name: `r-${tag}`,
            description: "查询员",
            permissions: ["stock.read" as const],
            updatedAt: 1,
          }
          yield* store.createRole(role)
          expect((yield* store.listRoles()).find((r) => r.name === role.name)).toEqual(role)
          expect(reasonOf(yield* Effect.exit(store.createRole(role)))).toMatchObject({
            _tag: "Conflict",
            entity: "role",
          })
          const updated = {
            ...role,
            permissions: ["stock.read" as const, "cases.read" as const],
            updatedAt: 2,
          }
          yield* store.updateRole(updated)
          expect((yield* store.listRoles()).find((r) => r.name === role.name)).toEqual(updated)
          expect(
            reasonOf(yield* Effect.exit(store.updateRole({ ...role, name: `${role.name}-x` }))),
          ).toMatchObject({
            _tag: "NotFound",
            entity: "role",
          })
        }),
      )

      it.effect("sessions by digest; revocation is visible at once and an earlier one stands", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("s")
          const user = sampleUser(`S-${tag}`)
          yield* store.createUser(user)
          const s1 = {
            digest: hexOf(tag, 1),
            userId: user.id,
            issuedAt: 10,
            expiresAt: 1000,
            revokedAt: null,
          }
          const s2 = { ...s1, digest: hexOf(tag, 2) }
          const s3 = { ...s1, digest: hexOf(tag, 3) }
          yield* store.createSession(s1)
          yield* store.createSession(s2)
          yield* store.createSession(s3)
          expect(Option.getOrUndefined(yield* store.findSession(s1.digest))).toEqual(s1)
          expect(reasonOf(yield* Effect.exit(store.createSession(s1)))).toMatchObject({ _tag: "Conflict" })
          expect(yield* store.revokeSession(s1.digest, 20)).toBe(true)
          expect(yield* store.revokeSession(s1.digest, 30)).toBe(true)
          expect(Option.getOrUndefined(yield* store.findSession(s1.digest))?.revokedAt).toBe(20)
          expect(yield* store.revokeSession(hexOf(`${tag}-none`), 20)).toBe(false)
          expect(yield* store.revokeUserSessions(user.id, 40)).toBe(2)
          expect(Option.getOrUndefined(yield* store.findSession(s2.digest))?.revokedAt).toBe(40)
          expect(Option.getOrUndefined(yield* store.findSession(s1.digest))?.revokedAt).toBe(20)
          expect(yield* store.revokeUserSessions(user.id, 50)).toBe(0)
          expect(Option.isNone(yield* store.findSession(hexOf(`${tag}-none`)))).toBe(true)
        }),
      )

      it.effect(
        "API keys by digest; unique id and digest; revocation at once; NotFound for a missing id",
        () =>
          Effect.gen(function* () {
            const store = yield* IdentityStore
            const tag = freshTag("k")
            const k1: ApiKeyRecord = {
              id: `K-${tag}`,
              label: "民政局核查系统",
              digest: hexOf(tag, 1),
              districts: ["310115", "310104"],
              roles: ["system"],
              createdAt: 5,
              createdBy: "admin",
              revokedAt: null,
            }
            const k2: ApiKeyRecord = {
              ...k1,
              id: `K-${tag}-2`,
              digest: hexOf(tag, 2),
              districts: "all",
              roles: [],
            }
            yield* store.createApiKey(k1)
            yield* store.createApiKey(k2)
            expect(Option.getOrUndefined(yield* store.findApiKey(k1.digest))).toEqual(k1)
            expect(Option.getOrUndefined(yield* store.findApiKey(k2.digest))).toEqual(k2)
            expect(
              reasonOf(yield* Effect.exit(store.createApiKey({ ...k1, digest: hexOf(tag, 3) }))),
            ).toMatchObject({
              _tag: "Conflict",
            })
            expect(
              reasonOf(yield* Effect.exit(store.createApiKey({ ...k1, id: `K-${tag}-3` }))),
            ).toMatchObject({
              _tag: "Conflict",
            })
            yield* store.revokeApiKey(k1.id, 9)
            yield* store.revokeApiKey(k1.id, 11)
            expect(Option.getOrUndefined(yield* store.findApiKey(k1.digest))?.revokedAt).toBe(9)
            expect(reasonOf(yield* Effect.exit(store.revokeApiKey(`K-${tag}-none`, 9)))).toMatchObject({
              _tag: "NotFound",
              entity: "apiKey",
            })
            const listed = (yield* store.listApiKeys()).filter((k) => k.id.startsWith(`K-${tag}`))
            expect(listed).toEqual([{ ...k1, revokedAt: 9 }, k2])
          }),
      )

      it.effect("concurrent creations of one login name: exactly one succeeds", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("race").toLowerCase()
          const exits = yield* Effect.all(
            Array.from({ length: 6 }, (_, i) =>
              Effect.exit(store.createUser(sampleUser(`R-${tag}-${i}`, { login: `race-${tag}` }))),
            ),
            { concurrency: "unbounded" },
          )
          expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
          expect(exits.filter(Exit.isFailure).map((e) => reasonOf(e)?._tag)).toEqual(
            Array(5).fill("Conflict"),
          )
        }),
      )

      it.effect(
        "law: listLogins is the matching records, newest first (ties: latest appended), at most limit",
        () =>
          Effect.gen(function* () {
            const store = yield* IdentityStore
            const samples = fc.sample(
              fc.record({
                records: fc.array(
                  fc.record({
                    at: fc.integer({ min: 0, max: 20 }),
                    who: fc.constantFrom("a", "b"),
                    outcome: fc.constantFrom("success" as const, "failure" as const, "locked" as const),
                  }),
                  { maxLength: 12 },
                ),
                since: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
                until: fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
                outcomes: fc.option(
                  fc.subarray(["success", "failure", "locked"] as const, { minLength: 1 }),
                  {
                    nil: undefined,
                  },
                ),
                limit: fc.integer({ min: 1, max: 15 }),
              }),
              { numRuns: 15, seed: 9 },
            )
            for (const s of samples) {
              const tag = freshTag("law").toLowerCase()
              const appended = s.records.map(
                (r, i): LoginRecord => ({
                  at: r.at,
                  login: `${r.who}-${tag}`,
                  userId: null,
                  ip: `10.0.0.${i}`,
                  outcome: r.outcome,
                }),
              )
              for (const r of appended) yield* store.appendLogin(r)
              const expected = appended
                .map((r, i) => ({ r, i }))
                .filter(
                  ({ r }) =>
                    r.login === `a-${tag}` &&
                    (s.since === undefined || r.at >= s.since) &&
                    (s.until === undefined || r.at < s.until) &&
                    (s.outcomes === undefined || s.outcomes.includes(r.outcome)),
                )
                .sort((x, y) => y.r.at - x.r.at || y.i - x.i)
                .slice(0, s.limit)
                .map(({ r }) => r)
              const got = yield* store.listLogins({
                login: `a-${tag}`,
                ...(s.since === undefined ? {} : { since: s.since }),
                ...(s.until === undefined ? {} : { until: s.until }),
                ...(s.outcomes === undefined ? {} : { outcomes: s.outcomes }),
                limit: s.limit,
              })
              expect(got).toEqual(expected)
            }
          }),
      )

      it.effect("login log: append-only, newest first, filtered by login, user, time range and outcome", () =>
        Effect.gen(function* () {
          const store = yield* IdentityStore
          const tag = freshTag("log").toLowerCase()
          const login = `l-${tag}`
          const rec = (
            at: number,
            outcome: LoginRecord["outcome"],
            userId: string | null = "u1",
          ): LoginRecord => ({
            at,
            login,
            userId,
            ip: "203.0.113.7",
            outcome,
          })
          const records = [
            rec(100, "failure", null),
            rec(200, "failure"),
            rec(200, "locked"),
            rec(300, "success"),
          ]
          for (const r of records) yield* store.appendLogin(r)
          yield* store.appendLogin({
            ...rec(250, "success"),
            login: `${login}-other`,
            userId: `other-${tag}`,
          })
          expect(yield* store.listLogins({ login, limit: 10 })).toEqual([
            records[3],
            records[2],
            records[1],
            records[0],
          ])
          expect(yield* store.listLogins({ login, since: 200, until: 300, limit: 10 })).toEqual([
            records[2],
            records[1],
          ])
          expect(yield* store.listLogins({ login, outcomes: ["failure", "success"], limit: 10 })).toEqual([
            records[3],
            records[1],
            records[0],
          ])
          expect(yield* store.listLogins({ login, limit: 2 })).toEqual([records[3], records[2]])
          expect(yield* store.listLogins({ userId: `other-${tag}`, limit: 10 })).toHaveLength(1)
        }),
      )
    })
  })
