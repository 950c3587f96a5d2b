/**
 * CaseStore: persistence of qualification cases (资格案件) with their history, an idempotency record per
 * command and a transactional outbox of domain events. `commit` is atomic: the case row (optimistic on
 * `expectedVersion`; 0 = new), one history entry, the events and the command record land together or
 * not at all. Personal data (members, household income and assets) arrives sealed (FieldCipher) with
 * blind indexes; the store never sees it in clear. Reads return what was committed, byte for byte, except
 * `resealCase`, which only swaps sealed values for re-wrapped ones of the same content.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { Case, CaseId, CaseKind, CaseState, MemberRole } from "../../domain/cases/Case.js"
import type { SealedField } from "./FieldCipher.js"

export interface StoredMember {
  readonly role: MemberRole
  readonly name: SealedField
  readonly idNumber: SealedField
  /** FieldCipher.blindIndex("idNumber", …): the only form in which an ID number is searchable. */
  readonly idIndex: string
  readonly phone: SealedField | null
  readonly bankCard: SealedField | null
}

/**
 * A declared household economy as stored: income and assets sealed (FieldCipher fields `income`, `assets`).
 * A plain string is a row written before they were sealed; it is read as it is (read compatibility) and
 * sealed at the case's next change or by the re-seal pass of `anju keys rotate`.
 */
export interface StoredEconomy {
  readonly householdSize: number
  readonly illnessPoverty: boolean
  readonly annualDisposableIncome: SealedField | string
  readonly property: SealedField | string
}

export type StoredCase = Omit<Case, "members" | "economy"> & {
  readonly members: ReadonlyArray<StoredMember>
  readonly economy: StoredEconomy | null
}

export interface HistoryEntry {
  readonly caseId: CaseId
  /** The case version this entry produced (1 for the opening). */
  readonly version: number
  readonly at: number
  readonly actorId: string
  readonly actorRole: string
  readonly command: string
  readonly from: CaseState | null
  readonly to: CaseState
  readonly note: string
}

export interface OutboxEvent {
  /** Deterministic: `<caseId>:<version>:<index>`. */
  readonly id: string
  readonly caseId: CaseId
  readonly at: number
  readonly type: string
  readonly payload: Readonly<Record<string, unknown>>
}

/** The outcome stored under an idempotency key, returned verbatim when the key is replayed. */
export interface CommandRecord {
  readonly actorId: string
  readonly key: string
  /** SHA-256 of the canonical request; the same key with another request is a conflict. */
  readonly requestDigest: string
  readonly caseId: CaseId
  readonly outcome: { readonly state: CaseState; readonly version: number }
}

export interface CaseChange {
  readonly case: StoredCase
  readonly expectedVersion: number
  readonly history: HistoryEntry
  readonly events: ReadonlyArray<OutboxEvent>
  readonly command: CommandRecord
}

export interface CaseQuery {
  /** Omitted: every district. */
  readonly districts?: ReadonlyArray<string>
  readonly projectIds?: ReadonlyArray<string>
  /** Cases whose main applicant has this blind index. */
  readonly applicantIndex?: string
  readonly states?: ReadonlyArray<CaseState>
  readonly kind?: CaseKind
  /** Cases with a history entry by this actor (已办). */
  readonly actedBy?: string
  /** Keyset paging in id order (code-unit order). */
  readonly after?: CaseId
  /** 1..500 */
  readonly limit: number
}

/**
 * Why a store call failed. `detail` is a fixed sentence safe to show: adapters never put driver text,
 * SQLSTATE codes or constraint names into it (a database adapter may attach the SQLSTATE as a
 * non-enumerable `sqlState` for logs).
 */
export type CaseStoreErrorReason =
  /** A new case's id is taken, or an idempotency key was stored concurrently. */
  | { readonly _tag: "Conflict"; readonly entity: "case" | "command"; readonly id: string }
  /** The store refused a value it cannot hold (validation should have caught it). Not retryable. */
  | { readonly _tag: "Rejected"; readonly detail: string }
  /** The case changed since it was read (or does not exist). */
  | {
      readonly _tag: "StaleVersion"
      readonly id: string
      readonly expected: number
      readonly actual: number | null
    }
  /** Serialization failure or deadlock: safe to retry the whole call. */
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class CaseStoreError extends Data.TaggedError("CaseStoreError")<{
  readonly reason: CaseStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    if (r._tag === "Conflict") return `${r.entity} ${r.id} already exists`
    if (r._tag === "Rejected") return `the case store refused the record: ${r.detail}`
    if (r._tag === "StaleVersion")
      return `case ${r.id} changed meanwhile (expected version ${r.expected}, stored ${r.actual ?? "none"})`
    return r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class CaseStore extends Context.Service<
  CaseStore,
  {
    /** Atomic: case + history + outbox + command record (see the module header). */
    readonly commit: (change: CaseChange) => Effect.Effect<void, CaseStoreError>
    readonly get: (id: CaseId) => Effect.Effect<Option.Option<StoredCase>, CaseStoreError>
    readonly history: (id: CaseId) => Effect.Effect<ReadonlyArray<HistoryEntry>, CaseStoreError>
    readonly findCommand: (
      actorId: string,
      key: string,
    ) => Effect.Effect<Option.Option<CommandRecord>, CaseStoreError>
    readonly list: (
      query: CaseQuery,
    ) => Effect.Effect<
      { readonly items: ReadonlyArray<StoredCase>; readonly next: CaseId | null },
      CaseStoreError
    >
    /** Every case where a member (any role) has this ID-number blind index, in id order. */
    readonly findByIdIndex: (idIndex: string) => Effect.Effect<ReadonlyArray<StoredCase>, CaseStoreError>
    /**
     * Replaces the sealed values of a case by `next` (the same content re-wrapped under the current key,
     * or legacy plain values now sealed) WITHOUT a new version, history entry or event, only when the case
     * is still at `expectedVersion` (= `next.version`); false when it changed meanwhile (the caller reads it
     * again). The caller (application/keys/ResealCases.ts) guarantees that nothing but sealed values differ.
     */
    readonly resealCase: (next: StoredCase, expectedVersion: number) => Effect.Effect<boolean, CaseStoreError>
    /** Outbox events with a sequence number greater than `after`, in commit order (for the worker). */
    readonly outbox: (
      after: number,
      limit: number,
    ) => Effect.Effect<ReadonlyArray<OutboxEvent & { readonly seq: number }>, CaseStoreError>
  }
>()("anju/CaseStore") {}
