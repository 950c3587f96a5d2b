/**
 * PostgreSQL tables of the case area: its Kysely row types and its migrations. Migration versions of
 * this area are numbered from 300 so areas never collide; released
 * migrations are frozen. Row types never leave adapters/.
 */
import type { Migration } from "./Migration.js"

// biome-ignore lint/complexity/noBannedTypes: filled in as the area's tables are added
export type CaseTables = {}

export const CASE_MIGRATIONS: ReadonlyArray<Migration> = []
