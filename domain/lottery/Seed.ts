/**
 * Seed binding (种子) for the lottery (R53): the seed material is fixed only after the pool root is published —
 * notary-drawn digits (公证摇号数字), a public beacon round (drand), or any fixed hex value, alone or combined.
 * Combination is canonical: each source becomes a text, texts are sorted by bytes, and
 * seed = H(0x02 ‖ "anju-lottery/1" ‖ 0x00 ‖ u32be(count) ‖ for each: u32be(len) ‖ text). Notes are recorded, not hashed.
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Digest, fromHex, toHex, utf8 } from "./Digest.js"
import { ALGORITHM } from "./Pool.js"
import { sha256 } from "./Sha256.js"

export const SEED_PREFIX = 0x02

export type SeedSource =
  | { readonly kind: "digits"; readonly digits: string; readonly note?: string }
  | {
      readonly kind: "drand"
      /** Chain hash of the drand network (64 hex), e.g. quicknet 52db9ba7…0c84e971. */
      readonly chain: string
      readonly round: number
      /** The round's randomness (64 hex) = SHA-256 of its BLS signature. */
      readonly randomness: string
      /** The round's BLS signature (hex); when present, SHA-256(signature) must equal `randomness`. */
      readonly signature?: string
      readonly note?: string
    }
  | { readonly kind: "hex"; readonly value: string; readonly note?: string }

const field = "seed"

/** Checks one source; returns it with hex lower-cased. */
export const validateSource = (s: SeedSource): Result.Result<SeedSource, InvalidValue> => {
  switch (s.kind) {
    case "digits":
      return /^[0-9]{1,256}$/u.test(s.digits)
        ? Result.succeed(s)
        : Result.fail(invalid(field, "R53.seed-digits", s.digits, "notary digits are 1–256 decimal digits"))
    case "hex": {
      const v = s.value.toLowerCase()
      return /^([0-9a-f]{2}){1,512}$/u.test(v)
        ? Result.succeed({ ...s, value: v })
        : Result.fail(invalid(field, "R53.seed-hex", s.value, "a hex seed is 1–512 bytes of hex"))
    }
    case "drand": {
      const chain = s.chain.toLowerCase()
      const randomness = s.randomness.toLowerCase()
      if (!/^[0-9a-f]{64}$/u.test(chain))
        return Result.fail(
          invalid(`${field}.chain`, "R53.seed-drand-chain", s.chain, "drand chain hash is 64 hex"),
        )
      if (!Number.isSafeInteger(s.round) || s.round < 1)
        return Result.fail(
          invalid(`${field}.round`, "R53.seed-drand-round", s.round, "drand round is a positive integer"),
        )
      if (!/^[0-9a-f]{64}$/u.test(randomness))
        return Result.fail(
          invalid(
            `${field}.randomness`,
            "R53.seed-drand-randomness",
            s.randomness,
            "drand randomness is 64 hex",
          ),
        )
      if (s.signature !== undefined) {
        const sig = fromHex(s.signature)
        if (sig === undefined || sig.length === 0)
          return Result.fail(
            invalid(`${field}.signature`, "R53.seed-drand-signature", s.signature, "signature is hex"),
          )
        if (toHex(sha256(sig)) !== randomness)
          return Result.fail(
            invalid(
              `${field}.randomness`,
              "R53.seed-drand-randomness",
              s.randomness,
              "randomness ≠ SHA-256(signature)",
            ),
          )
        return Result.succeed({ ...s, chain, randomness, signature: s.signature.toLowerCase() })
      }
      return Result.succeed({ ...s, chain, randomness })
    }
  }
}

/** The canonical text a source contributes (ASCII): `digits:…`, `drand:<chain>:<round>:<randomness>`, `hex:…`. */
export const sourceText = (s: SeedSource): string => {
  switch (s.kind) {
    case "digits":
      return `digits:${s.digits}`
    case "hex":
      return `hex:${s.value.toLowerCase()}`
    case "drand":
      return `drand:${s.chain.toLowerCase()}:${s.round}:${s.randomness.toLowerCase()}`
  }
}

/** Validates the sources and derives the 32-byte seed; sources may come in any order, duplicates fail. */
export const combineSeed = (
  digest: Digest,
  sources: ReadonlyArray<SeedSource>,
): Result.Result<
  { readonly sources: ReadonlyArray<SeedSource>; readonly seed: Uint8Array },
  InvalidValue
> => {
  if (sources.length === 0)
    return Result.fail(invalid(field, "R53.seed-missing", "", "at least one seed source is needed"))
  const valid: Array<SeedSource> = []
  for (const s of sources) {
    const r = validateSource(s)
    if (Result.isFailure(r)) return Result.fail(r.failure)
    valid.push(r.success)
  }
  const texts = valid.map(sourceText).sort() // ASCII: code-unit order = byte order
  for (let i = 1; i < texts.length; i++)
    if (texts[i] === texts[i - 1])
      return Result.fail(invalid(field, "R53.seed-duplicate", texts[i], "seed source given twice"))
  const parts = texts.map(utf8)
  const tag = utf8(ALGORITHM)
  const out = new Uint8Array(1 + tag.length + 1 + 4 + parts.reduce((n, p) => n + 4 + p.length, 0))
  const v = new DataView(out.buffer)
  out[0] = SEED_PREFIX
  out.set(tag, 1)
  let p = 1 + tag.length + 1 // followed by a 0x00 separator
  v.setUint32(p, parts.length)
  p += 4
  for (const part of parts) {
    v.setUint32(p, part.length)
    out.set(part, p + 4)
    p += 4 + part.length
  }
  return Result.succeed({ sources: valid, seed: digest.hash(out) })
}

/**
 * Reads a seed given on a command line: `digits:NNN`, `hex:…`, `drand:<chain>:<round>:<randomness>`,
 * several joined by `+`; a bare all-decimal value is notary digits, any other bare value hex.
 */
export const parseSeedArgument = (arg: string): Result.Result<ReadonlyArray<SeedSource>, InvalidValue> => {
  const out: Array<SeedSource> = []
  for (const raw of arg.split("+")) {
    const part = raw.trim()
    let source: SeedSource
    if (part.startsWith("digits:")) source = { kind: "digits", digits: part.slice(7) }
    else if (part.startsWith("hex:")) source = { kind: "hex", value: part.slice(4) }
    else if (part.startsWith("drand:")) {
      const [chain = "", round = "", randomness = ""] = part.slice(6).split(":")
      source = { kind: "drand", chain, round: /^[0-9]{1,15}$/u.test(round) ? Number(round) : -1, randomness }
    } else if (/^[0-9]+$/u.test(part)) source = { kind: "digits", digits: part }
    else source = { kind: "hex", value: part.replace(/^0x/iu, "") }
    const r = validateSource(source)
    if (Result.isFailure(r)) return Result.fail(r.failure)
    out.push(r.success)
  }
  return Result.succeed(out)
}
