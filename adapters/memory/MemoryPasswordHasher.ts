/**
 * A FAST PasswordHasher for tests, demos and replays only: salted SHA-256 (`fast$<salt>$<hash>`), which a
 * stolen table would not protect. Production hosts use adapters/node/ScryptPasswordHasher. Compares in
 * constant time; `null` does the same work and answers false.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { PasswordHasher } from "../../application/ports/PasswordHasher.js"

const digest = (salt: string, password: string) =>
  createHash("sha256").update(`${salt}\u0000${password}`, "utf8").digest()

const FORMAT = /^fast\$([0-9a-f]{32})\$([0-9a-f]{64})$/u

export const make = PasswordHasher.of({
  hash: (password) =>
    Effect.sync(() => {
      const salt = randomBytes(16).toString("hex")
      return `fast$${salt}$${digest(salt, Redacted.value(password)).toString("hex")}`
    }),
  verify: (password, stored) =>
    Effect.sync(() => {
      const m = FORMAT.exec(stored ?? "")
      const salt = m?.[1] ?? "0".repeat(32)
      const expected = m === null ? Buffer.alloc(32) : Buffer.from(m[2]!, "hex")
      const ok = timingSafeEqual(digest(salt, Redacted.value(password)), expected)
      return ok && m !== null
    }),
})

export const layer = Layer.succeed(PasswordHasher, make)
