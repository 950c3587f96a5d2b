/**
 * LotteryStore on embedded PGlite: exactly the PostgreSQL store (`PgLotteryStore.make`, same SQL, the same
 * partial unique indexes enforcing run-once, same migrations) over a PgliteDatabase. The instance lives as
 * long as the layer's scope.
 */
import { Layer } from "effect"
import { layer as pgLotteryStore, make as makePgLotteryStore } from "../postgres/PgLotteryStore.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgLotteryStore

/** LotteryStore over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgLotteryStore.pipe(Layer.provide(pgliteDatabase(config)))
