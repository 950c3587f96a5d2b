/**
 * The host's configuration (配置): one typed value that selects every adapter — storage, field keys,
 * identity, agencies, demo mode — read through Effect `Config` (secrets as `Redacted`) from flags, the
 * environment and an optional file named by `ANJU_CONFIG_FILE` (a JSON or YAML mapping of the same names),
 * with precedence flag > env > file > default. `planHost` lists EVERY problem at once: without demo mode a
 * host never runs on demo keys, demo tokens or the agency simulator it was not told to use (docs/agencies.md).
 */
import { readFileSync } from "node:fs"
import { Config, ConfigProvider, Effect, Option, Redacted, Result } from "effect"
import { parse as parseYaml } from "yaml"
import * as StaticActorVerifier from "../adapters/config/StaticActorVerifier.js"
import { type HttpAgencyOptions, PUBLIC_KEY_PATTERN } from "../adapters/http/HttpAgencyRecords.js"
import * as SoftwareKeyManagement from "../adapters/kms/SoftwareKeyManagement.js"
import * as Sm4FieldCipher from "../adapters/sm/Sm4FieldCipher.js"
import { DEMO_AGENCY_PUBLIC_KEY } from "./agency-sim/DemoAgencyKey.js"
import { DEMO_FIELD_KEYS, DEMO_KMS_MASTER_KEY, DEMO_TOKENS } from "./demo/DemoCases.js"

export type Env = Readonly<Record<string, string | undefined>>

/** Where a value came from. */
export type Origin = "flag" | "env" | "file" | "default"

// ── storage ────────────────────────────────────────────────────────────────────────────────────────────

export type StorageChoice =
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string }
  | { readonly kind: "pglite"; readonly dataDir: string | null }

export const STORAGE_FLAGS = {
  values: ["database-url", "db-schema", "data-dir"],
  switches: ["memory"],
} as const

export const DEFAULT_DATA_DIR = ".anju-data"

export const chooseStorage = (
  flags: { readonly values: ReadonlyMap<string, string>; readonly switches: ReadonlySet<string> },
  env: Env,
): StorageChoice => {
  const url = flags.values.get("database-url") ?? env["DATABASE_URL"]
  if (url !== undefined && url !== "")
    return { kind: "postgres", url, schema: flags.values.get("db-schema") ?? env["ANJU_DB_SCHEMA"] ?? "anju" }
  if (flags.switches.has("memory")) return { kind: "pglite", dataDir: null }
  return { kind: "pglite", dataDir: flags.values.get("data-dir") ?? env["ANJU_DATA_DIR"] ?? DEFAULT_DATA_DIR }
}

const maskUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/u, "//$1:***@")

export const describeStorage = (c: StorageChoice): string =>
  c.kind === "postgres"
    ? `PostgreSQL (${maskUrl(c.url)}, schema ${c.schema})`
    : c.dataDir === null
      ? "embedded PGlite (in memory)"
      : `embedded PGlite (${c.dataDir})`

// ── settings ───────────────────────────────────────────────────────────────────────────────────────────

/** Every setting a host reads (environment names; the same keys in the config file). */
export const SETTINGS = {
  configFile: "ANJU_CONFIG_FILE",
  demo: "ANJU_DEMO",
  databaseUrl: "DATABASE_URL",
  dbSchema: "ANJU_DB_SCHEMA",
  dataDir: "ANJU_DATA_DIR",
  fieldKey: Sm4FieldCipher.CONFIG.encryptionKey,
  indexKey: Sm4FieldCipher.CONFIG.indexKey,
  fieldKeyId: Sm4FieldCipher.CONFIG.keyId,
  fieldKmsKey: Sm4FieldCipher.CONFIG.kmsKeyId,
  kmsMasterKey: SoftwareKeyManagement.CONFIG.masterKey,
  identity: "ANJU_IDENTITY",
  tokens: StaticActorVerifier.CONFIG.tokens,
  tokensFile: StaticActorVerifier.CONFIG.tokensFile,
  oidcIssuer: "ANJU_OIDC_ISSUER",
  oidcAudience: "ANJU_OIDC_AUDIENCE",
  oidcJwksUrl: "ANJU_OIDC_JWKS_URL",
  agencies: "ANJU_AGENCIES",
  agencyUrl: "ANJU_AGENCY_URL",
  agencyPublicKey: "ANJU_AGENCY_PUBLIC_KEY",
  agencyUserId: "ANJU_AGENCY_USER_ID",
  agencyTimeoutMs: "ANJU_AGENCY_TIMEOUT_MS",
  agencyRetries: "ANJU_AGENCY_RETRIES",
  agencyBackoffMs: "ANJU_AGENCY_BACKOFF_MS",
  agencyBreakerFailures: "ANJU_AGENCY_BREAKER_FAILURES",
  agencyBreakerCooldownMs: "ANJU_AGENCY_BREAKER_COOLDOWN_MS",
  agencySimPrivateKey: "ANJU_AGENCY_SIM_PRIVATE_KEY",
} as const

/** Settings whose values are never printed. */
const SECRET = new Set<string>([
  SETTINGS.kmsMasterKey,
  SETTINGS.fieldKey,
  SETTINGS.indexKey,
  SETTINGS.tokens,
  SETTINGS.agencySimPrivateKey,
])
const KNOWN = new Set<string>(Object.values(SETTINGS))

export interface ConfigFile {
  readonly path: string
  readonly values: Env
}

/**
 * Reads the file named by `ANJU_CONFIG_FILE` (YAML, which includes JSON): a flat mapping from setting
 * names to scalars. Unknown names are refused (a typo must not silently fall back to a default).
 */
export const readConfigFile = (
  env: Env,
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Result.Result<ConfigFile | undefined, string> => {
  const path = env[SETTINGS.configFile]
  if (path === undefined || path === "") return Result.succeed(undefined)
  let text: string
  try {
    text = read(path)
  } catch {
    return Result.fail(`${SETTINGS.configFile}: cannot read ${path}`)
  }
  let parsed: unknown
  try {
    parsed = parseYaml(text)
  } catch {
    return Result.fail(`${SETTINGS.configFile}: ${path} is neither JSON nor YAML`)
  }
  if (parsed === null || parsed === undefined) return Result.succeed({ path, values: {} })
  if (typeof parsed !== "object" || Array.isArray(parsed))
    return Result.fail(`${SETTINGS.configFile}: ${path} must be a mapping of setting names to values`)
  const values: Record<string, string> = {}
  const bad: Array<string> = []
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!KNOWN.has(k) || k === SETTINGS.configFile) bad.push(`unknown setting ${k}`)
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") values[k] = String(v)
    else if (v !== null) bad.push(`${k} must be a string, number or boolean`)
  }
  return bad.length > 0
    ? Result.fail(`${SETTINGS.configFile}: ${path}: ${bad.join("; ")}`)
    : Result.succeed({ path, values })
}

// ── the plan ───────────────────────────────────────────────────────────────────────────────────────────

/**
 * Field keys: the KMS master key (ANJU_KMS_MASTER_KEY) under which the key versions that wrap every data key
 * are sealed, the blind-index key, and optionally the format-v1 SM4 key for values sealed before envelope
 * encryption.
 */
export type FieldKeysChoice =
  | {
      readonly kind: "configured"
      readonly keys: Sm4FieldCipher.Sm4Keys
      readonly masterKey: Redacted.Redacted<string>
    }
  | { readonly kind: "demo" }

/**
 * How callers are authenticated; several may be active (tried in order). SELECTION POINT for the identity
 * adapters: `stored` (users, roles and sessions in the database, adapters/identity) and `oidc` (bearer
 * tokens of an external identity provider, keys from JWKS, adapters/oidc) are selected here and wired in
 * StoreSelection.identityLayer.
 */
export type IdentityChoice =
  | { readonly kind: "demo-tokens" }
  /** The static table of `ANJU_TOKENS` / `ANJU_TOKENS_FILE` (StaticActorVerifier.layerConfig reads it). */
  | { readonly kind: "static-tokens" }
  | { readonly kind: "stored" }
  | { readonly kind: "oidc"; readonly issuer: string; readonly audience: string; readonly jwksUrl: string }

export type AgenciesChoice =
  /** `configured`: ANJU_AGENCIES=simulator; `demo`/`memory`: the fallback of a try-out host, with a warning. */
  | { readonly kind: "simulator"; readonly why: "configured" | "demo" | "memory" }
  | { readonly kind: "http"; readonly options: HttpAgencyOptions }

export interface ConfigItem {
  readonly name: string
  /** The value as printed: secrets as `<redacted>`, passwords in URLs masked. */
  readonly shown: string
  readonly origin: Origin
}

export interface HostConfig {
  readonly demo: boolean
  readonly storage: StorageChoice
  readonly fieldKeys: FieldKeysChoice
  readonly identity: ReadonlyArray<IdentityChoice>
  readonly agencies: AgenciesChoice
  /** The merged settings (flag > env > file): the ConfigProvider of the adapters' own `layerConfig`s. */
  readonly settings: Env
  readonly file: string | undefined
  readonly items: ReadonlyArray<ConfigItem>
}

export interface HostPlan {
  readonly config: HostConfig
  /** Each item that keeps the host from starting; empty when it may start. */
  readonly problems: ReadonlyArray<string>
  /** Lines to print at start (demo keys, demo tokens, simulator, …). */
  readonly warnings: ReadonlyArray<string>
}

export interface PlanInput {
  /** Storage already chosen from flags and environment (the CLI); resolved here when absent. */
  readonly storage?: StorageChoice
  /** `--demo`. */
  readonly demo?: boolean
  readonly env: Env
  /** Settings given as flags, by setting name (the CLI's storage flags are passed as `storage`). */
  readonly flags?: Env
  /** Reads the config file and the tokens file (default: the file system). */
  readonly readFile?: (path: string) => string
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v)

const HEX32 = /^[0-9a-fA-F]{32}$/u

/** Decides every adapter from the configuration and lists every problem (see the module header). */
export const planHost = (input: PlanInput): HostPlan => {
  const env = input.env
  const flags = input.flags ?? {}
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, "utf8"))
  const problems: Array<string> = []
  const warnings: Array<string> = []

  const fileResult = readConfigFile(env, readFile)
  if (Result.isFailure(fileResult)) problems.push(fileResult.failure)
  const file = Result.isSuccess(fileResult) ? fileResult.success : undefined

  const origin = (name: string): Origin =>
    nonEmpty(flags[name]) !== undefined
      ? "flag"
      : nonEmpty(env[name]) !== undefined
        ? "env"
        : nonEmpty(file?.values[name]) !== undefined
          ? "file"
          : "default"
  const settings: Record<string, string> = {}
  for (const name of KNOWN) {
    const v = nonEmpty(flags[name]) ?? nonEmpty(env[name]) ?? nonEmpty(file?.values[name])
    if (v !== undefined) settings[name] = v
  }
  const provider = ConfigProvider.fromEnvRecord({ ...settings })
  /** Reads one setting through Effect Config; a malformed value becomes a problem naming it. */
  const read = <A>(name: string, config: Config.Config<A>, expected: string): Option.Option<A> => {
    if (settings[name] === undefined) return Option.none()
    const r = Effect.runSync(Effect.result(config.parse(provider)))
    if (Result.isSuccess(r)) return Option.some(r.success)
    problems.push(`${name} must be ${expected} (${origin(name)})`)
    return Option.none()
  }
  const int = (name: string, min: number, max: number, fallback: number): number => {
    const v = read(name, Config.Int(name), `an integer from ${min} to ${max}`)
    if (Option.isNone(v)) return fallback
    if (v.value < min || v.value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${v.value} (${origin(name)})`)
      return fallback
    }
    return v.value
  }
  const items: Array<ConfigItem> = []

  // Demo mode and storage.
  const demoSetting = read(SETTINGS.demo, Config.Boolean(SETTINGS.demo), "true or false")
  const demo = input.demo === true || Option.getOrElse(demoSetting, () => false)
  items.push({
    name: "demo mode",
    shown: demo ? "ON (demo data, demo tokens, demo keys allowed)" : "off",
    origin: input.demo === true ? "flag" : origin(SETTINGS.demo),
  })
  const resolved = resolveStorage(input.storage, env, settings, origin)
  const storage = resolved.storage
  const memory = storage.kind === "pglite" && storage.dataDir === null
  items.push({ name: "storage", shown: describeStorage(storage), origin: resolved.origin })

  // Field keys (envelope encryption: KMS master key; HMAC-SM3 blind index; optional v1 SM4 key).
  const masterKey = read(SETTINGS.kmsMasterKey, Config.Redacted(SETTINGS.kmsMasterKey), "32 hex characters")
  const fieldKey = read(SETTINGS.fieldKey, Config.Redacted(SETTINGS.fieldKey), "32 hex characters")
  const indexKey = read(SETTINGS.indexKey, Config.Redacted(SETTINGS.indexKey), "32 hex characters")
  const keyId = settings[SETTINGS.fieldKeyId]
  const kmsKeyId = settings[SETTINGS.fieldKmsKey]
  let fieldKeys: FieldKeysChoice
  if (Option.isSome(masterKey) && Option.isSome(indexKey)) {
    const m = Redacted.value(masterKey.value).trim()
    const f = Option.isSome(fieldKey) ? Redacted.value(fieldKey.value).trim() : undefined
    const i = Redacted.value(indexKey.value).trim()
    for (const [name, v] of [
      [SETTINGS.kmsMasterKey, m],
      [SETTINGS.fieldKey, f],
      [SETTINGS.indexKey, i],
    ] as const)
      if (v !== undefined && !HEX32.test(v))
        problems.push(`${name} must be 32 hexadecimal characters (a 128-bit key); got ${v.length} characters`)
    if (f !== undefined && f.toLowerCase() === i.toLowerCase())
      problems.push(`${SETTINGS.indexKey} must differ from ${SETTINGS.fieldKey}`)
    if (m.toLowerCase() === i.toLowerCase() || (f !== undefined && m.toLowerCase() === f.toLowerCase()))
      problems.push(`${SETTINGS.kmsMasterKey} must differ from ${SETTINGS.indexKey} and ${SETTINGS.fieldKey}`)
    if (kmsKeyId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u.test(kmsKeyId))
      problems.push(
        `${SETTINGS.fieldKmsKey} must be 1–64 of A-Z a-z 0-9 . _ - (${origin(SETTINGS.fieldKmsKey)})`,
      )
    const demoKeys =
      m.toLowerCase() === Redacted.value(DEMO_KMS_MASTER_KEY) ||
      f?.toLowerCase() === Redacted.value(DEMO_FIELD_KEYS.encryptionKey ?? Redacted.make("")) ||
      i.toLowerCase() === Redacted.value(DEMO_FIELD_KEYS.indexKey)
    if (demoKeys && !demo)
      problems.push(
        `${SETTINGS.kmsMasterKey} / ${SETTINGS.fieldKey} / ${SETTINGS.indexKey}: these are the PUBLIC demo keys; generate your own (openssl rand -hex 16)`,
      )
    fieldKeys = {
      kind: "configured",
      masterKey: masterKey.value,
      keys: {
        indexKey: indexKey.value,
        ...(Option.isSome(fieldKey) ? { encryptionKey: fieldKey.value } : {}),
        ...(keyId === undefined ? {} : { keyId }),
        ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
      },
    }
  } else if (
    settings[SETTINGS.kmsMasterKey] === undefined &&
    settings[SETTINGS.fieldKey] === undefined &&
    settings[SETTINGS.indexKey] === undefined &&
    (demo || memory)
  ) {
    fieldKeys = { kind: "demo" }
    warnings.push(
      `WARNING: personal data is sealed with the PUBLIC DEMO SM4 keys (KMS master key, blind-index key); set ${SETTINGS.kmsMasterKey} and ${SETTINGS.indexKey} for real data`,
    )
  } else {
    fieldKeys = { kind: "demo" }
    for (const name of [SETTINGS.kmsMasterKey, SETTINGS.indexKey])
      if (settings[name] === undefined)
        problems.push(
          name === SETTINGS.kmsMasterKey
            ? `${name} is not set: personal data is sealed by envelope encryption under key versions the KMS keeps sealed with this master key; 32 hex characters, e.g. from openssl rand -hex 16 (docs/security.md, "Key management")`
            : `${name} is not set: ID numbers are found by an HMAC-SM3 blind index under this key; 32 hex characters, e.g. from openssl rand -hex 16`,
        )
  }
  items.push({
    name: "field keys",
    shown:
      fieldKeys.kind === "configured"
        ? `SM4-GCM envelope (KMS key ${fieldKeys.keys.kmsKeyId ?? Sm4FieldCipher.DEFAULT_KMS_KEY_ID}) + HMAC-SM3, configured keys${fieldKeys.keys.encryptionKey === undefined ? "" : "; v1 key for older values"}`
        : "PUBLIC DEMO keys",
    origin: fieldKeys.kind === "configured" ? origin(SETTINGS.kmsMasterKey) : "default",
  })

  // Identity.
  const identity = planIdentity(demo, memory, settings, origin, readFile, problems, warnings)
  items.push({
    name: "identity",
    shown:
      identity.length === 0
        ? "none (every protected route answers 401)"
        : identity.map((i) => (i.kind === "oidc" ? `oidc (${i.issuer})` : i.kind)).join(", "),
    origin: demo
      ? input.demo === true
        ? "flag"
        : origin(SETTINGS.demo)
      : originOfIdentity(settings, origin),
  })

  // Agencies.
  const agencies = planAgencies(demo, memory, settings, origin, read, int, problems, warnings)
  items.push({
    name: "agencies",
    shown:
      agencies.kind === "http"
        ? `HTTP ${agencies.options.url} (signed answers, anju-agency/1)`
        : `SIMULATOR (${agencies.why === "configured" ? `${SETTINGS.agencies}=simulator` : `--${agencies.why} fallback`})`,
    origin: origin(SETTINGS.agencies),
  })

  // One line per setting, secrets redacted.
  for (const name of KNOWN) {
    const v = settings[name]
    items.push({
      name,
      shown:
        v === undefined
          ? "(not set)"
          : SECRET.has(name)
            ? "<redacted>"
            : name === SETTINGS.databaseUrl
              ? maskUrl(v)
              : v,
      origin: name === SETTINGS.configFile ? (v === undefined ? "default" : "env") : origin(name),
    })
  }

  return {
    config: { demo, storage, fieldKeys, identity, agencies, settings, file: file?.path, items },
    problems,
    warnings,
  }
}

const resolveStorage = (
  given: StorageChoice | undefined,
  env: Env,
  settings: Env,
  origin: (name: string) => Origin,
): { storage: StorageChoice; origin: Origin } => {
  const fromSettings = (): { storage: StorageChoice; origin: Origin } => {
    const url = settings[SETTINGS.databaseUrl]
    if (url !== undefined)
      return {
        storage: { kind: "postgres", url, schema: settings[SETTINGS.dbSchema] ?? "anju" },
        origin: origin(SETTINGS.databaseUrl),
      }
    const dir = settings[SETTINGS.dataDir]
    return dir === undefined
      ? { storage: { kind: "pglite", dataDir: DEFAULT_DATA_DIR }, origin: "default" }
      : { storage: { kind: "pglite", dataDir: dir }, origin: origin(SETTINGS.dataDir) }
  }
  if (given === undefined) return fromSettings()
  // The CLI resolved flags and environment; tell which it was, and let the file fill a default.
  if (given.kind === "postgres")
    return { storage: given, origin: given.url === nonEmpty(env[SETTINGS.databaseUrl]) ? "env" : "flag" }
  if (given.dataDir === null) return { storage: given, origin: "flag" }
  if (given.dataDir === nonEmpty(env[SETTINGS.dataDir])) return { storage: given, origin: "env" }
  if (given.dataDir === DEFAULT_DATA_DIR) return fromSettings()
  return { storage: given, origin: "flag" }
}

const originOfIdentity = (settings: Env, origin: (name: string) => Origin): Origin => {
  for (const name of [SETTINGS.identity, SETTINGS.tokens, SETTINGS.tokensFile, SETTINGS.oidcIssuer])
    if (settings[name] !== undefined) return origin(name)
  return "default"
}

const IDENTITY_KINDS = ["tokens", "stored", "oidc"] as const

const planIdentity = (
  demo: boolean,
  memory: boolean,
  settings: Env,
  origin: (name: string) => Origin,
  readFile: (path: string) => string,
  problems: Array<string>,
  warnings: Array<string>,
): ReadonlyArray<IdentityChoice> => {
  const tokensSet = settings[SETTINGS.tokens] !== undefined || settings[SETTINGS.tokensFile] !== undefined
  const oidcSet = [SETTINGS.oidcIssuer, SETTINGS.oidcAudience, SETTINGS.oidcJwksUrl].some(
    (n) => settings[n] !== undefined,
  )
  if (demo) {
    warnings.push("WARNING: demo tokens are accepted (README, 'Qualification cases'); never expose this host")
    if (tokensSet || oidcSet || settings[SETTINGS.identity] !== undefined)
      warnings.push(
        "WARNING: --demo ignores the configured identity settings: only stored users and the demo tokens are accepted",
      )
    return [{ kind: "stored" }, { kind: "demo-tokens" }]
  }
  const listed = settings[SETTINGS.identity]
  const kinds: Array<(typeof IDENTITY_KINDS)[number]> = []
  if (listed !== undefined) {
    for (const word of listed.split(",").map((w) => w.trim())) {
      if ((IDENTITY_KINDS as ReadonlyArray<string>).includes(word)) {
        if (!kinds.includes(word as (typeof IDENTITY_KINDS)[number]))
          kinds.push(word as (typeof IDENTITY_KINDS)[number])
      } else
        problems.push(
          `${SETTINGS.identity} must list tokens, stored and/or oidc (comma-separated), not "${word}" (${origin(SETTINGS.identity)})`,
        )
    }
  } else {
    if (tokensSet) kinds.push("tokens")
    if (oidcSet) kinds.push("oidc")
  }
  const chosen: Array<IdentityChoice> = []
  for (const kind of kinds) {
    if (kind === "tokens") {
      if (!tokensSet)
        problems.push(
          `${SETTINGS.tokens} or ${SETTINGS.tokensFile} must be set for ${SETTINGS.identity}=tokens (a JSON token table)`,
        )
      else if (settings[SETTINGS.tokens] !== undefined && settings[SETTINGS.tokensFile] !== undefined)
        problems.push(`set either ${SETTINGS.tokens} or ${SETTINGS.tokensFile}, not both`)
      else {
        const text =
          settings[SETTINGS.tokens] ??
          (() => {
            try {
              return readFile(settings[SETTINGS.tokensFile] ?? "")
            } catch {
              return undefined // the verifier's own start-up reports the unreadable file
            }
          })()
        const demoTokens = text === undefined ? 0 : demoTokensIn(text)
        if (demoTokens > 0)
          problems.push(
            `${settings[SETTINGS.tokens] !== undefined ? SETTINGS.tokens : SETTINGS.tokensFile} holds ${demoTokens} of the PUBLIC demo tokens; remove them`,
          )
        chosen.push({ kind: "static-tokens" })
      }
    } else if (kind === "stored") chosen.push({ kind: "stored" })
    else {
      const missing = [SETTINGS.oidcIssuer, SETTINGS.oidcAudience, SETTINGS.oidcJwksUrl].filter(
        (n) => settings[n] === undefined,
      )
      for (const n of missing)
        problems.push(`${n} is not set: OIDC bearer tokens need issuer, audience and JWKS URL`)
      const jwks = settings[SETTINGS.oidcJwksUrl]
      if (jwks !== undefined && !/^https?:\/\//u.test(jwks))
        problems.push(`${SETTINGS.oidcJwksUrl} must be an http(s) URL (${origin(SETTINGS.oidcJwksUrl)})`)
      if (missing.length === 0)
        chosen.push({
          kind: "oidc",
          issuer: settings[SETTINGS.oidcIssuer] ?? "",
          audience: settings[SETTINGS.oidcAudience] ?? "",
          jwksUrl: jwks ?? "",
        })
    }
  }
  if (kinds.length === 0) {
    const how = `set ${SETTINGS.tokens} or ${SETTINGS.tokensFile} (a token table), ${SETTINGS.oidcIssuer} + ${SETTINGS.oidcAudience} + ${SETTINGS.oidcJwksUrl} (an identity provider), or ${SETTINGS.identity}=stored (stored users)`
    if (memory)
      warnings.push(`note: no identity configured: the protected routes answer 401 to everyone (${how})`)
    else problems.push(`identity: no way to authenticate anyone: ${how}`)
  }
  return chosen
}

/** How many demo tokens a token table holds (0 for a table that is not JSON: the verifier reports that). */
const demoTokensIn = (json: string): number => {
  try {
    const table = JSON.parse(json) as unknown
    if (table === null || typeof table !== "object") return 0
    return Object.keys(table).filter((k) => k in DEMO_TOKENS).length
  } catch {
    return 0
  }
}

const planAgencies = (
  demo: boolean,
  memory: boolean,
  settings: Env,
  origin: (name: string) => Origin,
  read: <A>(name: string, config: Config.Config<A>, expected: string) => Option.Option<A>,
  int: (name: string, min: number, max: number, fallback: number) => number,
  problems: Array<string>,
  warnings: Array<string>,
): AgenciesChoice => {
  const kind = read(
    SETTINGS.agencies,
    Config.Literals(["http", "simulator"], SETTINGS.agencies),
    `"http" or "simulator"`,
  )
  const simulated =
    "agency checks are answered by the SIMULATOR: every verification is recorded as '(simulated)'"
  if (Option.isNone(kind)) {
    if (settings[SETTINGS.agencies] !== undefined) return { kind: "simulator", why: "configured" } // malformed: a problem already
    if (demo || memory) {
      warnings.push(
        `WARNING: ${simulated} (--${demo ? "demo" : "memory"}; set ${SETTINGS.agencies}=http and ${SETTINGS.agencyUrl} for real agencies)`,
      )
      return { kind: "simulator", why: demo ? "demo" : "memory" }
    }
    problems.push(
      `${SETTINGS.agencies} is not set: set ${SETTINGS.agencies}=http with ${SETTINGS.agencyUrl} and ${SETTINGS.agencyPublicKey} for the agencies' gateway, or ${SETTINGS.agencies}=simulator to run on the simulator knowingly`,
    )
    return { kind: "simulator", why: "configured" }
  }
  if (kind.value === "simulator") {
    warnings.push(`WARNING: ${simulated} (${SETTINGS.agencies}=simulator, ${origin(SETTINGS.agencies)})`)
    return { kind: "simulator", why: "configured" }
  }
  const url = settings[SETTINGS.agencyUrl]
  if (url === undefined)
    problems.push(
      `${SETTINGS.agencyUrl} is not set: ${SETTINGS.agencies}=http needs the agencies' gateway URL`,
    )
  else if (!/^https?:\/\/[^\s]+$/u.test(url))
    problems.push(`${SETTINGS.agencyUrl} must be an http(s) URL (${origin(SETTINGS.agencyUrl)})`)
  let publicKey = settings[SETTINGS.agencyPublicKey]
  if (publicKey === undefined) {
    if (demo) {
      publicKey = DEMO_AGENCY_PUBLIC_KEY
      warnings.push(
        `WARNING: agency answers are checked with the simulator's PUBLIC demo key (${SETTINGS.agencyPublicKey} not set)`,
      )
    } else
      problems.push(
        `${SETTINGS.agencyPublicKey} is not set: agency answers are checked against the agency's SM2 public key (04 + 128 hex characters)`,
      )
  } else if (!PUBLIC_KEY_PATTERN.test(publicKey))
    problems.push(
      `${SETTINGS.agencyPublicKey} must be an uncompressed SM2 public key (04 + 128 hex characters) (${origin(SETTINGS.agencyPublicKey)})`,
    )
  else if (publicKey.toLowerCase() === DEMO_AGENCY_PUBLIC_KEY && !demo)
    problems.push(`${SETTINGS.agencyPublicKey} is the simulator's PUBLIC demo key: anyone can sign with it`)
  const userId = settings[SETTINGS.agencyUserId]
  return {
    kind: "http",
    options: {
      url: url ?? "",
      publicKey: publicKey ?? "",
      ...(userId === undefined ? {} : { userId }),
      timeout: int(SETTINGS.agencyTimeoutMs, 1, 600_000, 5_000),
      retries: int(SETTINGS.agencyRetries, 0, 10, 2),
      backoff: int(SETTINGS.agencyBackoffMs, 0, 60_000, 200),
      breaker: {
        failures: int(SETTINGS.agencyBreakerFailures, 1, 1_000, 5),
        cooldown: int(SETTINGS.agencyBreakerCooldownMs, 0, 3_600_000, 30_000),
      },
    },
  }
}

/** One line per item (selected adapters, then every setting), with where its value came from. */
export const describeConfig = (config: HostConfig): ReadonlyArray<string> => [
  `configuration (flag > environment > ${config.file === undefined ? "file (none)" : `file ${config.file}`} > default):`,
  ...config.items.map((i) => `  ${i.name.padEnd(32)} ${i.shown}   [${i.origin}]`),
]

/** The refusal printed by a host that cannot start: every problem, one per line. */
export const refusal = (command: string, plan: HostPlan): ReadonlyArray<string> => [
  `${command}: refusing to start: ${plan.problems.length} setting(s) missing or wrong${plan.config.demo ? "" : " (or pass --demo for a try-out on demo data)"}:`,
  ...plan.problems.map((p) => `  - ${p}`),
]
