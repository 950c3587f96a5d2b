/**
 * A feed batch (报送批次, M123/M184): one sender's records for one period as seven canonical JSON Lines
 * parts plus a manifest naming each part's SM3 digest, record count and sums, the sender's previous batch
 * digest (a hash chain per sender, `seq` 1, 2, …) and an SM2 signature over the canonical manifest without
 * its signature. The batch digest is SM3 of those same signing bytes. `verifyBatch` checks everything a
 * receiver can check from the files alone and names the first failure. Pure: signing happens behind the
 * Signer port; time enters as `asOf`.
 */
import { Result } from "effect"
import { GENESIS_HASH, sm3Hex } from "../integrity/HashChain.js"
import { canonicalJson, type Json } from "../lottery/CanonicalJson.js"
import { sm2SignatureValid, type TranscriptSignature } from "../lottery/Transcript.js"
import {
  type Category,
  categories,
  encodePart,
  type FeedRecord,
  kinds,
  sumsOf,
  type Tier,
  tiers,
} from "./FeedRecord.js"

export const FORMAT = "anju-feed/1"
export const MANIFEST_FILE = "manifest.json"
export const partFile = (c: Category): string => `${c}.jsonl`

/** Who sends: a reporting unit at one tier with its region codes (GB/T 2260). */
export interface Sender {
  readonly id: string
  readonly name: string
  readonly tier: Tier
  readonly province: string
  readonly city: string
  /** Only for a county sender. */
  readonly county?: string
}

export interface PartEntry {
  readonly file: string
  readonly records: number
  /** SM3 of the part's bytes, lower-case hex. */
  readonly sm3: string
  readonly sums: Readonly<Record<string, number>>
}

export interface Manifest {
  readonly format: typeof FORMAT
  readonly sender: Sender
  /** Reporting period `YYYY-MM`. */
  readonly period: string
  /** The day the data stands at (`YYYY-MM-DD`, Asia/Shanghai). */
  readonly asOf: string
  /** Position in the sender's chain, 1 for its first batch. */
  readonly seq: number
  /** Digest of the sender's batch seq − 1 (64 zeros for seq 1). */
  readonly previous: string
  /** Digest of the batch this one corrects (it supersedes it; the period must match). */
  readonly corrects?: string
  readonly parts: Readonly<Record<Category, PartEntry>>
  readonly signature?: TranscriptSignature
}

/** A batch as files: the manifest text and each part's text. */
export interface BatchFiles {
  readonly manifest: string
  readonly parts: Readonly<Record<Category, string>>
}

const encoder = new TextEncoder()

const unsigned = (m: Manifest): Manifest => {
  const { signature: _drop, ...rest } = m
  return rest
}

/** The bytes signed and hashed: UTF-8 of the canonical JSON of the manifest without `signature`. */
export const signingBytes = (m: Manifest): Uint8Array =>
  encoder.encode(canonicalJson(unsigned(m) as unknown as Json))

/** The batch digest (SM3 of `signingBytes`): what the next batch's `previous` names. */
export const batchDigest = (m: Manifest): string => sm3Hex(canonicalJson(unsigned(m) as unknown as Json))

export interface BatchHeader {
  readonly sender: Sender
  readonly period: string
  readonly asOf: string
  readonly seq: number
  readonly previous: string
  readonly corrects?: string
}

/** Parts and the unsigned manifest for `records` (grouped by category through each record's kind). */
export const buildBatch = (
  header: BatchHeader,
  records: ReadonlyArray<FeedRecord>,
): { readonly manifest: Manifest; readonly parts: Record<Category, string> } => {
  const byCategory = Object.fromEntries(categories.map((c) => [c, [] as Array<FeedRecord>])) as Record<
    Category,
    Array<FeedRecord>
  >
  for (const r of records) {
    const spec = kinds[r.kind]
    if (spec === undefined) throw new RangeError(`unknown record kind ${r.kind}`)
    byCategory[spec.category].push(r)
  }
  const parts = {} as Record<Category, string>
  const entries = {} as Record<Category, PartEntry>
  for (const c of categories) {
    parts[c] = encodePart(byCategory[c])
    entries[c] = {
      file: partFile(c),
      records: byCategory[c].length,
      sm3: sm3Hex(parts[c]),
      sums: sumsOf(c, byCategory[c]),
    }
  }
  const manifest: Manifest = {
    format: FORMAT,
    sender: header.sender,
    period: header.period,
    asOf: header.asOf,
    seq: header.seq,
    previous: header.previous,
    ...(header.corrects === undefined ? {} : { corrects: header.corrects }),
    parts: entries,
  }
  return { manifest, parts }
}

/** The manifest file's text: canonical JSON and one LF. */
export const manifestText = (m: Manifest): string => `${canonicalJson(m as unknown as Json)}\n`

/** The check that failed first, in the order `verifyBatch` runs them. */
export type VerifyCheck =
  | "manifest"
  | "signature"
  | "public-key"
  | "chain"
  | "part-missing"
  | "part-digest"
  | "part-line"
  | "part-count"
  | "part-sums"

export interface VerifyFailure {
  readonly check: VerifyCheck
  readonly file: string
  readonly detail: string
}

export interface VerifiedBatch {
  readonly manifest: Manifest
  readonly digest: string
  readonly records: Readonly<Record<Category, ReadonlyArray<FeedRecord>>>
}

const HEX64 = /^[0-9a-f]{64}$/u
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/u
const DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/u

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Structural check of a parsed manifest; the text of the first problem. */
const manifestProblem = (u: unknown): string | undefined => {
  if (!isObject(u)) return "not a JSON object"
  if (u["format"] !== FORMAT) return `format must be ${FORMAT}`
  const s = u["sender"]
  if (!isObject(s) || typeof s["id"] !== "string" || s["id"] === "") return "sender.id missing"
  if (typeof s["name"] !== "string") return "sender.name missing"
  if (!tiers.includes(s["tier"] as Tier)) return `sender.tier must be one of ${tiers.join("|")}`
  if (typeof s["province"] !== "string" || typeof s["city"] !== "string")
    return "sender.province/city missing"
  if (typeof u["period"] !== "string" || !PERIOD.test(u["period"])) return "period must be YYYY-MM"
  if (typeof u["asOf"] !== "string" || !DATE.test(u["asOf"])) return "asOf must be YYYY-MM-DD"
  if (!Number.isSafeInteger(u["seq"]) || (u["seq"] as number) < 1) return "seq must be a positive integer"
  if (typeof u["previous"] !== "string" || !HEX64.test(u["previous"])) return "previous must be 64 hex digits"
  if (u["corrects"] !== undefined && (typeof u["corrects"] !== "string" || !HEX64.test(u["corrects"])))
    return "corrects must be 64 hex digits"
  const parts = u["parts"]
  if (!isObject(parts)) return "parts missing"
  for (const c of categories) {
    const p = parts[c]
    if (!isObject(p)) return `parts.${c} missing`
    if (p["file"] !== partFile(c)) return `parts.${c}.file must be ${partFile(c)}`
    if (!Number.isSafeInteger(p["records"])) return `parts.${c}.records must be an integer`
    if (typeof p["sm3"] !== "string" || !HEX64.test(p["sm3"])) return `parts.${c}.sm3 must be 64 hex digits`
    if (!isObject(p["sums"])) return `parts.${c}.sums missing`
  }
  const sig = u["signature"]
  if (!isObject(sig)) return "signature missing"
  if (sig["algorithm"] !== "SM2-SM3" || typeof sig["userId"] !== "string")
    return "signature.algorithm must be SM2-SM3"
  if (typeof sig["publicKey"] !== "string" || typeof sig["value"] !== "string") return "signature incomplete"
  return undefined
}

/** Parses one manifest text (no checks beyond JSON and shape). */
export const parseManifest = (text: string): Result.Result<Manifest, VerifyFailure> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Result.fail({ check: "manifest", file: MANIFEST_FILE, detail: "not valid JSON" })
  }
  const problem = manifestProblem(parsed)
  if (problem !== undefined) return Result.fail({ check: "manifest", file: MANIFEST_FILE, detail: problem })
  return Result.succeed(parsed as Manifest)
}

const sameSums = (
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): string | undefined => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const k of [...keys].sort()) if ((a[k] ?? 0) !== (b[k] ?? 0)) return k
  return undefined
}

/**
 * Verifies a batch from its files: the manifest parses, is canonical and carries a valid SM2 signature
 * (with `trustedKeys`, by one of them); the chain fields are coherent (seq 1 names the genesis digest);
 * every part is present, has the digest, count and sums the manifest states, and every line is the
 * canonical encoding of a record of a kind of that category, in (kind, id) order. Stops at the first failure.
 */
export const verifyBatch = (
  files: {
    readonly manifest: string | undefined
    readonly parts: Readonly<Partial<Record<Category, string>>>
  },
  options: { readonly trustedKeys?: ReadonlyArray<string> } = {},
): Result.Result<VerifiedBatch, VerifyFailure> => {
  if (files.manifest === undefined)
    return Result.fail({ check: "manifest", file: MANIFEST_FILE, detail: "missing" })
  const parsed = parseManifest(files.manifest)
  if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
  const m = parsed.success
  if (manifestText(m) !== files.manifest)
    return Result.fail({ check: "manifest", file: MANIFEST_FILE, detail: "not in canonical form" })
  if (!sm2SignatureValid(signingBytes(m), m.signature!))
    return Result.fail({
      check: "signature",
      file: MANIFEST_FILE,
      detail: "the SM2 signature does not verify",
    })
  if (options.trustedKeys !== undefined && options.trustedKeys.length > 0) {
    const key = m.signature!.publicKey.toLowerCase()
    if (!options.trustedKeys.some((k) => k.toLowerCase() === key))
      return Result.fail({
        check: "public-key",
        file: MANIFEST_FILE,
        detail: `signed with ${key.slice(0, 18)}…, not a trusted key`,
      })
  }
  if (m.seq === 1 && m.previous !== GENESIS_HASH)
    return Result.fail({ check: "chain", file: MANIFEST_FILE, detail: "seq 1 must name the genesis digest" })
  if (m.seq > 1 && m.previous === GENESIS_HASH)
    return Result.fail({
      check: "chain",
      file: MANIFEST_FILE,
      detail: `seq ${m.seq} names no previous batch`,
    })
  const records = {} as Record<Category, ReadonlyArray<FeedRecord>>
  for (const c of categories) {
    const entry = m.parts[c]
    const text = files.parts[c]
    if (text === undefined) return Result.fail({ check: "part-missing", file: entry.file, detail: "missing" })
    if (sm3Hex(text) !== entry.sm3)
      return Result.fail({
        check: "part-digest",
        file: entry.file,
        detail: "SM3 digest differs from the manifest",
      })
    const lines = text === "" ? [] : text.split("\n")
    if (lines.length > 0 && lines.pop() !== "")
      return Result.fail({ check: "part-line", file: entry.file, detail: "the last line does not end in LF" })
    const parsedRecords: Array<FeedRecord> = []
    for (let i = 0; i < lines.length; i++) {
      let r: unknown
      try {
        r = JSON.parse(lines[i]!)
      } catch {
        return Result.fail({ check: "part-line", file: entry.file, detail: `line ${i + 1} is not JSON` })
      }
      if (!isObject(r) || typeof r["kind"] !== "string" || typeof r["id"] !== "string")
        return Result.fail({
          check: "part-line",
          file: entry.file,
          detail: `line ${i + 1} has no kind and id`,
        })
      if (kinds[r["kind"]]?.category !== c)
        return Result.fail({
          check: "part-line",
          file: entry.file,
          detail: `line ${i + 1}: kind ${r["kind"]} is not of category ${c}`,
        })
      parsedRecords.push(r as FeedRecord)
    }
    // Canonical form and order: the part re-encodes to itself.
    let canonical: string
    try {
      canonical = encodePart(parsedRecords)
    } catch {
      return Result.fail({ check: "part-line", file: entry.file, detail: "a number is not a safe integer" })
    }
    if (canonical !== text)
      return Result.fail({
        check: "part-line",
        file: entry.file,
        detail: "lines not canonical or not in (kind, id) order",
      })
    if (parsedRecords.length !== entry.records)
      return Result.fail({
        check: "part-count",
        file: entry.file,
        detail: `${parsedRecords.length} records, the manifest says ${entry.records}`,
      })
    const differing = sameSums(sumsOf(c, parsedRecords), entry.sums)
    if (differing !== undefined)
      return Result.fail({
        check: "part-sums",
        file: entry.file,
        detail: `sum ${differing} differs from the manifest`,
      })
    records[c] = parsedRecords
  }
  return Result.succeed({ manifest: m, digest: batchDigest(m), records })
}

/** One line naming a failure: `<file>: <check>: <detail>`. */
export const describeFailure = (f: VerifyFailure): string => `${f.file}: ${f.check}: ${f.detail}`

/** A sender's chain head as a receiver keeps it. */
export interface ChainHead {
  readonly sender: string
  readonly seq: number
  readonly digest: string
  /** Pinned at the sender's first batch (lower-case hex). */
  readonly publicKey: string
}

/**
 * Why `m` cannot follow the sender's stored `head` (undefined when it can, or when the receiver has no head
 * yet — first contact pins the key and starts the chain at whatever seq the batch carries).
 */
export const chainProblem = (
  head: ChainHead | undefined,
  m: Manifest,
):
  | { readonly _tag: "ChainBroken" | "KeyMismatch"; readonly sender: string; readonly detail: string }
  | undefined => {
  if (head === undefined) return undefined
  const key = m.signature?.publicKey.toLowerCase() ?? ""
  if (key !== head.publicKey)
    return {
      _tag: "KeyMismatch",
      sender: head.sender,
      detail: `sender ${head.sender} signs with another key`,
    }
  if (m.seq !== head.seq + 1 || m.previous !== head.digest)
    return {
      _tag: "ChainBroken",
      sender: head.sender,
      detail: `sender ${head.sender}: batch seq ${m.seq} does not follow seq ${head.seq} (${head.digest.slice(0, 12)}…)`,
    }
  return undefined
}
