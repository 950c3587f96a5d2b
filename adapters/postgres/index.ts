/**
 * Published entry point `anju/adapters/postgres`: the PostgreSQL database layer, its migrations and the
 * StockStore over it. Hosts compose these; nothing inside the package imports this barrel.
 */
export * as Migrations from "./Migrations.js"
export * as PgDatabase from "./PgDatabase.js"
export * as PgStockStore from "./PgStockStore.js"
export * as PgCaseStore from "./PgCaseStore.js"
export * as PgLedger from "./PgLedger.js"
export * as PgLotteryStore from "./PgLotteryStore.js"
export * as PgAuditLog from "./PgAuditLog.js"
export * as PgIdentityStore from "./PgIdentityStore.js"
export * as PgJobQueue from "./PgJobQueue.js"
export * as PgKeyRing from "./PgKeyRing.js"
