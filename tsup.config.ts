// Library build: one ESM entry per published subpath (see package.json "exports") plus the CLI bin.
// Declarations are not bundled here: `tsc -p tsconfig.build.json` (the second half of `npm run build`)
// emits one .d.ts per source file beside them, because the bundled ones turned type-only exports of
// `export * as X` namespaces into values (TS2693 for consumers without skipLibCheck) and dropped
// same-named value/type pairs such as `Domain.Money.Money` (TS2694). Only the entries below and what
// they import are built, so no test file reaches dist.
import { defineConfig } from "tsup"

export default defineConfig({
  entry: {
    index: "index.ts",
    "domain/index": "domain/index.ts",
    "application/index": "application/index.ts",
    "contracts-tests/index": "contracts-tests/index.ts",
    "adapters/memory/index": "adapters/memory/index.ts",
    "adapters/node/index": "adapters/node/index.ts",
    "adapters/postgres/index": "adapters/postgres/index.ts",
    "adapters/pglite/index": "adapters/pglite/index.ts",
    "adapters/fs/index": "adapters/fs/index.ts",
    "adapters/sm/index": "adapters/sm/index.ts",
    "adapters/config/index": "adapters/config/index.ts",
    "adapters/sim/index": "adapters/sim/index.ts",
    "hosts/http/index": "hosts/http/index.ts",
    "hosts/cli/bin": "hosts/cli/bin.ts",
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
