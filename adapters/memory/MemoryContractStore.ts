/**
 * In-memory ContractStore: the reference implementation of the contract suite. It shares the StockStore in
 * its context (the unit write goes through its atomic, version-checked `updateUnits`) and serialises its own
 * writes with one permit, checking every rule of the database (one holding contract per unit, no overlapping
 * in-force intervals, unique registration numbers, versions) on the would-be state before the units are
 * written, and storing only after that write succeeded: a commit lands whole or not at all.
 */
import { Effect, Layer, Option, Semaphore } from "effect"
import {
  type ContractChange,
  type ContractEvent,
  ContractStore,
  ContractStoreError,
  type ContractStoreErrorReason,
} from "../../application/ports/ContractStore.js"
import { StockStore } from "../../application/ports/StockStore.js"
import {
  type ClauseTemplate,
  type Contract,
  holdsUnit,
  type Violation,
} from "../../domain/contract/Contract.js"
import { inForceInterval } from "../../domain/contract/ContractMachine.js"

const fail = (reason: ContractStoreErrorReason) => Effect.fail(new ContractStoreError({ reason }))
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The first rule the would-be set of contracts breaks, for the contracts of `changed`. */
const broken = (
  all: ReadonlyMap<string, Contract>,
  changed: ReadonlyArray<Contract>,
): ContractStoreErrorReason | undefined => {
  for (const c of changed) {
    for (const o of all.values()) {
      if (o.id === c.id) continue
      if (c.registrationNumber !== null && o.registrationNumber === c.registrationNumber)
        return { _tag: "RegistrationTaken", number: c.registrationNumber }
      if (o.unitId !== c.unitId) continue
      if (holdsUnit(c.state) && holdsUnit(o.state)) return { _tag: "UnitHeld", unitId: c.unitId }
      const a = inForceInterval(c)
      const b = inForceInterval(o)
      if (a !== null && b !== null && a.from <= b.to && b.from <= a.to)
        return { _tag: "UnitHeld", unitId: c.unitId }
    }
  }
  return undefined
}

export const make = Effect.gen(function* () {
  const stock = yield* StockStore
  const permit = yield* Semaphore.make(1)
  const contracts = new Map<string, Contract>()
  const log: Array<ContractEvent & { readonly seq: number }> = []
  const clauses = new Map<string, ClauseTemplate>()
  const violations = new Map<string, Violation>()

  const commit = (change: ContractChange) =>
    Semaphore.withPermit(permit)(
      Effect.gen(function* () {
        const fresh = change.contracts.filter((c) => c.expectedVersion === 0)
        if (fresh.length === change.contracts.length && fresh.some((c) => contracts.has(c.contract.id))) {
          const replay = fresh.every((c) => {
            const s = contracts.get(c.contract.id)
            return s !== undefined && same(s, c.contract)
          })
          if (replay) return { replayed: true }
          return yield* fail({
            _tag: "Conflict",
            id: fresh.find((c) => contracts.has(c.contract.id))!.contract.id,
          })
        }
        const next = new Map(contracts)
        for (const { contract, expectedVersion } of change.contracts) {
          const cur = contracts.get(contract.id)
          if (expectedVersion === 0) {
            if (cur !== undefined) return yield* fail({ _tag: "Conflict", id: contract.id })
            if (contract.version !== 1)
              return yield* fail({ _tag: "Rejected", detail: "a new contract has version 1" })
          } else {
            if (cur === undefined || cur.version !== expectedVersion)
              return yield* fail({ _tag: "StaleVersion", id: contract.id, expected: expectedVersion })
            if (contract.version !== expectedVersion + 1)
              return yield* fail({ _tag: "Rejected", detail: "an update bumps the contract version by one" })
          }
          next.set(contract.id, contract)
        }
        const bad = broken(
          next,
          change.contracts.map((c) => c.contract),
        )
        if (bad !== undefined) return yield* fail(bad)
        if (change.units.length > 0)
          yield* stock.updateUnits(change.units).pipe(
            Effect.mapError((e) => {
              const r = e.reason
              const id = r._tag === "StaleVersion" || r._tag === "Conflict" ? r.id : ""
              return new ContractStoreError({
                reason:
                  r._tag === "StaleVersion"
                    ? { _tag: "UnitChanged", unitId: id, expected: r.expected }
                    : r._tag === "Contention" || r._tag === "Unavailable"
                      ? r
                      : { _tag: "Rejected", detail: "the stock refused the unit write" },
              })
            }),
          )
        for (const { contract } of change.contracts) contracts.set(contract.id, contract)
        for (const e of change.events) log.push({ ...e, seq: log.length + 1 })
        return { replayed: false }
      }),
    )

  const saveVersioned = <T extends { readonly id: string; readonly version: number }>(
    map: Map<string, T>,
    value: T,
    expectedVersion: number,
  ) =>
    Semaphore.withPermit(permit)(
      Effect.suspend((): Effect.Effect<void, ContractStoreError> => {
        if (value.version !== expectedVersion + 1)
          return fail({ _tag: "Rejected", detail: "a save bumps the version by one" })
        const cur = map.get(value.id)
        if (expectedVersion === 0) {
          if (cur !== undefined && !same(cur, value)) return fail({ _tag: "Conflict", id: value.id })
        } else if (cur === undefined || cur.version !== expectedVersion)
          return fail({ _tag: "StaleVersion", id: value.id, expected: expectedVersion })
        map.set(value.id, value)
        return Effect.void
      }),
    )

  return ContractStore.of({
    commit,
    get: (id) => Effect.sync(() => Option.fromUndefinedOr(contracts.get(id))),
    list: (q) =>
      Effect.sync(() => {
        const all = [...contracts.values()]
          .filter(
            (c) =>
              (q.districts === undefined || q.districts.includes(c.district)) &&
              (q.projectIds === undefined || q.projectIds.includes(c.projectId)) &&
              (q.states === undefined || q.states.includes(c.state)) &&
              (q.tenantIndex === undefined ||
                (c.tenant.type === "person" && c.tenant.personIndex === q.tenantIndex)) &&
              (q.unitId === undefined || c.unitId === q.unitId) &&
              (q.after === undefined || c.id > q.after),
          )
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        const items = all.slice(0, q.limit)
        return { items, next: all.length > q.limit ? (items.at(-1)?.id ?? null) : null }
      }),
    history: (id) =>
      Effect.sync(() => log.filter((e) => e.contractId === id).map(({ seq: _seq, ...e }) => e)),
    events: (after, limit) => Effect.sync(() => log.filter((e) => e.seq > after).slice(0, limit)),
    saveClause: (t, expectedVersion) => saveVersioned(clauses, t, expectedVersion),
    getClauses: (ids) =>
      Effect.sync(() =>
        [...new Set(ids)].sort().flatMap((id) => {
          const t = clauses.get(id)
          return t === undefined ? [] : [t]
        }),
      ),
    saveViolation: (v, expectedVersion) => saveVersioned(violations, v, expectedVersion),
    violationsOf: (personIndex) =>
      Effect.sync(() =>
        [...violations.values()]
          .filter((v) => v.personIndex === personIndex)
          .sort((a, b) => (a.id < b.id ? -1 : 1)),
      ),
  })
})

/** Needs the StockStore whose units it moves (MemoryStockStore.layer in tests and `--store memory`). */
export const layer: Layer.Layer<ContractStore, never, StockStore> = Layer.effect(ContractStore, make)
