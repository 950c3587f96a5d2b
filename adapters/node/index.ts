/** Published entry point `anju/adapters/node`: adapters on Node's own facilities (the OS CSPRNG). */
export * as NodeSecureRandom from "./NodeSecureRandom.js"
export * as ScryptPasswordHasher from "./ScryptPasswordHasher.js"
