/**
 * FundRegistry on embedded PGlite: exactly the PostgreSQL store (`PgFundRegistry.make`, same SQL, keys and
 * migrations) with the Ledger over the same PgliteDatabase, so deposits and their postings share one
 * transaction. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgFundRegistry, make as makePgFundRegistry } from "../postgres/PgFundRegistry.js"
import { layer as pgLedger } from "../postgres/PgLedger.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgFundRegistry

/** FundRegistry and Ledger over one fresh PGlite instance (in memory unless `dataDir` is given). */
export const layer = (config: PgliteConfig = {}) =>
  Layer.merge(pgFundRegistry, pgLedger).pipe(Layer.provide(pgliteDatabase(config)))
