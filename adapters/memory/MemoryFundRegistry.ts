/**
 * FundRegistry in memory, over the Ledger in context (MemoryLedger in tests and replays). A commit checks
 * everything first (ids, bill steps, notices), then posts its entries, then writes: a refused post leaves
 * nothing behind. Effects run to completion between yields, so a commit is atomic for its callers.
 */
import { Effect, Layer, Option, Result, Semaphore } from "effect"
import { Ledger } from "../../application/ports/Ledger.js"
import {
  type BillQuery,
  FundRegistry,
  FundRegistryError,
  type FundRegistryErrorReason,
  type RegistryWrite,
} from "../../application/ports/FundRegistry.js"
import type {
  Facility,
  FacilityCategory,
  FacilityRecord,
  FundOwner,
  Organisation,
  RegistryChange,
} from "../../domain/fund/BasicData.js"
import { type Bill, billStep } from "../../domain/fund/Bills.js"
import type { DepositRecord, PaymentNotice } from "../../domain/fund/Deposits.js"
import type {
  Entrance,
  FundBuilding,
  FundHousehold,
  FundStructure,
  PropertyArea,
} from "../../domain/fund/FundStructure.js"
import { compareIds } from "../../domain/fund/HouseholdId.js"

const fail = (reason: FundRegistryErrorReason) => Effect.fail(new FundRegistryError({ reason }))
const byId = <T extends { readonly id: string }>(xs: Iterable<T>): T[] =>
  [...xs].sort((a, b) => compareIds(a.id, b.id))

export const make = Effect.gen(function* () {
  const ledger = yield* Ledger
  const permit = yield* Semaphore.make(1)
  const areas = new Map<string, PropertyArea>()
  const buildings = new Map<string, FundBuilding>()
  const entrances = new Map<string, Entrance>()
  const households = new Map<string, FundHousehold>()
  const owners = new Map<string, FundOwner>()
  const organisations = new Map<string, Organisation>()
  const categories = new Map<string, FacilityCategory>()
  const facilities = new Map<string, Facility>()
  const facilityRecords = new Map<string, FacilityRecord>()
  const notices = new Map<string, PaymentNotice>()
  const deposits = new Map<string, DepositRecord>()
  const bills = new Map<string, Bill>()
  const changes: RegistryChange[] = []
  const changeIds = new Set<string>()

  const commit = (w: RegistryWrite) =>
    Semaphore.withPermit(permit)(
      Effect.gen(function* () {
        if (changeIds.has(w.change.id)) return { applied: false }
        const p = w.put ?? {}
        // Parents must resolve (in this write or stored), as the database's foreign keys require.
        const known = (m: Map<string, unknown>, xs: ReadonlyArray<{ id: string }> | undefined, id: string) =>
          m.has(id) || (xs ?? []).some((x) => x.id === id)
        for (const b of p.buildings ?? [])
          if (!known(areas, p.areas, b.areaId))
            return yield* fail({
              _tag: "Rejected",
              field: "building.areaId",
              rule: "M13.known-parent",
              detail: `unknown area ${b.areaId}`,
            })
        for (const e of p.entrances ?? [])
          if (!known(buildings, p.buildings, e.buildingId))
            return yield* fail({
              _tag: "Rejected",
              field: "entrance.buildingId",
              rule: "M13.known-parent",
              detail: `unknown building ${e.buildingId}`,
            })
        for (const h of p.households ?? [])
          if (!known(entrances, p.entrances, h.entranceId))
            return yield* fail({
              _tag: "Rejected",
              field: "household.entranceId",
              rule: "M13.known-parent",
              detail: `unknown entrance ${h.entranceId}`,
            })
        // Bills: stock-in, steps, uses — on a working copy.
        const nextBills = new Map<string, Bill>()
        const billOf = (n: string) => nextBills.get(n) ?? bills.get(n)
        for (const b of w.stockBills ?? []) {
          if (billOf(b.number) !== undefined)
            return yield* fail({ _tag: "Conflict", detail: `bill ${b.number} is already stocked` })
          nextBills.set(b.number, b)
        }
        const step = (number: string, action: Parameters<typeof billStep>[1]) => {
          const b = billOf(number)
          if (b === undefined) return fail({ _tag: "NotFound", what: "bill", id: number })
          const r = billStep(b, action)
          if (Result.isFailure(r))
            return fail({
              _tag: "Rejected",
              field: r.failure.field,
              rule: r.failure.rule,
              detail: r.failure.message,
            })
          nextBills.set(number, r.success)
          return Effect.void
        }
        for (const s of w.billSteps ?? []) yield* step(s.number, s.action)
        const nextNotices = new Map<string, PaymentNotice>()
        for (const d of w.deposits ?? []) {
          if (deposits.has(d.id))
            return yield* fail({ _tag: "Conflict", detail: `deposit ${d.id} is already recorded` })
          if (d.billNo !== undefined)
            yield* step(d.billNo, { _tag: "use", staff: w.change.actor, depositId: d.id, amount: d.amount })
          if (d.noticeId !== undefined) {
            const n = nextNotices.get(d.noticeId) ?? notices.get(d.noticeId)
            if (n === undefined) return yield* fail({ _tag: "NotFound", what: "notice", id: d.noticeId })
            if (n.status !== "open")
              return yield* fail({
                _tag: "Rejected",
                field: "noticeId",
                rule: "M35.notice-open",
                detail: `notice ${n.id} is ${n.status}`,
              })
            nextNotices.set(n.id, { ...n, status: "paid", depositId: d.id })
          }
        }
        if ((w.entries ?? []).length > 0)
          yield* ledger
            .post(w.entries ?? [])
            .pipe(
              Effect.mapError((e) => new FundRegistryError({ reason: { _tag: "Ledger", ledger: e.reason } })),
            )
        for (const x of p.areas ?? []) areas.set(x.id, x)
        for (const x of p.buildings ?? []) buildings.set(x.id, x)
        for (const x of p.entrances ?? []) entrances.set(x.id, x)
        for (const x of p.households ?? []) households.set(x.id, x)
        for (const x of p.owners ?? []) owners.set(x.id, x)
        for (const x of p.organisations ?? []) organisations.set(x.id, x)
        for (const x of p.categories ?? []) categories.set(x.id, x)
        for (const x of p.facilities ?? []) facilities.set(x.id, x)
        for (const x of p.facilityRecords ?? []) facilityRecords.set(x.id, x)
        for (const x of p.notices ?? []) notices.set(x.id, x)
        for (const [k, v] of nextNotices) notices.set(k, v)
        for (const [k, v] of nextBills) bills.set(k, v)
        for (const d of w.deposits ?? []) deposits.set(d.id, d)
        changes.push(w.change)
        changeIds.add(w.change.id)
        return { applied: true }
      }),
    )

  const structureOf = (areaId: string): FundStructure => {
    const bs = [...buildings.values()].filter((b) => b.areaId === areaId)
    const bIds = new Set(bs.map((b) => b.id))
    const es = [...entrances.values()].filter((e) => bIds.has(e.buildingId))
    const eIds = new Set(es.map((e) => e.id))
    const hs = [...households.values()].filter((h) => eIds.has(h.entranceId))
    const a = areas.get(areaId)
    return {
      areas: new Map(a === undefined ? [] : [[a.id, a]]),
      buildings: new Map(bs.map((b) => [b.id, b])),
      entrances: new Map(es.map((e) => [e.id, e])),
      households: new Map(hs.map((h) => [h.id, h])),
    }
  }

  const matchBill = (q: BillQuery) => (b: Bill) =>
    (q.status === undefined || b.status === q.status) &&
    (q.staff === undefined || b.staff === q.staff) &&
    (q.batch === undefined || b.batch === q.batch) &&
    (q.numbers === undefined || q.numbers.includes(b.number))

  return FundRegistry.of({
    commit,
    area: (id) => Effect.sync(() => Option.fromNullishOr(areas.get(id))),
    areas: (q) =>
      Effect.sync(() =>
        byId(areas.values()).filter(
          (a) =>
            (q.districts === undefined || (a.district !== undefined && q.districts.includes(a.district))) &&
            (q.areaIds === undefined || q.areaIds.includes(a.id)),
        ),
      ),
    structureOf: (areaId) => Effect.sync(() => structureOf(areaId)),
    householdPlace: (id) =>
      Effect.sync(() => {
        const household = households.get(id)
        const entrance = household === undefined ? undefined : entrances.get(household.entranceId)
        const building = entrance === undefined ? undefined : buildings.get(entrance.buildingId)
        const area = building === undefined ? undefined : areas.get(building.areaId)
        return household === undefined ||
          entrance === undefined ||
          building === undefined ||
          area === undefined
          ? Option.none()
          : Option.some({ household, entrance, building, area })
      }),
    owners: (ids) => Effect.sync(() => byId(ids.flatMap((i) => (owners.has(i) ? [owners.get(i)!] : [])))),
    organisations: (q) =>
      Effect.sync(() =>
        byId(organisations.values()).filter(
          (o) =>
            (q.kind === undefined || o.kind === q.kind) &&
            (q.areaId === undefined || o.areaIds.includes(q.areaId)),
        ),
      ),
    categories: () => Effect.sync(() => byId(categories.values())),
    facilities: (areaId) => Effect.sync(() => byId(facilities.values()).filter((f) => f.areaId === areaId)),
    facilityRecords: (fid) =>
      Effect.sync(() => byId(facilityRecords.values()).filter((r) => r.facilityId === fid)),
    changes: (q) =>
      Effect.sync(() =>
        changes.filter(
          (c) =>
            (q.subject === undefined || c.subject === q.subject) &&
            (q.areaId === undefined || c.areaId === q.areaId),
        ),
      ),
    notice: (id) => Effect.sync(() => Option.fromNullishOr(notices.get(id))),
    notices: (hid) => Effect.sync(() => byId(notices.values()).filter((n) => n.household === hid)),
    deposits: (hid) =>
      Effect.sync(() =>
        [...deposits.values()]
          .filter((d) => hid === undefined || d.household === hid)
          .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : compareIds(a.id, b.id))),
      ),
    bills: (q) =>
      Effect.sync(() =>
        [...bills.values()].filter(matchBill(q)).sort((a, b) => compareIds(a.number, b.number)),
      ),
  })
})

/** FundRegistry over the Ledger the caller provides (e.g. `MemoryLedger.layer`). */
export const layer: Layer.Layer<FundRegistry, never, Ledger> = Layer.effect(FundRegistry, make)
