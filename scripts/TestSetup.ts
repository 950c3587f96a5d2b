/**
 * Vitest set-up file (runs in every test file's context): names the migrated PGlite template that
 * scripts/TestPgliteTemplate.ts built in ANJU_PGLITE_TEMPLATE, so a test's throwaway PGlite database loads
 * a dump instead of running initdb and the migrations (adapters/pglite/PgliteDatabase.ts reads it lazily,
 * only when a test creates one). Child processes the tests start inherit it.
 */
import { inject } from "vitest"

const path = inject("pgliteTemplate")
if (path !== "") process.env["ANJU_PGLITE_TEMPLATE"] = path
