/**
 * Which storage a host runs on, chosen from flags and environment: PostgreSQL when a database URL is
 * given (`--database-url` or `DATABASE_URL`), otherwise the embedded default, PGlite, in a data directory
 * (`--data-dir`, default `.anju-data`) or in memory (`--memory`). `storesLayer` gives the stores over one
 * database; `hostLayer` adds the case services: SM4 field cipher (configured keys, or the public demo keys
 * only for `--demo`/`--memory`), static tokens, the agency simulator and the shipped policy, read once.
 */
import { ConfigProvider, Effect, Layer } from "effect"
import { loadPolicyTable } from "../application/policy/LoadPolicyTable.js"
import type { ActorVerifier } from "../application/ports/ActorVerifier.js"
import type { AgencyRecords } from "../application/ports/AgencyRecords.js"
import type { CaseStore } from "../application/ports/CaseStore.js"
import type { FieldCipher } from "../application/ports/FieldCipher.js"
import { PolicySource } from "../application/ports/PolicySource.js"
import type { SecureRandom } from "../application/ports/SecureRandom.js"
import type { StockStore } from "../application/ports/StockStore.js"
import { allCaseParameters } from "../domain/cases/CaseParameters.js"
import { allGuardParameters } from "../domain/guard/GuardParameters.js"
import * as StaticActorVerifier from "../adapters/config/StaticActorVerifier.js"
import * as FsPolicySource from "../adapters/fs/FsPolicySource.js"
import * as NodeSecureRandom from "../adapters/node/NodeSecureRandom.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgCaseStore from "../adapters/postgres/PgCaseStore.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgStockStore from "../adapters/postgres/PgStockStore.js"
import * as RetryingAgencyRecords from "../adapters/resilience/RetryingAgencyRecords.js"
import * as SimulatedAgencyRecords from "../adapters/sim/SimulatedAgencyRecords.js"
import * as Sm4FieldCipher from "../adapters/sm/Sm4FieldCipher.js"
import { DEMO_FIELD_KEYS, DEMO_TOKENS } from "./demo/DemoCases.js"

export type StorageChoice =
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string }
  | { readonly kind: "pglite"; readonly dataDir: string | null }

export const STORAGE_FLAGS = {
  values: ["database-url", "db-schema", "data-dir"],
  switches: ["memory"],
} as const

type Env = Readonly<Record<string, string | undefined>>

export const chooseStorage = (
  flags: { readonly values: ReadonlyMap<string, string>; readonly switches: ReadonlySet<string> },
  env: Env,
): StorageChoice => {
  const url = flags.values.get("database-url") ?? env["DATABASE_URL"]
  if (url !== undefined && url !== "")
    return { kind: "postgres", url, schema: flags.values.get("db-schema") ?? env["ANJU_DB_SCHEMA"] ?? "anju" }
  if (flags.switches.has("memory")) return { kind: "pglite", dataDir: null }
  return { kind: "pglite", dataDir: flags.values.get("data-dir") ?? env["ANJU_DATA_DIR"] ?? ".anju-data" }
}

export const describeStorage = (c: StorageChoice): string =>
  c.kind === "postgres"
    ? `PostgreSQL (${c.url.replace(/\/\/([^:@/]+):[^@/]*@/u, "//$1:***@")}, schema ${c.schema})`
    : c.dataDir === null
      ? "embedded PGlite (in memory)"
      : `embedded PGlite (${c.dataDir})`

const databaseLayer = (c: StorageChoice) =>
  c.kind === "postgres"
    ? PgDatabase.layer({ url: c.url, schema: c.schema })
    : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir })

/** StockStore, CaseStore (one database, migrations run when the layer starts) and SecureRandom. */
export const storesLayer = (c: StorageChoice): Layer.Layer<StockStore | CaseStore | SecureRandom, Error> =>
  Layer.mergeAll(
    Layer.mergeAll(PgStockStore.layer, PgCaseStore.layer).pipe(Layer.provide(databaseLayer(c))),
    NodeSecureRandom.layer,
  )

export type CaseServices = CaseStore | FieldCipher | PolicySource | AgencyRecords | ActorVerifier

export interface HostOptions {
  /** `--demo`: the demo token table (README's tour) and, without configured keys, the demo field keys. */
  readonly demo?: boolean
  /** Configuration source (the process environment in hosts; a record in tests). */
  readonly env?: Env
}

/** How the case services are secured, decided from the options before anything starts. */
export interface CaseSecurityPlan {
  readonly fieldKeys: "configured" | "demo"
  readonly tokens: "configured" | "demo" | "none"
  /** Lines the host prints at start (demo keys, demo tokens, no tokens). */
  readonly warnings: ReadonlyArray<string>
}

const isSet = (env: Env, name: string) => (env[name] ?? "") !== ""

export const planCaseSecurity = (c: StorageChoice, options: HostOptions = {}): CaseSecurityPlan => {
  const env = options.env ?? {}
  const demoAllowed = options.demo === true || (c.kind === "pglite" && c.dataDir === null)
  const keysConfigured =
    isSet(env, Sm4FieldCipher.CONFIG.encryptionKey) || isSet(env, Sm4FieldCipher.CONFIG.indexKey)
  const fieldKeys = keysConfigured || !demoAllowed ? "configured" : "demo"
  const tokens =
    options.demo === true
      ? "demo"
      : isSet(env, StaticActorVerifier.CONFIG.tokens) || isSet(env, StaticActorVerifier.CONFIG.tokensFile)
        ? "configured"
        : "none"
  const warnings = [
    ...(fieldKeys === "demo"
      ? [
          `WARNING: personal data is sealed with the PUBLIC DEMO SM4 keys (key id ${DEMO_FIELD_KEYS.keyId ?? ""}); set ${Sm4FieldCipher.CONFIG.encryptionKey} and ${Sm4FieldCipher.CONFIG.indexKey} for real data`,
        ]
      : []),
    ...(tokens === "demo"
      ? ["WARNING: demo tokens are accepted (README, 'Qualification cases'); never expose this host"]
      : []),
    ...(tokens === "none"
      ? [
          `note: no ${StaticActorVerifier.CONFIG.tokens} / ${StaticActorVerifier.CONFIG.tokensFile}: the case routes answer 401 to everyone`,
        ]
      : []),
  ]
  return { fieldKeys, tokens, warnings }
}

/**
 * The shipped policy folder, read and checked once at start (a broken or incomplete policy fails the
 * host instead of every request) and then served from memory; changing policy needs a restart.
 */
const policyLayer: Layer.Layer<PolicySource, Error> = Layer.effect(
  PolicySource,
  Effect.gen(function* () {
    const files = yield* FsPolicySource.make().load()
    const checked = Layer.succeed(PolicySource, { load: () => Effect.succeed(files) })
    yield* loadPolicyTable([...allCaseParameters, ...allGuardParameters]).pipe(Effect.provide(checked))
    return { load: () => Effect.succeed(files) }
  }),
)

/** FieldCipher, ActorVerifier, AgencyRecords (simulator behind timeouts and retries) and PolicySource. */
export const caseServicesLayer = (
  plan: CaseSecurityPlan,
  env: Env = {},
): Layer.Layer<FieldCipher | ActorVerifier | AgencyRecords | PolicySource, Error> => {
  const cipher =
    plan.fieldKeys === "demo" ? Sm4FieldCipher.layer(DEMO_FIELD_KEYS) : Sm4FieldCipher.layerConfig
  const verifier =
    plan.tokens === "demo" ? StaticActorVerifier.layer(DEMO_TOKENS) : StaticActorVerifier.layerConfig
  return Layer.mergeAll(
    Layer.provideMerge(verifier, cipher),
    RetryingAgencyRecords.layer().pipe(Layer.provide(SimulatedAgencyRecords.layer())),
    policyLayer,
  ).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ ...env }))))
}

/** Everything the HTTP host needs: the stores of `c` plus the case services. */
export const hostLayer = (
  c: StorageChoice,
  options: HostOptions = {},
): Layer.Layer<StockStore | SecureRandom | CaseServices, Error> =>
  Layer.mergeAll(storesLayer(c), caseServicesLayer(planCaseSecurity(c, options), options.env ?? {}))
