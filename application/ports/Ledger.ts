/**
 * Ledger: the fund's persistent double-entry journal (日记账) with household sub-accounts (分户账).
 * `post` is atomic (a batch lands whole or not at all) and idempotent per client entry id: the same id
 * with the same content is unchanged, with other content a Conflict. Every stored entry balances and no
 * household component goes below zero. The journal is hash-chained with SM3 in posting order; `verify`
 * recomputes the chain from what is stored and names the first altered entry (JournalChain).
 */
import { Context, Data, type Effect } from "effect"
import type { AccountCode, Book } from "../../domain/fund/ChartOfAccounts.js"
import type { ChainVerification } from "../../domain/fund/JournalChain.js"
import type { Component, JournalEntry } from "../../domain/fund/JournalEntry.js"
import type { HouseholdBalance } from "../../domain/fund/Ledger.js"
import type { Money } from "../../domain/values/Money.js"

export type LedgerErrorReason =
  /** The entry breaks a journal invariant (unbalanced, unknown account, …): `rule` is the `JE.*` id. */
  | {
      readonly _tag: "InvalidEntry"
      readonly entryId: string
      readonly rule: string
      readonly detail: string
    }
  /** The entry id was already posted with other content (or twice in the batch with different content). */
  | { readonly _tag: "Conflict"; readonly entryId: string }
  /** Posting would take a household component below zero. */
  | {
      readonly _tag: "Overdrawn"
      readonly entryId: string
      readonly book: Book
      readonly household: string
      readonly component: Component
    }
  /** Serialization failure or deadlock: safe to retry the whole call. */
  | { readonly _tag: "Contention"; readonly detail: string }
  /** The store cannot be reached or failed unexpectedly. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class LedgerError extends Data.TaggedError("LedgerError")<{ readonly reason: LedgerErrorReason }> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "InvalidEntry":
        return `entry ${r.entryId} is invalid (${r.rule}): ${r.detail}`
      case "Conflict":
        return `entry ${r.entryId} was already posted with different content`
      case "Overdrawn":
        return `entry ${r.entryId} would overdraw the ${r.component} of household ${r.household} (${r.book})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export interface PostSummary {
  /** Entries newly stored by this call. */
  readonly posted: number
  /** Entries already stored with identical content (idempotent replays). */
  readonly unchanged: number
}

export interface AccountBalance {
  readonly account: AccountCode
  /** On the account's normal side (debit for assets and expenditure, credit otherwise), fen. */
  readonly balance: Money
}

export class Ledger extends Context.Service<
  Ledger,
  {
    /** Atomic, idempotent posting of entries in order (see the module header). */
    readonly post: (entries: ReadonlyArray<JournalEntry>) => Effect.Effect<PostSummary, LedgerError>
    /** Balances of the postable accounts of a book that have postings, in code order. */
    readonly accountBalances: (book: Book) => Effect.Effect<ReadonlyArray<AccountBalance>, LedgerError>
    /** Every household sub-account of a book that has postings, sorted by id (code-unit order). */
    readonly householdBalances: (book: Book) => Effect.Effect<ReadonlyArray<HouseholdBalance>, LedgerError>
    /** The journal in posting order (both books). */
    readonly journal: () => Effect.Effect<ReadonlyArray<JournalEntry>, LedgerError>
    /** Recomputes the SM3 chain over the stored journal. */
    readonly verify: () => Effect.Effect<ChainVerification, LedgerError>
  }
>()("anju/Ledger") {}
