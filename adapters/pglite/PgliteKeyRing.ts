/**
 * The software KMS's KeyRing on embedded PGlite: exactly the PostgreSQL ring (`PgKeyRing.make`, same SQL
 * and migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgKeyRing, make as makePgKeyRing } from "../postgres/PgKeyRing.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgKeyRing

/** KeyRing over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgKeyRing.pipe(Layer.provide(pgliteDatabase(config)))
