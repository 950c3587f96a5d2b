/** Published entry point `anju/adapters/memory`: in-memory adapters for tests, replays and embedding. */
export * as MemoryStockStore from "./MemoryStockStore.js"
export * as SeededSecureRandom from "./SeededSecureRandom.js"
export * as MemoryPolicySource from "./MemoryPolicySource.js"
export * as MemoryAgencyRecords from "./MemoryAgencyRecords.js"
export * as MemoryCaseStore from "./MemoryCaseStore.js"
export * as MemoryFieldCipher from "./MemoryFieldCipher.js"
export * as MemoryLedger from "./MemoryLedger.js"
export * as MemoryLotteryStore from "./MemoryLotteryStore.js"
