/**
 * Composes the adapters a host runs on from its configuration (HostConfig): the stores over one database
 * (PostgreSQL or PGlite), the software KMS over the same database and the SM4 envelope field cipher over it
 * (every decryption audited), the identity verifiers, the
 * agency records (HTTP client with signed answers, or the simulator only where HostConfig allowed it) and
 * the shipped policy, read once.
 * Nothing here chooses by itself: every branch follows a HostConfig decision, so nothing runs silently.
 */
import { ConfigProvider, Data, Effect, Layer } from "effect"
import * as AuditingFieldCipher from "../application/audit/AuditingFieldCipher.js"
import { loadPolicyTable } from "../application/policy/LoadPolicyTable.js"
import { ActorVerifier, ActorVerifierError } from "../application/ports/ActorVerifier.js"
import type { AgencyRecords } from "../application/ports/AgencyRecords.js"
import type { AuditLog } from "../application/ports/AuditLog.js"
import type { CaseStore } from "../application/ports/CaseStore.js"
import type { FieldCipher } from "../application/ports/FieldCipher.js"
import type { IdentityStore } from "../application/ports/IdentityStore.js"
import type { JobQueue } from "../application/ports/JobQueue.js"
import type { KeyManagement } from "../application/ports/KeyManagement.js"
import type { Notifier } from "../application/ports/Notifier.js"
import type { PasswordHasher } from "../application/ports/PasswordHasher.js"
import { PolicySource } from "../application/ports/PolicySource.js"
import type { SecureRandom } from "../application/ports/SecureRandom.js"
import type { StockStore } from "../application/ports/StockStore.js"
import type { LotteryStore } from "../application/ports/LotteryStore.js"
import type { QueueStore } from "../application/ports/QueueStore.js"
import type { SubsidyStore } from "../application/ports/SubsidyStore.js"
import type { SelectionStore } from "../application/ports/SelectionStore.js"
import type { ContractStore } from "../application/ports/ContractStore.js"
import type { WarningStore } from "../application/ports/WarningStore.js"
import type { FundRegistry } from "../application/ports/FundRegistry.js"
import type { Ledger } from "../application/ports/Ledger.js"
import { allCaseParameters } from "../domain/cases/CaseParameters.js"
import { allGuardParameters } from "../domain/guard/GuardParameters.js"
import * as StaticActorVerifier from "../adapters/config/StaticActorVerifier.js"
import * as FsPolicySource from "../adapters/fs/FsPolicySource.js"
import * as HttpAgencyRecords from "../adapters/http/HttpAgencyRecords.js"
import * as StoredActorVerifier from "../adapters/identity/StoredActorVerifier.js"
import * as NodeSecureRandom from "../adapters/node/NodeSecureRandom.js"
import * as ScryptPasswordHasher from "../adapters/node/ScryptPasswordHasher.js"
import type { KeyRing } from "../adapters/kms/KeyRing.js"
import * as SoftwareKeyManagement from "../adapters/kms/SoftwareKeyManagement.js"
import * as OidcActorVerifier from "../adapters/oidc/OidcActorVerifier.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgAuditLog from "../adapters/postgres/PgAuditLog.js"
import * as PgCaseStore from "../adapters/postgres/PgCaseStore.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgIdentityStore from "../adapters/postgres/PgIdentityStore.js"
import * as PgJobQueue from "../adapters/postgres/PgJobQueue.js"
import * as PgKeyRing from "../adapters/postgres/PgKeyRing.js"
import * as PgSimulatedNotifier from "../adapters/postgres/PgSimulatedNotifier.js"
import * as PgStockStore from "../adapters/postgres/PgStockStore.js"
import * as PgLotteryStore from "../adapters/postgres/PgLotteryStore.js"
import * as PgQueueStore from "../adapters/postgres/PgQueueStore.js"
import * as PgSubsidyStore from "../adapters/postgres/PgSubsidyStore.js"
import * as PgSelectionStore from "../adapters/postgres/PgSelectionStore.js"
import * as PgContractStore from "../adapters/postgres/PgContractStore.js"
import * as PgWarningStore from "../adapters/postgres/PgWarningStore.js"
import * as PgFundRegistry from "../adapters/postgres/PgFundRegistry.js"
import * as PgLedger from "../adapters/postgres/PgLedger.js"
import * as RetryingAgencyRecords from "../adapters/resilience/RetryingAgencyRecords.js"
import * as SimulatedAgencyRecords from "../adapters/sim/SimulatedAgencyRecords.js"
import * as Sm4FieldCipher from "../adapters/sm/Sm4FieldCipher.js"
import { DEMO_FIELD_KEYS, DEMO_KMS_MASTER_KEY, DEMO_TOKENS } from "./demo/DemoCases.js"
import {
  type Env,
  type HostConfig,
  type IdentityChoice,
  planHost,
  refusal,
  type StorageChoice,
} from "./HostConfig.js"

export {
  chooseStorage,
  describeStorage,
  STORAGE_FLAGS,
  type StorageChoice,
} from "./HostConfig.js"

const databaseLayer = (c: StorageChoice) =>
  c.kind === "postgres"
    ? PgDatabase.layer({ url: c.url, schema: c.schema })
    : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir })

/**
 * StockStore, CaseStore, IdentityStore, AuditLog, the embedded JobQueue, the durable notice simulator and the
 * KMS key ring (one database, migrations run when the layer starts: the worker shares the host's database),
 * the scrypt PasswordHasher and SecureRandom.
 */
export const storesLayer = (
  c: StorageChoice,
): Layer.Layer<
  | StockStore
  | CaseStore
  | IdentityStore
  | AuditLog
  | JobQueue
  | Notifier
  | PasswordHasher
  | SecureRandom
  | LotteryStore
  | QueueStore
  | SubsidyStore
  | SelectionStore
  | ContractStore
  | WarningStore
  | FundRegistry
  | Ledger
  | KeyRing,
  Error
> =>
  Layer.mergeAll(
    Layer.mergeAll(
      PgStockStore.layer,
      PgCaseStore.layer,
      PgIdentityStore.layer,
      PgAuditLog.layer,
      PgLotteryStore.layer,
      PgQueueStore.layer,
      PgSubsidyStore.layer,
      PgSelectionStore.layer,
      PgContractStore.layer,
      PgWarningStore.layer,
      PgFundRegistry.layer,
      PgLedger.layer,
      PgJobQueue.layer,
      PgKeyRing.layer,
      PgSimulatedNotifier.layer((n) =>
        process.stderr.write(
          `${JSON.stringify({ at: new Date().toISOString(), level: "info", msg: "notice.simulated", noticeId: n.id, template: n.template, caseId: n.to.caseId })}\n`,
        ),
      ),
    ).pipe(Layer.provide(databaseLayer(c))),
    ScryptPasswordHasher.layer(),
    NodeSecureRandom.layer,
  )

export type CaseServices = CaseStore | FieldCipher | PolicySource | AgencyRecords | ActorVerifier

/** Everything a host's runtime provides: stock, cases, identities (login, sessions, administration). */
export type HostServices =
  | StockStore
  | SecureRandom
  | CaseServices
  | IdentityStore
  | PasswordHasher
  | AuditLog
  | JobQueue
  | Notifier
  | LotteryStore
  | QueueStore
  | SubsidyStore
  | SelectionStore
  | ContractStore
  | WarningStore
  | FundRegistry
  | Ledger

/** The configuration refuses to start (HostConfig.planHost's problems, every one of them). */
export class HostConfigInvalid extends Data.TaggedError("HostConfigInvalid")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return this.problems.join("; ")
  }
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

/**
 * The ActorVerifier of one identity adapter chosen by HostConfig.IdentityChoice: demo or configured token
 * tables, stored users' sessions and API keys (adapters/identity), or an external identity provider's
 * JWTs (adapters/oidc; roles resolved against the stored roles, so custom roles work too).
 */
export const identityVerifierLayer = (
  choice: IdentityChoice,
): Layer.Layer<ActorVerifier, Error, FieldCipher | IdentityStore> => {
  switch (choice.kind) {
    case "demo-tokens":
      return StaticActorVerifier.layer(DEMO_TOKENS)
    case "static-tokens":
      return StaticActorVerifier.layerConfig
    case "stored":
      return StoredActorVerifier.layer
    case "oidc":
      return OidcActorVerifier.layerWithStore({
        issuer: choice.issuer,
        audience: choice.audience,
        jwks: { url: choice.jwksUrl },
      })
  }
}

/** Tries each verifier in order; the first that knows the credential wins, `Unavailable` is kept if none does. */
export const firstVerifier = (
  verifiers: ReadonlyArray<ActorVerifier["Service"]>,
): ActorVerifier["Service"] => ({
  verify: (credential) =>
    Effect.gen(function* () {
      let unavailable: ActorVerifierError | undefined
      for (const v of verifiers) {
        const r = yield* Effect.result(v.verify(credential))
        if (r._tag === "Success") return r.success
        if (r.failure.reason._tag === "Unavailable") unavailable ??= r.failure
      }
      return yield* unavailable ?? new ActorVerifierError({ reason: { _tag: "Unauthenticated" } })
    }),
})

/** The ActorVerifier of every configured identity, tried in order; none configured → everyone is refused. */
export const identityLayer = (
  identity: ReadonlyArray<IdentityChoice>,
): Layer.Layer<ActorVerifier, Error, FieldCipher | IdentityStore> => {
  if (identity.length === 1) return identityVerifierLayer(identity[0]!)
  return Layer.effect(
    ActorVerifier,
    Effect.gen(function* () {
      const verifiers: Array<ActorVerifier["Service"]> = []
      for (const choice of identity)
        verifiers.push(
          yield* Effect.service(ActorVerifier).pipe(Effect.provide(identityVerifierLayer(choice))),
        )
      return firstVerifier(verifiers)
    }),
  )
}

/** AgencyRecords as HostConfig chose: the HTTP client, or the simulator behind timeouts and retries. */
export const agencyLayer = (agencies: HostConfig["agencies"]): Layer.Layer<AgencyRecords, Error> =>
  agencies.kind === "http"
    ? HttpAgencyRecords.layer(agencies.options)
    : RetryingAgencyRecords.layer().pipe(Layer.provide(SimulatedAgencyRecords.layer()))

/**
 * FieldCipher, ActorVerifier, AgencyRecords and PolicySource, as the configuration decided. The FieldCipher
 * the use-cases get audits every decryption (AuditingFieldCipher: a `pii.open` record in the AuditLog, from
 * the AuditContext each request or job provides); the verifiers only build blind indexes, which reveal nothing.
 */
export const caseServicesLayer = (
  config: HostConfig,
): Layer.Layer<
  FieldCipher | ActorVerifier | AgencyRecords | PolicySource,
  Error,
  IdentityStore | AuditLog | KeyRing
> => {
  const sm4 = fieldCipherLayer(config).pipe(Layer.provide(keyManagementLayer(config)))
  const cipher = AuditingFieldCipher.layer().pipe(Layer.provide(sm4))
  return Layer.mergeAll(
    Layer.provideMerge(identityLayer(config.identity), cipher),
    agencyLayer(config.agencies),
    policyLayer,
  ).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ ...config.settings }))))
}

/**
 * The software KMS over the key ring in the host's database, its master key as HostConfig decided (the
 * configured `ANJU_KMS_MASTER_KEY`, or the PUBLIC demo key where demo keys are allowed).
 */
export const keyManagementLayer = (config: HostConfig): Layer.Layer<KeyManagement, Error, KeyRing> =>
  SoftwareKeyManagement.layer({
    masterKey: config.fieldKeys.kind === "configured" ? config.fieldKeys.masterKey : DEMO_KMS_MASTER_KEY,
  })

/** The SM4 envelope field cipher (unaudited) with the keys HostConfig decided, over the KeyManagement given. */
export const fieldCipherLayer = (config: HostConfig): Layer.Layer<FieldCipher, Error, KeyManagement> =>
  Sm4FieldCipher.layer(config.fieldKeys.kind === "configured" ? config.fieldKeys.keys : DEMO_FIELD_KEYS)

/** Options of the older `hostLayer(storage, options)` form. */
export interface HostOptions {
  readonly demo?: boolean
  readonly env?: Env
}

/**
 * Everything the HTTP host needs: the stores plus the case services. `hostLayer(planHost(…).config)`, or
 * `hostLayer(storage, { demo, env })`, which plans itself and fails with every problem when it must not start.
 */
export function hostLayer(config: HostConfig): Layer.Layer<HostServices, Error>
export function hostLayer(storage: StorageChoice, options?: HostOptions): Layer.Layer<HostServices, Error>
export function hostLayer(
  arg: HostConfig | StorageChoice,
  options: HostOptions = {},
): Layer.Layer<HostServices, Error> {
  if ("storage" in arg) return caseServicesLayer(arg).pipe(Layer.provideMerge(storesLayer(arg.storage)))
  const plan = planHost({ storage: arg, demo: options.demo === true, env: options.env ?? {} })
  if (plan.problems.length > 0)
    return Layer.unwrap(Effect.fail(new HostConfigInvalid({ problems: refusal("host", plan).slice(1) })))
  return caseServicesLayer(plan.config).pipe(Layer.provideMerge(storesLayer(plan.config.storage)))
}
