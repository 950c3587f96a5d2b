/**
 * Entry point `anju/adapters/http`: the agency-records client over the `anju-agency/1` protocol (JSON over
 * HTTP, SM2-signed answers, timeouts, retries, circuit breaker) and its wire format (docs/agencies.md).
 */
export * as AgencyWire from "./AgencyWire.js"
export * as CircuitBreaker from "./CircuitBreaker.js"
export * as HttpAgencyRecords from "./HttpAgencyRecords.js"
