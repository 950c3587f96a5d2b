/**
 * StockStore over PostgreSQL (or PGlite) through Kysely. A write is ONE transaction of chunked multi-row
 * `INSERT … ON CONFLICT DO NOTHING RETURNING id`; rows not inserted are compared with the stored ones to
 * count them unchanged or to fail with Conflict (which rolls everything back). On PostgreSQL a large batch
 * is instead COPYed into temporary staging tables and merged set-wise in the same one transaction
 * (`copyWriteBatch`, issue 16), with the same outcomes. Unit updates lock their rows
 * in id order, check versions as the memory store does, then `UPDATE … WHERE id AND version`. Listing is
 * keyset paging on `id COLLATE "C"` (JavaScript code-unit order for the ASCII ids). Rows are decoded into
 * domain values with Schema here; Kysely row types never leave the adapter.
 */
import { Effect, Layer, Option, Result, Schedule, Schema } from "effect"
import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from "kysely"
import type pg from "pg"
import {
  type PlacedUnit,
  type StockBatch,
  StockStore,
  StockStoreError,
  type StockStoreErrorReason,
  type UnitCountQuery,
  type UnitQuery,
  type UnitUpdate,
  type WriteSummary,
} from "../../application/ports/StockStore.js"
import type { StatusCount } from "../../domain/inventory/Inventory.js"
import { KeyIndex } from "../../domain/stock/KeyIndex.js"
import { Building, Project, ProjectId, Unit } from "../../domain/stock/Stock.js"
import { UnitStatus } from "../../domain/stock/UnitStatus.js"
import { type CopyValue, copyRows } from "./CopyRows.js"
import { quoteSchema } from "./Migrations.js"
import { classifyDbError, type Database, PgDatabase, type UnitsTable } from "./PgDatabase.js"
import { poolOf } from "./PgPools.js"

/**
 * The data-scope filter of unit listings and counts (`inProjects`, `inDistricts`; an empty list matches
 * nothing, an absent one everything), as one expression so both queries scope alike.
 */
const inScope = (
  eb: ExpressionBuilder<Database, "units">,
  q: { readonly inProjects?: ReadonlyArray<string>; readonly inDistricts?: ReadonlyArray<string> },
) =>
  eb.and([
    ...(q.inProjects === undefined
      ? []
      : [q.inProjects.length === 0 ? sql<boolean>`false` : eb("project_id", "in", [...q.inProjects])]),
    ...(q.inDistricts === undefined
      ? []
      : [
          q.inDistricts.length === 0
            ? sql<boolean>`false`
            : eb(
                "project_id",
                "in",
                eb
                  .selectFrom("projects")
                  .select("projects.id")
                  .where("projects.district", "in", [...q.inDistricts]),
              ),
        ]),
  ])

/**
 * Rows per INSERT. Each statement binds one array per column (`INSERT … SELECT FROM unnest($1::text[], …)`),
 * so the 65,535-parameter limit never applies; the chunk only bounds statement size and memory.
 */
export const INSERT_CHUNK = 5000
/** Ids per `= any($1)` lookup (one array parameter, so only memory bounds it). */
const LOOKUP_CHUNK = 10_000

/** Thrown inside a transaction to roll it back with a port failure; caught at the Effect boundary. */
class Abort {
  constructor(readonly reason: StockStoreErrorReason) {}
}
const abort = (reason: StockStoreErrorReason): never => {
  throw new Abort(reason)
}

const toStoreError = (e: unknown) =>
  new StockStoreError({ reason: e instanceof Abort ? e.reason : classifyDbError(e) })

/** Runs a Kysely operation as an Effect; Contention (serialization failure, deadlock) is retried a few times. */
const run = <A>(f: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: toStoreError }).pipe(
    Effect.retry({
      while: (e: StockStoreError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

const chunks = <A>(xs: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

// ---------------------------------------------------------------------------------------------
// Rows ↔ domain values

const decodeProject = Schema.decodeUnknownResult(Project)
const decodeBuilding = Schema.decodeUnknownResult(Building)
const decodeUnit = Schema.decodeUnknownResult(Unit)

const decoded = <A>(what: string, r: Result.Result<A, Schema.SchemaError>): A =>
  Result.isSuccess(r)
    ? r.success
    : abort({ _tag: "Unavailable", detail: `a stored ${what} does not decode: ${r.failure.message}` })

const projectColumns = [
  "id",
  "name",
  "kind",
  "district",
  "address",
  "operator_uscc",
  "operator_name",
  "service_phone",
] as const
type ProjectRow = Pick<Selectable<Database["projects"]>, (typeof projectColumns)[number]>
const projectFromRow = (r: ProjectRow): Project =>
  decoded(
    "project",
    decodeProject({
      id: r.id,
      name: r.name,
      kind: r.kind,
      district: r.district,
      address: r.address,
      operatorUscc: r.operator_uscc,
      operatorName: r.operator_name,
      servicePhone: r.service_phone,
    }),
  )
const projectToRow = (p: Project) => ({
  id: p.id,
  name: p.name,
  kind: p.kind,
  district: p.district,
  address: p.address,
  operator_uscc: p.operatorUscc,
  operator_name: p.operatorName,
  service_phone: p.servicePhone,
})

interface BuildingRow {
  id: string
  project_id: string
  name: string
  total_floors: number
  units_per_floor: number
  has_lift: boolean
  completion_date: string
}
const buildingFromRow = (r: BuildingRow): Building =>
  decoded(
    "building",
    decodeBuilding({
      id: r.id,
      projectId: r.project_id,
      name: r.name,
      totalFloors: r.total_floors,
      unitsPerFloor: r.units_per_floor,
      hasLift: r.has_lift,
      completionDate: r.completion_date,
    }),
  )
const buildingToRow = (b: Building) => ({
  id: b.id,
  project_id: b.projectId,
  name: b.name,
  total_floors: b.totalFloors,
  units_per_floor: b.unitsPerFloor,
  has_lift: b.hasLift,
  completion_date: b.completionDate,
})

const unitFromRow = (r: Selectable<UnitsTable>): Unit =>
  decoded(
    "unit",
    decodeUnit({
      id: r.id,
      code: r.code,
      projectId: r.project_id,
      buildingId: r.building_id,
      floor: r.floor,
      roomNo: r.room_no,
      bedrooms: r.bedrooms,
      halls: r.halls,
      area: r.area,
      orientation: r.orientation,
      decoration: r.decoration,
      rent: Number(r.rent),
      marketRent: Number(r.market_rent),
      kind: r.kind,
      status: r.status,
      lockedFrom: r.locked_from,
      supplied: r.supplied,
      version: r.version,
    }),
  )
const unitToRow = (u: Unit) => ({
  id: u.id,
  code: u.code,
  project_id: u.projectId,
  building_id: u.buildingId,
  floor: u.floor,
  room_no: u.roomNo,
  bedrooms: u.bedrooms,
  halls: u.halls,
  area: u.area,
  orientation: u.orientation,
  decoration: u.decoration,
  rent: u.rent,
  market_rent: u.marketRent,
  kind: u.kind,
  status: u.status,
  locked_from: u.lockedFrom,
  supplied: u.supplied,
  version: u.version,
})

const sameFields =
  <A extends object>(keys: ReadonlyArray<keyof A>) =>
  (a: A, b: A) =>
    keys.every((k) => a[k] === b[k])
const sameProject = sameFields<Project>(Object.keys(Project.fields) as Array<keyof Project>)
const sameBuilding = sameFields<Building>(Object.keys(Building.fields) as Array<keyof Building>)
const sameUnit = sameFields<Unit>(Object.keys(Unit.fields) as Array<keyof Unit>)

// ---------------------------------------------------------------------------------------------
// Reads shared by the store and by write/update transactions

type Db = Kysely<Database> | Transaction<Database>

const anyOf = (ids: ReadonlyArray<string>) => sql<string>`any(${[...ids]}::text[])`

/**
 * The distinct values of `key` over `xs` (first-seen order) in parts of at most `size`, with a macrotask
 * turn every CHECK_STEP records: a 450,000-row import's reference checks never hold the host's thread for
 * one long step (issue 10). `skip` leaves out ids already known (e.g. records of the same batch).
 */
const distinctParts = async <A>(
  xs: ReadonlyArray<A>,
  key: (a: A) => string,
  size: number,
  skip?: ReadonlySet<string> | ReadonlyMap<string, unknown>,
): Promise<Array<Array<string>>> => {
  const seen = new KeyIndex<true>()
  const parts: Array<Array<string>> = []
  let part: Array<string> = []
  for (let i = 0; i < xs.length; i++) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    const id = key(xs[i]!)
    if (seen.has(id)) continue
    seen.set(id, true)
    if (skip?.has(id) === true) continue
    if (part.length === size) {
      parts.push(part)
      part = []
    }
    part.push(id)
  }
  if (part.length > 0) parts.push(part)
  return parts
}
const asId = (id: string) => id

/** Decodes selected rows a DECODE_STEP at a time (Schema decoding is the costly part of a large read). */
const DECODE_STEP = 1000
const decodeRows = async <R, A>(rows: ReadonlyArray<R>, decode: (r: R) => A, out: Array<A>) => {
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % DECODE_STEP === 0) await breathe()
    out.push(decode(rows[i]!))
  }
}

const selectProjects = async (db: Db, ids: ReadonlyArray<string>): Promise<Array<Project>> => {
  const out: Array<Project> = []
  for (const part of await distinctParts(ids, asId, LOOKUP_CHUNK)) {
    const rows = await db
      .selectFrom("projects")
      .select(projectColumns)
      .where("id", "=", anyOf(part))
      .execute()
    await decodeRows(rows, projectFromRow, out)
  }
  return out
}

const selectBuildings = async (db: Db, ids: ReadonlyArray<string>): Promise<Array<Building>> => {
  const out: Array<Building> = []
  for (const part of await distinctParts(ids, asId, LOOKUP_CHUNK)) {
    const rows = await db
      .selectFrom("buildings")
      .select(["id", "project_id", "name", "total_floors", "units_per_floor", "has_lift"])
      .select(sql<string>`to_char(completion_date, 'YYYY-MM-DD')`.as("completion_date"))
      .where("id", "=", anyOf(part))
      .execute()
    await decodeRows(rows, buildingFromRow, out)
  }
  return out
}

const selectUnits = async (db: Db, ids: ReadonlyArray<string>): Promise<Array<Unit>> => {
  const out: Array<Unit> = []
  for (const part of await distinctParts(ids, asId, LOOKUP_CHUNK)) {
    const rows = await db.selectFrom("units").selectAll().where("id", "=", anyOf(part)).execute()
    await decodeRows(rows, unitFromRow, out)
  }
  return out
}

/**
 * Records in the order of `ids` (duplicates repeated, missing ones left out), as the memory store returns
 * them; a macrotask turn every CHECK_STEP ids.
 */
const inIdOrder = async <A extends { readonly id: string }>(
  ids: ReadonlyArray<string>,
  found: ReadonlyArray<A>,
): Promise<Array<A>> => {
  if (found.length === 0) return []
  const byId = new KeyIndex<A>()
  for (const [i, x] of found.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    byId.set(x.id, x)
  }
  const out: Array<A> = []
  for (const [i, id] of ids.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    const x = byId.get(id)
    if (x !== undefined) out.push(x)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Write

/** Distinct records by id in batch order; the same id with other content in one batch is a Conflict. */
/** A macrotask turn every CHECK_STEP records of the in-memory checks, so a large batch never blocks the host. */
const CHECK_STEP = 5000
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve))

const distinct = async <A extends { readonly id: string }>(
  xs: ReadonlyArray<A>,
  same: (a: A, b: A) => boolean,
  entity: "project" | "building" | "unit",
): Promise<Array<A>> => {
  const seen = new KeyIndex<A>()
  const out: Array<A> = []
  for (const [i, x] of xs.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    const prior = seen.get(x.id)
    if (prior === undefined) {
      seen.set(x.id, x)
      out.push(x)
    } else if (!same(prior, x))
      abort({ _tag: "Conflict", entity, id: x.id, detail: `a ${entity} with this id has other attributes` })
  }
  return out
}

/** Ids (`key` of `records`) that are neither stored nor in `batchIds`; the first of them is reported missing. */
const requireExisting = async <A>(
  trx: Transaction<Database>,
  table: "projects" | "buildings",
  records: ReadonlyArray<A>,
  key: (a: A) => string,
  batchIds: ReadonlySet<string>,
) => {
  const outside = (await distinctParts(records, key, Number.MAX_SAFE_INTEGER, batchIds))[0]
  if (outside === undefined) return
  const rows = await trx.selectFrom(table).select("id").where("id", "=", anyOf(outside)).execute()
  const stored = new Set(rows.map((r) => r.id))
  const missing = outside.find((id) => !stored.has(id))
  if (missing !== undefined)
    abort({ _tag: "MissingReference", entity: table === "projects" ? "project" : "building", id: missing })
}

/**
 * A unit must belong to its building's project (checked against the batch and the stored buildings), a
 * macrotask turn every CHECK_STEP units.
 */
const requireSameProject = async (
  trx: Transaction<Database>,
  units: ReadonlyArray<Unit>,
  batchBuildings: ReadonlyArray<Building>,
) => {
  const projectOf = new Map(batchBuildings.map((b) => [b.id as string, b.projectId as string]))
  const outside = (await distinctParts(units, (u) => u.buildingId, Number.MAX_SAFE_INTEGER, projectOf))[0]
  if (outside !== undefined) {
    const rows = await trx
      .selectFrom("buildings")
      .select(["id", "project_id"])
      .where("id", "=", anyOf(outside))
      .execute()
    for (const r of rows) projectOf.set(r.id, r.project_id)
  }
  for (const [i, u] of units.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    if (projectOf.get(u.buildingId) !== u.projectId)
      abort({
        _tag: "Rejected",
        entity: "unit",
        id: u.id,
        detail: `unit names project ${u.projectId} but its building belongs to ${projectOf.get(u.buildingId)}`,
      })
  }
}

/** Column name and array type per table, in insert order (the row mappers above produce these keys). */
const INSERT_COLUMNS = {
  projects: [
    ["id", "text"],
    ["name", "text"],
    ["kind", "text"],
    ["district", "text"],
    ["address", "text"],
    ["operator_uscc", "text"],
    ["operator_name", "text"],
    ["service_phone", "text"],
  ],
  buildings: [
    ["id", "text"],
    ["project_id", "text"],
    ["name", "text"],
    ["total_floors", "int2"],
    ["units_per_floor", "int2"],
    ["has_lift", "bool"],
    ["completion_date", "date"],
  ],
  units: [
    ["id", "text"],
    ["code", "text"],
    ["project_id", "text"],
    ["building_id", "text"],
    ["floor", "int2"],
    ["room_no", "int2"],
    ["bedrooms", "int2"],
    ["halls", "int2"],
    ["area", "int4"],
    ["orientation", "text"],
    ["decoration", "text"],
    ["rent", "int8"],
    ["market_rent", "int8"],
    ["kind", "text"],
    ["status", "text"],
    ["locked_from", "text"],
    ["supplied", "bool"],
    ["version", "int4"],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [string, string]>>

/**
 * Inserts `records` in chunks with ON CONFLICT DO NOTHING and returns the ones that were NOT inserted
 * (their id, or for units their code or slot, is already taken).
 */
const insertNew = async <A extends { readonly id: string }>(
  trx: Transaction<Database>,
  table: keyof typeof INSERT_COLUMNS,
  records: ReadonlyArray<A>,
  toRow: (a: A) => Record<string, unknown>,
  chunk: number,
): Promise<Array<A>> => {
  const columns = INSERT_COLUMNS[table]
  const inserted = new KeyIndex<true>()
  for (const part of chunks(records, chunk)) {
    const rows = part.map(toRow)
    const arrays = columns.map(([name, type]) => sql`${rows.map((r) => r[name])}::${sql.raw(type)}[]`)
    const result = await trx
      .insertInto(table)
      .columns(columns.map(([name]) => name) as never)
      .expression(sql`select * from unnest(${sql.join(arrays)})` as never)
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .execute()
    for (const r of result) inserted.set(r.id, true)
  }
  return inserted.size === records.length ? [] : records.filter((r) => !inserted.has(r.id))
}

/**
 * Splits not-inserted records into unchanged ones (stored identically) or fails with a Conflict; a
 * macrotask turn every CHECK_STEP records (a re-import rejects every row).
 */
const settle = async <A extends { readonly id: string }>(
  rejected: ReadonlyArray<A>,
  stored: ReadonlyArray<A>,
  same: (a: A, b: A) => boolean,
  entity: "project" | "building" | "unit",
): Promise<KeyIndex<true>> => {
  const byId = new KeyIndex<A>()
  for (const [i, x] of stored.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    byId.set(x.id, x)
  }
  const unchanged = new KeyIndex<true>()
  for (const [i, r] of rejected.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    const s = byId.get(r.id)
    if (s !== undefined && same(s, r)) unchanged.set(r.id, true)
    else if (s !== undefined)
      abort({ _tag: "Conflict", entity, id: r.id, detail: `a ${entity} with this id has other attributes` })
  }
  return unchanged
}

/** A unit that was not inserted although its id is free: tell whether its code or its slot is taken. */
const unitClash = async (trx: Transaction<Database>, u: Unit): Promise<never> => {
  const owner = await trx
    .selectFrom("units")
    .select(["id", "code"])
    .where((eb) =>
      eb.or([
        eb("code", "=", u.code),
        eb.and([
          eb("building_id", "=", u.buildingId),
          eb("floor", "=", u.floor),
          eb("room_no", "=", u.roomNo),
        ]),
      ]),
    )
    .executeTakeFirst()
  if (owner?.code === u.code)
    return abort({
      _tag: "Conflict",
      entity: "unit",
      id: u.id,
      detail: `public code already used by ${owner.id}`,
    })
  return abort({
    _tag: "Conflict",
    entity: "unit",
    id: u.id,
    detail: `floor ${u.floor} room ${u.roomNo} of building ${u.buildingId} is unit ${owner?.id ?? "(unknown)"}`,
  })
}

/** Checks that need no database: duplicates inside the batch; the batch's distinct records. */
const distinctBatch = async (batch: StockBatch) => {
  const projects = await distinct(batch.projects, sameProject, "project")
  const buildings = await distinct(batch.buildings, sameBuilding, "building")
  const units = await distinct(batch.units, sameUnit, "unit")
  const codes = new KeyIndex<string>()
  const slots = new KeyIndex<string>()
  for (const [i, u] of units.entries()) {
    if (i > 0 && i % CHECK_STEP === 0) await breathe()
    const slot = `${u.buildingId}|${u.floor}|${u.roomNo}`
    const codeOwner = codes.get(u.code)
    if (codeOwner !== undefined)
      abort({
        _tag: "Conflict",
        entity: "unit",
        id: u.id,
        detail: `public code already used by ${codeOwner}`,
      })
    const slotOwner = slots.get(slot)
    if (slotOwner !== undefined)
      abort({
        _tag: "Conflict",
        entity: "unit",
        id: u.id,
        detail: `floor ${u.floor} room ${u.roomNo} of building ${u.buildingId} is unit ${slotOwner}`,
      })
    codes.set(u.code, u.id)
    slots.set(slot, u.id)
  }
  return { projects, buildings, units }
}

const writeBatch = async (
  db: Kysely<Database>,
  batch: StockBatch,
  chunk: number = INSERT_CHUNK,
): Promise<WriteSummary> => {
  const { projects, buildings, units } = await distinctBatch(batch)
  return db.transaction().execute(async (trx) => {
    const rejectedP = await insertNew(trx, "projects", projects, projectToRow, chunk)
    const unchangedP = await settle(
      rejectedP,
      await selectProjects(
        trx,
        rejectedP.map((p) => p.id),
      ),
      sameProject,
      "project",
    )

    const projectIds = new Set(projects.map((p) => p.id as string))
    await requireExisting(trx, "projects", buildings, (b) => b.projectId, projectIds)
    const rejectedB = await insertNew(trx, "buildings", buildings, buildingToRow, chunk)
    const unchangedB = await settle(
      rejectedB,
      await selectBuildings(
        trx,
        rejectedB.map((b) => b.id),
      ),
      sameBuilding,
      "building",
    )

    const buildingIds = new Set(buildings.map((b) => b.id as string))
    await requireExisting(trx, "buildings", units, (u) => u.buildingId, buildingIds)
    await requireExisting(trx, "projects", units, (u) => u.projectId, projectIds)
    await requireSameProject(trx, units, buildings)
    const rejectedU = await insertNew(trx, "units", units, unitToRow, chunk)
    const unchangedU = await settle(
      rejectedU,
      await selectUnits(
        trx,
        rejectedU.map((u) => u.id),
      ),
      sameUnit,
      "unit",
    )
    const clash = rejectedU.find((u) => !unchangedU.has(u.id))
    if (clash !== undefined) await unitClash(trx, clash)

    // As in the memory store: every occurrence of a record that was already stored counts as unchanged.
    const count = (xs: ReadonlyArray<{ readonly id: string }>, ids: KeyIndex<true>) =>
      ids.size === 0 ? 0 : xs.filter((x) => ids.has(x.id)).length
    return {
      inserted: {
        projects: projects.length - rejectedP.length,
        buildings: buildings.length - rejectedB.length,
        units: units.length - rejectedU.length,
      },
      unchanged: {
        projects: count(batch.projects, unchangedP),
        buildings: count(batch.buildings, unchangedB),
        units: count(batch.units, unchangedU),
      },
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Bulk write through COPY (PostgreSQL over a `pg` pool; issue 16)

/**
 * Batches of at least this many records are written by `copyWriteBatch` when the database has a `pg`
 * pool; smaller ones (and every PGlite write) take the multi-row INSERT path above.
 */
export const COPY_FROM_RECORDS = 1000

type StockTable = keyof typeof INSERT_COLUMNS
const columnsOf = (table: StockTable): ReadonlyArray<string> => INSERT_COLUMNS[table].map(([name]) => name)
const stagingOf = (table: StockTable) => `anju_stage_${table}`

/** The records of one table into its temporary staging table (dropped at commit), with their batch order. */
const stage = async <A>(
  client: pg.PoolClient,
  s: string,
  table: StockTable,
  records: ReadonlyArray<A>,
  toRow: (a: A) => Record<string, CopyValue>,
) => {
  const columns = columnsOf(table)
  await client.query(
    `create temp table ${stagingOf(table)} (like ${s}.${table}, ord integer not null) on commit drop`,
  )
  await copyRows(client, stagingOf(table), [...columns, "ord"], records, (r, i) => {
    const row = toRow(r)
    return [...columns.map((c) => row[c]), i]
  })
  await client.query(`analyze ${stagingOf(table)}`)
}

/** Staged rows whose id is stored with other content (in batch order) — set-wise, one statement. */
const differing = async (client: pg.PoolClient, s: string, table: StockTable, limit: number) => {
  const columns = columnsOf(table)
  const { rows } = await client.query<{ id: string }>(
    `select st.id from ${stagingOf(table)} st join ${s}.${table} t on t.id = st.id
      where (${columns.map((c) => `st.${c}`).join(", ")}) is distinct from (${columns.map((c) => `t.${c}`).join(", ")})
      order by st.ord limit ${limit}`,
  )
  return rows
}

/**
 * Merges one staged table: stored rows with the same id must be identical (else Conflict), the others are
 * inserted with ON CONFLICT DO NOTHING. Returns the ids stored identically before (unchanged) and the
 * number inserted; a shortfall means a unit's code or slot is taken (Conflict naming the owner) or a
 * concurrent writer stored some records meanwhile (Contention: the whole write is retried).
 */
const mergeStaged = async (
  client: pg.PoolClient,
  s: string,
  table: StockTable,
  count: number,
  entity: "project" | "building" | "unit",
): Promise<{ readonly inserted: number; readonly unchanged: ReadonlySet<string> }> => {
  const columns = columnsOf(table).join(", ")
  const conflict = (id: string) =>
    abort({ _tag: "Conflict", entity, id, detail: `a ${entity} with this id has other attributes` })
  const { rows: stored } = await client.query<{ id: string }>(
    `select st.id from ${stagingOf(table)} st join ${s}.${table} t on t.id = st.id`,
  )
  if (stored.length > 0) {
    const first = (await differing(client, s, table, 1))[0]
    if (first !== undefined) conflict(first.id)
  }
  const unchanged = new Set(stored.map((r) => r.id))
  const result = await client.query(
    `insert into ${s}.${table} (${columns}) select ${columns} from ${stagingOf(table)} order by ord
      on conflict do nothing`,
  )
  const inserted = result.rowCount ?? 0
  if (inserted + unchanged.size < count) {
    const changed = (await differing(client, s, table, 1))[0]
    if (changed !== undefined) conflict(changed.id)
    if (table === "units") {
      const { rows } = await client.query<{
        id: string
        code: string
        building_id: string
        floor: number
        room_no: number
      }>(
        `select st.id, st.code, st.building_id, st.floor, st.room_no from ${stagingOf(table)} st
          where not exists (select 1 from ${s}.units u where u.id = st.id) order by st.ord limit 1`,
      )
      const u = rows[0]
      if (u !== undefined) {
        const owner = (
          await client.query<{ id: string; code: string }>(
            `select id, code from ${s}.units where code = $1 or (building_id = $2 and floor = $3 and room_no = $4)
              order by code = $1 desc limit 1`,
            [u.code, u.building_id, u.floor, u.room_no],
          )
        ).rows[0]
        abort({
          _tag: "Conflict",
          entity: "unit",
          id: u.id,
          detail:
            owner?.code === u.code
              ? `public code already used by ${owner.id}`
              : `floor ${u.floor} room ${u.room_no} of building ${u.building_id} is unit ${owner?.id ?? "(unknown)"}`,
        })
      }
    }
    abort({ _tag: "Contention", detail: "a concurrent write stored some of these records meanwhile" })
  }
  return { inserted, unchanged }
}

/**
 * The write of a large batch on PostgreSQL: one connection, one transaction; the batch's distinct records
 * are COPYed into temporary staging tables, the reference checks run set-wise in SQL (a building's
 * project, a unit's building and project, a unit in its building's project), and each table is merged by
 * one INSERT … SELECT. Same outcomes and summary as `writeBatch`; all or nothing.
 */
const copyWriteBatch = async (pool: pg.Pool, schema: string, batch: StockBatch): Promise<WriteSummary> => {
  const { projects, buildings, units } = await distinctBatch(batch)
  const s = quoteSchema(schema)
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query("begin")
    try {
      await stage(client, s, "projects", projects, projectToRow)
      await stage(client, s, "buildings", buildings, buildingToRow)
      await stage(client, s, "units", units, unitToRow)
      const p = await mergeStaged(client, s, "projects", projects.length, "project")

      const missingProject = (
        await client.query<{ project_id: string }>(
          `select st.project_id from ${stagingOf("buildings")} st
            where not exists (select 1 from ${s}.projects p where p.id = st.project_id) order by st.ord limit 1`,
        )
      ).rows[0]
      if (missingProject !== undefined)
        abort({ _tag: "MissingReference", entity: "project", id: missingProject.project_id })
      const b = await mergeStaged(client, s, "buildings", buildings.length, "building")

      // One pass over the staged units: the first unit (in batch order) of each kind of broken reference.
      const { rows: badReferences } = await client.query<{
        problem: number
        id: string
        building_id: string
        project_id: string
        building_project: string | null
      }>(
        `select distinct on (problem) problem, id, building_id, project_id, building_project from (
           select case when b.id is null then 0 when p.id is null then 1 else 2 end as problem,
                  st.id, st.building_id, st.project_id, b.project_id as building_project, st.ord
             from ${stagingOf("units")} st
             left join ${s}.buildings b on b.id = st.building_id
             left join ${s}.projects p on p.id = st.project_id
            where b.id is null or p.id is null or b.project_id <> st.project_id
         ) x order by problem, ord`,
      )
      const first = badReferences[0]
      if (first !== undefined)
        abort(
          first.problem === 0
            ? { _tag: "MissingReference", entity: "building", id: first.building_id }
            : first.problem === 1
              ? { _tag: "MissingReference", entity: "project", id: first.project_id }
              : {
                  _tag: "Rejected",
                  entity: "unit",
                  id: first.id,
                  detail: `unit names project ${first.project_id} but its building belongs to ${first.building_project}`,
                },
        )
      const u = await mergeStaged(client, s, "units", units.length, "unit")
      await client.query("commit")
      const count = (xs: ReadonlyArray<{ readonly id: string }>, ids: ReadonlySet<string>) =>
        ids.size === 0 ? 0 : xs.filter((x) => ids.has(x.id)).length
      return {
        inserted: { projects: p.inserted, buildings: b.inserted, units: u.inserted },
        unchanged: {
          projects: count(batch.projects, p.unchanged),
          buildings: count(batch.buildings, b.unchanged),
          units: count(batch.units, u.unchanged),
        },
      }
    } catch (e) {
      await client.query("rollback").catch((r: unknown) => {
        broken = r instanceof Error ? r : new Error(String(r))
      })
      throw e
    }
  } finally {
    client.release(broken)
  }
}

// ---------------------------------------------------------------------------------------------
// Optimistic update

const updateBatch = async (db: Kysely<Database>, updates: ReadonlyArray<UnitUpdate>): Promise<void> => {
  if (updates.length === 0) return
  await db.transaction().execute((trx) => updateUnitsIn(trx, updates))
}

/**
 * The optimistic unit update inside a caller's transaction (the selection store lets a unit in the same
 * transaction as the choice). A refusal throws; `stockRefusalOf` reads its StockStore reason.
 */
export const updateUnitsIn = async (
  trx: Transaction<Database>,
  updates: ReadonlyArray<UnitUpdate>,
): Promise<void> => {
  // Lock every named unit in id order (no deadlock between overlapping calls), then check in call order.
  const ids = [...new Set(updates.map((u) => u.unit.id as string))].sort()
  const locked = await trx
    .selectFrom("units")
    .selectAll()
    .where("id", "=", anyOf(ids))
    .orderBy(sql`id collate "C"`)
    .forUpdate()
    .execute()
  const current = new Map(locked.map((r) => [r.id, unitFromRow(r)]))
  const seen = new Set<string>()
  for (const { unit, expectedVersion } of updates) {
    const cur = current.get(unit.id)
    if (cur === undefined || cur.version !== expectedVersion || seen.has(unit.id))
      abort({ _tag: "StaleVersion", id: unit.id, expected: expectedVersion, actual: cur?.version ?? null })
    else if (
      unit.version !== expectedVersion + 1 ||
      unit.code !== cur.code ||
      unit.buildingId !== cur.buildingId ||
      unit.floor !== cur.floor ||
      unit.roomNo !== cur.roomNo
    )
      abort({
        _tag: "Conflict",
        entity: "unit",
        id: unit.id,
        detail: "an update must bump the version by one and keep code and location",
      })
    seen.add(unit.id)
  }
  for (const { unit, expectedVersion } of updates) {
    const { id: _id, code: _code, building_id: _b, floor: _f, room_no: _r, ...changes } = unitToRow(unit)
    const res = await trx
      .updateTable("units")
      .set(changes)
      .where("id", "=", unit.id)
      .where("version", "=", expectedVersion)
      .executeTakeFirst()
    if (res.numUpdatedRows !== 1n)
      abort({ _tag: "StaleVersion", id: unit.id, expected: expectedVersion, actual: null })
  }
}

/** The StockStore reason of a refusal thrown by `updateUnitsIn`, or undefined for any other error. */
export const stockRefusalOf = (e: unknown): StockStoreErrorReason | undefined =>
  e instanceof Abort ? e.reason : undefined

// ---------------------------------------------------------------------------------------------
// Listing

const listPage = async (db: Kysely<Database>, q: UnitQuery) => {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute(async (trx) => {
      const filtered = trx
        .selectFrom("units")
        .$if(q.projectId !== undefined, (qb) => qb.where("project_id", "=", q.projectId!))
        .$if(q.buildingId !== undefined, (qb) => qb.where("building_id", "=", q.buildingId!))
        .$if(q.kind !== undefined, (qb) => qb.where("kind", "=", q.kind!))
        .$if(q.status !== undefined, (qb) => qb.where("status", "=", q.status!))
        .$if(q.bedrooms !== undefined, (qb) => qb.where("bedrooms", "=", q.bedrooms!))
        .$if(q.minArea !== undefined, (qb) => qb.where("area", ">=", q.minArea!))
        .$if(q.maxArea !== undefined, (qb) => qb.where("area", "<=", q.maxArea!))
        .$if(q.district !== undefined, (qb) =>
          qb.where("project_id", "in", (eb) =>
            eb.selectFrom("projects").select("projects.id").where("projects.district", "=", q.district!),
          ),
        )
        .where((eb) => inScope(eb, q))
      const totalRow = await filtered
        .select((eb) => eb.fn.countAll<string | number>().as("n"))
        .executeTakeFirstOrThrow()
      const rows = await filtered
        .selectAll()
        .$if(q.after !== undefined, (qb) => qb.where(sql<string>`id collate "C"`, ">", q.after!))
        .orderBy(sql`id collate "C"`)
        .limit(q.limit + 1)
        .execute()
      const items = rows.slice(0, q.limit).map(unitFromRow)
      const last = items.at(-1)
      return {
        items,
        total: Number(totalRow.n),
        next: rows.length > q.limit && last !== undefined ? last.id : null,
      }
    })
}

// ---------------------------------------------------------------------------------------------
// The public record behind a code (J2): the hottest read, one statement compiled once (issue 16)

/** The unit, its building and its project joined by the unit's code: one round trip per look-up. */
export const placedUnitQuery = (db: Kysely<Database>, code: string) =>
  db
    .selectFrom("units as u")
    .innerJoin("buildings as b", "b.id", "u.building_id")
    .innerJoin("projects as p", "p.id", "u.project_id")
    .selectAll("u")
    .select([
      "b.name as b_name",
      "b.total_floors as b_total_floors",
      "b.units_per_floor as b_units_per_floor",
      "b.has_lift as b_has_lift",
      sql<string>`to_char(b.completion_date, 'YYYY-MM-DD')`.as("b_completion_date"),
      "p.name as p_name",
      "p.kind as p_kind",
      "p.district as p_district",
      "p.address as p_address",
      "p.operator_uscc as p_operator_uscc",
      "p.operator_name as p_operator_name",
      "p.service_phone as p_service_phone",
    ])
    .where("u.code", "=", code)

type PlacedRow = Awaited<ReturnType<ReturnType<typeof placedUnitQuery>["executeTakeFirstOrThrow"]>>

const placedFromRow = (r: PlacedRow): PlacedUnit => ({
  unit: unitFromRow(r),
  building: buildingFromRow({
    id: r.building_id,
    project_id: r.project_id,
    name: r.b_name,
    total_floors: r.b_total_floors,
    units_per_floor: r.b_units_per_floor,
    has_lift: r.b_has_lift,
    completion_date: r.b_completion_date,
  }),
  project: projectFromRow({
    id: r.project_id,
    name: r.p_name,
    kind: r.p_kind,
    district: r.p_district,
    address: r.p_address,
    operator_uscc: r.p_operator_uscc,
    operator_name: r.p_operator_name,
    service_phone: r.p_service_phone,
  }),
})

/**
 * `findPlacedUnitByCode`: the statement is compiled once per store and run with the code bound as its
 * one parameter (building and compiling the Kysely tree per request was measurable under load).
 */
const placedUnitByCode = (db: Kysely<Database>) => {
  const compiled = placedUnitQuery(db, "").compile()
  return async (code: string): Promise<Option.Option<PlacedUnit>> => {
    const { rows } = await db.executeQuery<PlacedRow>({ ...compiled, parameters: [code] })
    const row = rows[0]
    return row === undefined ? Option.none() : Option.some(placedFromRow(row))
  }
}

// ---------------------------------------------------------------------------------------------
// Inventory counts (R26–R42): GROUP BY in the database, decoded at the edge

const CountRow = Schema.Struct({
  projectId: ProjectId,
  bedrooms: Schema.Int,
  halls: Schema.Int,
  status: UnitStatus,
  units: Schema.Int,
})
const decodeCountRow = Schema.decodeUnknownResult(CountRow)

const countPage = async (db: Kysely<Database>, q: UnitCountQuery): Promise<ReadonlyArray<StatusCount>> => {
  const rows = await db
    .selectFrom("units")
    .select((eb) => ["project_id", "bedrooms", "halls", "status", eb.fn.countAll<string | number>().as("n")])
    .$if(q.projectId !== undefined, (qb) => qb.where("project_id", "=", q.projectId!))
    .where((eb) => inScope(eb, q))
    .groupBy(["project_id", "bedrooms", "halls", "status"])
    // The canonical order of `compareStatusCounts`: code-unit order of the ASCII ids and status codes.
    .orderBy(sql`project_id collate "C"`)
    .orderBy("bedrooms")
    .orderBy("halls")
    .orderBy(sql`status collate "C"`)
    .execute()
  return rows.map((r) =>
    decoded(
      "inventory count",
      decodeCountRow({
        projectId: r.project_id,
        bedrooms: Number(r.bedrooms),
        halls: Number(r.halls),
        status: r.status,
        units: Number(r.n),
      }),
    ),
  )
}

// ---------------------------------------------------------------------------------------------

/** The StockStore over the PgDatabase in context (PostgreSQL or PGlite), with the COPY threshold given. */
export const makeWith = (options: {
  /** Records from which a batch is written through COPY (default COPY_FROM_RECORDS; PostgreSQL only). */
  readonly copyFromRecords?: number
}) =>
  Effect.gen(function* () {
    const database = yield* PgDatabase
    const db = database.db.withSchema(database.schema)
    const pool = poolOf(database.db)
    const copyFrom = options.copyFromRecords ?? COPY_FROM_RECORDS
    // A finite threshold asked for explicitly means COPY must be possible (not a silent INSERT fallback).
    if (options.copyFromRecords !== undefined && Number.isFinite(copyFrom) && pool === undefined)
      return yield* Effect.die(new Error("COPY writes need PostgreSQL through a pg pool (makeKysely)"))
    const findPlaced = placedUnitByCode(db)
    return StockStore.of({
      write: (batch) =>
        run(() =>
          pool !== undefined &&
          batch.projects.length + batch.buildings.length + batch.units.length >= copyFrom
            ? copyWriteBatch(pool, database.schema, batch)
            : writeBatch(db, batch, database.statementRows ?? INSERT_CHUNK),
        ),
      getProjects: (ids) => run(async () => inIdOrder(ids, await selectProjects(db, ids))),
      getBuildings: (ids) => run(async () => inIdOrder(ids, await selectBuildings(db, ids))),
      getUnits: (ids) => run(async () => inIdOrder(ids, await selectUnits(db, ids))),
      findPlacedUnitByCode: (code) => run(() => findPlaced(code)),
      findUnitByCode: (code) =>
        run(async () => {
          const row = await db.selectFrom("units").selectAll().where("code", "=", code).executeTakeFirst()
          return row === undefined ? Option.none() : Option.some(unitFromRow(row))
        }),
      updateUnits: (updates) => run(() => updateBatch(db, updates)),
      listUnits: (query) => run(() => listPage(db, query)),
      countUnits: (query) => run(() => countPage(db, query)),
    })
  })

/** The StockStore over the PgDatabase in context (PostgreSQL or PGlite). */
export const make = makeWith({})

/** StockStore over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<StockStore, never, PgDatabase> = Layer.effect(StockStore, make)
