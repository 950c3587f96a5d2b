/**
 * Published entry point `anju/application`: ports (service tags with their error types) and use-cases.
 */
export * from "./ports/SecureRandom.js"
export * from "./ports/StockStore.js"
export * from "./stock/ChangeUnits.js"
export * from "./stock/ImportStock.js"
export * from "./stock/QueryStock.js"
export * from "./stock/RegisterStock.js"
export * from "./stock/StockErrors.js"
