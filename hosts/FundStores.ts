/**
 * The Ledger for the storage a host runs on (chosen by StoreSelection.chooseStorage): PostgreSQL when a
 * database URL is given, otherwise embedded PGlite in a data directory or in memory. Migrations (fund
 * tables, balance trigger) run when the layer starts.
 */
import type { Layer } from "effect"
import { Layer as L } from "effect"
import type { FundRegistry } from "../application/ports/FundRegistry.js"
import type { Ledger } from "../application/ports/Ledger.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgFundRegistry from "../adapters/postgres/PgFundRegistry.js"
import * as PgLedger from "../adapters/postgres/PgLedger.js"
import type { StorageChoice } from "./StoreSelection.js"

export const ledgerLayer = (c: StorageChoice): Layer.Layer<Ledger, Error> =>
  PgLedger.layer.pipe(
    L.provide(
      c.kind === "postgres"
        ? PgDatabase.layer({ url: c.url, schema: c.schema })
        : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir }),
    ),
  )

/**
 * The fund registry (basic data, deposits, bills) with the Ledger over ONE database, so a deposit, its
 * bill and its journal entry commit together (PgFundRegistry posts through PgLedger.postEntriesIn).
 */
export const fundRegistryLayer = (c: StorageChoice): Layer.Layer<FundRegistry | Ledger, Error> =>
  L.merge(PgFundRegistry.layer, PgLedger.layer).pipe(
    L.provide(
      c.kind === "postgres"
        ? PgDatabase.layer({ url: c.url, schema: c.schema })
        : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir }),
    ),
  )
