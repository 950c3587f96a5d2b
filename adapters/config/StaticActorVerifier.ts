/**
 * ActorVerifier from a static token table (静态令牌表): JSON mapping each secret to an actor, read from
 * `ANJU_TOKENS` (the JSON itself) or `ANJU_TOKENS_FILE` (a path). Officers' and applicants' entries are
 * bearer tokens; `system` entries are API keys (`X-Api-Key`) and nothing else. Only SHA-256 digests of
 * the secrets are kept, and a credential is compared with every digest in constant time. Applicants are
 * given by ID number, turned into the FieldCipher blind index at start. A bad table fails at start.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { readFile } from "node:fs/promises"
import { Config, Data, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import type { Actor } from "../../application/cases/CaseActor.js"
import { ActorVerifier, ActorVerifierError } from "../../application/ports/ActorVerifier.js"
import { FieldCipher } from "../../application/ports/FieldCipher.js"

export const CONFIG = { tokens: "ANJU_TOKENS", tokensFile: "ANJU_TOKENS_FILE" } as const

/** Shortest accepted secret: a token table is no place for guessable passwords. */
export const MIN_SECRET_LENGTH = 16

const Id = Schema.String.check(Schema.isMinLength(1))
const ActorEntry = Schema.Union([
  Schema.Struct({ role: Schema.Literal("city"), id: Id }),
  Schema.Struct({ role: Schema.Literal("district"), id: Id, district: Schema.String }),
  Schema.Struct({ role: Schema.Literal("operator"), id: Id, projectIds: Schema.Array(Schema.String) }),
  Schema.Struct({ role: Schema.Literal("applicant"), id: Id, idNumber: Schema.String }),
  Schema.Struct({
    role: Schema.Literal("system"),
    id: Id,
    districts: Schema.Union([Schema.Literal("all"), Schema.Array(Schema.String)]),
  }),
])
export type ActorEntry = typeof ActorEntry.Type

/** Secret → actor; in JSON `{ "<secret>": { "role": "district", "id": "pd-1", "district": "310115" } }`. */
export const TokenTable = Schema.Record(Schema.String, ActorEntry)
export type TokenTable = typeof TokenTable.Type

/** The token table is missing, unreadable or malformed: a start-up failure. Never contains a secret. */
export class ActorTokensInvalid extends Data.TaggedError("ActorTokensInvalid")<{
  readonly message: string
}> {}

const digest = (secret: string) => createHash("sha256").update(secret, "utf8").digest()

/** Parses the JSON of a token table; `source` names it in errors (`ANJU_TOKENS`, a file path). */
export const parseTokens = (json: string, source: string): Result.Result<TokenTable, ActorTokensInvalid> => {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return Result.fail(new ActorTokensInvalid({ message: `${source} is not valid JSON` }))
  }
  const decoded = Schema.decodeUnknownResult(TokenTable)(raw)
  if (Result.isFailure(decoded))
    return Result.fail(
      new ActorTokensInvalid({
        message: `${source} must map each token to an actor ({"role":"city|district|operator|applicant|system","id":…}): ${decoded.failure.message.replace(/"[^"]{16,}"/gu, '"…"')}`,
      }),
    )
  const short = Object.keys(decoded.success).filter((k) => k.length < MIN_SECRET_LENGTH).length
  if (short > 0)
    return Result.fail(
      new ActorTokensInvalid({
        message: `${source}: ${short} token(s) shorter than ${MIN_SECRET_LENGTH} characters`,
      }),
    )
  return Result.succeed(decoded.success)
}

interface Entry {
  readonly digest: Buffer
  readonly apiKey: boolean
  readonly actor: Actor
}

/** The verifier for a table; applicants' ID numbers become blind indexes here (needs FieldCipher). */
export const make = (table: TokenTable): Effect.Effect<ActorVerifier["Service"], never, FieldCipher> =>
  Effect.gen(function* () {
    const cipher = yield* FieldCipher
    const entries: Array<Entry> = []
    for (const [secret, e] of Object.entries(table)) {
      const actor: Actor =
        e.role === "applicant"
          ? {
              role: "applicant",
              id: e.id,
              idIndex: yield* cipher
                .blindIndex("idNumber", e.idNumber.trim().toUpperCase())
                .pipe(Effect.orDie),
            }
          : e
      entries.push({ digest: digest(secret), apiKey: e.role === "system", actor })
    }
    const unauthenticated = new ActorVerifierError({ reason: { _tag: "Unauthenticated" } })
    return {
      verify: (credential) =>
        Effect.suspend(() => {
          const presented = digest(credential._tag === "Bearer" ? credential.token : credential.key)
          let found: Entry | undefined
          // Every digest is compared (no early exit), each in constant time.
          for (const entry of entries) if (timingSafeEqual(entry.digest, presented)) found = entry
          return found === undefined || found.apiKey !== (credential._tag === "ApiKey")
            ? Effect.fail(unauthenticated)
            : Effect.succeed(found.actor)
        }),
    }
  })

export const layer = (table: TokenTable): Layer.Layer<ActorVerifier, never, FieldCipher> =>
  Layer.effect(ActorVerifier, make(table))

/**
 * The table from `ANJU_TOKENS` (JSON) or else `ANJU_TOKENS_FILE` (path to JSON). With neither, the
 * table is empty and every credential is refused (the host warns); both set is an error.
 */
export const layerConfig: Layer.Layer<ActorVerifier, ActorTokensInvalid, FieldCipher> = Layer.effect(
  ActorVerifier,
  Effect.gen(function* () {
    const unreadable = (name: string) => () => new ActorTokensInvalid({ message: `${name} cannot be read` })
    const inline = yield* Config.option(Config.Redacted(CONFIG.tokens)).pipe(
      Effect.mapError(unreadable(CONFIG.tokens)),
    )
    const file = yield* Config.option(Config.String(CONFIG.tokensFile)).pipe(
      Effect.mapError(unreadable(CONFIG.tokensFile)),
    )
    if (Option.isSome(inline) && Option.isSome(file))
      return yield* new ActorTokensInvalid({
        message: `set either ${CONFIG.tokens} or ${CONFIG.tokensFile}, not both`,
      })
    const table: TokenTable = Option.isSome(inline)
      ? yield* Effect.fromResult(parseTokens(Redacted.value(inline.value), CONFIG.tokens))
      : Option.isSome(file)
        ? yield* Effect.tryPromise({
            try: () => readFile(file.value, "utf8"),
            catch: () =>
              new ActorTokensInvalid({ message: `${CONFIG.tokensFile}: cannot read ${file.value}` }),
          }).pipe(Effect.flatMap((text) => Effect.fromResult(parseTokens(text, file.value))))
        : {}
    return yield* make(table)
  }),
)
