/**
 * Contract suite for the FeedStore port (M125, M184): every adapter (memory, PGlite, PostgreSQL) runs this
 * file through `suite(name, layer)`. A stored batch gives a receipt and a head; the same digest again is
 * a duplicate that changes nothing (also concurrently, and for any replay order: property); the chain per
 * sender wants seq + 1 after the head and the pinned key; a newer batch of the same sender and period
 * supersedes the current one for the figures; records come back by category. Sender ids carry a fresh tag
 * so runs may share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { FeedStore, type FeedStoreError } from "../application/ports/FeedStore.js"
import { type Figures, figureFields, figuresId } from "../domain/feed/Aggregation.js"
import { batchDigest, buildBatch, type Manifest } from "../domain/feed/Batch.js"
import type { FeedRecord } from "../domain/feed/FeedRecord.js"
import { GENESIS_HASH } from "../domain/integrity/HashChain.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const KEY = `04${"ab".repeat(64)}`
const OTHER = `04${"cd".repeat(64)}`

export const figures = (period: string, county: string, paid: number): Figures => {
  const key = { period, province: "370000", city: "370800", county, stage: "custody" as const }
  return {
    kind: "figures",
    id: figuresId(key),
    ...key,
    ...(Object.fromEntries(figureFields.map((f) => [f, 0])) as Record<(typeof figureFields)[number], number>),
    depositDue: paid,
    depositPaid: paid,
  }
}

/** A batch of `records` as the store receives it (the store checks chains, not signatures). */
export const storedBatch = (
  sender: string,
  seq: number,
  previous: string,
  period: string,
  records: ReadonlyArray<FeedRecord>,
  publicKey = KEY,
) => {
  const { manifest } = buildBatch(
    {
      sender: { id: sender, name: sender, tier: "city", province: "370000", city: "370800" },
      period,
      asOf: `${period}-28`,
      seq,
      previous,
    },
    records,
  )
  const m: Manifest = {
    ...manifest,
    signature: { algorithm: "SM2-SM3", userId: "1234567812345678", publicKey, value: "00".repeat(64) },
  }
  return {
    manifest: m,
    digest: batchDigest(m),
    accepted: records,
    rejected: [],
    receivedAt: 1_770_000_000_000,
  }
}

const paidIn = (fs: ReadonlyArray<Figures>, period: string) =>
  fs.filter((f) => f.period === period).reduce((s, f) => s + f.depositPaid, 0)

export const suite = (name: string, storeLayer: Layer.Layer<FeedStore, unknown>) =>
  describe(`FeedStore contract (${name})`, () => {
    layer(storeLayer, { timeout: 60_000 })((it) => {
      it.effect("stores a batch with a receipt and a head; the same digest again is a duplicate", () =>
        Effect.gen(function* () {
          const store = yield* FeedStore
          const sender = freshTag("city")
          const period = "2031-01"
          const b1 = storedBatch(sender, 1, GENESIS_HASH, period, [
            figures(period, "370811", 500),
            { kind: "organisation", id: "BANK", role: "bank", name: "银行" },
          ])
          const r1 = yield* store.store(b1)
          expect(r1).toMatchObject({
            batch: b1.digest,
            sender,
            seq: 1,
            accepted: 2,
            duplicate: false,
            supersedes: [],
          })
          expect(Option.getOrThrow(yield* store.head(sender))).toEqual({
            sender,
            seq: 1,
            digest: b1.digest,
            publicKey: KEY,
          })
          expect(paidIn(yield* store.figures([period]), period)).toBe(500)
          const again = yield* store.store(b1)
          expect(again).toEqual({ ...r1, duplicate: true })
          expect(paidIn(yield* store.figures([period]), period)).toBe(500)
          expect((yield* store.records(b1.digest, "organisations")).map((r) => r.id)).toEqual(["BANK"])
          expect(yield* store.records("f".repeat(64))).toEqual([])
        }),
      )

      it.effect("keeps one chain per sender with a pinned key", () =>
        Effect.gen(function* () {
          const store = yield* FeedStore
          const sender = freshTag("city")
          const period = "2031-02"
          const b1 = storedBatch(sender, 1, GENESIS_HASH, period, [figures(period, "370811", 1)])
          yield* store.store(b1)
          const gap = yield* Effect.exit(store.store(storedBatch(sender, 3, b1.digest, period, [])))
          const fork = yield* Effect.exit(store.store(storedBatch(sender, 2, "1".repeat(64), period, [])))
          const foreign = yield* Effect.exit(
            store.store(storedBatch(sender, 2, b1.digest, period, [], OTHER)),
          )
          const tag = (e: Exit.Exit<unknown, FeedStoreError>) =>
            Exit.isFailure(e) ? (e.cause.reasons[0] as { error?: FeedStoreError }).error?.reason._tag : "ok"
          expect([tag(gap), tag(fork), tag(foreign)]).toEqual(["ChainBroken", "ChainBroken", "KeyMismatch"])
          expect(Option.getOrThrow(yield* store.head(sender)).seq).toBe(1)
        }),
      )

      it.effect("a newer batch for the same sender and period supersedes the current one", () =>
        Effect.gen(function* () {
          const store = yield* FeedStore
          const sender = freshTag("city")
          const [p1, p2] = ["2031-03", "2031-04"]
          const b1 = storedBatch(sender, 1, GENESIS_HASH, p1, [figures(p1, "370811", 100)])
          const b2 = storedBatch(sender, 2, b1.digest, p2, [figures(p2, "370811", 200)])
          const b3 = storedBatch(sender, 3, b2.digest, p1, [figures(p1, "370811", 150)])
          yield* store.store(b1)
          yield* store.store(b2)
          const r3 = yield* store.store(b3)
          expect(r3.supersedes).toEqual([b1.digest])
          const fs = yield* store.figures([p1, p2])
          expect([paidIn(fs, p1), paidIn(fs, p2)]).toEqual([150, 200])
          // Replaying the superseded batch is a duplicate and changes nothing.
          expect((yield* store.store(b1)).duplicate).toBe(true)
          expect(paidIn(yield* store.figures([p1]), p1)).toBe(150)
        }),
      )

      it.effect("the same batch stored concurrently is stored once", () =>
        Effect.gen(function* () {
          const store = yield* FeedStore
          const sender = freshTag("city")
          const period = "2031-05"
          const b1 = storedBatch(sender, 1, GENESIS_HASH, period, [figures(period, "370812", 7)])
          const receipts = yield* Effect.all([store.store(b1), store.store(b1), store.store(b1)], {
            concurrency: 3,
          })
          expect(receipts.filter((r) => !r.duplicate).length).toBe(1)
          expect(paidIn(yield* store.figures([period]), period)).toBe(7)
        }),
      )

      it.effect("any replay sequence leaves the figures as after the first pass (property)", () =>
        Effect.gen(function* () {
          const store = yield* FeedStore
          const sender = freshTag("city")
          const period = "2031-06"
          const batches = [storedBatch(sender, 1, GENESIS_HASH, period, [figures(period, "370811", 10)])]
          for (let i = 2; i <= 3; i++)
            batches.push(
              storedBatch(sender, i, batches[i - 2]!.digest, period, [figures(period, "370811", 10 * i)]),
            )
          for (const b of batches) yield* store.store(b)
          const replays = fc.sample(fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 6 }), {
            seed: 125,
            numRuns: 3,
          })
          for (const order of replays)
            for (const i of order) expect((yield* store.store(batches[i]!)).duplicate).toBe(true)
          expect(paidIn(yield* store.figures([period]), period)).toBe(30)
        }),
      )
    })
  })
