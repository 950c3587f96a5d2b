// The audit verifier's laws (GB/T 39786 log integrity): an untouched log with its checkpoints verifies; any
// single-record change (with or without a recomputed hash), deletion, reorder or insertion is reported, with
// the first bad seq; checkpoints catch what the chain alone cannot (a rewritten or cut tail) and their own
// tampering (signature, key, deletion). Also: entry validation and the canonical encoding's vector.
import { describe, expect, it } from "@effect/vitest"
import { Option, Result } from "effect"
import fc from "fast-check"
import { sm2 } from "sm-crypto-v2"
import { GENESIS_HASH, sm3Hex } from "../integrity/HashChain.js"
import { DEFAULT_SM2_USER_ID } from "../lottery/Transcript.js"
import { type AuditRecord, canonicalEncoding, chainAll, chainNext, headOf } from "./AuditChain.js"
import {
  type AuditCheckpoint,
  checkpointBytes,
  checkpointText,
  planCheckpoint,
  type UnsignedCheckpoint,
} from "./AuditCheckpoint.js"
import {
  type AuditEntry,
  canonicalBody,
  hasUnstorableText,
  instantOf,
  validateAuditEntry,
} from "./AuditRecord.js"
import { verdictLine, verifyAuditLog } from "./AuditVerification.js"

// A fixed test key (never used outside tests).
const PRIVATE = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
const PUBLIC = sm2.getPublicKeyFromPrivateKey(PRIVATE).toLowerCase()
const OTHER_PRIVATE = "128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263"

const sign = (c: UnsignedCheckpoint, priv = PRIVATE): AuditCheckpoint => {
  const publicKey = sm2.getPublicKeyFromPrivateKey(priv).toLowerCase()
  const value = sm2.doSignature(checkpointBytes(c), priv, {
    hash: true,
    der: false,
    publicKey,
    userId: DEFAULT_SM2_USER_ID,
  })
  return { ...c, signature: { algorithm: "SM2-SM3", userId: DEFAULT_SM2_USER_ID, publicKey, value } }
}

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0)
const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: instantOf(T0 + i * 1000),
  actorId: `officer-${i % 3}`,
  actorRole: "district",
  action: i % 4 === 0 ? "pii.open" : "stock.registerUnits",
  object: `unit:U-${i}`,
  purpose: i % 4 === 0 ? "复核 review of case C-1" : null,
  outcome: "success",
  requestId: `req-${i}`,
  detail: null,
  ...over,
})

const entryArb: fc.Arbitrary<AuditEntry> = fc
  .record({
    at: fc.integer({ min: T0, max: T0 + 10 * 365 * 86_400_000 }).map(instantOf),
    actorId: fc.stringMatching(/^[A-Za-z0-9._@-]{1,12}$/u),
    actorRole: fc.constantFrom("city", "district", "operator", "system", "applicant"),
    action: fc.constantFrom("pii.open", "stock.registerUnits", "cases.command.reject", "fund.post"),
    object: fc.constantFrom("unit:U-1", "case:C-1", "case:王五案", "project:P-9"),
    purpose: fc.option(
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !hasUnstorableText(s)),
      {
        nil: null,
      },
    ),
    outcome: fc.constantFrom("success", "denied", "failure"),
    requestId: fc.option(fc.uuid(), { nil: null }),
    detail: fc.option(fc.constantFrom("field=idNumber", "换行\nnote", '"quoted"'), { nil: null }),
  })
  .map((e) =>
    e.action === "pii.open" && (e.purpose === null || e.purpose.trim() === "") ? { ...e, purpose: "why" } : e,
  )

/** A chained log of 2–10 records with a checkpoint at the head (and maybe one in the middle). */
const logArb = fc
  .tuple(fc.array(entryArb, { minLength: 2, maxLength: 10 }), fc.nat())
  .map(([entries, cut]) => {
    const records = chainAll({ seq: 0, hash: GENESIS_HASH }, entries)
    const mid = 1 + (cut % (records.length - 1))
    const at = instantOf(T0)
    const c1 = sign({ firstSeq: 1, lastSeq: mid, lastHash: records[mid - 1]!.hash, at })
    const c2 = sign({ firstSeq: mid + 1, lastSeq: records.length, lastHash: records.at(-1)!.hash, at })
    return { records, checkpoints: [c1, c2] }
  })

const verify = (records: ReadonlyArray<AuditRecord>, checkpoints: ReadonlyArray<AuditCheckpoint>) =>
  verifyAuditLog({ records, checkpoints, trustedPublicKey: PUBLIC })

/** Re-chains records from position `from` on (an attacker with write access recomputing hashes). */
const rechainFrom = (records: ReadonlyArray<AuditRecord>, from: number): AuditRecord[] => {
  const out = records.slice(0, from)
  for (const r of records.slice(from)) out.push(chainNext(headOf(out), r.entry))
  return out
}

const FIELDS = [
  "at",
  "actorId",
  "actorRole",
  "action",
  "object",
  "purpose",
  "outcome",
  "requestId",
  "detail",
] as const
const mutate = (e: AuditEntry, field: (typeof FIELDS)[number]): AuditEntry => {
  const v = e[field]
  return { ...e, [field]: field === "at" ? instantOf(Date.parse(e.at) + 1) : v === null ? "x" : `${v}x` }
}

describe("audit log verification", () => {
  it("an untouched log verifies, sealed through its last checkpoint", () => {
    fc.assert(
      fc.property(logArb, ({ records, checkpoints }) => {
        const v = verify(records, checkpoints)
        expect(v.findings).toEqual([])
        expect(v.ok).toBe(true)
        expect(v.signedThrough).toBe(records.length)
        expect(v.head).toEqual(headOf(records))
      }),
      { numRuns: 25 },
    )
  })

  it("any single-record change is detected, at that record; with a recomputed hash, at the next link or checkpoint", () => {
    fc.assert(
      fc.property(
        logArb,
        fc.nat(),
        fc.constantFrom(...FIELDS),
        fc.boolean(),
        ({ records, checkpoints }, k, field, rehash) => {
          const i = k % records.length
          const changed = records.map((r, j) => (j === i ? { ...r, entry: mutate(r.entry, field) } : r))
          const tampered = rehash
            ? changed.map((r, j) =>
                j === i ? { ...r, hash: sm3Hex(canonicalEncoding(r.seq, r.prevHash, r.entry)) } : r,
              )
            : changed
          const v = verify(tampered, checkpoints)
          expect(v.ok).toBe(false)
          if (!rehash) expect(v.first).toMatchObject({ seq: i + 1, problem: "changed" })
          else if (checkpoints.some((c) => c.lastSeq === i + 1))
            expect(v.first).toMatchObject({ seq: i + 1, problem: "checkpoint-hash" })
          else expect(v.first).toMatchObject({ seq: i + 2, problem: "broken-link" })
          // A sealed record rewritten with the whole tail re-chained is still caught by the checkpoint.
          const rechained = verify(rechainFrom(changed, i), checkpoints)
          expect(rechained.ok).toBe(false)
          expect(rechained.findings.some((f) => f.problem === "checkpoint-hash")).toBe(true)
        },
      ),
      { numRuns: 35 },
    )
  })

  it("any deleted record is reported missing, the last one through the checkpoint and the stored head", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), ({ records, checkpoints }, k) => {
        const i = k % records.length
        const cut = records.filter((_, j) => j !== i)
        const v = verify(cut, checkpoints)
        expect(v.ok).toBe(false)
        expect(v.first).toMatchObject({ seq: i + 1, problem: "missing" })
        const withHead = verifyAuditLog({ records: cut, checkpoints: [], storedHead: headOf(records) })
        expect(withHead.ok).toBe(false)
        expect(withHead.first).toMatchObject({ seq: i + 1, problem: "missing" })
      }),
      { numRuns: 35 },
    )
  })

  it("any reorder of two records is detected", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), ({ records, checkpoints }, a, b) => {
        const i = a % records.length
        const j = (i + 1 + (b % (records.length - 1))) % records.length
        const swapped = [...records]
        swapped[i] = records[j]!
        swapped[j] = records[i]!
        expect(verify(swapped, checkpoints).ok).toBe(false)
        // Swapping contents but keeping seqs in place is a change of both records.
        const contents = records.map((r, x) =>
          x === i ? { ...r, entry: records[j]!.entry } : x === j ? { ...r, entry: records[i]!.entry } : r,
        )
        const same = JSON.stringify(records[i]!.entry) === JSON.stringify(records[j]!.entry)
        expect(verify(contents, checkpoints).ok).toBe(same)
      }),
      { numRuns: 35 },
    )
  })

  it("any record inserted before the head is detected, even when correctly chained to its predecessor", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), entryArb, ({ records, checkpoints }, k, forged) => {
        const i = k % records.length
        const before = records.slice(0, i)
        const inserted = [...before, chainNext(headOf(before), forged), ...records.slice(i)]
        const v = verify(inserted, checkpoints)
        expect(v.ok).toBe(false)
        expect(v.first!.seq).toBeLessThanOrEqual(i + 1)
        // Re-chaining everything after the insertion is caught by the checkpoints.
        expect(verify(rechainFrom(inserted, i), checkpoints).ok).toBe(false)
      }),
      { numRuns: 35 },
    )
  })

  it("an unsealed tail re-chained by an attacker is only caught by a later checkpoint or the stored head", () => {
    const records = chainAll(
      { seq: 0, hash: GENESIS_HASH },
      [0, 1, 2, 3, 4].map((i) => entry(i)),
    )
    const sealed = [sign({ firstSeq: 1, lastSeq: 3, lastHash: records[2]!.hash, at: instantOf(T0) })]
    const forged = rechainFrom(
      records.map((r, j) => (j === 4 ? { ...r, entry: { ...r.entry, object: "unit:U-99" } } : r)),
      4,
    )
    // The honest limit of a chain: after the last checkpoint, a consistent rewrite verifies…
    expect(verify(forged, sealed).ok).toBe(true)
    expect(verify(forged, sealed).signedThrough).toBe(3)
    // … unless the head stored beside it, or a checkpoint over it, says otherwise.
    expect(
      verifyAuditLog({ records: forged, checkpoints: sealed, storedHead: headOf(records) }).first,
    ).toMatchObject({
      seq: 5,
      problem: "head-mismatch",
    })
  })

  it("tampered, foreign-key and deleted checkpoints are reported", () => {
    const records = chainAll(
      { seq: 0, hash: GENESIS_HASH },
      [0, 1, 2, 3, 4, 5].map((i) => entry(i)),
    )
    const at = instantOf(T0)
    const c = [
      sign({ firstSeq: 1, lastSeq: 2, lastHash: records[1]!.hash, at }),
      sign({ firstSeq: 3, lastSeq: 4, lastHash: records[3]!.hash, at }),
      sign({ firstSeq: 5, lastSeq: 6, lastHash: records[5]!.hash, at }),
    ]
    expect(verify(records, c).ok).toBe(true)
    const edited = { ...c[1]!, at: instantOf(T0 + 1) }
    expect(verify(records, [c[0]!, edited, c[2]!]).first).toMatchObject({
      seq: 4,
      problem: "checkpoint-signature",
      checkpoint: 4,
    })
    const foreign = sign({ firstSeq: 3, lastSeq: 4, lastHash: records[3]!.hash, at }, OTHER_PRIVATE)
    expect(verify(records, [c[0]!, foreign, c[2]!]).first).toMatchObject({
      seq: 4,
      problem: "checkpoint-key",
    })
    // A retired key listed beside the current one is trusted for the checkpoints it signed.
    const otherPublic = sm2.getPublicKeyFromPrivateKey(OTHER_PRIVATE).toLowerCase()
    expect(
      verifyAuditLog({
        records,
        checkpoints: [c[0]!, foreign, c[2]!],
        trustedPublicKey: [PUBLIC, otherPublic],
      }).ok,
    ).toBe(true)
    // Without a trusted key, a foreign signature that verifies is accepted (documented: pass the key).
    expect(verifyAuditLog({ records, checkpoints: [c[0]!, foreign, c[2]!] }).ok).toBe(true)
    expect(verify(records, [c[0]!, c[2]!]).first).toMatchObject({ seq: 3, problem: "checkpoint-range" })
    const v = verify(records.slice(0, 5), c)
    expect(v.first).toMatchObject({ seq: 6, problem: "missing", checkpoint: 6 })
    expect(verdictLine(v)).toBe(
      "audit log BROKEN at record 6 (missing): record 6, sealed by checkpoint 6, is missing",
    )
  })

  it("the canonical encoding is the documented text, and its SM3 is stable", () => {
    const e = entry(4, { purpose: '复核 "C-1"\n', requestId: null })
    expect(canonicalBody(e)).toBe(
      '["2024-05-01T08:00:04.000Z","officer-1","district","pii.open","unit:U-4","复核 \\"C-1\\"\\n","success",null,null]',
    )
    expect(canonicalEncoding(1, GENESIS_HASH, e)).toBe(
      `anju-audit/v1\n1\n${GENESIS_HASH}\n${canonicalBody(e)}`,
    )
    const r = chainNext({ seq: 0, hash: GENESIS_HASH }, e)
    expect(r.hash).toBe(sm3Hex(`anju-audit/v1\n1\n${GENESIS_HASH}\n${canonicalBody(e)}`))
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/u)
    expect(checkpointText({ firstSeq: 1, lastSeq: 1, lastHash: r.hash, at: e.at })).toBe(
      `anju-audit-checkpoint/v1\n1\n1\n${r.hash}\n2024-05-01T08:00:04.000Z`,
    )
  })

  it("planCheckpoint covers exactly the records after the latest checkpoint", () => {
    const at = instantOf(T0)
    expect(Option.isNone(planCheckpoint({ seq: 0, hash: GENESIS_HASH }, undefined, at))).toBe(true)
    expect(planCheckpoint({ seq: 3, hash: "a".repeat(64) }, undefined, at)).toEqual(
      Option.some({ firstSeq: 1, lastSeq: 3, lastHash: "a".repeat(64), at }),
    )
    const latest = { firstSeq: 1, lastSeq: 3, lastHash: "a".repeat(64), at }
    expect(Option.isNone(planCheckpoint({ seq: 3, hash: "a".repeat(64) }, latest, at))).toBe(true)
    expect(Option.getOrThrow(planCheckpoint({ seq: 5, hash: "b".repeat(64) }, latest, at)).firstSeq).toBe(4)
  })
})

describe("audit entry validation", () => {
  const fieldOf = (e: AuditEntry) => {
    const r = validateAuditEntry(e)
    return Result.isFailure(r) ? `${r.failure.field} ${r.failure.rule}` : "ok"
  }
  it("accepts well-formed entries and refuses each malformed field with its rule", () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        expect(fieldOf(e)).toBe("ok")
      }),
    )
    expect(fieldOf(entry(1))).toBe("ok")
    expect(fieldOf(entry(0, { purpose: null }))).toBe("purpose AU.purpose-required")
    expect(fieldOf(entry(0, { purpose: "  " }))).toBe("purpose AU.purpose-required")
    expect(fieldOf(entry(1, { at: "2024-02-30T00:00:00.000Z" }))).toBe("at AU.instant")
    expect(fieldOf(entry(1, { at: "2024-05-01T08:00:00Z" }))).toBe("at AU.instant")
    expect(fieldOf(entry(1, { actorId: "" }))).toBe("actorId AU.actor")
    expect(fieldOf(entry(1, { actorId: "a b" }))).toBe("actorId AU.actor")
    expect(fieldOf(entry(1, { actorRole: "City Hall" }))).toBe("actorRole AU.role")
    expect(fieldOf(entry(1, { action: "register" }))).toBe("action AU.action")
    expect(fieldOf(entry(1, { object: "U-1" }))).toBe("object AU.object")
    expect(fieldOf(entry(1, { object: "unit:U\u0000" }))).toBe("object AU.object")
    expect(fieldOf(entry(1, { object: "unit:\ud842" }))).toBe("object AU.object")
    expect(fieldOf(entry(1, { purpose: "a\u0000b" }))).toBe("purpose AU.text")
    expect(fieldOf(entry(1, { detail: "\udfb7" }))).toBe("detail AU.text")
    expect(fieldOf(entry(1, { outcome: "maybe" as never }))).toBe("outcome AU.outcome")
    expect(fieldOf(entry(1, { requestId: "" }))).toBe("requestId AU.request")
  })
})
