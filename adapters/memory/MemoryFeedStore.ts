/**
 * In-memory FeedStore (tests, demos): batches by digest, chain heads by sender, accepted records per
 * batch. Each `store` runs synchronously, so it is atomic; the rules (idempotent by digest, one chain per
 * sender with a pinned key, supersession per sender and period) are the port's.
 */
import { Effect, Layer, Option } from "effect"
import {
  FeedStore,
  FeedStoreError,
  type Receipt,
  type SenderHead,
} from "../../application/ports/FeedStore.js"
import type { Figures } from "../../domain/feed/Aggregation.js"
import { chainProblem } from "../../domain/feed/Batch.js"
import { type Category, compareRecords, type FeedRecord, kinds } from "../../domain/feed/FeedRecord.js"

interface Stored {
  readonly digest: string
  readonly sender: string
  readonly period: string
  readonly seq: number
  supersededBy: string | null
  readonly receipt: Receipt
  readonly records: ReadonlyArray<FeedRecord>
}

export const make = Effect.sync((): FeedStore["Service"] => {
  const batches = new Map<string, Stored>()
  const heads = new Map<string, SenderHead>()
  return {
    head: (sender) => Effect.sync(() => Option.fromNullishOr(heads.get(sender))),
    store: (batch) =>
      Effect.suspend(() => {
        const known = batches.get(batch.digest)
        if (known !== undefined) return Effect.succeed({ ...known.receipt, duplicate: true })
        const m = batch.manifest
        const problem = chainProblem(heads.get(m.sender.id), m)
        if (problem !== undefined) return Effect.fail(new FeedStoreError({ reason: problem }))
        const superseded = [...batches.values()].filter(
          (b) => b.sender === m.sender.id && b.period === m.period && b.supersededBy === null,
        )
        for (const b of superseded) b.supersededBy = batch.digest
        const receipt: Receipt = {
          batch: batch.digest,
          sender: m.sender.id,
          period: m.period,
          seq: m.seq,
          accepted: batch.accepted.length,
          rejected: batch.rejected,
          duplicate: false,
          supersedes: superseded.map((b) => b.digest).sort(),
        }
        batches.set(batch.digest, {
          digest: batch.digest,
          sender: m.sender.id,
          period: m.period,
          seq: m.seq,
          supersededBy: null,
          receipt,
          records: [...batch.accepted].sort(compareRecords),
        })
        heads.set(m.sender.id, {
          sender: m.sender.id,
          seq: m.seq,
          digest: batch.digest,
          publicKey: m.signature?.publicKey.toLowerCase() ?? "",
        })
        return Effect.succeed(receipt)
      }),
    figures: (periods) =>
      Effect.sync(() =>
        [...batches.values()]
          .filter((b) => b.supersededBy === null && (periods === undefined || periods.includes(b.period)))
          .flatMap((b) => b.records.filter((r) => r.kind === "figures") as unknown as ReadonlyArray<Figures>),
      ),
    records: (digest, category?: Category) =>
      Effect.sync(() =>
        (batches.get(digest)?.records ?? []).filter(
          (r) => category === undefined || kinds[r.kind]?.category === category,
        ),
      ),
  }
})

export const layer: Layer.Layer<FeedStore> = Layer.effect(FeedStore, make)
