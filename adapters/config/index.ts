/** Published entry point `anju/adapters/config`: adapters configured statically (token tables). */
export * as StaticActorVerifier from "./StaticActorVerifier.js"
