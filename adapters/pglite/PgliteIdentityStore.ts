/**
 * IdentityStore on embedded PGlite: exactly the PostgreSQL store (`PgIdentityStore.make`, same SQL,
 * trigger and migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgIdentityStore, make as makePgIdentityStore } from "../postgres/PgIdentityStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgIdentityStore

/** IdentityStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) =>
  pgIdentityStore.pipe(Layer.provide(pgliteDatabase(config)))
