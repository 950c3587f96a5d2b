/**
 * Migration 2 `stock-lock-origin` (R37 settled, docs/allocation.md) on real PostgreSQL (DATABASE_URL): rows
 * written under the old reading are repaired — a lock over a let unit is lifted, a lock without a remembered
 * status remembers draft, a stray marker on an unlocked unit is cleared — and afterwards the database refuses
 * a lock over let or a locked unit without its pre-lock status.
 */
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import { dropSchema, MIGRATIONS, migrate } from "./Migrations.js"
import { makeKysely, privateSchemaName, sqlStateOf } from "./PgDatabase.js"

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

describe("migration 2: stock-lock-origin (R37)", () => {
  const schema = privateSchemaName("anju_lock")
  const db = makeKysely({ url, pool: { max: 1 } })
  afterAll(async () => {
    await dropSchema(db, schema)
    await db.destroy()
  })

  it("repairs rows of the old reading, then enforces lock-from-draft-or-available", async () => {
    await migrate(
      db,
      schema,
      MIGRATIONS.filter((m) => m.version === 1),
    )
    const s = sql.id(schema)
    await sql`insert into ${s}.projects values ('P1', '馨越公寓', 'gongzu', '310115', '世博村路300号',
      '91310000MA1FL0TB3Y', '上海地产住房保障有限公司', '021-12345678')`.execute(db)
    await sql`insert into ${s}.buildings values ('B1', 'P1', '1号楼', 18, 6, true, '2023-06-30')`.execute(db)
    const unit = (id: string, room: number, status: string, lockedFrom: string | null, supplied: boolean) =>
      sql`insert into ${s}.units (id, code, project_id, building_id, floor, room_no, bedrooms, halls, area,
        orientation, decoration, rent, market_rent, kind, status, locked_from, supplied, version)
        values (${id}, ${`000000000000000${room}`}, 'P1', 'B1', 3, ${room}, 2, 1, 6540, null, null, 150000,
        320000, 'gongzu', ${status}, ${lockedFrom}, ${supplied}, 3)`.execute(db)
    await unit("U1", 1, "locked", "let", true)
    await unit("U2", 2, "locked", null, false)
    await unit("U3", 3, "locked", "available", false)
    await unit("U4", 4, "available", "draft", false)
    const applied = await migrate(db, schema)
    expect(applied.applied).toContain(2)
    const rows = await sql<{
      id: string
      status: string
      locked_from: string | null
      version: number
    }>`select id, status, locked_from, version from ${s}.units order by id`.execute(db)
    expect(rows.rows).toEqual([
      { id: "U1", status: "let", locked_from: null, version: 4 },
      { id: "U2", status: "locked", locked_from: "draft", version: 3 },
      { id: "U3", status: "locked", locked_from: "available", version: 3 },
      { id: "U4", status: "available", locked_from: null, version: 3 },
    ])
    const refused = async (q: Promise<unknown>) => sqlStateOf(await q.then(() => undefined).catch((e) => e))
    expect(
      await refused(
        sql`update ${s}.units set status = 'locked', locked_from = 'let' where id = 'U1'`.execute(db),
      ),
    ).toBe("23514")
    expect(
      await refused(
        sql`update ${s}.units set status = 'locked', locked_from = null where id = 'U4'`.execute(db),
      ),
    ).toBe("23514")
    expect(await refused(sql`update ${s}.units set locked_from = 'draft' where id = 'U4'`.execute(db))).toBe(
      "23514",
    )
  })
})
