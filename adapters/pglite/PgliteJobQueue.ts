/**
 * The embedded JobQueue on PGlite: exactly the PostgreSQL queue (`PgJobQueue.make`, same SQL and
 * migrations) over a PgliteDatabase. PGlite is one session, so claims are serialised; SKIP LOCKED is a
 * no-op there and the same SQL holds.
 */
import { Layer } from "effect"
import { layer as pgJobQueue, make as makePgJobQueue } from "../postgres/PgJobQueue.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgJobQueue

/** JobQueue over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgJobQueue.pipe(Layer.provide(pgliteDatabase(config)))
