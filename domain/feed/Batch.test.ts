/**
 * Feed batches (M123, M184): a signed batch verifies; every single flipped byte of the manifest or of any
 * part fails verification (property); parts are canonical (sorted keys and lines, integers only); the
 * manifest's counts and sums are checked; a foreign key and a broken chain are named; a receiver's chain
 * check wants seq + 1 after its head, signed by the pinned key.
 */
import { Effect, Redacted, Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Sm2Signer from "../../adapters/sm/Sm2Signer.js"
import { DEMO_CITY, DEMO_FEED_KEY, demoCityDetail } from "../../hosts/demo/DemoFeed.js"
import { GENESIS_HASH, sm3Hex } from "../integrity/HashChain.js"
import { figuresOfDetail } from "./Aggregation.js"
import {
  type BatchFiles,
  batchDigest,
  buildBatch,
  chainProblem,
  type Manifest,
  manifestText,
  signingBytes,
  verifyBatch,
} from "./Batch.js"
import { type Category, categories, encodePart, type FeedRecord } from "./FeedRecord.js"

// Test keys only.
const OTHER_KEY = "128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263"
const signer = Effect.runSync(Sm2Signer.make({ privateKey: Redacted.make(DEMO_FEED_KEY) }))
const other = Effect.runSync(Sm2Signer.make({ privateKey: Redacted.make(OTHER_KEY) }))

const period = "2026-11"
const detail = demoCityDetail({ period, households: 60 })
const records: ReadonlyArray<FeedRecord> = [
  ...detail,
  ...figuresOfDetail(detail, { period, province: DEMO_CITY.province, city: DEMO_CITY.city }),
]

const sign = (m: Manifest, s = signer): Manifest => ({
  ...m,
  signature: Effect.runSync(s.sign(signingBytes(m))),
})

const makeFiles = (header: Partial<Parameters<typeof buildBatch>[0]> = {}, s = signer) => {
  const { manifest, parts } = buildBatch(
    { sender: DEMO_CITY, period, asOf: "2026-11-30", seq: 1, previous: GENESIS_HASH, ...header },
    records,
  )
  const signed = sign(manifest, s)
  return { files: { manifest: manifestText(signed), parts } satisfies BatchFiles, manifest: signed }
}

const { files, manifest } = makeFiles()

describe("feed batch", () => {
  it("verifies as built, with the digest of its signing bytes", () => {
    const v = verifyBatch(files, { trustedKeys: [signer.publicKey] })
    expect(Result.isSuccess(v)).toBe(true)
    if (Result.isSuccess(v)) {
      expect(v.success.digest).toBe(sm3Hex(new TextDecoder().decode(signingBytes(manifest))))
      expect(v.success.records.housing.length).toBe(manifest.parts.housing.records)
    }
    expect(manifest.parts.accounts.sums["household-account.principal"]).toBeGreaterThan(0)
    expect(manifest.parts.facilities.sm3).toBe(sm3Hex(files.parts.facilities))
  })

  it("encodes lines canonically: keys sorted, no spaces, sorted by (kind, id), LF-terminated", () => {
    const text = encodePart([
      { kind: "household", id: "H2", floorArea: 100, building: "B1" },
      { kind: "building", id: "B1", name: "1号楼", area: "A1" },
    ])
    expect(text).toBe(
      '{"area":"A1","id":"B1","kind":"building","name":"1号楼"}\n{"building":"B1","floorArea":100,"id":"H2","kind":"household"}\n',
    )
    expect(() => encodePart([{ kind: "household", id: "H", building: "B", floorArea: 1.5 }])).toThrow(
      RangeError,
    )
  })

  it("fails on any single flipped byte of any file (property)", () => {
    const names: ReadonlyArray<"manifest" | Category> = [
      "manifest",
      ...categories.filter((c) => files.parts[c] !== ""),
    ]
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), fc.integer({ min: 1, max: 255 }), (name, at, mask) => {
        const text = name === "manifest" ? files.manifest : files.parts[name]
        const bytes = new TextEncoder().encode(text)
        const i = at % bytes.length
        bytes[i] = bytes[i]! ^ mask
        const flipped = new TextDecoder().decode(bytes)
        fc.pre(flipped !== text) // an invalid UTF-8 byte decodes to U+FFFD, still a change
        const tampered =
          name === "manifest"
            ? { manifest: flipped, parts: files.parts }
            : { manifest: files.manifest, parts: { ...files.parts, [name]: flipped } }
        expect(Result.isFailure(verifyBatch(tampered))).toBe(true)
      }),
      { seed: 15, numRuns: 150 },
    )
  })

  it("names the first failure", () => {
    const fail = (f: Parameters<typeof verifyBatch>[0], o = {}) => {
      const v = verifyBatch(f, o)
      return Result.isFailure(v) ? v.failure : undefined
    }
    expect(fail({ manifest: undefined, parts: files.parts })?.check).toBe("manifest")
    expect(fail(files, { trustedKeys: [other.publicKey] })?.check).toBe("public-key")
    const { housing: _h, ...noHousing } = files.parts
    expect(fail({ manifest: files.manifest, parts: noHousing })).toMatchObject({
      check: "part-missing",
      file: "housing.jsonl",
    })
    // A re-signed manifest with a wrong count or sum: the signature holds, the part does not match.
    const lying = sign({
      ...manifest,
      parts: { ...manifest.parts, housing: { ...manifest.parts.housing, records: 1 } },
    })
    expect(fail({ manifest: manifestText(lying), parts: files.parts })?.check).toBe("part-count")
    const wrongSum = sign({
      ...manifest,
      parts: {
        ...manifest.parts,
        accounts: { ...manifest.parts.accounts, sums: { "area-account.balance": 1 } },
      },
    })
    expect(fail({ manifest: manifestText(wrongSum), parts: files.parts })?.check).toBe("part-sums")
    const badChain = makeFiles({ seq: 2 }).files
    expect(fail(badChain)?.check).toBe("chain")
    const reordered =
      files.parts.housing
        .split("\n")
        .filter((l) => l !== "")
        .reverse()
        .join("\n") + "\n"
    const withReordered = sign({
      ...manifest,
      parts: { ...manifest.parts, housing: { ...manifest.parts.housing, sm3: sm3Hex(reordered) } },
    })
    expect(
      fail({ manifest: manifestText(withReordered), parts: { ...files.parts, housing: reordered } })?.check,
    ).toBe("part-line")
  })

  it("chains per sender: seq + 1 after the head, the previous digest, the pinned key", () => {
    const head = { sender: DEMO_CITY.id, seq: 1, digest: batchDigest(manifest), publicKey: signer.publicKey }
    const next = makeFiles({ seq: 2, previous: head.digest }).manifest
    expect(chainProblem(head, next)).toBeUndefined()
    expect(chainProblem(undefined, next)).toBeUndefined()
    expect(chainProblem(head, makeFiles({ seq: 3, previous: head.digest }).manifest)?._tag).toBe(
      "ChainBroken",
    )
    expect(chainProblem(head, makeFiles({ seq: 2, previous: "1".repeat(64) }).manifest)?._tag).toBe(
      "ChainBroken",
    )
    expect(chainProblem(head, makeFiles({ seq: 2, previous: head.digest }, other).manifest)?._tag).toBe(
      "KeyMismatch",
    )
  })
})
