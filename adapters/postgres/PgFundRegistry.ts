/**
 * FundRegistry over PostgreSQL (or PGlite) through Kysely. A commit is ONE transaction: the change row
 * first (`on conflict (id) do nothing`: a replay writes nothing), then the rows, bill steps on the rows
 * locked `for update` and checked by the domain's `billStep`, notices paid, deposit records, and the
 * journal entries through `PgLedger.postEntriesIn` in the same transaction. The keys are the backstop:
 * a bill number stocked or used twice, a deposit id twice, a dangling parent (FundRegistrySchema).
 */
import { Effect, Layer, Option, Result, Schedule } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
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
import { type Bill, type BillAction, billStep } from "../../domain/fund/Bills.js"
import type { DepositRecord, PaymentNotice } from "../../domain/fund/Deposits.js"
import type {
  Entrance,
  FundBuilding,
  FundHousehold,
  FundStructure,
  PropertyArea,
} from "../../domain/fund/FundStructure.js"
import { type Database, PgDatabase, sqlStateOf, sqlStateReason, withSqlState } from "./PgDatabase.js"
import { classifyLedgerError, postEntriesIn } from "./PgLedger.js"

class Abort {
  constructor(readonly reason: FundRegistryErrorReason) {}
}
const abort = (reason: FundRegistryErrorReason): never => {
  throw new Abort(reason)
}

const constraintOf = (e: unknown): string => {
  const c = typeof e === "object" && e !== null ? (e as Record<string, unknown>)["constraint"] : undefined
  return typeof c === "string" ? c : ""
}

const FK_FIELDS: Record<string, string> = {
  fund_buildings_area_fkey: "building.areaId",
  fund_entrances_building_fkey: "entrance.buildingId",
  fund_households_entrance_fkey: "household.entranceId",
  fund_facility_categories_parent_fkey: "category.parentId",
  fund_facilities_area_fkey: "facility.areaId",
  fund_facilities_category_fkey: "facility.categoryId",
  fund_facility_records_facility_fkey: "record.facilityId",
  fund_notices_household_fkey: "notice.household",
  fund_deposits_household_fkey: "deposit.household",
  fund_deposits_bill_fkey: "billNo",
}

/** SQLSTATE → reason: 23505 Conflict (naming the key), 23503 Rejected (naming the field), ledger constraints → Ledger. */
export const classify = (e: unknown): FundRegistryErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = sqlStateOf(e)
  const constraint = constraintOf(e)
  if (["fund_entries", "fund_entry_", "fund_household_balances"].some((x) => constraint.startsWith(x)))
    return { _tag: "Ledger", ledger: classifyLedgerError(e) }
  if (code === "23505")
    return withSqlState(
      {
        _tag: "Conflict",
        detail:
          constraint.startsWith("fund_bills") || constraint === "fund_deposits_bill_key"
            ? "the bill number is already stocked or used (M42: each number once)"
            : "an id is already recorded",
      },
      code,
    )
  if (code === "23503")
    return withSqlState(
      {
        _tag: "Rejected",
        field: FK_FIELDS[constraint] ?? "id",
        rule: "M13.known-parent",
        detail: "a referenced object does not exist",
      },
      code,
    )
  const r = sqlStateReason(e)
  return r._tag === "Rejected" ? { _tag: "Rejected", field: "body", rule: "M13.store", detail: r.detail } : r
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new FundRegistryError({ reason: classify(e) }) }).pipe(
    Effect.retry({
      while: (e: FundRegistryError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

type Db = Kysely<Database> | Transaction<Database>
const json = (v: unknown) => JSON.stringify(v)

/** Rows are our own writes of domain values (whole JSON); they are read back as such. */
const dataOf = <T>(rows: ReadonlyArray<{ data: unknown }>): T[] =>
  rows.map((r) => (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as T)

export const make = Effect.gen(function* () {
  const { db, schema } = yield* PgDatabase
  const t = (name: string) => sql.table(`${schema}.${name}`)

  const upsert = async (
    trx: Db,
    table: string,
    rows: ReadonlyArray<{ readonly id: string }>,
    cols: ReadonlyArray<readonly [string, (row: never) => string | null]>,
  ) => {
    for (const row of rows) {
      const names = ["id", ...cols.map(([c]) => c), "data"]
      const values = [row.id, ...cols.map(([, f]) => f(row as never)), json(row)]
      await sql`
        insert into ${t(table)} (${sql.join(names.map((n) => sql.ref(n)))})
        values (${sql.join(values.map((v, i) => (i === values.length - 1 ? sql`${v}::jsonb` : sql`${v}`)))})
        on conflict (id) do update set ${sql.join(
          names.slice(1).map((n) => sql`${sql.ref(n)} = excluded.${sql.ref(n)}`),
        )}`.execute(trx)
    }
  }

  const saveBill = (trx: Db, b: Bill) =>
    sql`update ${t("fund_bills")} set status = ${b.status}, staff = ${b.staff ?? null},
          deposit_id = ${b.depositId ?? null}, data = ${json(b)}::jsonb where number = ${b.number}`.execute(
      trx,
    )

  const commitIn = async (trx: Transaction<Database>, w: RegistryWrite) => {
    const c = w.change
    const inserted = await sql<{ seq: string }>`
      insert into ${t("fund_changes")} (id, area_id, subject, data)
      values (${c.id}, ${c.areaId ?? null}, ${c.subject}, ${json(c)}::jsonb)
      on conflict (id) do nothing returning seq`.execute(trx)
    if (inserted.rows.length === 0) return { applied: false }
    const p = w.put ?? {}
    await upsert(trx, "fund_areas", p.areas ?? [], [["district", (a: PropertyArea) => a.district ?? null]])
    await upsert(trx, "fund_buildings", p.buildings ?? [], [["area_id", (b: FundBuilding) => b.areaId]])
    await upsert(trx, "fund_entrances", p.entrances ?? [], [["building_id", (e: Entrance) => e.buildingId]])
    await upsert(trx, "fund_households", p.households ?? [], [
      ["entrance_id", (h: FundHousehold) => h.entranceId],
    ])
    await upsert(trx, "fund_owners", p.owners ?? [], [["id_index", (o: FundOwner) => o.idIndex ?? null]])
    await upsert(trx, "fund_organisations", p.organisations ?? [], [["kind", (o: Organisation) => o.kind]])
    await upsert(trx, "fund_facility_categories", p.categories ?? [], [
      ["parent_id", (x: FacilityCategory) => x.parentId ?? null],
    ])
    await upsert(trx, "fund_facilities", p.facilities ?? [], [
      ["area_id", (f: Facility) => f.areaId],
      ["category_id", (f: Facility) => f.categoryId],
    ])
    await upsert(trx, "fund_facility_records", p.facilityRecords ?? [], [
      ["facility_id", (r: FacilityRecord) => r.facilityId],
    ])
    await upsert(trx, "fund_notices", p.notices ?? [], [
      ["household", (n: PaymentNotice) => n.household],
      ["status", (n: PaymentNotice) => n.status],
      ["deposit_id", (n: PaymentNotice) => n.depositId ?? null],
    ])
    for (const b of w.stockBills ?? [])
      await sql`insert into ${t("fund_bills")} (number, batch, status, staff, deposit_id, data)
        values (${b.number}, ${b.batch}, ${b.status}, ${b.staff ?? null}, ${b.depositId ?? null}, ${json(b)}::jsonb)`.execute(
        trx,
      )
    const steps: Array<{ number: string; action: BillAction }> = [
      ...(w.billSteps ?? []),
      ...(w.deposits ?? []).flatMap((d) =>
        d.billNo === undefined
          ? []
          : [
              {
                number: d.billNo,
                action: { _tag: "use", staff: c.actor, depositId: d.id, amount: d.amount } as const,
              },
            ],
      ),
    ]
    if (steps.length > 0) {
      const rows = await sql<{ data: unknown }>`
        select data from ${t("fund_bills")} where number = any(${steps.map((s) => s.number)}::text[])
         order by number for update`.execute(trx)
      const current = new Map(dataOf<Bill>(rows.rows).map((b) => [b.number, b]))
      for (const s of steps) {
        const b = current.get(s.number) ?? abort({ _tag: "NotFound", what: "bill", id: s.number })
        const r = billStep(b, s.action)
        if (Result.isFailure(r))
          abort({ _tag: "Rejected", field: r.failure.field, rule: r.failure.rule, detail: r.failure.message })
        else current.set(s.number, r.success)
      }
      for (const n of new Set(steps.map((s) => s.number))) await saveBill(trx, current.get(n)!)
    }
    for (const d of w.deposits ?? []) {
      if (d.noticeId !== undefined) {
        const rows = await sql<{ data: unknown }>`
          select data from ${t("fund_notices")} where id = ${d.noticeId} for update`.execute(trx)
        const n =
          dataOf<PaymentNotice>(rows.rows)[0] ?? abort({ _tag: "NotFound", what: "notice", id: d.noticeId })
        if (n.status !== "open")
          abort({
            _tag: "Rejected",
            field: "noticeId",
            rule: "M35.notice-open",
            detail: `notice ${n.id} is ${n.status}`,
          })
        const paid: PaymentNotice = { ...n, status: "paid", depositId: d.id }
        await sql`update ${t("fund_notices")} set status = 'paid', deposit_id = ${d.id}, data = ${json(paid)}::jsonb
                   where id = ${n.id}`.execute(trx)
      }
      await sql`insert into ${t("fund_deposits")} (id, household, entry_id, bill_no, notice_id, deposit_date, data)
        values (${d.id}, ${d.household}, ${d.entryId}, ${d.billNo ?? null}, ${d.noticeId ?? null}, ${d.date}::date,
                ${json(d)}::jsonb)`.execute(trx)
    }
    if ((w.entries ?? []).length > 0)
      try {
        await postEntriesIn(trx, schema, w.entries ?? [])
      } catch (e) {
        const r = classifyLedgerError(e)
        if (r._tag === "Contention" || r._tag === "Unavailable") throw e
        abort({ _tag: "Ledger", ledger: r })
      }
    return { applied: true }
  }

  const select = async <T>(query: ReturnType<typeof sql<{ data: unknown }>>) =>
    dataOf<T>((await query.execute(db)).rows)

  const structureOf = async (areaId: string): Promise<FundStructure> => {
    const areas = await select<PropertyArea>(sql`select data from ${t("fund_areas")} where id = ${areaId}`)
    const buildings = await select<FundBuilding>(
      sql`select data from ${t("fund_buildings")} where area_id = ${areaId} order by id`,
    )
    const entrances = await select<Entrance>(sql`
      select e.data from ${t("fund_entrances")} e join ${t("fund_buildings")} b on b.id = e.building_id
       where b.area_id = ${areaId} order by e.id`)
    const households = await select<FundHousehold>(sql`
      select h.data from ${t("fund_households")} h
        join ${t("fund_entrances")} e on e.id = h.entrance_id
        join ${t("fund_buildings")} b on b.id = e.building_id
       where b.area_id = ${areaId} order by h.id`)
    return {
      areas: new Map(areas.map((a) => [a.id, a])),
      buildings: new Map(buildings.map((b) => [b.id, b])),
      entrances: new Map(entrances.map((e) => [e.id, e])),
      households: new Map(households.map((h) => [h.id, h])),
    }
  }

  return FundRegistry.of({
    commit: (w) => run(() => db.transaction().execute((trx) => commitIn(trx, w))),
    area: (id) =>
      run(async () =>
        Option.fromNullishOr(
          (await select<PropertyArea>(sql`select data from ${t("fund_areas")} where id = ${id}`))[0],
        ),
      ),
    areas: (q) =>
      run(() =>
        select<PropertyArea>(sql`
          select data from ${t("fund_areas")}
           where (${q.districts === undefined}::boolean or district = any(${[...(q.districts ?? [])]}::text[]))
             and (${q.areaIds === undefined}::boolean or id = any(${[...(q.areaIds ?? [])]}::text[]))
           order by id`),
      ),
    structureOf: (areaId) => run(() => structureOf(areaId)),
    householdPlace: (id) =>
      run(async () => {
        const rows = await sql<{ h: unknown; e: unknown; b: unknown; a: unknown }>`
          select h.data as h, e.data as e, b.data as b, a.data as a
            from ${t("fund_households")} h
            join ${t("fund_entrances")} e on e.id = h.entrance_id
            join ${t("fund_buildings")} b on b.id = e.building_id
            join ${t("fund_areas")} a on a.id = b.area_id
           where h.id = ${id}`.execute(db)
        const r = rows.rows[0]
        if (r === undefined) return Option.none()
        const [household, entrance, building, area] = dataOf<unknown>([
          { data: r.h },
          { data: r.e },
          { data: r.b },
          { data: r.a },
        ])
        return Option.some({
          household: household as FundHousehold,
          entrance: entrance as Entrance,
          building: building as FundBuilding,
          area: area as PropertyArea,
        })
      }),
    owners: (ids) =>
      run(() =>
        select<FundOwner>(
          sql`select data from ${t("fund_owners")} where id = any(${[...ids]}::text[]) order by id`,
        ),
      ),
    organisations: (q) =>
      run(async () =>
        (
          await select<Organisation>(sql`
            select data from ${t("fund_organisations")}
             where (${q.kind ?? null}::text is null or kind = ${q.kind ?? null}) order by id`)
        ).filter((o) => q.areaId === undefined || o.areaIds.includes(q.areaId)),
      ),
    categories: () =>
      run(() => select<FacilityCategory>(sql`select data from ${t("fund_facility_categories")} order by id`)),
    facilities: (areaId) =>
      run(() =>
        select<Facility>(sql`select data from ${t("fund_facilities")} where area_id = ${areaId} order by id`),
      ),
    facilityRecords: (fid) =>
      run(() =>
        select<FacilityRecord>(
          sql`select data from ${t("fund_facility_records")} where facility_id = ${fid} order by id`,
        ),
      ),
    changes: (q) =>
      run(() =>
        select<RegistryChange>(sql`
          select data from ${t("fund_changes")}
           where (${q.subject ?? null}::text is null or subject = ${q.subject ?? null})
             and (${q.areaId ?? null}::text is null or area_id = ${q.areaId ?? null})
           order by seq`),
      ),
    notice: (id) =>
      run(async () =>
        Option.fromNullishOr(
          (await select<PaymentNotice>(sql`select data from ${t("fund_notices")} where id = ${id}`))[0],
        ),
      ),
    notices: (hid) =>
      run(() =>
        select<PaymentNotice>(
          sql`select data from ${t("fund_notices")} where household = ${hid} order by id`,
        ),
      ),
    deposits: (hid) =>
      run(() =>
        select<DepositRecord>(sql`
          select data from ${t("fund_deposits")}
           where (${hid ?? null}::text is null or household = ${hid ?? null})
           order by deposit_date, id`),
      ),
    bills: (q) =>
      run(() =>
        select<Bill>(sql`
          select data from ${t("fund_bills")}
           where (${q.status ?? null}::text is null or status = ${q.status ?? null})
             and (${q.staff ?? null}::text is null or staff = ${q.staff ?? null})
             and (${q.batch ?? null}::text is null or batch = ${q.batch ?? null})
             and (${q.numbers === undefined}::boolean or number = any(${[...(q.numbers ?? [])]}::text[]))
           order by number`),
      ),
  })
})

/** FundRegistry over the PgDatabase layer the caller provides; the Ledger shares its database. */
export const layer: Layer.Layer<FundRegistry, never, PgDatabase> = Layer.effect(FundRegistry, make)
