/**
 * AuditLog on embedded PGlite: exactly the PostgreSQL audit log (`PgAuditLog.make`, same SQL, triggers and
 * migrations) over a PgliteDatabase. PGlite serialises connections, so appends are linear there too.
 */
import { Layer } from "effect"
import { layer as pgAuditLog, make as makePgAuditLog } from "../postgres/PgAuditLog.js"
import { type PgliteConfig, layer as pgliteDatabase } from "./PgliteDatabase.js"

export const make = makePgAuditLog

/** AuditLog over a fresh PGlite instance (in memory unless `dataDir` is given), migrated on start. */
export const layer = (config: PgliteConfig = {}) => pgAuditLog.pipe(Layer.provide(pgliteDatabase(config)))
