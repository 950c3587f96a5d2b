/** Published entry point `anju/adapters/fs`: file-system adapters (policy parameter files). */
export * as FsPolicySource from "./FsPolicySource.js"
