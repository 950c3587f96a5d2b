/**
 * Published entry point `anju/adapters/pglite`: embedded PGlite as the database (in memory or a data
 * directory) and the StockStore over it. Hosts compose these; nothing inside the package imports this barrel.
 */
export * as PgliteDatabase from "./PgliteDatabase.js"
export * as PgliteStockStore from "./PgliteStockStore.js"
export * as PgliteCaseStore from "./PgliteCaseStore.js"
export * as PgliteLedger from "./PgliteLedger.js"
export * as PgliteLotteryStore from "./PgliteLotteryStore.js"
export * as PgliteAuditLog from "./PgliteAuditLog.js"
export * as PgliteIdentityStore from "./PgliteIdentityStore.js"
export * as PgliteJobQueue from "./PgliteJobQueue.js"
/** The database service PGlite provides, shared with the PostgreSQL adapters. */
export { type Database, PgDatabase, PgDatabaseStartError } from "../postgres/PgDatabase.js"
export * as PgliteKeyRing from "./PgliteKeyRing.js"
