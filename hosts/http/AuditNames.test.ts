/**
 * The guard names every audited write from the route table: a dotted action from the path template and
 * a `<kind>:<id>` object named like the decryption records (`case:C-1`), so one object query finds both.
 */
import { describe, expect, it } from "vitest"
import { auditNames, type RouteSpec } from "./Routes.js"

const route = (method: "get" | "post", path: string): RouteSpec => ({
  method,
  path,
  access: { permission: "cases.command" },
  tag: "cases",
  summary: "",
})

describe("audit names of a guarded write", () => {
  it("takes the action from the template and the object from the concrete path", () => {
    expect(
      auditNames(route("post", "/api/v1/cases/{id}/commands/reject"), "/api/v1/cases/C-1/commands/reject"),
    ).toEqual({ action: "cases.commands.reject", object: "case:C-1" })
    expect(auditNames(route("post", "/api/v1/units/{id}/lock"), "/api/v1/units/U-9/lock")).toEqual({
      action: "units.lock",
      object: "unit:U-9",
    })
    expect(
      auditNames(route("post", "/api/v1/admin/api-keys/{id}/revoke"), "/api/v1/admin/api-keys/k1/revoke"),
    ).toEqual({ action: "admin.apiKeys.revoke", object: "apiKey:k1" })
  })

  it("names collection-level writes with the method and a * object", () => {
    expect(auditNames(route("post", "/api/v1/projects"), "/api/v1/projects")).toEqual({
      action: "projects.post",
      object: "project:*",
    })
    expect(auditNames(route("post", "/api/v1/lotteries"), "/api/v1/lotteries").object).toBe("lottery:*")
    expect(auditNames(route("post", "/api/v1/admin/users"), "/api/v1/admin/users").object).toBe("user:*")
  })
})
