/**
 * StockStore: persistence of the housing stock (projects, buildings, units). Writes are atomic: a batch
 * or an update list lands whole or not at all. Re-writing a record identical to the stored one is a
 * no-op (idempotent replay); a different one is a conflict. Unit updates are optimistic: each names
 * the version it read, and a stale version fails the whole call with `StaleVersion`.
 */
import { Context, Data, type Effect, type Option } from "effect"
import type { StatusCount } from "../../domain/inventory/Inventory.js"
import type { HousingKind } from "../../domain/stock/HousingKind.js"
import type { PublicCode } from "../../domain/stock/PublicCode.js"
import type {
  Building,
  BuildingId,
  DistrictCode,
  Project,
  ProjectId,
  Unit,
  UnitId,
} from "../../domain/stock/Stock.js"
import type { UnitStatus } from "../../domain/stock/UnitStatus.js"

/**
 * Why a store call failed. `detail` is a fixed sentence safe to show: adapters never put driver text,
 * SQLSTATE codes or constraint names into it (a database adapter may attach the SQLSTATE as a
 * non-enumerable `sqlState` for logs).
 */
export type StockStoreErrorReason =
  /** A record with this id (or this unit's code, or this building/floor/room) exists with other content. */
  | {
      readonly _tag: "Conflict"
      readonly entity: "project" | "building" | "unit"
      readonly id: string
      readonly detail: string
    }
  /** An update named a version that is no longer current (or a unit that does not exist). */
  | {
      readonly _tag: "StaleVersion"
      readonly id: string
      readonly expected: number
      readonly actual: number | null
    }
  /** A building's project or a unit's building is not stored. */
  | { readonly _tag: "MissingReference"; readonly entity: "project" | "building"; readonly id: string }
  /**
   * The record breaks a store invariant that validation should have caught (a value out of its R132 range,
   * a unit whose project is not its building's project). Not retryable: the caller has a bug. `record`:
   * the store could not tell which record (a value it cannot hold at all).
   */
  | {
      readonly _tag: "Rejected"
      readonly entity: "project" | "building" | "unit" | "record"
      readonly id: string
      readonly detail: string
    }
  /** Serialization failure or deadlock: safe to retry the whole call. */
  | { readonly _tag: "Contention"; readonly detail: string }
  /** The store cannot be reached or failed unexpectedly. */
  | { readonly _tag: "Unavailable"; readonly detail: string }

export class StockStoreError extends Data.TaggedError("StockStoreError")<{
  readonly reason: StockStoreErrorReason
}> {
  override get message(): string {
    const r = this.reason
    if (r._tag === "Conflict") return `${r.entity} ${r.id} conflicts with a stored record: ${r.detail}`
    if (r._tag === "StaleVersion")
      return `unit ${r.id} changed meanwhile (expected version ${r.expected}, stored ${r.actual ?? "none"})`
    if (r._tag === "MissingReference") return `${r.entity} ${r.id} is not registered`
    if (r._tag === "Rejected") return `${r.entity} ${r.id} rejected by the store: ${r.detail}`
    return r.detail
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Contention" || this.reason._tag === "Unavailable"
  }
}

export interface StockBatch {
  readonly projects: ReadonlyArray<Project>
  readonly buildings: ReadonlyArray<Building>
  readonly units: ReadonlyArray<Unit>
}

export interface WriteSummary {
  readonly inserted: { readonly projects: number; readonly buildings: number; readonly units: number }
  readonly unchanged: { readonly projects: number; readonly buildings: number; readonly units: number }
}

export interface UnitQuery {
  readonly projectId?: ProjectId
  readonly buildingId?: BuildingId
  readonly district?: DistrictCode
  readonly kind?: HousingKind
  readonly status?: UnitStatus
  readonly bedrooms?: number
  /** Inclusive bounds in 0.01 m². */
  readonly minArea?: number
  readonly maxArea?: number
  /** Data scope: only units of projects in one of these districts (an empty list matches nothing). */
  readonly inDistricts?: ReadonlyArray<DistrictCode>
  /** Data scope: only units of these projects (an empty list matches nothing). */
  readonly inProjects?: ReadonlyArray<ProjectId>
  /** Keyset paging: units with id greater than this, in id order (code-unit order). */
  readonly after?: UnitId
  /** 1..1000 */
  readonly limit: number
}

export interface UnitPage {
  readonly items: ReadonlyArray<Unit>
  /** Units matching the filters, ignoring `after` and `limit`. */
  readonly total: number
  /** Pass as `after` to get the next page; null on the last page. */
  readonly next: UnitId | null
}

export interface UnitUpdate {
  readonly unit: Unit
  /** The version the caller read; the stored unit must still have it. `unit.version` must be one more. */
  readonly expectedVersion: number
}

/** A unit with the building and project it stands in: what its public record (J2) is made of. */
export interface PlacedUnit {
  readonly unit: Unit
  readonly building: Building
  readonly project: Project
}

/** Which units an inventory count covers; the scope lists as in `UnitQuery` (empty matches nothing). */
export interface UnitCountQuery {
  readonly projectId?: ProjectId
  readonly inDistricts?: ReadonlyArray<DistrictCode>
  readonly inProjects?: ReadonlyArray<ProjectId>
}

export class StockStore extends Context.Service<
  StockStore,
  {
    /** Atomic, idempotent insert of new records (see the module header). */
    readonly write: (batch: StockBatch) => Effect.Effect<WriteSummary, StockStoreError>
    readonly getProjects: (
      ids: ReadonlyArray<ProjectId>,
    ) => Effect.Effect<ReadonlyArray<Project>, StockStoreError>
    readonly getBuildings: (
      ids: ReadonlyArray<BuildingId>,
    ) => Effect.Effect<ReadonlyArray<Building>, StockStoreError>
    readonly getUnits: (ids: ReadonlyArray<UnitId>) => Effect.Effect<ReadonlyArray<Unit>, StockStoreError>
    readonly findUnitByCode: (code: PublicCode) => Effect.Effect<Option.Option<Unit>, StockStoreError>
    /**
     * The unit with this public code with its building and project, in ONE read (the public look-up is
     * the hottest route: one round trip, issue 16); None when no unit has the code.
     */
    readonly findPlacedUnitByCode: (
      code: PublicCode,
    ) => Effect.Effect<Option.Option<PlacedUnit>, StockStoreError>
    /** Atomic optimistic update of several units. */
    readonly updateUnits: (updates: ReadonlyArray<UnitUpdate>) => Effect.Effect<void, StockStoreError>
    readonly listUnits: (query: UnitQuery) => Effect.Effect<UnitPage, StockStoreError>
    /**
     * Inventory counts (R26–R42): units per project × unit type × status, computed by the store from the
     * stored units in one consistent read, in the order of `compareStatusCounts`. Always equal to
     * `countUnits` over the same units (the contract suite checks it after random status changes).
     */
    readonly countUnits: (query: UnitCountQuery) => Effect.Effect<ReadonlyArray<StatusCount>, StockStoreError>
  }
>()("anju/StockStore") {}
