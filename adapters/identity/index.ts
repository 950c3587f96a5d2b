/**
 * Entry point `anju/adapters/identity`: ActorVerifiers over stored identities (sessions and API keys by
 * digest) and the chain that tries several verifiers in order. Hosts compose these.
 */
export * as ChainedActorVerifier from "./ChainedActorVerifier.js"
export * as StoredActorVerifier from "./StoredActorVerifier.js"
