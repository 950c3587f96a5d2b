/**
 * SelectionStore on embedded PGlite: exactly the PostgreSQL store (`PgSelectionStore.make`, same SQL and
 * migrations) over a PgliteDatabase. Its choices let units of the StockStore on the same database.
 */
import { Layer } from "effect"
import { layer as pgSelectionStore, make as makePgSelectionStore } from "../postgres/PgSelectionStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgSelectionStore

/** SelectionStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) =>
  pgSelectionStore.pipe(Layer.provide(pgliteDatabase(config)))
