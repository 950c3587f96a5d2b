/**
 * Shared input handling of the `anju lottery …` commands (R53, R55): reading pool.csv / units.csv (errors
 * name the file and line), choosing the hash, and native `node:crypto` digests where they are faster — for
 * long inputs such as result.csv — with the domain's pure SM3/SHA-256 for the short per-entrant hashes.
 * Results are byte-identical either way (the domain's Digest contract; tested).
 */
import { createHash, getHashes } from "node:crypto"
import { Result } from "effect"
import { Flag } from "effect/cli"
import { type Digest, type Digests, type HashName, pureDigests } from "../../../domain/lottery/Digest.js"
import type { Pool } from "../../../domain/lottery/Pool.js"
import { parsePoolCsv, parseUnitsCsv } from "../../../domain/lottery/PoolCsv.js"
import { choice } from "../Args.js"
import type { CliIo } from "../Io.js"

/** Inputs at least this long are hashed natively; shorter ones with the pure digest (no call overhead). */
export const NATIVE_MIN_BYTES = 4096

const NODE_NAMES: Readonly<Record<HashName, string>> = { SM3: "sm3", "SHA-256": "sha256" }

/** A digest that hashes long inputs with node:crypto and short ones (and `hashInto`) with the pure code. */
export const hybridDigest = (name: HashName): Digest => {
  const pure = pureDigests[name]
  const algorithm = NODE_NAMES[name]
  if (!getHashes().includes(algorithm)) return pure
  return {
    name,
    hash: (data) =>
      data.length >= NATIVE_MIN_BYTES
        ? new Uint8Array(createHash(algorithm).update(data).digest())
        : pure.hash(data),
    ...(pure.hashInto === undefined ? {} : { hashInto: pure.hashInto }),
  }
}

/** The digests the CLI injects into the domain (draw, verify, proofs). */
export const cliDigests: Digests = { SM3: hybridDigest("SM3"), "SHA-256": hybridDigest("SHA-256") }

/** `--hash sm3|sha256` (default SM3), typed: another value is refused naming the flag. */
export const hashFlag: Flag.Flag<HashName> = choice("hash", ["sm3", "sha256"], "the hash (default sm3)").pipe(
  Flag.withDefault("sm3" as const),
  Flag.map((h): HashName => (h === "sm3" ? "SM3" : "SHA-256")),
)

const decoder = new TextDecoder("utf-8", { fatal: true })

/**
 * Reads a UTF-8 text file; undefined (after reporting on stderr) when it is not UTF-8. A file that cannot
 * be read at all is bad input: the error propagates (CliCommand.ts: one line, exit 2).
 */
export const readText = async (io: CliIo, path: string): Promise<string | undefined> => {
  const bytes = await io.readFile(path)
  try {
    return decoder.decode(bytes)
  } catch {
    io.err(`${path}: not valid UTF-8`)
    return undefined
  }
}

/** pool.csv → pool; errors are reported as `<path> line N: … [rule]`. */
export const readPool = async (io: CliIo, path: string): Promise<Pool | undefined> => {
  const text = await readText(io, path)
  if (text === undefined) return undefined
  const r = parsePoolCsv(text)
  if (Result.isFailure(r)) {
    io.err(`${path}: ${r.failure.message} [${r.failure.rule}]`)
    return undefined
  }
  return r.success
}

export const readUnits = async (
  io: CliIo,
  path: string,
): Promise<ReadonlyMap<string, number> | undefined> => {
  const text = await readText(io, path)
  if (text === undefined) return undefined
  const r = parseUnitsCsv(text)
  if (Result.isFailure(r)) {
    io.err(`${path}: ${r.failure.message} [${r.failure.rule}]`)
    return undefined
  }
  return r.success
}
