/**
 * Typed options shared by the `anju` commands, on Effect's CLI module (`effect/cli`): text, switch and
 * choice flags with their help text, and the storage flags every database command takes. Parsing, unknown
 * options and missing values are the library's; `UsageError` is what a command throws for input the
 * flags' types cannot express (exit code 2, message naming the option); `StorageInUse` what `storageOf` throws
 * when the chosen PGlite data folder is held by a running host (exit code 2, one line).
 */
import { Option } from "effect"
import { Flag } from "effect/cli"
import { dataDirOwner, describeOwner } from "../../adapters/pglite/DataDirLock.js"
import { chooseStorage, type StorageChoice } from "../StoreSelection.js"

export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** A required text flag `--name <metavar>`. */
export const text = (name: string, metavar: string, description: string): Flag.Flag<string> =>
  Flag.String(name).pipe(Flag.withMetavar(metavar), Flag.withDescription(description))

/** An optional text flag; absent is `undefined`. */
export const optionalText = (
  name: string,
  metavar: string,
  description: string,
): Flag.Flag<string | undefined> =>
  text(name, metavar, description).pipe(Flag.optional, Flag.map(Option.getOrUndefined))

/** A switch `--name` (no value); absent is false. */
export const switchFlag = (name: string, description: string): Flag.Flag<boolean> =>
  Flag.Boolean(name).pipe(Flag.withoutNegation, Flag.withDefault(false), Flag.withDescription(description))

/** A flag taking one of `choices`; an unknown value is refused naming the flag and the choices. */
export const choice = <const A extends string>(
  name: string,
  choices: ReadonlyArray<A>,
  description: string,
): Flag.Flag<A> =>
  Flag.Literals(name, choices).pipe(Flag.withMetavar(choices.join("|")), Flag.withDescription(description))

export const optionalChoice = <const A extends string>(
  name: string,
  choices: ReadonlyArray<A>,
  description: string,
): Flag.Flag<A | undefined> =>
  choice(name, choices, description).pipe(Flag.optional, Flag.map(Option.getOrUndefined))

/** `--database-url`, `--db-schema`, `--data-dir`, `--memory` (hosts/StoreSelection.ts decides). */
export const storageFlags = {
  databaseUrl: optionalText(
    "database-url",
    "URL",
    "PostgreSQL connection URL (default: DATABASE_URL; without one, embedded PGlite)",
  ),
  dbSchema: optionalText("db-schema", "NAME", "PostgreSQL schema (default: ANJU_DB_SCHEMA or anju)"),
  dataDir: optionalText("data-dir", "DIR", "PGlite data folder (default: ANJU_DATA_DIR or .anju-data)"),
  memory: switchFlag("memory", "embedded PGlite in memory: nothing is kept"),
}

export interface StorageInput {
  readonly databaseUrl: string | undefined
  readonly dbSchema: string | undefined
  readonly dataDir: string | undefined
  readonly memory: boolean
}

/**
 * The PGlite data folder a command would open is held by another live Anju process (one writer per folder).
 * Printed as one line naming the folder, the holder's pid and, for a host, its URL; exit 2.
 */
export class StorageInUse extends Error {
  override readonly name = "StorageInUse"
}

/**
 * The storage chosen by the storage flags and the environment. Every command that opens storage asks here
 * first, so a data folder held by a running host is refused before any layer starts (StorageInUse), with
 * the same one-line message for every command. (A host that takes the folder in the instant between this
 * check and the open is still refused by the lock itself, with a longer message.)
 */
export const storageOf = (
  s: StorageInput,
  env: Readonly<Record<string, string | undefined>>,
): StorageChoice => {
  const values = new Map<string, string>()
  if (s.databaseUrl !== undefined) values.set("database-url", s.databaseUrl)
  if (s.dbSchema !== undefined) values.set("db-schema", s.dbSchema)
  if (s.dataDir !== undefined) values.set("data-dir", s.dataDir)
  const choice = chooseStorage({ values, switches: new Set(s.memory ? ["memory"] : []) }, env)
  if (choice.kind === "pglite" && choice.dataDir !== null) {
    const owner = dataDirOwner(choice.dataDir)
    if (owner !== undefined) throw new StorageInUse(describeOwner(choice.dataDir, owner))
  }
  return choice
}
