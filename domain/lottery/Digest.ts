/**
 * Digest (摘要): the one hash abstraction of the lottery (R53, R55). A digest is a name plus a pure
 * function bytes → 32 bytes. The domain ships pure SM3 (default) and SHA-256; a host may inject a native
 * implementation under the same name, and every result must be byte-identical either way.
 * Invariant: `hash` never retains or mutates its input (callers pass shared scratch buffers).
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { sha256, sha256Into } from "./Sha256.js"
import { sm3, sm3Into } from "./Sm3.js"

export type HashName = "SM3" | "SHA-256"
export const hashNames: ReadonlyArray<HashName> = ["SM3", "SHA-256"]

export interface Digest {
  readonly name: HashName
  /** Returns a fresh 32-byte array. Must not keep a reference to `data` or modify it. */
  readonly hash: (data: Uint8Array) => Uint8Array
  /**
   * Optional allocation-free form, same result as `hash`: hashes `data[start, end)` into
   * `out[outOffset, outOffset + 32)`. The pure digests have it; hot loops use it when present.
   */
  readonly hashInto?: (
    data: Uint8Array,
    start: number,
    end: number,
    out: Uint8Array,
    outOffset: number,
  ) => void
}

export const pureSm3: Digest = { name: "SM3", hash: sm3, hashInto: sm3Into }
export const pureSha256: Digest = { name: "SHA-256", hash: sha256, hashInto: sha256Into }

export type HashInto = (
  data: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outOffset: number,
) => void

/** `digest.hashInto`, or an equivalent built on `digest.hash`. */
export const hashIntoOf = (digest: Digest): HashInto =>
  digest.hashInto ??
  ((data, start, end, out, outOffset) => out.set(digest.hash(data.subarray(start, end)), outOffset))

/** Digests the domain can use without help; hosts override entries with native implementations. */
export type Digests = Readonly<Partial<Record<HashName, Digest>>>
export const pureDigests: Readonly<Record<HashName, Digest>> = { SM3: pureSm3, "SHA-256": pureSha256 }

export const isHashName = (s: string): s is HashName => s === "SM3" || s === "SHA-256"

/** The digest for `name`: the host's override when given (its name must agree), else the pure one. */
export const selectDigest = (name: string, overrides: Digests = {}): Result.Result<Digest, InvalidValue> => {
  if (!isHashName(name))
    return Result.fail(invalid("hash", "R53.lottery-hash", name, "hash must be SM3 or SHA-256"))
  const d = overrides[name] ?? pureDigests[name]
  if (d.name !== name)
    return Result.fail(
      invalid("hash", "R53.lottery-hash", d.name, `digest injected for ${name} names itself ${d.name}`),
    )
  return Result.succeed(d)
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** Lower-case hex, two digits per byte. */
export const toHex = (bytes: Uint8Array): string => {
  let s = ""
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

/** Parses even-length hex (either case); `undefined` for anything else. */
export const fromHex = (hex: string): Uint8Array | undefined => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/u.test(hex)) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

const encoder = new TextEncoder()
/** UTF-8 bytes of a string (well-formed strings only; lone surrogates are rejected earlier by parsers). */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)
