// Test runner configuration. Suites needing PostgreSQL or Redis read DATABASE_URL / REDIS_URL;
// .ci/run always provides them. PGlite suites share one instance per worker file.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    // One migrated PGlite dump for the run, loaded by every throwaway PGlite database (scripts/TestSetup.ts).
    globalSetup: ["scripts/TestPgliteTemplate.ts"],
    setupFiles: ["scripts/TestSetup.ts"],
  },
})
