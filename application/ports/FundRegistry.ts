/**
 * FundRegistry: the maintenance fund's persisted basic data (areas, buildings, entrances, households,
 * owners, organisations, facility catalogue; M11–M27), payment notices, deposit records and bills
 * (M28–M45). Every write is ONE atomic `commit` carrying its change record (M12): idempotent by the
 * change id (a replay returns `applied: false` and writes nothing), the journal entries it names posted
 * through the ledger's rules in the same transaction where the store allows it (PostgreSQL/PGlite), bill
 * steps checked by `billStep` on the stored bill (a number is stocked once and used once: keys).
 */
import { Context, Data, type Effect, type Option } from "effect"
import type {
  Facility,
  FacilityCategory,
  FacilityRecord,
  FundOwner,
  Organisation,
  OrganisationKind,
  RegistryChange,
} from "../../domain/fund/BasicData.js"
import type { Bill, BillAction, BillStatus } from "../../domain/fund/Bills.js"
import type { DepositRecord, PaymentNotice } from "../../domain/fund/Deposits.js"
import type {
  Entrance,
  FundBuilding,
  FundHousehold,
  FundStructure,
  PropertyArea,
} from "../../domain/fund/FundStructure.js"
import type { JournalEntry } from "../../domain/fund/JournalEntry.js"
import type { LedgerErrorReason } from "./Ledger.js"

export interface RegistryWrite {
  readonly change: RegistryChange
  /** Rows written whole (insert or replace by id). */
  readonly put?: {
    readonly areas?: ReadonlyArray<PropertyArea>
    readonly buildings?: ReadonlyArray<FundBuilding>
    readonly entrances?: ReadonlyArray<Entrance>
    readonly households?: ReadonlyArray<FundHousehold>
    readonly owners?: ReadonlyArray<FundOwner>
    readonly organisations?: ReadonlyArray<Organisation>
    readonly categories?: ReadonlyArray<FacilityCategory>
    readonly facilities?: ReadonlyArray<Facility>
    readonly facilityRecords?: ReadonlyArray<FacilityRecord>
    readonly notices?: ReadonlyArray<PaymentNotice>
  }
  /** New bills (入库); a number already stocked is a Conflict. */
  readonly stockBills?: ReadonlyArray<Bill>
  /** Life-cycle steps of stored bills (issue, void, write-off); `use` comes with `deposits`. */
  readonly billSteps?: ReadonlyArray<{ readonly number: string; readonly action: BillAction }>
  /**
   * New deposit/refund records; one with `billNo` uses that bill (`use` by `change.actor`) and one with
   * `noticeId` marks that open notice paid. An id already stored is a Conflict.
   */
  readonly deposits?: ReadonlyArray<DepositRecord>
  readonly entries?: ReadonlyArray<JournalEntry>
}

export interface HouseholdPlace {
  readonly household: FundHousehold
  readonly entrance: Entrance
  readonly building: FundBuilding
  readonly area: PropertyArea
}

export interface BillQuery {
  readonly status?: BillStatus
  readonly staff?: string
  readonly batch?: string
  readonly numbers?: ReadonlyArray<string>
}

export type FundRegistryErrorReason =
  | { readonly _tag: "NotFound"; readonly what: string; readonly id: string }
  /** An id or bill number already stored (or the same change id with another write racing). */
  | { readonly _tag: "Conflict"; readonly detail: string }
  /** A rule on stored data refused the write (bill step, paid notice, unknown parent): `field`, `rule`. */
  | { readonly _tag: "Rejected"; readonly field: string; readonly rule: string; readonly detail: string }
  /** The ledger refused the entries (unbalanced, overdrawn, conflicting id). */
  | { readonly _tag: "Ledger"; readonly ledger: LedgerErrorReason }
  | { readonly _tag: "Contention"; readonly detail: string }
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class FundRegistryError extends Data.TaggedError("FundRegistryError")<{
  readonly reason: FundRegistryErrorReason
}> {
  override get message(): string {
    const r = this.reason
    switch (r._tag) {
      case "NotFound":
        return `no ${r.what} ${r.id}`
      case "Ledger":
        return `the ledger refused the entries (${r.ledger._tag})`
      default:
        return r.detail
    }
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

type Fx<A> = Effect.Effect<A, FundRegistryError>

export class FundRegistry extends Context.Service<
  FundRegistry,
  {
    /** Atomic, idempotent by `change.id` (see the module header). */
    readonly commit: (write: RegistryWrite) => Fx<{ readonly applied: boolean }>
    readonly area: (id: string) => Fx<Option.Option<PropertyArea>>
    /** Areas in id order; `districts`/`areaIds` omitted: all. */
    readonly areas: (q: {
      readonly districts?: ReadonlyArray<string>
      readonly areaIds?: ReadonlyArray<string>
    }) => Fx<ReadonlyArray<PropertyArea>>
    /** The structure of one area (its buildings, entrances and households of every status). */
    readonly structureOf: (areaId: string) => Fx<FundStructure>
    readonly householdPlace: (householdId: string) => Fx<Option.Option<HouseholdPlace>>
    readonly owners: (ids: ReadonlyArray<string>) => Fx<ReadonlyArray<FundOwner>>
    readonly organisations: (q: {
      readonly kind?: OrganisationKind
      readonly areaId?: string
    }) => Fx<ReadonlyArray<Organisation>>
    readonly categories: () => Fx<ReadonlyArray<FacilityCategory>>
    readonly facilities: (areaId: string) => Fx<ReadonlyArray<Facility>>
    readonly facilityRecords: (facilityId: string) => Fx<ReadonlyArray<FacilityRecord>>
    /** The change trail in commit order, filtered by subject or area. */
    readonly changes: (q: {
      readonly subject?: string
      readonly areaId?: string
    }) => Fx<ReadonlyArray<RegistryChange>>
    readonly notice: (id: string) => Fx<Option.Option<PaymentNotice>>
    readonly notices: (householdId: string) => Fx<ReadonlyArray<PaymentNotice>>
    /** Deposit and refund records of a household (or all when omitted), by date then id. */
    readonly deposits: (householdId?: string) => Fx<ReadonlyArray<DepositRecord>>
    /** Bills in number order. */
    readonly bills: (q: BillQuery) => Fx<ReadonlyArray<Bill>>
  }
>()("anju/FundRegistry") {}
