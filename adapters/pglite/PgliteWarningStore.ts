/**
 * WarningStore on embedded PGlite: exactly the PostgreSQL store (`PgWarningStore.make`, same SQL and
 * migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgWarningStore, make as makePgWarningStore } from "../postgres/PgWarningStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgWarningStore

/** WarningStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgWarningStore.pipe(Layer.provide(pgliteDatabase(config)))
