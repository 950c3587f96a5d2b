/**
 * Identity rules: built-in roles, the permission union, the password policy, and the lockout law (#221,
 * R158) — checked against a brute-force oracle: no password is checked inside a lock window, and a correct
 * password is admitted once the window ends with no further failures.
 */
import { readFileSync } from "node:fs"
import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DEFAULT_PERMISSIONS, PERMISSIONS } from "./Access.js"
import {
  actorOfUser,
  admitLogin,
  BUILT_IN_ROLES,
  checkPassword,
  DEFAULT_LOCKOUT,
  type LockoutPolicy,
  type LoginAttempt,
  lockedUntil,
  permissionsOfRoles,
  type User,
} from "./Identity.js"

const MIN = 60_000

describe("roles", () => {
  it("built-in roles have distinct names and city-admin holds every permission", () => {
    expect(new Set(BUILT_IN_ROLES.map((r) => r.name)).size).toBe(BUILT_IN_ROLES.length)
    expect(BUILT_IN_ROLES.find((r) => r.name === "city-admin")?.permissions).toEqual(PERMISSIONS)
    expect(BUILT_IN_ROLES.find((r) => r.name === "district-officer")?.permissions).toEqual(
      PERMISSIONS.filter((p) => DEFAULT_PERMISSIONS.district.includes(p)),
    )
    expect(
      BUILT_IN_ROLES.find((r) => r.name === "auditor")?.permissions.every((p) => p.endsWith(".read")),
    ).toBe(true)
  })

  it("a user's actor has exactly the union of its roles' permissions, not its scope's defaults", () => {
    const user: User = {
      id: "u-1",
      login: "li.si",
      displayName: "李四",
      scope: { role: "city" },
      roles: ["auditor", "fund-officer", "no-such-role"],
      status: "active",
      passwordHash: null,
      createdAt: 0,
      updatedAt: 0,
    }
    const actor = actorOfUser(user, BUILT_IN_ROLES)
    expect(actor).toMatchObject({ role: "city", id: "u-1" })
    expect(actor.permissions).toContain("fund.write")
    expect(actor.permissions).toContain("audit.read")
    expect(actor.permissions).not.toContain("identity.manage")
    expect(actorOfUser({ ...user, roles: [] }, BUILT_IN_ROLES).permissions).toEqual([])
    fc.assert(
      fc.property(fc.subarray(BUILT_IN_ROLES.map((r) => r.name)), (names) => {
        const ps = permissionsOfRoles(names, BUILT_IN_ROLES)
        const expected = new Set(
          BUILT_IN_ROLES.filter((r) => names.includes(r.name)).flatMap((r) => r.permissions),
        )
        expect(new Set(ps)).toEqual(expected)
        expect(ps.length).toBe(expected.size)
      }),
    )
  })
})

describe("docs/security.md", () => {
  it("its roles table is exactly BUILT_IN_ROLES", () => {
    const doc = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8")
    const table = doc.split("<!-- roles-table:start")[1]!.split("<!-- roles-table:end")[0]!
    const rows = table.split("\n").filter((l) => l.startsWith("| `"))
    const header = table.split("\n").find((l) => l.startsWith("| Permission"))!
    const names = header
      .split("|")
      .slice(2, -1)
      .map((c) => c.trim())
    expect(names).toEqual(BUILT_IN_ROLES.map((r) => r.name))
    expect(rows.map((r) => r.split("`")[1])).toEqual(PERMISSIONS)
    for (const row of rows) {
      const p = row.split("`")[1]!
      const marks = row
        .split("|")
        .slice(2, -1)
        .map((c) => c.trim() === "✓")
      expect(marks, p).toEqual(BUILT_IN_ROLES.map((r) => r.permissions.includes(p as never)))
    }
  })
})

describe("password policy", () => {
  it("requires 12 characters, refuses the login name and one repeated character", () => {
    expect(checkPassword("short-pass1", "li.si")).toEqual(Result.fail("too_short"))
    expect(checkPassword("Li.Si-2026-password", "li.si")).toEqual(Result.fail("equals_login"))
    expect(checkPassword("aaaaaaaaaaaaaa", "li.si")).toEqual(Result.fail("one_character"))
    expect(checkPassword("住房保障安居工程二零二六年", "li.si")).toEqual(Result.void)
    expect(checkPassword("correct horse battery", "li.si")).toEqual(Result.void)
  })
})

describe("lockout (#221, R158)", () => {
  const fail = (at: number): LoginAttempt => ({ at, outcome: "failure" })

  it("5 failures within 15 minutes lock for 30 minutes; 4, or 5 spread over 20 minutes, do not", () => {
    const five = [0, 1, 2, 3, 14].map((m) => fail(m * MIN))
    expect(admitLogin(five, 14 * MIN + 1)).toEqual({
      _tag: "Locked",
      until: 44 * MIN,
      retryAfterMs: 30 * MIN - 1,
    })
    expect(admitLogin(five, 44 * MIN)).toEqual({ _tag: "Admitted" })
    expect(admitLogin(five.slice(0, 4), 5 * MIN)._tag).toBe("Admitted")
    expect(
      admitLogin(
        [0, 5, 10, 15, 20].map((m) => fail(m * MIN)),
        21 * MIN,
      )._tag,
    ).toBe("Admitted")
    // A success clears the count.
    const cleared = [
      fail(0),
      fail(MIN),
      fail(2 * MIN),
      fail(3 * MIN),
      { at: 4 * MIN, outcome: "success" as const },
    ]
    expect(admitLogin([...cleared, fail(5 * MIN)], 6 * MIN)._tag).toBe("Admitted")
  })

  /** Brute-force oracle: locked at t iff some `maxFailures` consecutive counted failures (no success
   * between them) span less than the window and the last of them is within `lockMs` before t. */
  const oracleLocked = (log: ReadonlyArray<LoginAttempt>, t: number, p: LockoutPolicy): boolean => {
    const counted = log.filter((a) => a.outcome !== "locked" && a.at <= t)
    for (let end = 0; end < counted.length; end++) {
      const last = counted[end]!
      if (last.outcome !== "failure" || !(t < last.at + p.lockMs)) continue
      const start = end - p.maxFailures + 1
      if (start < 0) continue
      const run = counted.slice(start, end + 1)
      if (run.every((a) => a.outcome === "failure") && last.at - run[0]!.at < p.windowMs) return true
    }
    return false
  }

  const policy = fc
    .record({
      maxFailures: fc.integer({ min: 1, max: 6 }),
      windowMs: fc.integer({ min: 1, max: 30 }).map((m) => m * MIN),
      extra: fc.integer({ min: 0, max: 30 }).map((m) => m * MIN),
    })
    .map(
      ({ maxFailures, windowMs, extra }): LockoutPolicy => ({
        maxFailures,
        windowMs,
        lockMs: windowMs + extra,
      }),
    )
  /** Login tries: gap before it (ms) and whether the password is right. */
  const tries = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 20 * MIN }), correct: fc.boolean() }), {
    maxLength: 40,
  })

  /** Plays tries through admitLogin as the login use-case does, producing the login log. */
  const play = (ts: ReadonlyArray<{ gap: number; correct: boolean }>, p: LockoutPolicy) => {
    const log: Array<LoginAttempt> = []
    let now = 0
    for (const { gap, correct } of ts) {
      now += gap
      const admitted = admitLogin(log, now, p)._tag === "Admitted"
      log.push({ at: now, outcome: !admitted ? "locked" : correct ? "success" : "failure" })
    }
    return { log, now }
  }

  it("never checks a password inside a lock window (agrees with the brute-force oracle)", () => {
    fc.assert(
      fc.property(policy, tries, (p, ts) => {
        const { log } = play(ts, p)
        for (const [i, a] of log.entries()) {
          const before = log.slice(0, i)
          const locked = oracleLocked(before, a.at, p)
          expect(a.outcome === "locked").toBe(locked)
        }
      }),
      { numRuns: 300 },
    )
  })

  it("admits a correct password once the lock window ends, with no further failures", () => {
    fc.assert(
      fc.property(policy, tries, fc.integer({ min: 0, max: 60 * MIN }), (p, ts, later) => {
        const { log, now } = play(ts, p)
        const t = Math.max(now, lockedUntil(log, p)) + later
        expect(admitLogin(log, t, p)).toEqual({ _tag: "Admitted" })
      }),
      { numRuns: 300 },
    )
  })

  it("default policy numbers", () => {
    expect(DEFAULT_LOCKOUT).toEqual({ maxFailures: 5, windowMs: 15 * MIN, lockMs: 30 * MIN })
  })
})
