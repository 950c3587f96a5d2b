// The audit use-cases on the memory log: records take their instant from the Clock and their attribution
// from the caller or the AuditContext; checkpoints are signed through the Signer port over the head and only
// when something is new; verification of the stored log passes and names a foreign signer; queries need
// `audit.read` and are themselves recorded; the auditing FieldCipher records every decryption (success or
// failure) with actor, purpose and object, returns plaintext only after its record is stored, and refuses
// to open without a context or a purpose.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { sm2 } from "sm-crypto-v2"
import * as MemoryAuditLog from "../../adapters/memory/MemoryAuditLog.js"
import * as MemoryFieldCipher from "../../adapters/memory/MemoryFieldCipher.js"
import type { Actor } from "../../domain/access/Access.js"
import { AuditLog, AuditLogError } from "../ports/AuditLog.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { Signer } from "../ports/Signer.js"
import { auditContextFor, withAuditContext, withAuditPurpose } from "./AuditContext.js"
import * as AuditingFieldCipher from "./AuditingFieldCipher.js"
import { checkpointAudit } from "./CheckpointAudit.js"
import { queryAudit } from "./QueryAudit.js"
import { auditWrite, recordWrite } from "./RecordAudit.js"
import { verifyAudit } from "./VerifyAudit.js"

const PRIVATE_KEY = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
const PUBLIC_KEY = sm2.getPublicKeyFromPrivateKey(PRIVATE_KEY).toLowerCase()
/** A test Signer (the SM2 adapter lives in adapters/sm; application tests use no other adapters). */
const testSigner = Layer.succeed(Signer, {
  publicKey: PUBLIC_KEY,
  sign: (bytes) =>
    Effect.sync(() => ({
      algorithm: "SM2-SM3" as const,
      userId: "1234567812345678",
      publicKey: PUBLIC_KEY,
      value: sm2.doSignature(bytes, PRIVATE_KEY, { hash: true, der: false, publicKey: PUBLIC_KEY }),
    })),
})

const city: Actor = { role: "city", id: "city-1" }
const district: Actor = { role: "district", id: "district-1", district: "310115" }
const T = Date.UTC(2025, 5, 1, 2, 0, 0)

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]
    : undefined

describe("audit use-cases", () => {
  it.effect("records take the Clock's instant and the caller's or context's attribution", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T)
      const r1 = yield* recordWrite({
        actor: district,
        action: "stock.registerUnits",
        object: "unit:U-1",
        requestId: "req-1",
      })
      expect(r1).toMatchObject({
        seq: 1,
        entry: {
          at: "2025-06-01T02:00:00.000Z",
          actorId: "district-1",
          actorRole: "district",
          action: "stock.registerUnits",
          object: "unit:U-1",
          outcome: "success",
          requestId: "req-1",
          purpose: null,
        },
      })
      yield* TestClock.adjust("1500 millis")
      const r2 = yield* auditWrite("cases.command.reject", "case:C-1").pipe(
        withAuditContext(auditContextFor(city, { requestId: "req-2" })),
      )
      expect(r2).toMatchObject({
        seq: 2,
        prevHash: r1.hash,
        entry: { at: "2025-06-01T02:00:01.500Z", actorId: "city-1", actorRole: "city", requestId: "req-2" },
      })
      const bad = yield* Effect.exit(recordWrite({ actor: city, action: "bad action", object: "unit:U-1" }))
      expect(failureOf(bad)).toMatchObject({ reason: { _tag: "Rejected", field: "action" } })
    }).pipe(Effect.provide(MemoryAuditLog.layer)),
  )

  it.effect("checkpoints sign the head only when something is new, and the stored log verifies", () =>
    Effect.gen(function* () {
      expect(Option.isNone(yield* checkpointAudit())).toBe(true)
      for (let i = 0; i < 3; i++)
        yield* recordWrite({ actor: city, action: "fund.post", object: `entry:E-${i}` })
      const c1 = Option.getOrThrow(yield* checkpointAudit())
      expect(c1).toMatchObject({ firstSeq: 1, lastSeq: 3 })
      expect(c1.lastHash).toBe((yield* (yield* AuditLog).head()).hash)
      expect(Option.isNone(yield* checkpointAudit())).toBe(true)
      yield* recordWrite({ actor: city, action: "fund.post", object: "entry:E-3" })
      expect(Option.getOrThrow(yield* checkpointAudit())).toMatchObject({ firstSeq: 4, lastSeq: 4 })
      const v = yield* verifyAudit({ trustedPublicKey: PUBLIC_KEY })
      expect(v).toMatchObject({ ok: true, records: 4, checkpoints: 2, signedThrough: 4 })
      const foreign = yield* verifyAudit({ trustedPublicKey: `04${"1".repeat(128)}` })
      expect(foreign.first).toMatchObject({ seq: 3, problem: "checkpoint-key" })
    }).pipe(Effect.provide(Layer.merge(MemoryAuditLog.layer, testSigner))),
  )

  it.effect("queries need audit.read, validate their filters and are recorded", () =>
    Effect.gen(function* () {
      yield* recordWrite({ actor: district, action: "stock.registerUnits", object: "unit:U-1" })
      yield* recordWrite({ actor: city, action: "stock.registerUnits", object: "unit:U-2" })
      const denied = yield* Effect.exit(queryAudit(district, { limit: 10 }))
      expect(failureOf(denied)).toMatchObject({ _tag: "AccessDenied", permission: "audit.read" })
      const page = yield* queryAudit(city, { actorId: "district-1", limit: 10 }, { requestId: "req-q" })
      expect(page.records.map((r) => r.entry.object)).toEqual(["unit:U-1"])
      expect(page.next).toBeNull()
      expect(failureOf(yield* Effect.exit(queryAudit(city, { limit: 0 })))).toMatchObject({
        _tag: "InvalidValue",
        field: "limit",
      })
      expect(failureOf(yield* Effect.exit(queryAudit(city, { from: "yesterday", limit: 5 })))).toMatchObject({
        field: "from",
        rule: "AU.instant",
      })
      const trail = yield* queryAudit(city, { action: "audit.query", limit: 10 })
      expect(trail.records.map((r) => [r.entry.actorId, r.entry.requestId, r.entry.detail])).toEqual([
        ["city-1", "req-q", '{"actorId":"district-1"}'],
      ])
    }).pipe(Effect.provide(MemoryAuditLog.layer)),
  )
})

describe("auditing FieldCipher", () => {
  // One shared log for the decorator and the assertions.
  const shared = Layer.provideMerge(
    AuditingFieldCipher.layer().pipe(Layer.provide(MemoryFieldCipher.layer())),
    MemoryAuditLog.layer,
  )

  it.effect(
    "every open is recorded with actor, purpose, object and field before the plaintext is returned",
    () =>
      Effect.gen(function* () {
        const cipher = yield* FieldCipher
        const log = yield* AuditLog
        const sealed = yield* cipher.seal("idNumber", "310115198503120012")
        expect(yield* log.head()).toMatchObject({ seq: 0 })
        const opened = yield* cipher
          .open("idNumber", sealed)
          .pipe(
            withAuditPurpose("复核: review of case C-1", "case:C-1"),
            withAuditContext(auditContextFor(district, { requestId: "req-9" })),
          )
        expect(opened).toBe("310115198503120012")
        const [r] = yield* log.read(1, 10)
        expect(r!.entry).toMatchObject({
          actorId: "district-1",
          actorRole: "district",
          action: "pii.open",
          object: "case:C-1",
          purpose: "复核: review of case C-1",
          outcome: "success",
          requestId: "req-9",
          detail: "field=idNumber key=mem-1",
        })
        expect(JSON.stringify(r)).not.toContain("310115198503120012")
        // A tampered ciphertext: the failed attempt is recorded too.
        const bad = yield* Effect.exit(
          cipher
            .open("idNumber", { ...sealed, keyId: "retired-key" })
            .pipe(withAuditContext(auditContextFor(district, { purpose: "复核", object: "case:C-1" }))),
        )
        expect(failureOf(bad)).toMatchObject({ _tag: "FieldCipherError", reason: { _tag: "Undecryptable" } })
        expect((yield* log.read(2, 1))[0]!.entry).toMatchObject({ action: "pii.open", outcome: "failure" })
      }).pipe(Effect.provide(shared)),
  )

  it.effect("opening without a context or a purpose dies; seal and blindIndex are not audited", () =>
    Effect.gen(function* () {
      const cipher = yield* FieldCipher
      const log = yield* AuditLog
      const sealed = yield* cipher.seal("name", "王五")
      yield* cipher.blindIndex("name", "王五")
      const noContext = yield* Effect.exit(cipher.open("name", sealed))
      expect(Exit.isFailure(noContext) && Cause.hasDies(noContext.cause)).toBe(true)
      const noPurpose = yield* Effect.exit(
        cipher.open("name", sealed).pipe(withAuditContext(auditContextFor(city))),
      )
      expect(Exit.isFailure(noPurpose) && Cause.hasDies(noPurpose.cause)).toBe(true)
      expect(yield* log.head()).toMatchObject({ seq: 0 })
    }).pipe(Effect.provide(shared)),
  )

  it.effect("no plaintext leaves when the decryption cannot be recorded", () =>
    Effect.gen(function* () {
      const failingLog = AuditLog.of({
        append: () => Effect.fail(new AuditLogError({ reason: { _tag: "Unavailable", detail: "down" } })),
        head: () => Effect.die("unused"),
        read: () => Effect.die("unused"),
        query: () => Effect.die("unused"),
        putCheckpoint: () => Effect.die("unused"),
        checkpoints: () => Effect.die("unused"),
      })
      const inner = MemoryFieldCipher.make()
      const cipher = AuditingFieldCipher.wrap(inner, failingLog, {
        fallback: auditContextFor({ id: "nightly", role: "worker" }, { purpose: "annual review batch" }),
      })
      const sealed = yield* inner.seal("phone", "13800138000")
      const exit = yield* Effect.exit(cipher.open("phone", sealed))
      expect(failureOf(exit)).toMatchObject({ _tag: "FieldCipherError", reason: { _tag: "Unavailable" } })
      expect(JSON.stringify(exit)).not.toContain("13800138000")
    }),
  )
})
