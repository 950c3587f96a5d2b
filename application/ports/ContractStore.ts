/**
 * ContractStore: persistence of lease/purchase contracts (网签备案, R89–R107), their transition log, approved
 * supplementary-clause templates (R94) and violation records (R97). `commit` is ONE transaction: contracts
 * (new at expectedVersion 0, else optimistic on `version`), the stock units they move (through the StockStore
 * on the same database, version-checked) and the log entries. The store itself holds: at most one contract
 * HOLDS a unit (draft, awaiting_tenant, registered), the in-force intervals of a unit's contracts never
 * overlap, and every registration number (备案号, R107) is unique. The log is also the seam for the
 * document/e-seal worker: `events(after)` reads it in commit order.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { Contract, ContractState } from "../../domain/contract/Contract.js"
import type { ClauseTemplate, Violation } from "../../domain/contract/ContractMachine.js"
import type { UnitUpdate } from "./StockStore.js"

/** One transition as logged (合同流程: 合同修改, 签约, 打印备案, 续租, 申退, 主承租人变更, …). */
export interface ContractEvent {
  readonly contractId: string
  /** The contract version this entry produced. */
  readonly version: number
  readonly action: string
  readonly from: ContractState | null
  readonly to: ContractState
  /** epoch ms */
  readonly at: number
  readonly actor: string
  readonly note: string | null
}

export interface ContractChange {
  /** Contracts written: `expectedVersion` 0 inserts a new one (its `version` is 1), else the stored version. */
  readonly contracts: ReadonlyArray<{ readonly contract: Contract; readonly expectedVersion: number }>
  /** Stock units moved by the transition (StockRules values), written in the same transaction. */
  readonly units: ReadonlyArray<UnitUpdate>
  readonly events: ReadonlyArray<ContractEvent>
}

export interface ContractQuery {
  /** Omitted: every district. An empty list matches nothing. */
  readonly districts?: ReadonlyArray<string>
  readonly projectIds?: ReadonlyArray<string>
  /** Contracts whose person tenant has this ID-number blind index. */
  readonly tenantIndex?: string
  readonly unitId?: string
  readonly states?: ReadonlyArray<ContractState>
  /** Keyset paging in id order (code-unit order). */
  readonly after?: string
  /** 1..1000 */
  readonly limit: number
}

/** Why a store call failed. `detail` is a fixed sentence safe to show (never driver text). */
export type ContractStoreErrorReason =
  /** A new contract's id (or a new template's/violation's id) is stored with other content. */
  | { readonly _tag: "Conflict"; readonly id: string }
  /** The contract (or template, violation) changed since it was read, or does not exist. */
  | { readonly _tag: "StaleVersion"; readonly id: string; readonly expected: number }
  /** Another contract holds the unit, or would be in force on one of the same days. */
  | { readonly _tag: "UnitHeld"; readonly unitId: string }
  /** The registration number (备案号) is taken (R107). */
  | { readonly _tag: "RegistrationTaken"; readonly number: string }
  /** A stock unit changed since it was read (or is missing). */
  | { readonly _tag: "UnitChanged"; readonly unitId: string; readonly expected: number }
  | { readonly _tag: "Rejected"; readonly detail: string }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class ContractStoreError extends Data.TaggedError("ContractStoreError")<{
  readonly reason: ContractStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "Conflict":
        return `${r.id} exists with other content`
      case "StaleVersion":
        return `${r.id} changed meanwhile (expected version ${r.expected})`
      case "UnitHeld":
        return `unit ${r.unitId} is held by another contract`
      case "RegistrationTaken":
        return `registration number ${r.number} is taken`
      case "UnitChanged":
        return `unit ${r.unitId} changed meanwhile (expected version ${r.expected})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export class ContractStore extends Context.Service<
  ContractStore,
  {
    /**
     * Atomic (see the module header). A change whose every contract is new and already stored identically
     * is a replay: nothing is written and `replayed` is true.
     */
    readonly commit: (
      change: ContractChange,
    ) => Effect.Effect<{ readonly replayed: boolean }, ContractStoreError>
    readonly get: (id: string) => Effect.Effect<Option.Option<Contract>, ContractStoreError>
    /** Matching contracts in id order; `next` continues after the last one, null on the last page. */
    readonly list: (
      query: ContractQuery,
    ) => Effect.Effect<
      { readonly items: ReadonlyArray<Contract>; readonly next: string | null },
      ContractStoreError
    >
    /** The log of one contract in commit order. */
    readonly history: (id: string) => Effect.Effect<ReadonlyArray<ContractEvent>, ContractStoreError>
    /** Log entries with a sequence number greater than `after`, in commit order (for the worker). */
    readonly events: (
      after: number,
      limit: number,
    ) => Effect.Effect<ReadonlyArray<ContractEvent & { readonly seq: number }>, ContractStoreError>
    /** R94: stores a clause template (`expectedVersion` 0 = new; else optimistic). */
    readonly saveClause: (
      template: ClauseTemplate,
      expectedVersion: number,
    ) => Effect.Effect<void, ContractStoreError>
    readonly getClauses: (
      ids: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<ClauseTemplate>, ContractStoreError>
    /** R97: stores a violation record (`expectedVersion` 0 = new; else optimistic). */
    readonly saveViolation: (
      violation: Violation,
      expectedVersion: number,
    ) => Effect.Effect<void, ContractStoreError>
    /** Every violation of the person (by ID-number blind index), in id order. */
    readonly violationsOf: (
      personIndex: string,
    ) => Effect.Effect<ReadonlyArray<Violation>, ContractStoreError>
  }
>()("anju/ContractStore") {}
