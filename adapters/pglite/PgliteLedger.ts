/**
 * Ledger on embedded PGlite: exactly the PostgreSQL ledger (`PgLedger.make`, same SQL, constraint
 * trigger and migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgLedger, make as makePgLedger } from "../postgres/PgLedger.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgLedger

/** Ledger over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgLedger.pipe(Layer.provide(pgliteDatabase(config)))
