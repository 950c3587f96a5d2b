/**
 * LotteryStore: the record of lottery draws (摇号记录) and their annulments (作废), enforcing run-once (R53,
 * "杜绝任何人为干预"): while a pool has a standing (non-annulled) draw — under either hash, since each record
 * carries the pool's root under SM3 and SHA-256 — recording another draw of it fails with `AlreadyDrawn`,
 * atomically (two concurrent draws of one pool: exactly one succeeds). Records are append-only: the only
 * change ever made is a one-time annulment with a reason, which re-opens the pool.
 * Rounds (摇号批次): a round for a project and unit types is opened with its pool committed (both roots kept,
 * published before any seed exists); its pool and roots never change. A round is drawn by recording a draw
 * of exactly its pool together with result.csv, in one atomic step (run-once as above); annulling that draw
 * re-opens the round. Round pools carry application numbers and strata only, never names or ID numbers.
 */
import { Context, Data, type DateTime, type Effect, type Option } from "effect"
import type { HashName } from "../../domain/lottery/Digest.js"
import type { SeedSource } from "../../domain/lottery/Seed.js"

/** Draw ids: 1–64 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit. */
export const DRAW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u

/** What a draw leaves on record. Hex values are lower-case, 64 characters. */
export interface NewDraw {
  readonly drawId: string
  /** `anju-lottery/1`. */
  readonly algorithm: string
  readonly hash: HashName
  /** The pool root under `hash` (as in the transcript). */
  readonly poolRoot: string
  /** The same pool's root under every hash; `poolRoots[hash]` equals `poolRoot`. Run-once compares both. */
  readonly poolRoots: { readonly SM3: string; readonly "SHA-256": string }
  readonly entrants: number
  readonly seedSources: ReadonlyArray<SeedSource>
  /** The combined seed (hex). */
  readonly seed: string
  /** transcript.json exactly as published (canonical JSON, signature included when signed). */
  readonly transcript: string
  /** H(result.csv) under `hash`. */
  readonly resultDigest: string
  /** Millisecond precision is kept. */
  readonly drawnAt: DateTime.Utc
}

export interface DrawAnnulment {
  /** Trimmed; at least ANNULMENT_REASON_MIN_LENGTH code points (domain/lottery/Annulment.ts). */
  readonly reason: string
  readonly annulledAt: DateTime.Utc
}

export interface StoredDraw extends NewDraw {
  /** `null` while the draw stands. */
  readonly annulment: DrawAnnulment | null
}

/** A lottery round (摇号批次) as opened: its pool is committed at `openedAt` and never changes. */
export interface NewRound {
  /** Same pattern as draw ids (DRAW_ID_PATTERN). */
  readonly roundId: string
  readonly projectId: string
  /** District code of the project (data scope of district officers). */
  readonly district: string
  /** Unit types (户型) drawn in this round, e.g. `1R`, `2R`; at least one. */
  readonly unitTypes: ReadonlyArray<string>
  readonly title: string
  /** The pool: application numbers (申请编号) and strata, nothing personal. */
  readonly entrants: ReadonlyArray<{ readonly id: string; readonly stratum: string }>
  /** Units per stratum (R55). */
  readonly units: ReadonlyArray<{ readonly stratum: string; readonly units: number }>
  /** The hash the round is drawn with; `poolRoots[hash]` is the published root. */
  readonly hash: HashName
  readonly poolRoots: { readonly SM3: string; readonly "SHA-256": string }
  /** Commitment time (the root is published from then on). Millisecond precision is kept. */
  readonly openedAt: DateTime.Utc
}

/** One draw of a round with the exact result.csv it produced. */
export interface RoundDraw {
  readonly draw: StoredDraw
  readonly resultCsv: string
}

export interface StoredRound extends NewRound {
  /** Every draw of this round, oldest first; at most one stands (annulment === null). */
  readonly draws: ReadonlyArray<RoundDraw>
}

export type LotteryStoreErrorReason =
  /** A standing draw of the same pool exists (same root under SM3 or SHA-256); annul it first. */
  | { readonly _tag: "AlreadyDrawn"; readonly poolRoot: string; readonly drawId: string }
  /** A draw with this id is recorded with other content. */
  | { readonly _tag: "Conflict"; readonly drawId: string; readonly detail: string }
  | { readonly _tag: "NotFound"; readonly drawId: string }
  | { readonly _tag: "RoundNotFound"; readonly roundId: string }
  /** The draw is annulled already; an annulment is final. */
  | { readonly _tag: "AlreadyAnnulled"; readonly drawId: string }
  /** A record or annulment breaks a store rule (malformed id or hex, short reason, annulment before its draw). */
  | { readonly _tag: "Rejected"; readonly detail: string }
  /** Serialization failure or deadlock: safe to retry the whole call. */
  | { readonly _tag: "Contention"; readonly detail: string }
  /** The store cannot be reached or failed unexpectedly. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class LotteryStoreError extends Data.TaggedError("LotteryStoreError")<{
  readonly reason: LotteryStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "AlreadyDrawn":
        return `pool ${r.poolRoot} was drawn by ${r.drawId}, which stands; annul it with a reason first`
      case "Conflict":
        return `draw ${r.drawId} is recorded with other content: ${r.detail}`
      case "NotFound":
        return `no draw ${r.drawId}`
      case "AlreadyAnnulled":
        return `draw ${r.drawId} is already annulled`
      case "RoundNotFound":
        return `no lottery round ${r.roundId}`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class LotteryStore extends Context.Service<
  LotteryStore,
  {
    /**
     * Records a draw atomically. Fails with AlreadyDrawn while another draw of the pool stands. Re-recording
     * an identical draw (same id, same content) returns the stored one (idempotent replay); other content
     * under the same id is a Conflict.
     */
    readonly recordDraw: (draw: NewDraw) => Effect.Effect<StoredDraw, LotteryStoreError>
    /** Annuls a standing draw once (NotFound, AlreadyAnnulled, Rejected otherwise); the pool re-opens. */
    readonly annulDraw: (
      drawId: string,
      annulment: DrawAnnulment,
    ) => Effect.Effect<StoredDraw, LotteryStoreError>
    readonly getDraw: (drawId: string) => Effect.Effect<Option.Option<StoredDraw>, LotteryStoreError>
    /** Every draw (standing or annulled) whose pool has this root under any hash, oldest first. */
    readonly drawsOfPool: (poolRoot: string) => Effect.Effect<ReadonlyArray<StoredDraw>, LotteryStoreError>
    /**
     * Opens a round with its committed pool. Re-opening an identical round returns the stored one; other
     * content under the same id is a Conflict; a malformed round (ids, roots, empty pool, unit types) Rejected.
     */
    readonly openRound: (round: NewRound) => Effect.Effect<StoredRound, LotteryStoreError>
    /**
     * Records `draw` as the round's draw with its result.csv, atomically with the draw itself: RoundNotFound;
     * Rejected when the draw is not of the round's pool (roots) or hash; AlreadyDrawn while a draw of the
     * pool stands. Replaying the same draw id and content returns the round unchanged.
     */
    readonly drawRound: (
      roundId: string,
      draw: NewDraw,
      resultCsv: string,
    ) => Effect.Effect<StoredRound, LotteryStoreError>
    readonly getRound: (roundId: string) => Effect.Effect<Option.Option<StoredRound>, LotteryStoreError>
    /** Every round, newest first (openedAt descending, then id). */
    readonly listRounds: () => Effect.Effect<ReadonlyArray<StoredRound>, LotteryStoreError>
  }
>()("anju/LotteryStore") {}
