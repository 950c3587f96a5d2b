/**
 * Identity use-cases over the memory store (seed 003 #219–#232): login issues a session whose actor holds
 * the union of its roles' permissions; unknown names and wrong passwords answer alike and both count
 * toward lockout (#221, R158); logout, disable and revocation are effective at the next look-up; sessions
 * expire; managers need identity.manage, stay within their district and cannot grant beyond their own
 * permissions; custom roles apply to live sessions; API keys are shown once and revocable.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as MemoryIdentityStore from "../../adapters/memory/MemoryIdentityStore.js"
import * as MemoryPasswordHasher from "../../adapters/memory/MemoryPasswordHasher.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { type Actor, DEFAULT_PERMISSIONS } from "../../domain/access/Access.js"
import { IdentityStore } from "../ports/IdentityStore.js"
import { apiKeyActor, login, logout, secretDigest, sessionActor } from "./Login.js"
import {
  assignRoles,
  createRole,
  createUser,
  disableUser,
  enableUser,
  issueApiKey,
  listLoginLog,
  listUsers,
  revokeApiKey,
  revokeSessions,
  updateRole,
} from "./ManageIdentity.js"

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0)
const MIN = 60_000
const pw = (s: string) => Redacted.make(s)
const GOOD = "安居工程-correct-horse"

/** A city administrator holding every city permission (DEFAULT_PERMISSIONS follows the model as it grows). */
const admin: Actor = { role: "city", id: "root", permissions: DEFAULT_PERMISSIONS.city }
/** A district administrator: the district officer's permissions plus identity management. */
const districtAdmin: Actor = {
  role: "district",
  id: "pd-admin",
  district: "310115",
  permissions: [...DEFAULT_PERMISSIONS.district, "identity.manage"],
}
const officer: Actor = { role: "district", id: "pd-1", district: "310115" }

const services = () =>
  Layer.mergeAll(MemoryIdentityStore.layer, MemoryPasswordHasher.layer, SeededSecureRandom.layer(7))

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined
const tagOf = <A, E>(exit: Exit.Exit<A, E>) => (failureOf(exit) as { _tag?: string } | undefined)?._tag

const setup = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  yield* createUser(admin, {
    id: "u-pd-1",
    login: "Zhang.San",
    displayName: "张三",
    scope: { role: "district", district: "310115" },
    roles: ["district-officer"],
    password: pw(GOOD),
  })
})

const tryLogin = (name: string, password: string) =>
  Effect.exit(login({ login: name, password: pw(password), ip: "203.0.113.9" }))

describe("login and sessions", () => {
  it.effect("a session token's actor has the user's scope and exactly its roles' permissions", () =>
    Effect.gen(function* () {
      yield* setup
      const granted = yield* login({ login: " zhang.SAN ", password: pw(GOOD), ip: "203.0.113.9" })
      const token = Redacted.value(granted.token)
      expect(token).toMatch(/^anju_s_[0-9a-f]{64}$/u)
      expect(granted.expiresAt).toBe(T0 + 8 * 3_600_000)
      // Only the digest is stored.
      const stored = yield* (yield* IdentityStore).findSession(secretDigest(token))
      expect(Option.getOrUndefined(stored)?.userId).toBe("u-pd-1")
      expect(Option.isNone(yield* (yield* IdentityStore).findSession(token))).toBe(true)
      const actor = Option.getOrThrow(yield* sessionActor(token))
      expect(actor).toMatchObject({ role: "district", id: "u-pd-1", district: "310115" })
      expect(actor.permissions).toContain("cases.command")
      expect(actor.permissions).not.toContain("identity.manage")
      yield* assignRoles(admin, "u-pd-1", ["district-officer", "fund-officer"])
      expect(Option.getOrThrow(yield* sessionActor(token)).permissions).toContain("fund.write")
      // Expiry.
      yield* TestClock.adjust(8 * 60 * MIN)
      expect(Option.isNone(yield* sessionActor(token))).toBe(true)
    }).pipe(Effect.provide(services())),
  )

  it.effect("unknown login names and wrong passwords answer alike and both count toward lockout", () =>
    Effect.gen(function* () {
      yield* setup
      const unknown = yield* tryLogin("nobody", GOOD)
      const wrong = yield* tryLogin("zhang.san", "wrong-password-123")
      expect(failureOf(unknown)).toEqual(failureOf(wrong))
      expect(tagOf(unknown)).toBe("LoginFailed")
      for (let i = 0; i < 4; i++) yield* tryLogin("nobody", "x")
      expect(tagOf(yield* tryLogin("nobody", "x"))).toBe("LoginLocked")
      const log = yield* listLoginLog(admin, { login: "nobody" })
      expect(log.map((r) => r.outcome)).toEqual([
        "locked",
        "failure",
        "failure",
        "failure",
        "failure",
        "failure",
      ])
      expect(log.every((r) => r.userId === null && r.ip === "203.0.113.9")).toBe(true)
    }).pipe(Effect.provide(services())),
  )

  it.effect("5 failures lock the name for 30 minutes, even for the right password; then it is admitted", () =>
    Effect.gen(function* () {
      yield* setup
      for (let i = 0; i < 5; i++) {
        expect(tagOf(yield* tryLogin("zhang.san", `wrong-password-${i}`))).toBe("LoginFailed")
        yield* TestClock.adjust(MIN)
      }
      const locked = yield* tryLogin("zhang.san", GOOD)
      expect(failureOf(locked)).toMatchObject({ _tag: "LoginLocked", retryAfterSeconds: 29 * 60 })
      // A flood of attempts during the lock neither extends nor hides it.
      for (let i = 0; i < 20; i++) yield* tryLogin("zhang.san", GOOD)
      yield* TestClock.adjust(29 * MIN - 1)
      expect(tagOf(yield* tryLogin("zhang.san", GOOD))).toBe("LoginLocked")
      yield* TestClock.adjust(1)
      expect(Exit.isSuccess(yield* tryLogin("zhang.san", GOOD))).toBe(true)
    }).pipe(Effect.provide(services())),
  )

  it.effect("logout, revocation and disabling take effect at the next look-up", () =>
    Effect.gen(function* () {
      yield* setup
      const t1 = (yield* login({ login: "zhang.san", password: pw(GOOD), ip: "" })).token
      const t2 = (yield* login({ login: "zhang.san", password: pw(GOOD), ip: "" })).token
      const t3 = (yield* login({ login: "zhang.san", password: pw(GOOD), ip: "" })).token
      expect(yield* logout(t1)).toBe(true)
      expect(Option.isNone(yield* sessionActor(Redacted.value(t1)))).toBe(true)
      expect(Option.isSome(yield* sessionActor(Redacted.value(t2)))).toBe(true)
      expect(yield* revokeSessions(admin, "u-pd-1")).toBe(2)
      expect(Option.isNone(yield* sessionActor(Redacted.value(t2)))).toBe(true)
      expect(Option.isNone(yield* sessionActor(Redacted.value(t3)))).toBe(true)
      const t4 = (yield* login({ login: "zhang.san", password: pw(GOOD), ip: "" })).token
      yield* disableUser(admin, "u-pd-1")
      expect(Option.isNone(yield* sessionActor(Redacted.value(t4)))).toBe(true)
      expect(tagOf(yield* tryLogin("zhang.san", GOOD))).toBe("LoginFailed")
      yield* enableUser(admin, "u-pd-1")
      expect(Exit.isSuccess(yield* tryLogin("zhang.san", GOOD))).toBe(true)
    }).pipe(Effect.provide(services())),
  )
})

describe("dormant accounts (R158)", () => {
  it.effect(
    "no login for more than 90 days fails like a wrong password until an administrator re-enables",
    () =>
      Effect.gen(function* () {
        yield* setup
        expect(Exit.isSuccess(yield* tryLogin("zhang.san", GOOD))).toBe(true)
        yield* TestClock.adjust(90 * 24 * 60 * MIN)
        expect(Exit.isSuccess(yield* tryLogin("zhang.san", GOOD))).toBe(true)
        yield* TestClock.adjust(90 * 24 * 60 * MIN + 1)
        expect(tagOf(yield* tryLogin("zhang.san", GOOD))).toBe("LoginFailed")
        yield* enableUser(admin, "u-pd-1")
        expect(Exit.isSuccess(yield* tryLogin("zhang.san", GOOD))).toBe(true)
      }).pipe(Effect.provide(services())),
  )
})

describe("management", () => {
  it.effect("needs identity.manage; district managers stay in their district and cannot escalate", () =>
    Effect.gen(function* () {
      yield* setup
      const user = {
        id: "u-x",
        login: "wang.wu",
        displayName: "王五",
        scope: { role: "district" as const, district: "310115" },
        roles: ["district-officer"],
        password: pw(GOOD),
      }
      expect(failureOf(yield* Effect.exit(createUser(officer, user)))).toMatchObject({
        _tag: "AccessDenied",
        permission: "identity.manage",
      })
      expect(tagOf(yield* Effect.exit(createUser(districtAdmin, { ...user, scope: { role: "city" } })))).toBe(
        "AccessDenied",
      )
      expect(
        failureOf(yield* Effect.exit(createUser(districtAdmin, { ...user, roles: ["city-admin"] }))),
      ).toMatchObject({
        _tag: "IdentityInputRejected",
        field: "roles",
        rule: "no_escalation",
      })
      yield* createUser(districtAdmin, user)
      yield* createUser(admin, {
        ...user,
        id: "u-xh",
        login: "xu.hui",
        scope: { role: "district", district: "310104" },
      })
      expect((yield* listUsers(districtAdmin)).map((u) => u.id)).toEqual(["u-pd-1", "u-x"])
      expect((yield* listUsers(admin)).map((u) => u.id)).toEqual(["u-pd-1", "u-x", "u-xh"])
      expect((yield* listUsers(admin)).every((u) => !("passwordHash" in u))).toBe(true)
      // Another district's user answers as missing.
      expect(failureOf(yield* Effect.exit(disableUser(districtAdmin, "u-xh")))).toMatchObject({
        _tag: "IdentityNotFound",
        entity: "user",
      })
      expect(failureOf(yield* Effect.exit(disableUser(districtAdmin, "u-none")))).toMatchObject({
        _tag: "IdentityNotFound",
        entity: "user",
      })
      expect(tagOf(yield* Effect.exit(createUser(admin, { ...user, id: "u-y" })))).toBe("IdentityConflict")
      expect(
        failureOf(
          yield* Effect.exit(
            createUser(admin, { ...user, id: "u-z", login: "zz.zz", password: pw("short") }),
          ),
        ),
      ).toMatchObject({
        _tag: "IdentityInputRejected",
        field: "password",
        rule: "too_short",
      })
      expect(
        failureOf(
          yield* Effect.exit(createUser(admin, { ...user, id: "u-z", login: "zz.zz", roles: ["nope"] })),
        ),
      ).toMatchObject({
        rule: "known_role",
      })
    }).pipe(Effect.provide(services())),
  )

  it.effect("custom roles: created, granted, updated (live sessions follow); built-ins cannot change", () =>
    Effect.gen(function* () {
      yield* setup
      yield* createRole(admin, { name: "stock-viewer", description: "房源查询", permissions: ["stock.read"] })
      yield* assignRoles(admin, "u-pd-1", ["stock-viewer"])
      const token = Redacted.value((yield* login({ login: "zhang.san", password: pw(GOOD), ip: "" })).token)
      expect(Option.getOrThrow(yield* sessionActor(token)).permissions).toEqual(["stock.read"])
      yield* updateRole(admin, {
        name: "stock-viewer",
        description: "房源查询",
        permissions: ["stock.read", "cases.read"],
      })
      expect(Option.getOrThrow(yield* sessionActor(token)).permissions).toEqual(["stock.read", "cases.read"])
      expect(
        tagOf(yield* Effect.exit(updateRole(admin, { name: "auditor", description: "x", permissions: [] }))),
      ).toBe("IdentityConflict")
      expect(
        tagOf(
          yield* Effect.exit(createRole(admin, { name: "stock-viewer", description: "x", permissions: [] })),
        ),
      ).toBe("IdentityConflict")
      expect(
        failureOf(
          yield* Effect.exit(
            createRole(admin, { name: "x-role", description: "x", permissions: ["stock.delete"] }),
          ),
        ),
      ).toMatchObject({
        rule: "known_permission",
      })
      expect(
        tagOf(yield* Effect.exit(updateRole(admin, { name: "no-role", description: "x", permissions: [] }))),
      ).toBe("IdentityNotFound")
    }).pipe(Effect.provide(services())),
  )

  it.effect("API keys: shown once, stored as a digest, system scope with its roles, revocable at once", () =>
    Effect.gen(function* () {
      yield* setup
      const issued = yield* issueApiKey(admin, {
        id: "minzheng",
        label: "民政局",
        districts: ["310115"],
        roles: ["system"],
      })
      const key = Redacted.value(issued.key)
      expect(key).toMatch(/^anju_k_[0-9a-f]{64}$/u)
      expect(JSON.stringify(issued.apiKey)).not.toContain(key.slice(7))
      expect(Option.getOrThrow(yield* apiKeyActor(key))).toMatchObject({
        role: "system",
        id: "minzheng",
        districts: ["310115"],
      })
      yield* revokeApiKey(admin, "minzheng")
      expect(Option.isNone(yield* apiKeyActor(key))).toBe(true)
      expect(
        tagOf(
          yield* Effect.exit(
            issueApiKey(districtAdmin, { id: "k2", label: "x", districts: "all", roles: [] }),
          ),
        ),
      ).toBe("AccessDenied")
    }).pipe(Effect.provide(services())),
  )
})
