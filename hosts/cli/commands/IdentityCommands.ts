/**
 * `anju users add|list|disable|enable|passwd|grant`, `anju roles list|add`, `anju api-keys issue|revoke|list`
 * as plain functions (the CLI parser wires flags to them). They work directly on the configured store
 * (PostgreSQL or PGlite) as the operator (`cli:<user>`, a city actor with every permission): whoever can
 * run them can reach the database anyway, and this is how the first city administrator is bootstrapped.
 * Passwords never come from argv (shell history): from `ANJU_NEW_PASSWORD` or the `password` option the
 * wiring read from a prompt or file. An API key is printed once, on stdout. Exit: 0 done, 1 refused, 2
 * store unavailable or bad option.
 */
import { Cause, Effect, Exit, Layer, ManagedRuntime, Redacted } from "effect"
import { type Actor, PERMISSIONS } from "../../../domain/access/Access.js"
import type { UserScope } from "../../../domain/access/Identity.js"
import {
  assignRoles,
  createRole,
  createUser,
  disableUser,
  enableUser,
  issueApiKey,
  listApiKeys,
  listRoles,
  listUsers,
  revokeApiKey,
  setPassword,
} from "../../../application/access/ManageIdentity.js"
import type { IdentityStore } from "../../../application/ports/IdentityStore.js"
import type { PasswordHasher } from "../../../application/ports/PasswordHasher.js"
import type { SecureRandom } from "../../../application/ports/SecureRandom.js"
import * as NodeSecureRandom from "../../../adapters/node/NodeSecureRandom.js"
import * as ScryptPasswordHasher from "../../../adapters/node/ScryptPasswordHasher.js"
import { scopeOfClaim } from "../../../adapters/oidc/OidcActorVerifier.js"
import * as PgliteDatabase from "../../../adapters/pglite/PgliteDatabase.js"
import * as PgDatabase from "../../../adapters/postgres/PgDatabase.js"
import * as PgIdentityStore from "../../../adapters/postgres/PgIdentityStore.js"
import { describeStorage, type StorageChoice } from "../../StoreSelection.js"
import type { CliIo } from "../Io.js"

/** Environment variable the new password is read from when the wiring passes none. */
export const NEW_PASSWORD_ENV = "ANJU_NEW_PASSWORD"

type Io = Pick<CliIo, "out" | "err" | "env">
export type IdentityCommandServices = IdentityStore | PasswordHasher | SecureRandom

/** The store of `storage` (migrated on start), the scrypt hasher and the OS CSPRNG. */
export const identityServicesLayer = (storage: StorageChoice): Layer.Layer<IdentityCommandServices, Error> =>
  Layer.mergeAll(
    PgIdentityStore.layer.pipe(
      Layer.provide(
        storage.kind === "postgres"
          ? PgDatabase.layer({ url: storage.url, schema: storage.schema })
          : PgliteDatabase.layer(storage.dataDir === null ? {} : { dataDir: storage.dataDir }),
      ),
    ),
    ScryptPasswordHasher.layer(),
    NodeSecureRandom.layer,
  )

export interface StoreOptions {
  readonly storage: StorageChoice
  /** Replaces the configured services (tests, embedding). */
  readonly services?: Layer.Layer<IdentityCommandServices, unknown>
}

const operator = (io: Io): Actor => ({
  role: "city",
  id: `cli:${io.env["USER"] ?? io.env["USERNAME"] ?? "operator"}`,
  permissions: PERMISSIONS,
})

/** Runs a use-case as the operator; expected refusals → 1 with their message, store trouble → 2. */
const runCommand = async <A, E>(
  options: StoreOptions,
  io: Io,
  what: string,
  f: (actor: Actor) => Effect.Effect<A, E, IdentityCommandServices>,
  print: (a: A) => void,
): Promise<number> => {
  const runtime = ManagedRuntime.make(options.services ?? identityServicesLayer(options.storage))
  try {
    const exit = await runtime.runPromiseExit(Effect.suspend(() => f(operator(io))))
    if (Exit.isSuccess(exit)) {
      print(exit.value)
      return 0
    }
    const e = Cause.squash(exit.cause) as {
      _tag?: string
      message?: string
      isRetryable?: boolean
      field?: string
    }
    if (
      e._tag === undefined ||
      e._tag.endsWith("StoreError") ||
      e.isRetryable === true ||
      e._tag === "PgDatabaseStartError"
    ) {
      io.err(`${what}: the identity store on ${describeStorage(options.storage)} is unavailable`)
      return 2
    }
    io.err(`${what}: ${e.field === undefined ? "" : `${e.field}: `}${e.message ?? e._tag}`)
    return 1
  } finally {
    await runtime.dispose()
  }
}

/** `city`, `district:310115`, `operator:P-1,P-2`, `propertyArea:A-1`, `household:H-1`, `system:all|<codes>`. */
export const parseScope = (text: string): UserScope | undefined => {
  const actor = scopeOfClaim("x", text)
  if (actor === undefined) return undefined
  const { id: _id, permissions: _p, ...scope } = actor
  return scope as UserScope
}

const passwordOf = (
  options: { readonly password?: string },
  io: Io,
): Redacted.Redacted<string> | undefined => {
  const p = options.password ?? io.env[NEW_PASSWORD_ENV]
  return p === undefined || p === "" ? undefined : Redacted.make(p)
}

const roleList = (roles: ReadonlyArray<string>) =>
  roles
    .flatMap((r) => r.split(","))
    .map((r) => r.trim())
    .filter((r) => r !== "")

export interface UsersAddOptions extends StoreOptions {
  readonly id: string
  readonly login: string
  readonly displayName: string
  /** Scope text (see parseScope). */
  readonly scope: string
  readonly roles: ReadonlyArray<string>
  /** Else ANJU_NEW_PASSWORD; neither: the user cannot log in until `users passwd`. */
  readonly password?: string
}

/** `anju users add` — e.g. the first administrator: `--scope city --roles city-admin`. */
export const usersAdd = (options: UsersAddOptions, io: Io): Promise<number> => {
  const scope = parseScope(options.scope)
  if (scope === undefined) {
    io.err(
      `users add: --scope must be city, district:<code>, operator:<ids>, propertyArea:<ids>, household:<ids> or system:all|<codes>`,
    )
    return Promise.resolve(2)
  }
  const password = passwordOf(options, io)
  return runCommand(
    options,
    io,
    "users add",
    (actor) =>
      createUser(actor, {
        id: options.id,
        login: options.login,
        displayName: options.displayName,
        scope,
        roles: roleList(options.roles),
        ...(password === undefined ? {} : { password }),
      }),
    (u) => {
      io.out(`user ${u.id} (${u.login}) created with roles ${u.roles.join(", ") || "(none)"}`)
      if (!u.hasPassword)
        io.err(`note: no password set; use \`anju users passwd ${u.id}\` with ${NEW_PASSWORD_ENV}`)
    },
  )
}

export const usersList = (options: StoreOptions & { readonly json?: boolean }, io: Io): Promise<number> =>
  runCommand(options, io, "users list", listUsers, (users) =>
    io.out(
      options.json === true
        ? JSON.stringify(users, null, 2)
        : users
            .map(
              (u) =>
                `${u.id}\t${u.login}\t${u.status}\t${u.scope.role}\t${u.roles.join(",")}\t${u.displayName}`,
            )
            .join("\n") || "(no users)",
    ),
  )

export const usersDisable = (options: StoreOptions & { readonly id: string }, io: Io): Promise<number> =>
  runCommand(
    options,
    io,
    "users disable",
    (a) => disableUser(a, options.id),
    (u) => io.out(`user ${u.id} disabled; its sessions are revoked`),
  )

export const usersEnable = (options: StoreOptions & { readonly id: string }, io: Io): Promise<number> =>
  runCommand(
    options,
    io,
    "users enable",
    (a) => enableUser(a, options.id),
    (u) => io.out(`user ${u.id} enabled`),
  )

export const usersPasswd = (
  options: StoreOptions & { readonly id: string; readonly password?: string },
  io: Io,
): Promise<number> => {
  const password = passwordOf(options, io)
  if (password === undefined) {
    io.err(`users passwd: set ${NEW_PASSWORD_ENV} (never on the command line)`)
    return Promise.resolve(2)
  }
  return runCommand(
    options,
    io,
    "users passwd",
    (a) => setPassword(a, options.id, password),
    (u) => io.out(`password of ${u.id} set; its sessions are revoked`),
  )
}

/** `anju users grant <id> --roles a,b`: replaces the user's roles. */
export const usersGrant = (
  options: StoreOptions & { readonly id: string; readonly roles: ReadonlyArray<string> },
  io: Io,
): Promise<number> =>
  runCommand(
    options,
    io,
    "users grant",
    (a) => assignRoles(a, options.id, roleList(options.roles)),
    (u) => io.out(`user ${u.id} now has roles ${u.roles.join(", ") || "(none)"}`),
  )

export const rolesList = (options: StoreOptions & { readonly json?: boolean }, io: Io): Promise<number> =>
  runCommand(options, io, "roles list", listRoles, (roles) =>
    io.out(
      options.json === true
        ? JSON.stringify(roles, null, 2)
        : roles
            .map((r) => `${r.name}${r.builtIn ? " (built-in)" : ""}\t${r.permissions.join(",")}`)
            .join("\n"),
    ),
  )

export const rolesAdd = (
  options: StoreOptions & {
    readonly name: string
    readonly description: string
    readonly permissions: ReadonlyArray<string>
  },
  io: Io,
): Promise<number> =>
  runCommand(
    options,
    io,
    "roles add",
    (a) =>
      createRole(a, {
        name: options.name,
        description: options.description,
        permissions: roleList(options.permissions),
      }),
    (r) => io.out(`role ${r.name} created: ${r.permissions.join(", ")}`),
  )

/** `anju api-keys issue`: prints the key once on stdout (and nothing else there). */
export const apiKeysIssue = (
  options: StoreOptions & {
    readonly id: string
    readonly label: string
    /** `all` or comma-separated district codes. */
    readonly districts: string
    readonly roles: ReadonlyArray<string>
  },
  io: Io,
): Promise<number> =>
  runCommand(
    options,
    io,
    "api-keys issue",
    (a) =>
      issueApiKey(a, {
        id: options.id,
        label: options.label,
        districts: options.districts === "all" ? "all" : options.districts.split(",").map((d) => d.trim()),
        roles: roleList(options.roles),
      }),
    (r) => {
      io.out(Redacted.value(r.key))
      io.err(
        `API key ${r.apiKey.id} issued; it is shown only now (stored as a digest). Send it as X-Api-Key.`,
      )
    },
  )

export const apiKeysRevoke = (options: StoreOptions & { readonly id: string }, io: Io): Promise<number> =>
  runCommand(
    options,
    io,
    "api-keys revoke",
    (a) => revokeApiKey(a, options.id),
    () => io.out(`API key ${options.id} revoked`),
  )

export const apiKeysList = (options: StoreOptions, io: Io): Promise<number> =>
  runCommand(options, io, "api-keys list", listApiKeys, (keys) =>
    io.out(
      keys
        .map(
          (k) =>
            `${k.id}\t${k.revokedAt === null ? "live" : "revoked"}\t${k.districts === "all" ? "all" : k.districts.join(",")}\t${k.roles.join(",")}\t${k.label}`,
        )
        .join("\n") || "(no API keys)",
    ),
  )
