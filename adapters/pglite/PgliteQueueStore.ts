/**
 * QueueStore on embedded PGlite: exactly the PostgreSQL store (`PgQueueStore.make`, same SQL and
 * migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgQueueStore, make as makePgQueueStore } from "../postgres/PgQueueStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgQueueStore

/** QueueStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgQueueStore.pipe(Layer.provide(pgliteDatabase(config)))
