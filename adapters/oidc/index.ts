/** Entry point `anju/adapters/oidc`: the ActorVerifier for an external identity provider's JWTs (JWKS). */
export * as OidcActorVerifier from "./OidcActorVerifier.js"
