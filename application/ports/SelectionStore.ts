/**
 * SelectionStore: persistence of server-side house-selection sessions (选房, R54): one session per standing
 * lottery draw (families in result.csv order with their barcodes, units offered) and its log (check-in,
 * preselect, choose, skip, release with instants and actor ids). `choose` records the choice AND writes the
 * stock unit (available → let, the value the caller computed with StockRules.letUnit) in ONE transaction;
 * `release` marks the choice released and writes the unit back (let → available, R35) the same way. Once
 * only, held by the store itself: one choice or skip per (session, family) ever, one standing choice per
 * unit, one check-in per family, and the stock unit's version check. `importLog` writes an offline session's
 * log (check-ins, choices, skips, releases) and its net unit changes in one transaction under the same rules.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { LogEntry } from "../../domain/selection/SelectionSession.js"
import type { UnitUpdate } from "./StockStore.js"

/** A family due to select: one row of the draw's result.csv plus the barcode of its selection notice. */
export interface SelectionFamily {
  /** Application number (申请编号); never an ID number. */
  readonly id: string
  /** `<projectId>/<unitType>` as the round's pool names it. */
  readonly stratum: string
  readonly rank: number
  /** Waiting number (轮候序号) of the result row. */
  readonly number: number
  readonly outcome: "winner" | "waiting"
  readonly barcode: string
}

export interface SelectionUnitOffer {
  readonly id: string
  readonly stratum: string
  readonly label?: string
}

export interface SelectionSessionRecord {
  readonly sessionId: string
  readonly roundId: string
  /** The standing draw the session was opened from; one session per draw. */
  readonly drawId: string
  readonly projectId: string
  readonly district: string
  readonly title: string
  /** epoch ms */
  readonly openedAt: number
  readonly openedBy: string
  /** In (stratum, rank) order. */
  readonly families: ReadonlyArray<SelectionFamily>
  readonly units: ReadonlyArray<SelectionUnitOffer>
}

export type SelectionAction = "check-in" | "preselect" | "choose" | "skip" | "release"

/** One log entry to append; the store numbers them (`seq` from 1, in commit order). */
export interface SelectionEvent {
  readonly action: SelectionAction
  readonly family: string
  readonly unit?: string
  readonly note?: string
  /** epoch ms */
  readonly at: number
  readonly actor: string
}

export interface StoredSelection {
  readonly session: SelectionSessionRecord
  /** Every entry in `seq` order (the domain's log entry shape, `actor` set). */
  readonly log: ReadonlyArray<LogEntry>
}

export interface SelectionQuery {
  /** Omitted: every district. An empty list matches nothing. */
  readonly districts?: ReadonlyArray<string>
  readonly projectIds?: ReadonlyArray<string>
  readonly roundId?: string
}

/** Why a store call failed. `detail` is a fixed sentence safe to show (never driver text). */
export type SelectionStoreErrorReason =
  /** The session id is stored with other content. */
  | { readonly _tag: "Conflict"; readonly sessionId: string }
  | { readonly _tag: "NotFound"; readonly sessionId: string }
  /** The family already has a choice or a skip in this session (or, for check-in, has checked in). */
  | { readonly _tag: "AlreadyDone"; readonly family: string; readonly action: SelectionAction }
  /** A standing choice already holds the unit. */
  | { readonly _tag: "UnitTaken"; readonly unit: string }
  /** The family has no standing choice to release. */
  | { readonly _tag: "NotChosen"; readonly family: string }
  /** The stock unit changed since it was read (or is missing). */
  | { readonly _tag: "StaleVersion"; readonly unit: string; readonly expected: number }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class SelectionStoreError extends Data.TaggedError("SelectionStoreError")<{
  readonly reason: SelectionStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "Conflict":
        return `selection session ${r.sessionId} exists with other content`
      case "NotFound":
        return `no selection session ${r.sessionId}`
      case "AlreadyDone":
        return r.action === "check-in"
          ? `family ${r.family} has already checked in`
          : `family ${r.family} has already chosen or been skipped: formal selection runs only once`
      case "UnitTaken":
        return `unit ${r.unit} has been chosen by another family`
      case "NotChosen":
        return `family ${r.family} has no selection to release`
      case "StaleVersion":
        return `unit ${r.unit} changed meanwhile (expected version ${r.expected})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class SelectionStore extends Context.Service<
  SelectionStore,
  {
    /**
     * Stores a new session; idempotent by draw: when a session of `session.drawId` exists it is returned
     * (`created: false`). The same session id with other content is a Conflict.
     */
    readonly open: (
      session: SelectionSessionRecord,
    ) => Effect.Effect<
      { readonly created: boolean; readonly selection: StoredSelection },
      SelectionStoreError
    >
    readonly get: (sessionId: string) => Effect.Effect<Option.Option<StoredSelection>, SelectionStoreError>
    /** Sessions matching every filter (without their logs), newest first. */
    readonly list: (
      query: SelectionQuery,
    ) => Effect.Effect<ReadonlyArray<SelectionSessionRecord>, SelectionStoreError>
    /**
     * Appends a check-in, preselect or skip. A second check-in of a family is AlreadyDone; a skip of a
     * family that has chosen or been skipped is AlreadyDone.
     */
    readonly record: (sessionId: string, event: SelectionEvent) => Effect.Effect<void, SelectionStoreError>
    /**
     * ONE transaction: the choice (AlreadyDone when the family has chosen or been skipped, UnitTaken when a
     * standing choice holds `event.unit`), the stock unit write (`update.unit` must be `event.unit`, let,
     * at `update.expectedVersion + 1`; StaleVersion otherwise) and the log entry. All or nothing.
     */
    readonly choose: (
      sessionId: string,
      event: SelectionEvent,
      update: UnitUpdate,
    ) => Effect.Effect<void, SelectionStoreError>
    /**
     * ONE transaction: marks the family's standing choice released (NotChosen when there is none), writes
     * the stock unit back (`update`, let → available) and appends the log entry.
     */
    readonly release: (
      sessionId: string,
      event: SelectionEvent,
      update: UnitUpdate,
    ) => Effect.Effect<void, SelectionStoreError>
    /**
     * ONE transaction for an imported offline session (R54): appends `events` in order under the same once-only
     * rules as `record`, `choose` and `release` (AlreadyDone, UnitTaken, NotChosen; a choose claims its unit, a
     * release frees it, neither writes the unit itself), then writes `updates` — the net unit changes the caller
     * computed (let for a unit left held by a new choice, back to available for one freed), each version
     * checked (StaleVersion). All or nothing: one refusal leaves the log, the choices and the units as they were.
     */
    readonly importLog: (
      sessionId: string,
      events: ReadonlyArray<SelectionEvent>,
      updates: ReadonlyArray<UnitUpdate>,
    ) => Effect.Effect<void, SelectionStoreError>
  }
>()("anju/SelectionStore") {}
