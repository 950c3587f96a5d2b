/**
 * Fund structure (基础数据), M13–M16/M135–M138/M151: property management area (物业管理区域) → building
 * (楼幢) → entrance unit (单元) → household (分户) with building area, owner(s) and its sub-account
 * (分户账, keyed by the household id, in one book). Each area is in the custody stage (代管) or the
 * self-management stage (自管). Pure and immutable: every change returns a new structure. Invariants:
 * references resolve; ids are unique; split and merge (M15) move principal and income separately by
 * area ratio (largest remainder, ties to the smallest id), so the sub-ledger total never changes (A18);
 * loss (灭失, M16) retires the household and refunds its whole balance (A4); ownership transfer (过户,
 * M44/A18) changes owners only — no money moves.
 */
import { Option, Result } from "effect"
import type { Area } from "../values/Area.js"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"
import { largestRemainder } from "./Apportionment.js"
import { type Book, fundAccount } from "./ChartOfAccounts.js"
import type { BuildingType } from "./Deposits.js"
import { type HouseholdId, compareIds } from "./HouseholdId.js"
import { type JournalEntry, type JournalLine, makeEntry } from "./JournalEntry.js"
import { lossRefundApproved } from "./PostingRules.js"

/** 代管 (custody by the authority, before an owners' assembly) or 自管 (owners' assembly). */
export type Stage = "custody" | "self-managed"

export interface PropertyArea {
  readonly id: string
  readonly name: string
  readonly stage: Stage
  /** District (GB/T 2260, 6 digits) whose fund centre keeps the area's data; the staff scope. */
  readonly district?: string
}

export interface FundBuilding {
  readonly id: string
  readonly areaId: string
  readonly name: string
  readonly type: BuildingType
  readonly hasLift: boolean
  readonly status: "active" | "lost"
}

export interface Entrance {
  readonly id: string
  readonly buildingId: string
  readonly name: string
}

export interface FundHousehold {
  readonly id: HouseholdId
  readonly entranceId: string
  /** Building area (建筑面积) in 0.01 m². */
  readonly area: Area
  /** Owner ids (co-owners); never empty for an active household. */
  readonly owners: ReadonlyArray<string>
  readonly book: Book
  /** `retired` after a split or merge, `lost` after 灭失. */
  readonly status: "active" | "retired" | "lost"
  /** The first deposit (首次交存) once made, for the M171 top-up check. */
  readonly firstDeposit?: Money
}

export interface FundStructure {
  readonly areas: ReadonlyMap<string, PropertyArea>
  readonly buildings: ReadonlyMap<string, FundBuilding>
  readonly entrances: ReadonlyMap<string, Entrance>
  readonly households: ReadonlyMap<string, FundHousehold>
}

export const emptyStructure: FundStructure = {
  areas: new Map(),
  buildings: new Map(),
  entrances: new Map(),
  households: new Map(),
}

const withKey = <V>(m: ReadonlyMap<string, V>, k: string, v: V): ReadonlyMap<string, V> =>
  new Map(m).set(k, v)

const fail = (field: string, rule: string, value: unknown, message: string) =>
  Result.fail(invalid(field, rule, value, message))

/** Adds an area, building, entrance or household (M13). Failures: duplicate id, unknown parent, bad owners/area. */
export const addArea = (s: FundStructure, a: PropertyArea): Result.Result<FundStructure, InvalidValue> =>
  s.areas.has(a.id)
    ? fail("area.id", "M13.unique-id", a.id, `area ${a.id} exists`)
    : Result.succeed({ ...s, areas: withKey(s.areas, a.id, a) })

export const addBuilding = (
  s: FundStructure,
  b: Omit<FundBuilding, "status">,
): Result.Result<FundStructure, InvalidValue> => {
  if (s.buildings.has(b.id)) return fail("building.id", "M13.unique-id", b.id, `building ${b.id} exists`)
  if (!s.areas.has(b.areaId)) return fail("building.areaId", "M13.known-parent", b.areaId, "unknown area")
  if (b.type === "high-rise" && !b.hasLift)
    return fail("building.hasLift", "M169.high-rise-lift", b.id, "a high-rise building has lifts")
  return Result.succeed({ ...s, buildings: withKey(s.buildings, b.id, { ...b, status: "active" }) })
}

export const addEntrance = (s: FundStructure, e: Entrance): Result.Result<FundStructure, InvalidValue> => {
  if (s.entrances.has(e.id)) return fail("entrance.id", "M13.unique-id", e.id, `entrance ${e.id} exists`)
  if (!s.buildings.has(e.buildingId))
    return fail("entrance.buildingId", "M13.known-parent", e.buildingId, "unknown building")
  return Result.succeed({ ...s, entrances: withKey(s.entrances, e.id, e) })
}

const checkOwners = (owners: ReadonlyArray<string>, field: string): Result.Result<void, InvalidValue> =>
  owners.length === 0 || owners.some((o) => o === "")
    ? fail(field, "M14.owner-required", owners.join(","), "a household has at least one owner")
    : new Set(owners).size !== owners.length
      ? fail(field, "M14.unique-owner", owners.join(","), "an owner is listed twice")
      : Result.void

export const addHousehold = (
  s: FundStructure,
  h: Omit<FundHousehold, "status" | "firstDeposit">,
): Result.Result<FundStructure, InvalidValue> => {
  if (s.households.has(h.id)) return fail("household.id", "M13.unique-id", h.id, `household ${h.id} exists`)
  if (!s.entrances.has(h.entranceId))
    return fail("household.entranceId", "M13.known-parent", h.entranceId, "unknown entrance")
  if (!Number.isSafeInteger(h.area) || h.area <= 0)
    return fail("household.area", "M13.positive-area", h.area, "a household has a positive building area")
  const o = checkOwners(h.owners, "household.owners")
  if (Result.isFailure(o)) return Result.fail(o.failure)
  return Result.succeed({ ...s, households: withKey(s.households, h.id, { ...h, status: "active" }) })
}

const activeHousehold = (
  s: FundStructure,
  id: string,
  field = "household",
): Result.Result<FundHousehold, InvalidValue> => {
  const h = s.households.get(id)
  if (h === undefined) return fail(field, "M13.known-household", id, `unknown household ${id}`)
  if (h.status !== "active") return fail(field, "M15.active-household", id, `household ${id} is ${h.status}`)
  return Result.succeed(h)
}

/** The building and area of a household. */
export const locate = (
  s: FundStructure,
  id: string,
): Option.Option<{
  readonly household: FundHousehold
  readonly building: FundBuilding
  readonly area: PropertyArea
}> => {
  const household = s.households.get(id)
  const entrance = household === undefined ? undefined : s.entrances.get(household.entranceId)
  const building = entrance === undefined ? undefined : s.buildings.get(entrance.buildingId)
  const area = building === undefined ? undefined : s.areas.get(building.areaId)
  return household === undefined || building === undefined || area === undefined
    ? Option.none()
    : Option.some({ household, building, area })
}

/** Active households of a building (or of every building when omitted), sorted by id. */
export const activeHouseholds = (s: FundStructure, buildingId?: string): ReadonlyArray<FundHousehold> =>
  [...s.households.values()]
    .filter(
      (h) =>
        h.status === "active" &&
        (buildingId === undefined || s.entrances.get(h.entranceId)?.buildingId === buildingId),
    )
    .sort((a, b) => compareIds(a.id, b.id))

/** Records a household's first deposit (once; a second first deposit is refused, M29). */
export const recordFirstDeposit = (
  s: FundStructure,
  id: string,
  amount: Money,
): Result.Result<FundStructure, InvalidValue> =>
  Result.flatMap(activeHousehold(s, id), (h) =>
    h.firstDeposit !== undefined
      ? fail("household", "M29.one-first-deposit", id, `household ${id} already made its first deposit`)
      : Result.succeed({ ...s, households: withKey(s.households, id, { ...h, firstDeposit: amount }) }),
  )

export interface OwnershipTransfer {
  readonly household: HouseholdId
  readonly date: CivilDate
  readonly from: ReadonlyArray<string>
  readonly to: ReadonlyArray<string>
}

/**
 * Ownership transfer (过户, M44/M174, A18): the sub-account follows the house; only its owners change.
 * No journal entry. Collecting a shortfall is separate (`transferShortfall`).
 */
export const transferOwnership = (
  s: FundStructure,
  id: string,
  newOwners: ReadonlyArray<string>,
  date: CivilDate,
): Result.Result<{ readonly structure: FundStructure; readonly transfer: OwnershipTransfer }, InvalidValue> =>
  Result.flatMap(activeHousehold(s, id), (h) => {
    const o = checkOwners(newOwners, "owners")
    if (Result.isFailure(o)) return Result.fail(o.failure)
    return Result.succeed({
      structure: { ...s, households: withKey(s.households, id, { ...h, owners: [...newOwners] }) },
      transfer: { household: h.id, date, from: h.owners, to: [...newOwners] },
    })
  })

/** Stage conversion 代管 ⇄ 自管 of an area (M43/M173); the money moves by A17 (`stageConversion`). */
export const convertStage = (
  s: FundStructure,
  areaId: string,
  to: Stage,
): Result.Result<FundStructure, InvalidValue> => {
  const a = s.areas.get(areaId)
  if (a === undefined) return fail("areaId", "M13.known-parent", areaId, "unknown area")
  if (a.stage === to) return fail("stage", "M43.changes-stage", to, `area ${areaId} is already ${to}`)
  return Result.succeed({ ...s, areas: withKey(s.areas, areaId, { ...a, stage: to }) })
}

export interface SubAccountBalance {
  readonly principal: Money
  readonly income: Money
}

export interface Reallocation {
  readonly structure: FundStructure
  /** Sub-account moves per new household, component by component. */
  readonly parts: ReadonlyArray<{
    readonly household: HouseholdId
    readonly principal: Money
    readonly income: Money
  }>
  /** A18 entry (Dr/Cr the fund account per household component; net zero); none when no money moves. */
  readonly entry: Option.Option<JournalEntry>
}

const reallocationEntry = (
  id: string,
  book: Book,
  date: CivilDate,
  memo: string,
  from: ReadonlyArray<{ household: HouseholdId; principal: Money; income: Money }>,
  to: ReadonlyArray<{ household: HouseholdId; principal: Money; income: Money }>,
): Result.Result<Option.Option<JournalEntry>, InvalidValue> => {
  const code = fundAccount(book)
  const lines: JournalLine[] = []
  const push = (side: "debit" | "credit", xs: typeof from) => {
    for (const x of xs)
      for (const component of ["principal", "income"] as const)
        if (x[component] > 0)
          lines.push({
            account: code,
            side,
            amount: x[component],
            subAccount: { household: x.household, component },
          })
  }
  push("debit", from)
  push("credit", to)
  if (lines.length === 0) return Result.succeed(Option.none())
  return Result.map(makeEntry({ id, book, date, rule: "A18", memo, lines }), Option.some)
}

export interface SplitInput {
  readonly entryId: string
  readonly date: CivilDate
  readonly household: string
  /** The source household's current sub-account. */
  readonly balance: SubAccountBalance
  readonly into: ReadonlyArray<{
    readonly id: HouseholdId
    readonly area: Area
    readonly entranceId?: string
  }>
}

/**
 * Split (分割, M15) of a household into new ones: principal and income are each split by the new areas
 * (largest remainder, ties to the smallest id), the source retires. Failures: fewer than two parts,
 * an existing or repeated id, a non-positive area.
 */
export const splitHousehold = (
  s: FundStructure,
  input: SplitInput,
): Result.Result<Reallocation, InvalidValue> =>
  Result.gen(function* () {
    const src = yield* activeHousehold(s, input.household)
    if (input.into.length < 2)
      return yield* fail("into", "M15.two-parts", input.into.length, "a split makes at least two households")
    let next: FundStructure = s
    for (const p of input.into) {
      if (p.id === src.id)
        return yield* fail("into.id", "M15.new-id", p.id, "the new households need new ids")
      next = yield* addHousehold(next, {
        id: p.id,
        entranceId: p.entranceId ?? src.entranceId,
        area: p.area,
        owners: src.owners,
        book: src.book,
      })
    }
    const weights = input.into.map((p) => ({ id: p.id as string, weight: BigInt(p.area) }))
    const pr = yield* largestRemainder(BigInt(input.balance.principal), weights, {
      rule: "M15",
      field: "into",
    })
    const inc = yield* largestRemainder(BigInt(input.balance.income), weights, { rule: "M15", field: "into" })
    const parts = input.into.map((p, i) => ({
      household: p.id,
      principal: Number(pr[i]!) as Money,
      income: Number(inc[i]!) as Money,
    }))
    next = { ...next, households: withKey(next.households, src.id, { ...src, status: "retired" }) }
    const entry = yield* reallocationEntry(
      input.entryId,
      src.book,
      input.date,
      `分割 ${src.id}`,
      [{ household: src.id, ...input.balance }],
      parts,
    )
    return { structure: next, parts, entry }
  })

export interface MergeInput {
  readonly entryId: string
  readonly date: CivilDate
  readonly households: ReadonlyArray<{ readonly id: string; readonly balance: SubAccountBalance }>
  readonly into: {
    readonly id: HouseholdId
    readonly entranceId?: string
    readonly owners?: ReadonlyArray<string>
  }
}

/**
 * Merge (合并, M15) of households of one book into a new one holding their summed area, principal and
 * income; the sources retire. Owners default to the union of the sources' owners.
 */
export const mergeHouseholds = (
  s: FundStructure,
  input: MergeInput,
): Result.Result<Reallocation, InvalidValue> =>
  Result.gen(function* () {
    if (input.households.length < 2)
      return yield* fail(
        "households",
        "M15.two-parts",
        input.households.length,
        "a merge joins at least two households",
      )
    const srcs: FundHousehold[] = []
    for (const x of input.households) srcs.push(yield* activeHousehold(s, x.id))
    if (new Set(srcs.map((h) => h.id)).size !== srcs.length)
      return yield* fail("households", "M15.unique-unit", "", "a household is listed twice")
    const book = srcs[0]!.book
    if (srcs.some((h) => h.book !== book))
      return yield* fail("households", "M15.one-book", "", "merged households must be in one book")
    const owners = input.into.owners ?? [...new Set(srcs.flatMap((h) => h.owners))]
    let principal = 0
    let income = 0
    for (const x of input.households) {
      principal += x.balance.principal
      income += x.balance.income
    }
    let next = yield* addHousehold(s, {
      id: input.into.id,
      entranceId: input.into.entranceId ?? srcs[0]!.entranceId,
      area: srcs.reduce((t, h) => t + h.area, 0) as Area,
      owners,
      book,
    })
    for (const h of srcs)
      next = { ...next, households: withKey(next.households, h.id, { ...h, status: "retired" }) }
    const parts = [{ household: input.into.id, principal: principal as Money, income: income as Money }]
    const entry = yield* reallocationEntry(
      input.entryId,
      book,
      input.date,
      `合并 ${srcs.map((h) => h.id).join("+")}`,
      input.households.map((x) => ({ household: x.id as HouseholdId, ...x.balance })),
      parts,
    )
    return { structure: next, parts, entry }
  })

/**
 * Loss (灭失, M16/M172) of a household: it is marked lost and its whole balance is approved for refund
 * to the owner (A4: Dr 5101 / Cr 2001); payment follows with `lossRefundPaid`. No entry for an empty sub-account.
 */
export const loseHousehold = (
  s: FundStructure,
  input: {
    readonly entryId: string
    readonly date: CivilDate
    readonly household: string
    readonly balance: SubAccountBalance
  },
): Result.Result<
  { readonly structure: FundStructure; readonly entry: Option.Option<JournalEntry> },
  InvalidValue
> =>
  Result.gen(function* () {
    const h = yield* activeHousehold(s, input.household)
    const structure = { ...s, households: withKey(s.households, h.id, { ...h, status: "lost" as const }) }
    if (input.balance.principal + input.balance.income === 0) return { structure, entry: Option.none() }
    const entry = yield* lossRefundApproved({
      id: input.entryId,
      book: h.book,
      date: input.date,
      households: [{ household: h.id, principal: input.balance.principal, income: input.balance.income }],
    })
    return { structure, entry: Option.some(entry) }
  })

/**
 * Loss of a whole building (M16): the building and every active household in it are lost, and one A4
 * entry approves the refund of all their balances (`balances` lacks a household = empty sub-account).
 */
export const loseBuilding = (
  s: FundStructure,
  input: {
    readonly entryId: string
    readonly date: CivilDate
    readonly buildingId: string
    readonly balances: ReadonlyMap<string, SubAccountBalance>
  },
): Result.Result<
  { readonly structure: FundStructure; readonly entries: ReadonlyArray<JournalEntry> },
  InvalidValue
> => {
  const b = s.buildings.get(input.buildingId)
  if (b === undefined) return fail("buildingId", "M13.known-parent", input.buildingId, "unknown building")
  const hs = activeHouseholds(s, input.buildingId)
  const households = new Map(s.households)
  for (const h of hs) households.set(h.id, { ...h, status: "lost" })
  const structure = {
    ...s,
    buildings: withKey(s.buildings, b.id, { ...b, status: "lost" as const }),
    households,
  }
  const entries: JournalEntry[] = []
  for (const book of ["commodity", "public"] as const) {
    const draws = hs
      .filter((h) => h.book === book)
      .map((h) => ({
        household: h.id,
        ...(input.balances.get(h.id) ?? { principal: 0 as Money, income: 0 as Money }),
      }))
      .filter((d) => d.principal + d.income > 0)
    if (draws.length === 0) continue
    const e = lossRefundApproved({
      id: `${input.entryId}${book === "public" ? "-public" : ""}`,
      book,
      date: input.date,
      households: draws,
    })
    if (Result.isFailure(e)) return Result.fail(e.failure)
    entries.push(e.success)
  }
  return Result.succeed({ structure, entries })
}
