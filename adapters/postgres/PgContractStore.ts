/**
 * ContractStore over PostgreSQL (or PGlite) through Kysely. `commit` is one transaction: contract updates
 * (version-checked) before inserts (an exchange cuts the old interval before the new one starts), the stock
 * units through PgStockStore's own version-checked update (`updateUnitsIn`), then the log rows. The unique
 * holding index, the in-force trigger (23P01) and the registration key map to UnitHeld / RegistrationTaken;
 * other driver errors are classified by SQLSTATE in `classify`. Rows decode through the domain's Schemas.
 */
import { Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
  type ContractChange,
  type ContractEvent,
  ContractStore,
  ContractStoreError,
  type ContractStoreErrorReason,
} from "../../application/ports/ContractStore.js"
import type { UnitUpdate } from "../../application/ports/StockStore.js"
import { ClauseTemplate, Contract, Violation } from "../../domain/contract/Contract.js"
import { inForceInterval } from "../../domain/contract/ContractMachine.js"
import type { ContractTables } from "./ContractSchema.js"
import { type Database, PgDatabase, sqlStateOf, sqlStateReason } from "./PgDatabase.js"
import { stockRefusalOf, updateUnitsIn } from "./PgStockStore.js"

type Db = Kysely<Database & ContractTables>
type Trx = Transaction<Database & ContractTables>

class Abort {
  constructor(readonly reason: ContractStoreErrorReason) {}
}
const abort = (reason: ContractStoreErrorReason): never => {
  throw new Abort(reason)
}

/** 40001/40P01 → Contention, 22xxx/23502/23514 → Rejected, else Unavailable; details are fixed sentences. */
export const classify = (e: unknown): ContractStoreErrorReason =>
  e instanceof Abort ? e.reason : sqlStateReason(e)

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new ContractStoreError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: ContractStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const parsed = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v)
const decoder =
  <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, what: string) =>
  (data: unknown): S["Type"] => {
    const r = Schema.decodeUnknownResult(schema)(parsed(data))
    if (Result.isFailure(r)) return abort({ _tag: "Rejected", detail: `a stored ${what} does not decode` })
    return r.success as S["Type"]
  }
const contractOf = decoder(Contract, "contract")
const clauseOf = decoder(ClauseTemplate, "clause template")
const violationOf = decoder(Violation, "violation")
const encodeContract = (c: Contract) => JSON.stringify(Schema.encodeSync(Contract)(c))
const sameContract = (a: Contract, b: Contract) => encodeContract(a) === encodeContract(b)

const rowOf = (c: Contract) => {
  const i = inForceInterval(c)
  return {
    id: c.id,
    kind: c.kind,
    state: c.state,
    project_id: c.projectId,
    district: c.district,
    unit_id: c.unitId,
    tenant_index: c.tenant.type === "person" ? c.tenant.personIndex : null,
    registration_no: c.registrationNumber,
    in_force_from: i?.from ?? null,
    in_force_to: i?.to ?? null,
    version: c.version,
    data: encodeContract(c),
  }
}

/** A unique or exclusion violation of a contract write, as the refusal it stands for. */
const contractRefusal = (e: unknown, c: Contract): ContractStoreErrorReason | undefined => {
  const code = sqlStateOf(e)
  const constraint = (e as { constraint?: unknown }).constraint
  if (code === "23P01") return { _tag: "UnitHeld", unitId: c.unitId }
  if (code !== "23505") return undefined
  if (constraint === "contracts_registration_key")
    return { _tag: "RegistrationTaken", number: c.registrationNumber ?? "" }
  if (constraint === "contracts_pkey") return { _tag: "Conflict", id: c.id }
  return { _tag: "UnitHeld", unitId: c.unitId }
}

const guarded = async <A>(p: Promise<A>, c: Contract): Promise<A> => {
  try {
    return await p
  } catch (e) {
    const r = contractRefusal(e, c)
    if (r === undefined) throw e
    return abort(r)
  }
}

const writeUnits = async (trx: Trx, units: ReadonlyArray<UnitUpdate>) => {
  if (units.length === 0) return
  try {
    await updateUnitsIn(trx as unknown as Transaction<Database>, units)
  } catch (e) {
    const r = stockRefusalOf(e)
    if (r === undefined) throw e
    const id = r._tag === "StaleVersion" || r._tag === "Conflict" ? r.id : (units[0]?.unit.id ?? "")
    const u = units.find((x) => x.unit.id === id)
    return abort(
      r._tag === "StaleVersion"
        ? { _tag: "UnitChanged", unitId: id, expected: u?.expectedVersion ?? 0 }
        : { _tag: "Rejected", detail: "the stock refused the unit write" },
    )
  }
}

const eventOf = (r: {
  contract_id: string
  version: number
  action: string
  from_state: string | null
  to_state: string
  at: string | number
  actor: string
  note: string | null
}): ContractEvent => ({
  contractId: r.contract_id,
  version: r.version,
  action: r.action,
  from: r.from_state as ContractEvent["from"],
  to: r.to_state as ContractEvent["to"],
  at: Number(r.at),
  actor: r.actor,
  note: r.note,
})

/** The ContractStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = Effect.gen(function* () {
  const database = yield* PgDatabase
  const db = database.db.withSchema(database.schema) as unknown as Db

  const commit = (change: ContractChange) =>
    run(() =>
      db.transaction().execute(async (trx) => {
        const fresh = change.contracts.filter((c) => c.expectedVersion === 0)
        // Replay: every contract of the change is new and already stored identically.
        if (fresh.length === change.contracts.length && fresh.length > 0) {
          const stored = await trx
            .selectFrom("contracts")
            .select(["id", "data"])
            .where(
              "id",
              "in",
              fresh.map((c) => c.contract.id),
            )
            .execute()
          if (stored.length > 0) {
            const byId = new Map(stored.map((r) => [r.id, contractOf(r.data)]))
            const all = fresh.every((c) => {
              const s = byId.get(c.contract.id)
              return s !== undefined && sameContract(s, c.contract)
            })
            if (all && byId.size === fresh.length) return { replayed: true }
            return abort({ _tag: "Conflict", id: stored[0]!.id })
          }
        }
        for (const { contract, expectedVersion } of change.contracts) {
          if (expectedVersion === 0) continue
          if (contract.version !== expectedVersion + 1)
            abort({ _tag: "Rejected", detail: "an update bumps the contract version by one" })
          const { id: _id, ...row } = rowOf(contract)
          const res = await guarded(
            trx
              .updateTable("contracts")
              .set(row)
              .where("id", "=", contract.id)
              .where("version", "=", expectedVersion)
              .executeTakeFirst(),
            contract,
          )
          if (res.numUpdatedRows !== 1n)
            abort({ _tag: "StaleVersion", id: contract.id, expected: expectedVersion })
        }
        for (const { contract, expectedVersion } of change.contracts) {
          if (expectedVersion !== 0) continue
          if (contract.version !== 1) abort({ _tag: "Rejected", detail: "a new contract has version 1" })
          await guarded(trx.insertInto("contracts").values(rowOf(contract)).execute(), contract)
        }
        await writeUnits(trx, change.units)
        if (change.events.length > 0)
          await trx
            .insertInto("contract_events")
            .values(
              change.events.map((e) => ({
                contract_id: e.contractId,
                version: e.version,
                action: e.action,
                from_state: e.from,
                to_state: e.to,
                at: e.at,
                actor: e.actor,
                note: e.note,
              })),
            )
            .execute()
        return { replayed: false }
      }),
    )

  const saveVersioned = (
    table: "contract_clauses" | "contract_violations",
    id: string,
    version: number,
    expectedVersion: number,
    data: string,
    extra: Record<string, string>,
    canonical: (stored: unknown) => string,
  ) =>
    run(async () => {
      if (version !== expectedVersion + 1)
        abort({ _tag: "Rejected", detail: "a save bumps the version by one" })
      if (expectedVersion === 0) {
        const inserted = await db
          .insertInto(table)
          .values({ id, version, data, ...extra } as never)
          .onConflict((oc) => oc.doNothing())
          .returning("id")
          .executeTakeFirst()
        if (inserted === undefined) {
          const old = await db.selectFrom(table).select("data").where("id", "=", id).executeTakeFirst()
          if (old === undefined || canonical(old.data) !== data) abort({ _tag: "Conflict", id })
        }
        return
      }
      const res = await db
        .updateTable(table)
        .set({ version, data, ...extra } as never)
        .where("id", "=", id)
        .where("version", "=", expectedVersion)
        .executeTakeFirst()
      if (res.numUpdatedRows !== 1n) abort({ _tag: "StaleVersion", id, expected: expectedVersion })
    })

  return ContractStore.of({
    commit,
    get: (id) =>
      run(async () => {
        const r = await db.selectFrom("contracts").select("data").where("id", "=", id).executeTakeFirst()
        return r === undefined ? Option.none() : Option.some(contractOf(r.data))
      }),
    list: (q) =>
      run(async () => {
        let qb = db.selectFrom("contracts").select(["id", "data"])
        const none = sql<boolean>`false`
        if (q.districts !== undefined)
          qb = q.districts.length === 0 ? qb.where(none) : qb.where("district", "in", q.districts)
        if (q.projectIds !== undefined)
          qb = q.projectIds.length === 0 ? qb.where(none) : qb.where("project_id", "in", q.projectIds)
        if (q.states !== undefined)
          qb = q.states.length === 0 ? qb.where(none) : qb.where("state", "in", q.states)
        if (q.tenantIndex !== undefined) qb = qb.where("tenant_index", "=", q.tenantIndex)
        if (q.unitId !== undefined) qb = qb.where("unit_id", "=", q.unitId)
        if (q.after !== undefined) qb = qb.where("id", ">", q.after)
        const rows = await qb
          .orderBy("id")
          .limit(q.limit + 1)
          .execute()
        const items = rows.slice(0, q.limit).map((r) => contractOf(r.data))
        return { items, next: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null }
      }),
    history: (id) =>
      run(async () => {
        const rows = await db
          .selectFrom("contract_events")
          .select(["contract_id", "version", "action", "from_state", "to_state", "at", "actor", "note"])
          .where("contract_id", "=", id)
          .orderBy("seq")
          .execute()
        return rows.map(eventOf)
      }),
    events: (after, limit) =>
      run(async () => {
        const rows = await db
          .selectFrom("contract_events")
          .selectAll()
          .where("seq", ">", String(after))
          .orderBy("seq")
          .limit(limit)
          .execute()
        return rows.map((r) => ({ ...eventOf(r), seq: Number(r.seq) }))
      }),
    saveClause: (t, expectedVersion) =>
      saveVersioned(
        "contract_clauses",
        t.id,
        t.version,
        expectedVersion,
        JSON.stringify(Schema.encodeSync(ClauseTemplate)(t)),
        {},
        (d) => JSON.stringify(Schema.encodeSync(ClauseTemplate)(clauseOf(d))),
      ),
    getClauses: (ids) =>
      run(async () => {
        if (ids.length === 0) return []
        const rows = await db
          .selectFrom("contract_clauses")
          .select("data")
          .where("id", "in", [...ids])
          .orderBy("id")
          .execute()
        return rows.map((r) => clauseOf(r.data))
      }),
    saveViolation: (v, expectedVersion) =>
      saveVersioned(
        "contract_violations",
        v.id,
        v.version,
        expectedVersion,
        JSON.stringify(Schema.encodeSync(Violation)(v)),
        { person_index: v.personIndex },
        (d) => JSON.stringify(Schema.encodeSync(Violation)(violationOf(d))),
      ),
    violationsOf: (personIndex) =>
      run(async () => {
        const rows = await db
          .selectFrom("contract_violations")
          .select("data")
          .where("person_index", "=", personIndex)
          .orderBy("id")
          .execute()
        return rows.map((r) => violationOf(r.data))
      }),
  })
})

/** ContractStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<ContractStore, never, PgDatabase> = Layer.effect(ContractStore, make)
