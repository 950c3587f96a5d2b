/**
 * AuditLog over PostgreSQL (or PGlite) through Kysely. An append is ONE transaction: lock the head row
 * (`SELECT … FOR UPDATE`, so appenders serialise and the chain is linear), chain the entry with SM3 after
 * it (node:crypto's, byte-identical to the domain's) and insert; the insert trigger checks that the record
 * follows the head and advances it (AuditSchema). Stored rows are read back exactly as they are — never
 * re-validated — so the pure verifier judges what the database holds. Driver errors are classified in
 * `classifyAuditError` by SQLSTATE and constraint.
 */
import { createHash } from "node:crypto"
import { Effect, Layer, Result, Schedule } from "effect"
import { type Kysely, type RawBuilder, sql } from "kysely"
import {
  AuditLog,
  AuditLogError,
  type AuditLogErrorReason,
  type AuditQuery,
  MAX_AUDIT_PAGE,
} from "../../application/ports/AuditLog.js"
import { type AuditRecord, type ChainHead, chainNext } from "../../domain/audit/AuditChain.js"
import type { AuditCheckpoint } from "../../domain/audit/AuditCheckpoint.js"
import { type AuditOutcome, hasUnstorableText, validateAuditEntry } from "../../domain/audit/AuditRecord.js"
import type { HashHex } from "../../domain/integrity/HashChain.js"
import type { AuditCheckpointsTable, AuditRecordsTable } from "./AuditSchema.js"
import { type Database, PgDatabase } from "./PgDatabase.js"

const nodeSm3: HashHex = (text) => createHash("sm3").update(text, "utf8").digest("hex")

/** Thrown inside a transaction to roll it back with a port failure; caught at the Effect boundary. */
class Abort {
  constructor(readonly reason: AuditLogErrorReason) {}
}

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/**
 * Driver error → AuditLog failure: 40001/40P01 and a lost race on the head (23514 audit_follows_head,
 * 23505 audit_records_pkey) → Contention; anything else → Unavailable (SQLSTATE and message, for logs).
 */
export const classifyAuditError = (e: unknown): AuditLogErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = field(e, "code")
  const constraint = field(e, "constraint") ?? ""
  const message = field(e, "message") ?? String(e)
  if (code === "40001" || code === "40P01") return { _tag: "Contention", detail: message }
  if (
    (code === "23514" && constraint === "audit_follows_head") ||
    (code === "23505" && constraint === "audit_records_pkey")
  )
    return { _tag: "Contention", detail: "another append moved the audit head" }
  return { _tag: "Unavailable", detail: code === undefined ? message : `${code}: ${message}` }
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new AuditLogError({ reason: classifyAuditError(e) }) }).pipe(
    Effect.retry({
      while: (e: AuditLogError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

type RecordRow = Omit<AuditRecordsTable, "seq"> & { seq: string | number }
type CheckpointRow = Omit<AuditCheckpointsTable, "last_seq" | "first_seq"> & {
  last_seq: string | number
  first_seq: string | number
}

const COLUMNS = sql.raw(
  "seq, at, actor_id, actor_role, action, object, purpose, outcome, request_id, detail, prev_hash, hash",
)

/** The stored row as a record, verbatim. */
const recordOf = (r: RecordRow): AuditRecord => ({
  seq: Number(r.seq),
  entry: {
    at: r.at,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    object: r.object,
    purpose: r.purpose,
    outcome: r.outcome as AuditOutcome,
    requestId: r.request_id,
    detail: r.detail,
  },
  prevHash: r.prev_hash,
  hash: r.hash,
})

const checkpointOf = (r: CheckpointRow): AuditCheckpoint => ({
  firstSeq: Number(r.first_seq),
  lastSeq: Number(r.last_seq),
  lastHash: r.last_hash,
  at: r.at,
  signature: { algorithm: "SM2-SM3", userId: r.user_id, publicKey: r.public_key, value: r.signature },
})

const clampLimit = (limit: number): number =>
  Math.max(1, Math.min(MAX_AUDIT_PAGE, Number.isFinite(limit) ? Math.floor(limit) : MAX_AUDIT_PAGE))

/** A seq argument as a bigint literal: whole, clamped to [0, 2^53 − 1] (NaN → 0). */
const seqArg = (n: number): string =>
  String(Number.isNaN(n) ? 0 : Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(n))))

/** A filter value no stored (validated) record can hold and PostgreSQL could not even compare. */
const unstorable = (s: string | undefined): boolean => s !== undefined && hasUnstorableText(s)

/** The AuditLog over the PgDatabase in context (PostgreSQL or PGlite). */
export const makeWith = (hash: HashHex = nodeSm3) =>
  Effect.gen(function* () {
    const { db, schema } = yield* PgDatabase
    const t = (name: string) => sql.table(`${schema}.${name}`)
    const k: Kysely<Database> = db

    const append = (entry: Parameters<AuditLog["Service"]["append"]>[0]) =>
      run(async () => {
        const v = validateAuditEntry(entry)
        if (Result.isFailure(v))
          throw new Abort({
            _tag: "Rejected",
            field: v.failure.field,
            rule: v.failure.rule,
            detail: v.failure.message,
          })
        return k.transaction().execute(async (trx) => {
          const head = await sql<{ seq: string | number; hash: string }>`
            select seq, hash from ${t("audit_head")} where id = 1 for update`.execute(trx)
          const h = head.rows[0]
          if (h === undefined) throw new Error("audit_head is missing (migration 600 not applied)")
          const r = chainNext({ seq: Number(h.seq), hash: h.hash }, { ...entry }, hash)
          const e = r.entry
          await sql`
            insert into ${t("audit_records")} (${COLUMNS})
            values (${String(r.seq)}::bigint, ${e.at}, ${e.actorId}, ${e.actorRole}, ${e.action}, ${e.object},
              ${e.purpose}, ${e.outcome}, ${e.requestId}, ${e.detail}, ${r.prevHash}, ${r.hash})`.execute(trx)
          return r
        })
      })

    const query = (q: AuditQuery) =>
      run(async () => {
        const limit = clampLimit(q.limit)
        if ([q.actorId, q.object, q.action, q.from, q.to].some(unstorable)) return { records: [], next: null }
        const where: RawBuilder<unknown>[] = [sql`true`]
        if (q.actorId !== undefined) where.push(sql`actor_id = ${q.actorId}`)
        if (q.object !== undefined) where.push(sql`object = ${q.object}`)
        if (q.action !== undefined) where.push(sql`action = ${q.action}`)
        if (q.from !== undefined) where.push(sql`at >= ${q.from}`)
        if (q.to !== undefined) where.push(sql`at < ${q.to}`)
        if (q.after !== undefined) where.push(sql`seq > ${seqArg(q.after)}::bigint`)
        const rows = await sql<RecordRow>`
          select ${COLUMNS} from ${t("audit_records")} where ${sql.join(where, sql` and `)}
           order by seq limit ${limit + 1}`.execute(k)
        const records = rows.rows.slice(0, limit).map(recordOf)
        return { records, next: rows.rows.length > limit ? records.at(-1)!.seq : null }
      })

    const putCheckpoint = (c: AuditCheckpoint) =>
      run(async () => {
        const s = c.signature
        const inserted = await sql<CheckpointRow>`
          insert into ${t("audit_checkpoints")}
            (last_seq, first_seq, last_hash, at, algorithm, user_id, public_key, signature)
          values (${String(c.lastSeq)}::bigint, ${String(c.firstSeq)}::bigint, ${c.lastHash}, ${c.at},
            ${s.algorithm}, ${s.userId}, ${s.publicKey}, ${s.value})
          on conflict (last_seq) do nothing
          returning *`.execute(k)
        if (inserted.rows.length > 0) return c
        const prior = await sql<CheckpointRow>`
          select * from ${t("audit_checkpoints")} where last_seq = ${String(c.lastSeq)}::bigint`.execute(k)
        const p = prior.rows[0]
        if (p === undefined) throw new Abort({ _tag: "Contention", detail: "checkpoint vanished" })
        const stored = checkpointOf(p)
        if (stored.lastHash !== c.lastHash || stored.firstSeq !== c.firstSeq)
          throw new Abort({ _tag: "Conflict", lastSeq: c.lastSeq })
        return stored
      })

    return AuditLog.of({
      append,
      head: () =>
        run(async (): Promise<ChainHead> => {
          const rows = await sql<{ seq: string | number; hash: string }>`
            select seq, hash from ${t("audit_head")} where id = 1`.execute(k)
          const h = rows.rows[0]
          if (h === undefined) throw new Error("audit_head is missing (migration 600 not applied)")
          return { seq: Number(h.seq), hash: h.hash }
        }),
      read: (fromSeq, limit) =>
        run(async () => {
          const rows = await sql<RecordRow>`
            select ${COLUMNS} from ${t("audit_records")}
             where seq >= ${seqArg(fromSeq)}::bigint
             order by seq limit ${clampLimit(limit)}`.execute(k)
          return rows.rows.map(recordOf)
        }),
      query,
      putCheckpoint,
      checkpoints: () =>
        run(async () => {
          const rows = await sql<CheckpointRow>`
            select * from ${t("audit_checkpoints")} order by last_seq`.execute(k)
          return rows.rows.map(checkpointOf)
        }),
    })
  })

export const make = makeWith()

/** AuditLog over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<AuditLog, never, PgDatabase> = Layer.effect(AuditLog, make)
