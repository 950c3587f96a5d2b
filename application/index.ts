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
export * from "./ports/PolicySource.js"
export * from "./policy/CheckGuard.js"
export * from "./policy/CheckTalentQuotas.js"
export * from "./policy/ComputeLianzuSubsidy.js"
export * from "./policy/EvaluateEligibility.js"
export * from "./policy/LoadPolicyTable.js"
export * from "./policy/QuoteGongyouBuyout.js"
