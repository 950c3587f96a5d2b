/**
 * Which storage a host runs on, chosen from flags and environment: PostgreSQL when a database URL is
 * given (`--database-url` or `DATABASE_URL`), otherwise the embedded default, PGlite, in a data directory
 * (`--data-dir`, default `.anju-data`) or in memory (`--memory`). Returns the layers every host needs.
 */
import { Layer } from "effect"
import type { SecureRandom } from "../application/ports/SecureRandom.js"
import type { StockStore } from "../application/ports/StockStore.js"
import * as NodeSecureRandom from "../adapters/node/NodeSecureRandom.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgStockStore from "../adapters/postgres/PgStockStore.js"

export type StorageChoice =
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string }
  | { readonly kind: "pglite"; readonly dataDir: string | null }

export const STORAGE_FLAGS = {
  values: ["database-url", "db-schema", "data-dir"],
  switches: ["memory"],
} as const

export const chooseStorage = (
  flags: { readonly values: ReadonlyMap<string, string>; readonly switches: ReadonlySet<string> },
  env: Readonly<Record<string, string | undefined>>,
): StorageChoice => {
  const url = flags.values.get("database-url") ?? env["DATABASE_URL"]
  if (url !== undefined && url !== "")
    return { kind: "postgres", url, schema: flags.values.get("db-schema") ?? env["ANJU_DB_SCHEMA"] ?? "anju" }
  if (flags.switches.has("memory")) return { kind: "pglite", dataDir: null }
  return { kind: "pglite", dataDir: flags.values.get("data-dir") ?? env["ANJU_DATA_DIR"] ?? ".anju-data" }
}

export const describeStorage = (c: StorageChoice): string =>
  c.kind === "postgres"
    ? `PostgreSQL (${c.url.replace(/\/\/([^:@/]+):[^@/]*@/u, "//$1:***@")}, schema ${c.schema})`
    : c.dataDir === null
      ? "embedded PGlite (in memory)"
      : `embedded PGlite (${c.dataDir})`

/** StockStore and SecureRandom for the chosen storage; migrations run when the layer starts. */
export const storesLayer = (c: StorageChoice): Layer.Layer<StockStore | SecureRandom, Error> => {
  const database =
    c.kind === "postgres"
      ? PgDatabase.layer({ url: c.url, schema: c.schema })
      : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir })
  return Layer.mergeAll(PgStockStore.layer.pipe(Layer.provide(database)), NodeSecureRandom.layer)
}
