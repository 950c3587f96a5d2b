/**
 * CaseStore on embedded PGlite: exactly the PostgreSQL store (`PgCaseStore.make`, same SQL and
 * migrations) over a PgliteDatabase. The instance lives as long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgCaseStore, make as makePgCaseStore } from "../postgres/PgCaseStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgCaseStore

/** CaseStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgCaseStore.pipe(Layer.provide(pgliteDatabase(config)))
