/**
 * ContractStore on embedded PGlite: exactly the PostgreSQL store (`PgContractStore.make`, same SQL, trigger
 * and migrations) over a PgliteDatabase. Its commits move units of the StockStore on the same database.
 */
import { Layer } from "effect"
import { layer as pgContractStore, make as makePgContractStore } from "../postgres/PgContractStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgContractStore

/** ContractStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) =>
  pgContractStore.pipe(Layer.provide(pgliteDatabase(config)))
