/**
 * docs/security.md stays true to the code (issue 9, "what it must show"): its public-routes table lists
 * exactly the public routes of the host's route table (Routes.ts with the case and access routes, as
 * hosts/http/main.ts mounts them), in table order, and the OpenAPI document marks exactly those
 * `security: []`; every setting in HostConfig.SETTINGS is in the operator table the page links to; and the
 * page links the audit specification and names the commands that verify and seal the log.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { SETTINGS } from "../HostConfig.js"
import { accessRoutes } from "./AccessRoutes.js"
import { lotteryOpenApiPaths, lotteryRoutes } from "./LotteryRoutes.js"
import { makeOpenApiDocument } from "./OpenApi.js"
import { appRoutes, isPublic } from "./Routes.js"

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8")
const security = doc("security.md")

/** The host's whole route table: stock, ops, cases and access routes under /api/v1. */
const routes = appRoutes({
  casesPrefix: "/api/v1",
  extra: [...accessRoutes("/api/v1"), ...lotteryRoutes("/api/v1")],
})

/** `[METHOD, path]` of each row between the public-routes markers. */
const documentedPublic = (): Array<[string, string]> => {
  const block = security.split("<!-- public-routes:start")[1]?.split("<!-- public-routes:end")[0] ?? ""
  return block
    .split("\n")
    .filter((l) => /^\| (GET|POST|PUT|PATCH|DELETE) \|/u.test(l))
    .map((l) => {
      const cells = l.split("|").map((c) => c.trim())
      return [cells[1]!, cells[2]!.replace(/^`|`$/gu, "")]
    })
}

describe("docs/security.md", () => {
  it("lists exactly the public routes of the route table", () => {
    const expected = routes.filter(isPublic).map((r): [string, string] => [r.method.toUpperCase(), r.path])
    expect(expected.length).toBeGreaterThan(0)
    expect(documentedPublic()).toEqual(expected)
  })

  it("and they are exactly the operations the OpenAPI document marks security: []", () => {
    const openApi = makeOpenApiDocument("http://anju.test", {
      casesPrefix: "/api/v1",
      access: accessRoutes("/api/v1"),
      lottery: { routes: lotteryRoutes("/api/v1"), paths: lotteryOpenApiPaths("/api/v1") },
    }) as { paths: Record<string, Record<string, { security?: ReadonlyArray<unknown> }>> }
    const open = Object.entries(openApi.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    )
    expect(open.sort()).toEqual(
      documentedPublic()
        .map(([m, p]) => `${m} ${p}`)
        .sort(),
    )
  })

  it("every host setting is in the operator table it links to", () => {
    expect(security).toContain("(agencies.md#operator-configuration)")
    const table = doc("agencies.md").split("## Operator configuration")[1] ?? ""
    for (const name of Object.values(SETTINGS)) expect(table, name).toContain(`\`${name}\``)
  })

  it("links the audit specification and names the commands that verify and seal the log", () => {
    expect(security).toContain("](audit.md)")
    expect(security).toContain("anju audit verify")
    expect(security).toContain("anju audit checkpoint")
    for (const key of ["ANJU_FIELD_KEY", "ANJU_INDEX_KEY", "ANJU_SM2_PRIVATE_KEY", "ANJU_AUDIT_PUBLIC_KEY"])
      expect(security, key).toContain(`\`${key}\``)
  })
})
