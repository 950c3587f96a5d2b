/**
 * Contract suite for the AuditLog port (审计日志). Every adapter (memory, PGlite, PostgreSQL) runs exactly
 * this file through `suite(name, layer)`. Laws held to: append numbers records consecutively and chains each
 * to the head before it (the domain's AuditChain, recomputed here); records read back are exactly what was
 * appended; invalid entries are Rejected and change nothing; concurrent appenders still produce one linear
 * chain; queries by actor, object, action and time page by seq with no gap or repeat (property); checkpoints
 * are stored once per lastSeq; and the whole stored log verifies with the pure verifier after every test.
 * Tests tag their actors and objects, so they share one store.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer } from "effect"
import fc from "fast-check"
import { sm2 } from "sm-crypto-v2"
import { AuditLog, type AuditLogError, type AuditQuery } from "../application/ports/AuditLog.js"
import { type AuditRecord, chainNext, headOf } from "../domain/audit/AuditChain.js"
import {
  type AuditCheckpoint,
  checkpointBytes,
  type UnsignedCheckpoint,
} from "../domain/audit/AuditCheckpoint.js"
import { type AuditEntry, instantOf } from "../domain/audit/AuditRecord.js"
import { verifyAuditLog } from "../domain/audit/AuditVerification.js"
import { DEFAULT_SM2_USER_ID } from "../domain/lottery/Transcript.js"

let counter = 0
const fresh = (label: string) => `${label}-${process.pid.toString(36)}-${(counter++).toString(36)}`

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0)
const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: instantOf(T0),
  actorId: "officer-1",
  actorRole: "district",
  action: "stock.registerUnits",
  object: "unit:U-1",
  purpose: null,
  outcome: "success",
  requestId: null,
  detail: null,
  ...over,
})

// A test key for checkpoints (the port stores signatures; it never makes or checks them).
const PRIVATE = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
const PUBLIC = sm2.getPublicKeyFromPrivateKey(PRIVATE).toLowerCase()
const sign = (c: UnsignedCheckpoint): AuditCheckpoint => ({
  ...c,
  signature: {
    algorithm: "SM2-SM3",
    userId: DEFAULT_SM2_USER_ID,
    publicKey: PUBLIC,
    value: sm2.doSignature(checkpointBytes(c), PRIVATE, {
      hash: true,
      der: false,
      publicKey: PUBLIC,
      userId: DEFAULT_SM2_USER_ID,
    }),
  },
})

const reasonOf = <A>(exit: Exit.Exit<A, AuditLogError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

/** Every stored record, page by page. */
const readAll = Effect.gen(function* () {
  const log = yield* AuditLog
  const out: AuditRecord[] = []
  for (;;) {
    const page = yield* log.read((out.at(-1)?.seq ?? 0) + 1, 1000)
    out.push(...page)
    if (page.length < 1000) return out
  }
})

/** The law after every test: the whole stored log, with its checkpoints and head, verifies. */
const wholeLogVerifies = Effect.gen(function* () {
  const log = yield* AuditLog
  const v = verifyAuditLog({
    records: yield* readAll,
    checkpoints: yield* log.checkpoints(),
    storedHead: yield* log.head(),
    trustedPublicKey: PUBLIC,
  })
  expect(v.findings).toEqual([])
})

const pageAll = (q: Omit<AuditQuery, "after">) =>
  Effect.gen(function* () {
    const log = yield* AuditLog
    const out: AuditRecord[] = []
    let after: number | undefined
    for (let pages = 0; pages < 1000; pages++) {
      const page = yield* log.query(after === undefined ? q : { ...q, after })
      expect(page.records.length).toBeLessThanOrEqual(q.limit)
      out.push(...page.records)
      if (page.next === null) return out
      expect(page.next).toBe(page.records.at(-1)!.seq)
      after = page.next
    }
    throw new Error("paging did not end")
  })

export const suite = (name: string, storeLayer: Layer.Layer<AuditLog, unknown>) =>
  describe(`AuditLog contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("append numbers records consecutively, chains each to the head and reads back exactly", () =>
        Effect.gen(function* () {
          const log = yield* AuditLog
          const actor = fresh("A")
          const head0 = yield* log.head()
          const entries = [
            entry({ actorId: actor }),
            entry({
              actorId: actor,
              action: "pii.open",
              object: "case:王五案",
              purpose: '复核 "review"\nline two',
              requestId: "req-1",
              detail: "field=idNumber",
            }),
            entry({ actorId: actor, action: "cases.command.reject", object: "case:C-1", outcome: "denied" }),
          ]
          const stored: AuditRecord[] = []
          for (const e of entries) stored.push(yield* log.append(e))
          let expectedHead = head0
          for (const [i, r] of stored.entries()) {
            expect(r).toEqual(chainNext(expectedHead, entries[i]!))
            expectedHead = { seq: r.seq, hash: r.hash }
          }
          expect(stored.map((r) => r.seq)).toEqual([head0.seq + 1, head0.seq + 2, head0.seq + 3])
          expect(yield* log.head()).toEqual(headOf(stored))
          expect(yield* log.read(head0.seq + 1, 10)).toEqual(stored)
          expect(yield* log.read(head0.seq + 2, 1)).toEqual([stored[1]])
          yield* wholeLogVerifies
        }),
      )

      it.effect("an invalid entry is Rejected naming field and rule, and nothing is stored", () =>
        Effect.gen(function* () {
          const log = yield* AuditLog
          const before = yield* log.head()
          const cases: ReadonlyArray<readonly [Partial<AuditEntry>, string, string]> = [
            [{ action: "pii.open", purpose: null }, "purpose", "AU.purpose-required"],
            [{ object: "unit:U\u0000" }, "object", "AU.object"],
            [{ actorId: "" }, "actorId", "AU.actor"],
            [{ at: "2024-05-01" }, "at", "AU.instant"],
            [{ detail: "lone \ud800" }, "detail", "AU.text"],
          ]
          for (const [over, field, rule] of cases)
            expect(reasonOf(yield* Effect.exit(log.append(entry(over))))).toMatchObject({
              _tag: "Rejected",
              field,
              rule,
            })
          expect(yield* log.head()).toEqual(before)
          yield* wholeLogVerifies
        }),
      )

      it.effect("concurrent appenders get distinct consecutive seqs and one linear chain", () =>
        Effect.gen(function* () {
          const log = yield* AuditLog
          const actor = fresh("C")
          const before = yield* log.head()
          const n = 40
          const records = yield* Effect.all(
            Array.from({ length: n }, (_, i) => log.append(entry({ actorId: actor, object: `unit:U-${i}` }))),
            { concurrency: "unbounded" },
          )
          const seqs = records.map((r) => r.seq).sort((a, b) => a - b)
          expect(seqs).toEqual(Array.from({ length: n }, (_, i) => before.seq + 1 + i))
          const stored = yield* log.read(before.seq + 1, n)
          expect(stored.map((r) => r.entry.object).sort()).toEqual(records.map((r) => r.entry.object).sort())
          for (let i = 1; i < stored.length; i++) expect(stored[i]!.prevHash).toBe(stored[i - 1]!.hash)
          yield* wholeLogVerifies
        }),
      )

      it.effect("queries by actor, object, action and time page by seq with no gap or repeat", () =>
        Effect.gen(function* () {
          const service = yield* AuditLog
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(
                fc.array(
                  fc.record({
                    actor: fc.nat(2),
                    object: fc.nat(2),
                    action: fc.constantFrom("stock.registerUnits", "cases.command.reject"),
                    minute: fc.nat(9),
                  }),
                  { minLength: 0, maxLength: 12 },
                ),
                fc.record({
                  by: fc.constantFrom("actor", "object", "both"),
                  actor: fc.nat(2),
                  object: fc.nat(2),
                  action: fc.option(fc.constantFrom("stock.registerUnits", "cases.command.reject"), {
                    nil: undefined,
                  }),
                  from: fc.option(fc.nat(9), { nil: undefined }),
                  to: fc.option(fc.nat(10), { nil: undefined }),
                  limit: fc.integer({ min: 1, max: 4 }),
                }),
                async (rows, f) => {
                  const tag = fresh("Q")
                  const at = (m: number) => instantOf(T0 + m * 60_000)
                  const program = Effect.gen(function* () {
                    const log = yield* AuditLog
                    const mine: AuditRecord[] = []
                    for (const r of rows)
                      mine.push(
                        yield* log.append(
                          entry({
                            actorId: `${tag}-a${r.actor}`,
                            object: `unit:${tag}-o${r.object}`,
                            action: r.action,
                            at: at(r.minute),
                          }),
                        ),
                      )
                    const q: Omit<AuditQuery, "after"> = {
                      limit: f.limit,
                      ...(f.by !== "object" ? { actorId: `${tag}-a${f.actor}` } : {}),
                      ...(f.by !== "actor" ? { object: `unit:${tag}-o${f.object}` } : {}),
                      ...(f.action === undefined ? {} : { action: f.action }),
                      ...(f.from === undefined ? {} : { from: at(f.from) }),
                      ...(f.to === undefined ? {} : { to: at(f.to) }),
                    }
                    const expected = mine.filter(
                      (r) =>
                        (q.actorId === undefined || r.entry.actorId === q.actorId) &&
                        (q.object === undefined || r.entry.object === q.object) &&
                        (q.action === undefined || r.entry.action === q.action) &&
                        (q.from === undefined || r.entry.at >= q.from) &&
                        (q.to === undefined || r.entry.at < q.to),
                    )
                    expect(yield* pageAll(q)).toEqual(expected)
                  })
                  await Effect.runPromise(Effect.provideService(program, AuditLog, service))
                },
              ),
              { numRuns: 20 },
            ),
          )
          // A filter no stored record can hold finds nothing (and is no error).
          expect((yield* service.query({ object: "unit:\u0000", limit: 5 })).records).toEqual([])
          yield* wholeLogVerifies
        }),
      )

      it.effect(
        "checkpoints are stored once per lastSeq: a racing twin is answered with the first, another hash conflicts",
        () =>
          Effect.gen(function* () {
            const log = yield* AuditLog
            yield* log.append(entry({ actorId: fresh("K") }))
            const head = yield* log.head()
            const latest = (yield* log.checkpoints()).at(-1)
            const plan = {
              firstSeq: (latest?.lastSeq ?? 0) + 1,
              lastSeq: head.seq,
              lastHash: head.hash,
              at: instantOf(T0),
            }
            const first = sign(plan)
            expect(yield* log.putCheckpoint(first)).toEqual(first)
            const twin = sign(plan)
            expect(twin.signature.value).not.toBe(first.signature.value)
            expect(yield* log.putCheckpoint(twin)).toEqual(first)
            const other = sign({ ...plan, lastHash: "f".repeat(64) })
            expect(reasonOf(yield* Effect.exit(log.putCheckpoint(other)))).toEqual({
              _tag: "Conflict",
              lastSeq: head.seq,
            })
            const all = yield* log.checkpoints()
            expect(all.at(-1)).toEqual(first)
            expect(all.map((c) => c.lastSeq)).toEqual([...all.map((c) => c.lastSeq)].sort((a, b) => a - b))
            yield* wholeLogVerifies
          }),
      )
    })
  })
