/**
 * FeedStore: a supervision tier's own database of received feed batches (M125: never the business
 * database). `store` is atomic and idempotent by batch digest (a re-sent batch returns its stored receipt
 * with `duplicate: true` and changes nothing); it keeps one hash chain per sender (the next batch must name
 * the sender's head and carry seq + 1, signed by the key pinned at first contact) and a newer batch for the
 * same sender and period supersedes the current one — corrections are new batches, never edits.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { Figures } from "../../domain/feed/Aggregation.js"
import type { Manifest } from "../../domain/feed/Batch.js"
import type { Rejection } from "../../domain/feed/Cleansing.js"
import type { Category, FeedRecord } from "../../domain/feed/FeedRecord.js"

/** What a sender gets back for one batch. */
export interface Receipt {
  readonly batch: string
  readonly sender: string
  readonly period: string
  readonly seq: number
  /** Records accepted (after cleansing). */
  readonly accepted: number
  readonly rejected: ReadonlyArray<Rejection>
  /** True when this batch had been imported before: nothing changed. */
  readonly duplicate: boolean
  /** Digests of the batches this one superseded (same sender and period). */
  readonly supersedes: ReadonlyArray<string>
}

export interface SenderHead {
  readonly sender: string
  readonly seq: number
  readonly digest: string
  /** Pinned at the sender's first batch (uncompressed SM2 key, hex). */
  readonly publicKey: string
}

export interface FeedImport {
  readonly manifest: Manifest
  readonly digest: string
  readonly accepted: ReadonlyArray<FeedRecord>
  readonly rejected: ReadonlyArray<Rejection>
  /** Epoch milliseconds. */
  readonly receivedAt: number
}

export type FeedStoreErrorReason =
  /** The batch does not continue the sender's chain (wrong seq or previous digest): `head` is the stored one. */
  | { readonly _tag: "ChainBroken"; readonly sender: string; readonly detail: string }
  /** Signed by another key than the one pinned for the sender. */
  | { readonly _tag: "KeyMismatch"; readonly sender: string; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class FeedStoreError extends Data.TaggedError("FeedStoreError")<{
  readonly reason: FeedStoreErrorReason
}> {
  override get message(): string {
    return `${this.reason._tag}: ${this.reason.detail}`
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

type Fx<A> = Effect.Effect<A, FeedStoreError>

export class FeedStore extends Context.Service<
  FeedStore,
  {
    /** The sender's chain head, if it ever sent a batch here. */
    readonly head: (sender: string) => Fx<Option.Option<SenderHead>>
    /** Stores a cleansed batch (see the header). Atomic; idempotent by digest. */
    readonly store: (batch: FeedImport) => Fx<Receipt>
    /** Figures of the current (not superseded) batches, for the given periods (all when omitted). */
    readonly figures: (periods?: ReadonlyArray<string>) => Fx<ReadonlyArray<Figures>>
    /** Accepted records of one stored batch, in (kind, id) order; empty when unknown. */
    readonly records: (digest: string, category?: Category) => Fx<ReadonlyArray<FeedRecord>>
  }
>()("anju/FeedStore") {}
