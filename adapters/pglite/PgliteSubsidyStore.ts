/**
 * SubsidyStore on embedded PGlite: exactly the PostgreSQL store (`PgSubsidyStore.make`, same SQL and
 * migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgSubsidyStore, make as makePgSubsidyStore } from "../postgres/PgSubsidyStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgSubsidyStore

/** SubsidyStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgSubsidyStore.pipe(Layer.provide(pgliteDatabase(config)))
