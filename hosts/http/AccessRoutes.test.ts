/**
 * AccessRoutes over memory adapters with Hono's app.request: login (200 token; unknown name and wrong
 * password answer byte-identical 401s; 423 + Retry-After when locked), exact bodies (400 naming fields,
 * 415 for other content types), /auth/me, logout and disable effective at the next request, 403 without
 * identity.manage, API keys shown once and revocable, the login log, and every described route registered
 * and refusing a request without credentials (401) unless public.
 */
import { Effect, type Exit, Layer, ManagedRuntime, Redacted, Schema } from "effect"
import { Hono } from "hono"
import { afterAll, describe, expect, it } from "vitest"
import * as ChainedActorVerifier from "../../adapters/identity/ChainedActorVerifier.js"
import * as StoredActorVerifier from "../../adapters/identity/StoredActorVerifier.js"
import * as MemoryIdentityStore from "../../adapters/memory/MemoryIdentityStore.js"
import * as MemoryPasswordHasher from "../../adapters/memory/MemoryPasswordHasher.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { createUser } from "../../application/access/ManageIdentity.js"
import { ActorVerifier } from "../../application/ports/ActorVerifier.js"
import { ACCESS_ROUTES, type AccessServices, registerAccessRoutes } from "./AccessRoutes.js"
import * as AS from "./AccessSchemas.js"
import * as CS from "./CaseSchemas.js"
import * as S from "./HttpSchemas.js"
import { guard, type RouteSpec } from "./Routes.js"
import { bearer, testVerifierLayer } from "./TestActors.js"

const base = Layer.mergeAll(
  MemoryIdentityStore.layer,
  MemoryPasswordHasher.layer,
  SeededSecureRandom.layer(11),
)
const verifier = ChainedActorVerifier.layer([StoredActorVerifier.layer, testVerifierLayer]).pipe(
  Layer.provide(base),
)
const runtime = ManagedRuntime.make(Layer.merge(base, verifier))
afterAll(() => runtime.dispose())

const app = registerAccessRoutes(new Hono(), {
  run: <A, E>(e: Effect.Effect<A, E, AccessServices>) =>
    runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
  clientIp: () => "198.51.100.4",
})

const PW = "安居工程-correct-horse"
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers })
const auth = (token: string) => ({ authorization: `Bearer ${token}` })

await runtime.runPromise(
  createUser(
    { role: "city", id: "bootstrap" },
    {
      id: "root",
      login: "root.admin",
      displayName: "管理员",
      scope: { role: "city" },
      roles: ["city-admin"],
      password: Redacted.make(PW),
    },
  ),
)

const loginAs = async (login: string, password = PW) => {
  const r = await post("/api/v1/auth/login", { login, password })
  expect(r.status).toBe(200)
  const body = (await r.json()) as { token: string; tokenType: string; expiresAt: string }
  expect(body.tokenType).toBe("Bearer")
  return body.token
}

describe("login", () => {
  it("answers a token; me shows scope and permissions; unknown name and wrong password are identical 401s", async () => {
    const token = await loginAs("ROOT.admin")
    const me = await get("/api/v1/auth/me", auth(token))
    expect(me.status).toBe(200)
    expect(me.headers.get("cache-control")).toBe("no-store")
    expect(await me.json()).toMatchObject({ id: "root", scope: { role: "city" } })
    const unknown = await post("/api/v1/auth/login", { login: "nobody.here", password: PW })
    const wrong = await post("/api/v1/auth/login", { login: "root.admin", password: "not-the-password" })
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(await unknown.text()).toBe(await wrong.text())
  })

  it("locks after 5 failures: 423 with Retry-After, even for the right password", async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (await post("/api/v1/auth/login", { login: "victim.name", password: `wrong-${i}` })).status,
      ).toBe(401)
    const locked = await post("/api/v1/auth/login", { login: "victim.name", password: PW })
    expect(locked.status).toBe(423)
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(1700)
    expect(await locked.json()).toMatchObject({ error: "LoginLocked" })
  })

  it("decodes bodies exactly: unknown and missing fields 400 naming them, other content types 415", async () => {
    const extra = await post("/api/v1/auth/login", { login: "root.admin", password: PW, admin: true })
    expect(extra.status).toBe(400)
    expect(await extra.text()).toContain("admin")
    const missing = await post("/api/v1/auth/login", { login: "root.admin" })
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain("password")
    expect((await post("/api/v1/auth/login", "{nope")).status).toBe(400)
    expect((await post("/api/v1/auth/login", { login: "a\u0000b", password: PW })).status).toBe(400)
    const plain = await app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "login=root",
    })
    expect(plain.status).toBe(415)
  })
})

describe("administration", () => {
  it("creates, grants, disables (effective at once), and logout revokes at once", async () => {
    const admin = auth(await loginAs("root.admin"))
    const created = await post(
      "/api/v1/admin/users",
      {
        id: "u-pd",
        login: "pd.officer",
        displayName: "浦东经办",
        scope: { role: "district", district: "310115" },
        roles: ["district-officer"],
        password: PW,
      },
      admin,
    )
    expect(created.status).toBe(201)
    const user = (await created.json()) as Record<string, unknown>
    expect(user).toMatchObject({ id: "u-pd", login: "pd.officer", status: "active", hasPassword: true })
    expect(JSON.stringify(user)).not.toContain("fast$")
    const dup = await post(
      "/api/v1/admin/users",
      { id: "u-pd2", login: "pd.officer", displayName: "x", scope: { role: "city" }, roles: [] },
      admin,
    )
    expect(dup.status).toBe(409)
    const badScope = await post(
      "/api/v1/admin/users",
      { id: "u-x", login: "xx.xx", displayName: "x", scope: { role: "district" }, roles: [] },
      admin,
    )
    expect(badScope.status).toBe(400)
    expect(await badScope.text()).toContain("district")
    const weak = await post(
      "/api/v1/admin/users",
      {
        id: "u-w",
        login: "weak.pw",
        displayName: "x",
        scope: { role: "city" },
        roles: [],
        password: "short",
      },
      admin,
    )
    expect(weak.status).toBe(422)
    expect(await weak.json()).toMatchObject({ field: "password", rule: "too_short" })

    const t1 = await loginAs("pd.officer")
    const t2 = await loginAs("pd.officer")
    expect(
      ((await (await get("/api/v1/auth/me", auth(t1))).json()) as { permissions: string[] }).permissions,
    ).not.toContain("fund.write")
    expect(
      (await post("/api/v1/admin/users/u-pd/roles", { roles: ["district-officer", "fund-officer"] }, admin))
        .status,
    ).toBe(200)
    expect(
      ((await (await get("/api/v1/auth/me", auth(t1))).json()) as { permissions: string[] }).permissions,
    ).toContain("fund.write")

    expect((await post("/api/v1/auth/logout", "", auth(t1))).status).toBe(200)
    expect((await get("/api/v1/auth/me", auth(t1))).status).toBe(401)
    expect((await get("/api/v1/auth/me", auth(t2))).status).toBe(200)
    const disabled = await app.request("/api/v1/admin/users/u-pd/disable", { method: "POST", headers: admin })
    expect(disabled.status).toBe(200)
    expect((await get("/api/v1/auth/me", auth(t2))).status).toBe(401)
    expect((await post("/api/v1/auth/login", { login: "pd.officer", password: PW })).status).toBe(401)
    expect((await post("/api/v1/admin/users/u-none/disable", {}, admin)).status).toBe(404)
    expect((await post("/api/v1/admin/users/王五/disable", {}, admin)).status).toBe(404)

    const list = (await (await get("/api/v1/admin/users", admin)).json()) as { items: Array<{ id: string }> }
    expect(list.items.map((u) => u.id)).toEqual(["root", "u-pd"])
  })

  it("403 without identity.manage; roles; API keys shown once and revocable; the login log", async () => {
    expect((await get("/api/v1/admin/users", bearer("t-pudong"))).status).toBe(403)
    expect((await get("/api/v1/auth/me", bearer("t-pudong"))).status).toBe(200)
    const admin = auth(await loginAs("root.admin"))

    const role = await post(
      "/api/v1/admin/roles",
      { name: "stock-viewer", description: "房源查询", permissions: ["stock.read"] },
      admin,
    )
    expect(role.status).toBe(201)
    expect(
      (
        await post(
          "/api/v1/admin/roles/stock-viewer",
          { description: "x", permissions: ["stock.read", "cases.read"] },
          admin,
        )
      ).status,
    ).toBe(200)
    expect(
      (await post("/api/v1/admin/roles/auditor", { description: "x", permissions: [] }, admin)).status,
    ).toBe(409)
    expect(
      (
        await post(
          "/api/v1/admin/roles",
          { name: "bad", description: "x", permissions: ["stock.delete"] },
          admin,
        )
      ).status,
    ).toBe(400)
    const roles = (await (await get("/api/v1/admin/roles", admin)).json()) as {
      items: Array<{ name: string; builtIn: boolean }>
    }
    expect(roles.items.find((r) => r.name === "stock-viewer")?.builtIn).toBe(false)
    expect(roles.items.find((r) => r.name === "city-admin")?.builtIn).toBe(true)

    const issued = await post(
      "/api/v1/admin/api-keys",
      { id: "minzheng", label: "民政局", districts: ["310115"], roles: ["system"] },
      admin,
    )
    expect(issued.status).toBe(201)
    const { key } = (await issued.json()) as { key: string }
    const keys = await (await get("/api/v1/admin/api-keys", admin)).text()
    expect(keys).toContain("minzheng")
    expect(keys).not.toContain(key.slice(7))
    expect((await get("/api/v1/auth/me", { "x-api-key": key })).status).toBe(200)
    expect((await post("/api/v1/admin/api-keys/minzheng/revoke", {}, admin)).status).toBe(200)
    expect((await get("/api/v1/auth/me", { "x-api-key": key })).status).toBe(401)

    const log = (await (await get("/api/v1/admin/login-log?login=victim.name&limit=3", admin)).json()) as {
      items: Array<{ outcome: string; ip: string; at: string }>
    }
    expect(log.items.map((r) => r.outcome)).toEqual(["locked", "failure", "failure"])
    expect(log.items[0]!.ip).toBe("198.51.100.4")
    expect((await get("/api/v1/admin/login-log?limit=0", admin)).status).toBe(400)
    expect((await get("/api/v1/admin/login-log?color=red", admin)).status).toBe(400)
  })

  it("every described route is registered and refuses a request without credentials unless public", async () => {
    for (const r of ACCESS_ROUTES) {
      const path = r.path.replace("{id}", "x1").replace("{name}", "some-role")
      const res =
        r.method === "get"
          ? await get(path)
          : await post(path, r.path.endsWith("/login") ? { login: "a", password: "b" } : {})
      // Non-public: no credential. Public (login): a credential that does not match.
      expect(res.status, `${r.method} ${path}`).toBe(401)
      expect(res.headers.get("content-type"), path).toContain("application/json")
    }
  })
})

describe("route descriptions for the OpenAPI document", () => {
  it("every request, query and response schema converts, beside the existing components, without clashes", () => {
    const roots = [...S.COMPONENTS, ...CS.CASE_COMPONENTS, ...AS.ACCESS_COMPONENTS]
    const definitions: Record<string, unknown> = {}
    for (const s of roots) {
      const doc = Schema.toJsonSchemaDocument(s, { onExcessProperty: "error" })
      for (const [name, def] of Object.entries(doc.definitions)) {
        if (name in definitions) expect(JSON.stringify(definitions[name]), name).toBe(JSON.stringify(def))
        definitions[name] = def
      }
    }
    for (const r of ACCESS_ROUTES) {
      for (const s of [r.request, r.query, r.response])
        if (s !== undefined)
          expect(() => Schema.toJsonSchemaDocument(s, { onExcessProperty: "error" })).not.toThrow()
      expect(
        r.request === undefined || (AS.ACCESS_COMPONENTS as ReadonlyArray<unknown>).includes(r.request),
        r.path,
      ).toBe(true)
      expect((AS.ACCESS_COMPONENTS as ReadonlyArray<unknown>).includes(r.response), r.path).toBe(true)
    }
    // Patterns survive conversion (they carry the `u` flag).
    expect(JSON.stringify(Schema.toJsonSchemaDocument(AS.RoleInput))).toContain("pattern")
    expect(new Set(ACCESS_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ACCESS_ROUTES.length)
  })
})

describe("behind Routes.guard", () => {
  // `authenticated` routes have no permission to check: the guard lets them through as public and the
  // handler authenticates the request itself; admin routes are checked by the guard first.
  const guarded = new Hono()
  guarded.use(
    "*",
    guard({
      routes: ACCESS_ROUTES.map(
        (r): RouteSpec => ({
          method: r.method,
          path: r.path,
          access: "permission" in r.access ? { permission: r.access.permission } : { public: true },
          tag: "ops",
          summary: r.summary,
        }),
      ),
      notFound: (c) => c.json({ error: "not_found" }, 404),
      authenticate: (credential) =>
        runtime.runPromiseExit(Effect.flatMap(Effect.service(ActorVerifier), (v) => v.verify(credential))),
    }),
  )
  registerAccessRoutes(guarded, {
    run: <A, E>(e: Effect.Effect<A, E, AccessServices>) =>
      runtime.runPromiseExit(e) as Promise<Exit.Exit<A, E | Error>>,
  })

  it("the guard refuses first; the handlers use the guard's actor; self-authenticating routes still work", async () => {
    expect((await guarded.request("/api/v1/admin/users")).status).toBe(401)
    expect((await guarded.request("/api/v1/admin/users", { headers: bearer("t-pudong") })).status).toBe(403)
    const login = await guarded.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "root.admin", password: PW }),
    })
    expect(login.status).toBe(200)
    const { token } = (await login.json()) as { token: string }
    const users = await guarded.request("/api/v1/admin/users", { headers: auth(token) })
    expect(users.status).toBe(200)
    expect((await guarded.request("/api/v1/auth/me", { headers: auth(token) })).status).toBe(200)
    expect((await guarded.request("/api/v1/auth/me")).status).toBe(401)
    expect((await guarded.request("/api/v1/admin/nothing", { headers: auth(token) })).status).toBe(404)
  })
})
