/**
 * StockStore on embedded PGlite: exactly the PostgreSQL store (`PgStockStore.make`, same SQL and
 * migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgStockStore, make as makePgStockStore } from "../postgres/PgStockStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgStockStore

/** StockStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgStockStore.pipe(Layer.provide(pgliteDatabase(config)))
