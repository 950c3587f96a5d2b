/**
 * Published entry point `anju/contracts-tests`: the port contract suites, so an embedder's own adapter
 * can prove it behaves like Anju's (`suite("my-store", myLayer)` inside a vitest file).
 */
export * as StockFixtures from "./StockFixtures.js"
export { suite as stockStoreSuite } from "./StockStore.contract.js"
export { samplePolicyFiles, suite as policySourceSuite } from "./PolicySource.contract.js"
export { suite as caseStoreSuite } from "./CaseStore.contract.js"
export { suite as ledgerSuite } from "./Ledger.contract.js"
export { type FieldCipherSuiteOptions, suite as fieldCipherSuite } from "./FieldCipher.contract.js"
export { suite as lotteryStoreSuite } from "./LotteryStore.contract.js"
export { suite as signerSuite } from "./Signer.contract.js"
export { suite as auditLogSuite } from "./AuditLog.contract.js"
export { sampleUser as identitySampleUser, suite as identityStoreSuite } from "./IdentityStore.contract.js"
export { clockSuite as jobQueueClockSuite, suite as jobQueueSuite } from "./JobQueue.contract.js"
export { suite as keyManagementSuite } from "./KeyManagement.contract.js"
