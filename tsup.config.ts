// Library build: one ESM entry per published subpath (package.json "exports") plus the CLI bin and the
// PGlite worker-thread entry.
// Declarations are not bundled here: `tsc -p tsconfig.build.json` (the second half of `npm run build`)
// emits one .d.ts per source file beside them, because the bundled ones turned type-only exports of
// `export * as X` namespaces into values (TS2693 for consumers without skipLibCheck) and dropped
// same-named value/type pairs such as `Domain.Money.Money` (TS2694). Only the entries below and what
// they import are built, so no test file reaches dist.
import { readFileSync } from "node:fs"
import { defineConfig } from "tsup"

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"))

export default defineConfig({
  // One entry per published subpath, read from package.json "exports" (the one list), plus the CLI bin.
  entry: {
    ...Object.fromEntries(
      Object.entries(pkg.exports as Record<string, string | { import?: string }>)
        .filter(([key]) => key !== "./package.json")
        .map(([key]) => {
          const base = key === "." ? "index" : `${key.slice(2)}/index`
          return [base, `${base}.ts`]
        }),
    ),
    "hosts/cli/bin": "hosts/cli/bin.ts",
    // PGlite's worker-thread entry, loaded by path (not imported) from adapters/pglite/PgliteDatabase.ts.
    "adapters/pglite/PgliteWorker": "adapters/pglite/PgliteWorker.ts",
  },
  format: ["esm"],
  target: "node22",
  platform: "node",
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  outDir: "dist",
})
