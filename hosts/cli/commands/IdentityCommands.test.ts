/**
 * Identity CLI functions: bootstrapping the first city administrator on a PGlite data folder (the user is
 * there after the process-like runtime closes, and its password logs in), passwords only from the
 * environment, refusals as exit 1 with the field, an API key printed once on stdout, bad options exit 2.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as MemoryIdentityStore from "../../../adapters/memory/MemoryIdentityStore.js"
import * as MemoryPasswordHasher from "../../../adapters/memory/MemoryPasswordHasher.js"
import * as SeededSecureRandom from "../../../adapters/memory/SeededSecureRandom.js"
import { apiKeyActor, login } from "../../../application/access/Login.js"
import { IdentityStore } from "../../../application/ports/IdentityStore.js"
import {
  apiKeysIssue,
  apiKeysRevoke,
  identityServicesLayer,
  parseScope,
  rolesAdd,
  rolesList,
  usersAdd,
  usersDisable,
  usersGrant,
  usersList,
  usersPasswd,
} from "./IdentityCommands.js"

const PW = "安居工程-correct-horse"
const capture = (env: Record<string, string> = {}) => {
  const out: Array<string> = []
  const err: Array<string> = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err }
}

const store = Effect.runSync(MemoryIdentityStore.make)
const services = Layer.mergeAll(
  Layer.succeed(IdentityStore, store),
  MemoryPasswordHasher.layer,
  SeededSecureRandom.layer(5),
)
const opts = { storage: { kind: "pglite" as const, dataDir: null }, services }

describe("identity commands (shared memory store)", () => {
  it("adds users with scope and roles, grants, disables; refusals exit 1 naming the field", async () => {
    const a = capture({ ANJU_NEW_PASSWORD: PW, USER: "ops" })
    expect(
      await usersAdd(
        {
          ...opts,
          id: "root",
          login: "root.admin",
          displayName: "管理员",
          scope: "city",
          roles: ["city-admin"],
        },
        a.io,
      ),
    ).toBe(0)
    expect(a.out.join("\n")).toContain("user root (root.admin) created")
    const b = capture()
    expect(
      await usersAdd(
        {
          ...opts,
          id: "pd",
          login: "pd.one",
          displayName: "浦东",
          scope: "district:310115",
          roles: ["district-officer"],
        },
        b.io,
      ),
    ).toBe(0)
    expect(b.err.join("\n")).toContain("no password set")
    const bad = capture()
    expect(
      await usersAdd(
        { ...opts, id: "x", login: "x.y.z", displayName: "x", scope: "district:31", roles: [] },
        bad.io,
      ),
    ).toBe(2)
    const weak = capture({ ANJU_NEW_PASSWORD: "short" })
    expect(
      await usersAdd(
        { ...opts, id: "w", login: "weak.one", displayName: "x", scope: "city", roles: [] },
        weak.io,
      ),
    ).toBe(1)
    expect(weak.err.join("\n")).toContain("password:")
    expect(
      await usersGrant({ ...opts, id: "pd", roles: ["district-officer,fund-officer"] }, capture().io),
    ).toBe(0)
    const list = capture()
    expect(await usersList(opts, list.io)).toBe(0)
    expect(list.out.join("\n")).toMatch(/pd\tpd\.one\tactive\tdistrict\tdistrict-officer,fund-officer/u)
    expect(await usersPasswd({ ...opts, id: "pd" }, capture().io)).toBe(2)
    expect(await usersPasswd({ ...opts, id: "pd" }, capture({ ANJU_NEW_PASSWORD: PW }).io)).toBe(0)
    expect(await usersDisable({ ...opts, id: "pd" }, capture().io)).toBe(0)
    const gone = capture()
    expect(await usersDisable({ ...opts, id: "nobody" }, gone.io)).toBe(1)
    expect(gone.err.join("\n")).toContain("no user nobody")
    expect(
      await rolesAdd(
        { ...opts, name: "viewer", description: "查询", permissions: ["stock.read,cases.read"] },
        capture().io,
      ),
    ).toBe(0)
    const roles = capture()
    expect(await rolesList(opts, roles.io)).toBe(0)
    expect(roles.out.join("\n")).toContain("viewer\tstock.read,cases.read")
  })

  it("issues an API key printed once on stdout, then revokes it", async () => {
    const c = capture()
    expect(
      await apiKeysIssue(
        { ...opts, id: "gjj", label: "公积金", districts: "310115,310104", roles: ["system"] },
        c.io,
      ),
    ).toBe(0)
    expect(c.out).toHaveLength(1)
    const key = c.out[0]!
    expect(key).toMatch(/^anju_k_[0-9a-f]{64}$/u)
    const actor = await Effect.runPromise(apiKeyActor(key).pipe(Effect.provideService(IdentityStore, store)))
    expect(actor._tag).toBe("Some")
    expect(await apiKeysRevoke({ ...opts, id: "gjj" }, capture().io)).toBe(0)
    const after = await Effect.runPromise(apiKeyActor(key).pipe(Effect.provideService(IdentityStore, store)))
    expect(after._tag).toBe("None")
  })

  it("parses scope texts", () => {
    expect(parseScope("operator:P-1,P-2")).toEqual({ role: "operator", projectIds: ["P-1", "P-2"] })
    expect(parseScope("system:all")).toEqual({ role: "system", districts: "all" })
    expect(parseScope("mayor")).toBeUndefined()
  })
})

describe("bootstrap on a PGlite data folder", () => {
  let dir = ""
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true })
  })

  it("the first city admin persists and can log in with the scrypt-hashed password", async () => {
    dir = await mkdtemp(join(tmpdir(), "anju-identity-"))
    const storage = { kind: "pglite" as const, dataDir: dir }
    const c = capture({ ANJU_NEW_PASSWORD: PW })
    expect(
      await usersAdd(
        {
          storage,
          id: "root",
          login: "root.admin",
          displayName: "管理员",
          scope: "city",
          roles: ["city-admin"],
        },
        c.io,
      ),
    ).toBe(0)
    const granted = await Effect.runPromise(
      login({ login: "root.admin", password: Redacted.make(PW), ip: "" }).pipe(
        Effect.provide(identityServicesLayer(storage)),
      ),
    )
    expect(Redacted.value(granted.token)).toMatch(/^anju_s_/u)
  }, 60_000)
})
