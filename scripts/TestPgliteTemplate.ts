/**
 * Vitest global set-up: builds, once per set of migrations, a PGlite data-folder dump of a freshly migrated
 * database (schema `anju`) and hands its path to the test files (`inject("pgliteTemplate")`), where
 * scripts/TestSetup.ts loads it into every throwaway PGlite database (adapters/pglite/PgliteDatabase.ts,
 * `useThrowawayTemplate`). The dump is cached in the OS temp folder under a digest of the migrations'
 * SQL, so a changed migration builds a new one. ANJU_TEST_PGLITE_TEMPLATE=0 turns it off.
 */
import { createHash } from "node:crypto"
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { Kysely, PostgresDialect } from "kysely"
import type { TestProject } from "vitest/node"
import { pglitePool } from "../adapters/pglite/PgliteDatabase.js"
import { DEFAULT_SCHEMA } from "../adapters/postgres/PgDatabase.js"
import { MIGRATIONS, migrate } from "../adapters/postgres/Migrations.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** Path of the migrated PGlite dump, or "" when templates are off. */
    pgliteTemplate: string
  }
}

const PGLITE_VERSION = (
  JSON.parse(
    readFileSync(new URL("../node_modules/@electric-sql/pglite/package.json", import.meta.url), "utf8"),
  ) as { readonly version: string }
).version

const digestOfMigrations = (): string =>
  createHash("sha256")
    .update(
      JSON.stringify([PGLITE_VERSION, MIGRATIONS.map((m) => [m.version, m.name, m.statements('"anju"')])]),
    )
    .digest("hex")
    .slice(0, 16)

export default async function setup(project: TestProject): Promise<void> {
  if (process.env["ANJU_TEST_PGLITE_TEMPLATE"] === "0") {
    project.provide("pgliteTemplate", "")
    return
  }
  const file = join(tmpdir(), `anju-pglite-template-${digestOfMigrations()}.tar`)
  if (!existsSync(file)) {
    const pglite = await PGlite.create()
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) })
    await migrate(db, DEFAULT_SCHEMA)
    const dump = await pglite.dumpDataDir("none")
    await db.destroy()
    const partial = `${file}.${process.pid}.part`
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()))
    renameSync(partial, file)
  }
  project.provide("pgliteTemplate", file)
}
