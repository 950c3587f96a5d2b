/**
 * In-memory AuditLog: the reference implementation of the port. Appends run synchronously inside one
 * Effect step (read head, chain, push), so concurrent fibers can never interleave between seq assignment
 * and chaining: the chain is linear by construction. Validation and chaining are the domain's
 * (AuditRecord, AuditChain); nothing outside this closure can alter a stored record.
 */
import { Effect, Layer, Result } from "effect"
import { AuditLog, AuditLogError, type AuditQuery, MAX_AUDIT_PAGE } from "../../application/ports/AuditLog.js"
import { type AuditRecord, chainNext, headOf } from "../../domain/audit/AuditChain.js"
import type { AuditCheckpoint } from "../../domain/audit/AuditCheckpoint.js"
import { validateAuditEntry } from "../../domain/audit/AuditRecord.js"

const clampLimit = (limit: number): number =>
  Math.max(1, Math.min(MAX_AUDIT_PAGE, Number.isFinite(limit) ? Math.floor(limit) : MAX_AUDIT_PAGE))

export const matches = (r: AuditRecord, q: AuditQuery): boolean =>
  (q.actorId === undefined || r.entry.actorId === q.actorId) &&
  (q.object === undefined || r.entry.object === q.object) &&
  (q.action === undefined || r.entry.action === q.action) &&
  (q.from === undefined || r.entry.at >= q.from) &&
  (q.to === undefined || r.entry.at < q.to) &&
  (q.after === undefined || r.seq > q.after)

export const make = Effect.sync(() => {
  const records: AuditRecord[] = []
  const checkpoints = new Map<number, AuditCheckpoint>()
  return AuditLog.of({
    append: (entry) =>
      Effect.suspend(() => {
        const v = validateAuditEntry(entry)
        if (Result.isFailure(v))
          return Effect.fail(
            new AuditLogError({
              reason: {
                _tag: "Rejected",
                field: v.failure.field,
                rule: v.failure.rule,
                detail: v.failure.message,
              },
            }),
          )
        const record = chainNext(headOf(records), { ...entry })
        records.push(record)
        return Effect.succeed(record)
      }),
    head: () => Effect.sync(() => headOf(records)),
    read: (fromSeq, limit) =>
      Effect.sync(() => records.slice(Math.max(0, Math.floor(fromSeq) - 1)).slice(0, clampLimit(limit))),
    query: (q) =>
      Effect.sync(() => {
        const limit = clampLimit(q.limit)
        const out: AuditRecord[] = []
        let more = false
        for (const r of records) {
          if (!matches(r, q)) continue
          if (out.length === limit) {
            more = true
            break
          }
          out.push(r)
        }
        return { records: out, next: more ? out.at(-1)!.seq : null }
      }),
    putCheckpoint: (c) =>
      Effect.suspend(() => {
        const prior = checkpoints.get(c.lastSeq)
        if (prior === undefined) {
          checkpoints.set(c.lastSeq, c)
          return Effect.succeed(c)
        }
        return prior.lastHash === c.lastHash && prior.firstSeq === c.firstSeq
          ? Effect.succeed(prior)
          : Effect.fail(new AuditLogError({ reason: { _tag: "Conflict", lastSeq: c.lastSeq } }))
      }),
    checkpoints: () => Effect.sync(() => [...checkpoints.values()].sort((a, b) => a.lastSeq - b.lastSeq)),
  })
})

export const layer: Layer.Layer<AuditLog> = Layer.effect(AuditLog, make)
