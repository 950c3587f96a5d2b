/**
 * Migrations against real PostgreSQL (DATABASE_URL, default the local server; fails if unreachable): a
 * second run is a no-op, and several processes starting at once apply each migration exactly once.
 */
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import { dropSchema, MIGRATIONS, migrate } from "./Migrations.js"
import { makeKysely, privateSchemaName } from "./PgDatabase.js"

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

describe("PostgreSQL migrations", () => {
  const schemas: Array<string> = []
  const admin = makeKysely({ url, pool: { max: 1 } })
  afterAll(async () => {
    for (const s of schemas) await dropSchema(admin, s)
    await admin.destroy()
  })

  it("applies every migration once; running again changes nothing", async () => {
    const schema = privateSchemaName("anju_mig")
    schemas.push(schema)
    const first = await migrate(admin, schema)
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version))
    const second = await migrate(admin, schema)
    expect(second.applied).toEqual([])
    const rows = await sql<{
      version: number
    }>`select version from ${sql.id(schema, "schema_migrations")} order by version`.execute(admin)
    expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b))
  })

  it("concurrent starts (separate pools, as separate processes) migrate exactly once", async () => {
    const schema = privateSchemaName("anju_mig")
    schemas.push(schema)
    const processes = Array.from({ length: 5 }, () => makeKysely({ url, pool: { max: 1 } }))
    try {
      const results = await Promise.all(processes.map((db) => migrate(db, schema)))
      expect(results.flatMap((r) => r.applied)).toEqual(MIGRATIONS.map((m) => m.version))
    } finally {
      await Promise.all(processes.map((db) => db.destroy()))
    }
    const rows = await sql<{
      n: string
    }>`select count(*) as n from ${sql.id(schema, "schema_migrations")}`.execute(admin)
    expect(Number(rows.rows[0]?.n)).toBe(MIGRATIONS.length)
  })

  it("refuses a recorded version whose name differs from this build's", async () => {
    const schema = privateSchemaName("anju_mig")
    schemas.push(schema)
    await migrate(admin, schema)
    const renamed = MIGRATIONS.map((m) => ({ ...m, name: `${m.name}-renamed` }))
    await expect(migrate(admin, schema, renamed)).rejects.toThrow(/recorded as/u)
  })
})
