/**
 * Demo users for `anju serve --demo`: one city administrator who logs in with a password (README's tour:
 * POST /api/v1/auth/login), created through the real identity use-cases, so the demo shows stored users,
 * sessions and roles beside the demo tokens. The password is PUBLIC; never use --demo for real data.
 * Seeding is idempotent: an existing demo user is left as it is.
 */
import { Effect, Redacted } from "effect"
import { createUser } from "../../application/access/ManageIdentity.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"

export const DEMO_ADMIN = { login: "demo-admin", password: "anju-public-demo-2026" } as const

/** Creates the demo city administrator unless it exists (a conflict means it was seeded before). */
export const seedDemoUsers = createUser(LOCAL_AUTHORITY, {
  id: "demo-admin",
  login: DEMO_ADMIN.login,
  displayName: "演示市级管理员",
  scope: { role: "city" },
  roles: ["city-admin"],
  password: Redacted.make(DEMO_ADMIN.password),
}).pipe(
  Effect.asVoid,
  Effect.catchTag("IdentityConflict", () => Effect.void),
)
