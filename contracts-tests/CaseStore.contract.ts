/**
 * Contract suite for the CaseStore port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this
 * file through `suite(name, layer)`: round trips, optimistic concurrency, idempotency records, atomic
 * outbox, scoped listing with keyset paging, look-up by blind index. Ids carry a fresh tag so runs may
 * share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import {
  type CaseChange,
  CaseStore,
  type CaseStoreError,
  type StoredCase,
} from "../application/ports/CaseStore.js"
import type { CaseId, CaseState } from "../domain/cases/Case.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const sealed = (s: string) => ({ keyId: "k1", ciphertext: `ct:${s}` })

export const storedCase = (id: string, patch: Partial<StoredCase> = {}): StoredCase => ({
  id: id as CaseId,
  kind: "gongzu",
  state: "draft",
  version: 1,
  channel: "offline",
  district: "310115",
  projectId: null,
  members: [
    {
      role: "applicant",
      name: sealed("n"),
      idNumber: sealed("i"),
      idIndex: `idx-${id}`,
      phone: null,
      bankCard: null,
    },
  ],
  materials: { required: ["id_card"], received: [] },
  predecessorId: null,
  tags: [],
  resumeTo: null,
  evidence: [],
  firstNotice: null,
  onlineNotice: null,
  certificate: null,
  closure: null,
  economy: null,
  receivedAt: 1_770_000_000_000,
  updatedAt: 1_770_000_000_000,
  ...patch,
})

const change = (
  c: StoredCase,
  expectedVersion: number,
  key: string,
  from: CaseState | null = null,
): CaseChange => ({
  case: c,
  expectedVersion,
  history: {
    caseId: c.id,
    version: c.version,
    at: c.updatedAt,
    actorId: "officer-1",
    actorRole: "district",
    command: "test",
    from,
    to: c.state,
    note: "",
  },
  events: [
    {
      id: `${c.id}:${c.version}:0`,
      caseId: c.id,
      at: c.updatedAt,
      type: "Tested",
      payload: { v: c.version },
    },
  ],
  command: {
    actorId: "officer-1",
    key,
    requestDigest: `d-${key}`,
    caseId: c.id,
    outcome: { state: c.state, version: c.version },
  },
})

const reasonOf = <A>(exit: Exit.Exit<A, CaseStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

export const suite = (name: string, storeLayer: Layer.Layer<CaseStore, unknown>) =>
  describe(`CaseStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("commits a case with history, command record and outbox; reads it back unchanged", () =>
        Effect.gen(function* () {
          const store = yield* CaseStore
          const tag = freshTag("rt")
          const c = storedCase(`C-${tag}`, {
            evidence: [{ source: "marriage", at: 5, requestDigest: "x", result: "pass", detail: "ok" }],
          })
          const before = (yield* store.outbox(0, 100_000)).length
          yield* store.commit(change(c, 0, `k-${tag}`))
          expect(Option.getOrUndefined(yield* store.get(c.id))).toEqual(c)
          expect(yield* store.history(c.id)).toEqual([change(c, 0, "x").history])
          expect(Option.getOrUndefined(yield* store.findCommand("officer-1", `k-${tag}`))).toMatchObject({
            caseId: c.id,
            requestDigest: `d-k-${tag}`,
            outcome: { state: "draft", version: 1 },
          })
          const events = (yield* store.outbox(0, 100_000)).slice(before)
          expect(events.filter((e) => e.caseId === c.id).map((e) => e.type)).toEqual(["Tested"])
          expect(Option.isNone(yield* store.get(`C-${tag}-none` as CaseId))).toBe(true)
        }),
      )

      it.effect(
        "optimistic concurrency: a stale version fails and writes nothing (no history, no outbox)",
        () =>
          Effect.gen(function* () {
            const store = yield* CaseStore
            const tag = freshTag("occ")
            const c = storedCase(`C-${tag}`)
            yield* store.commit(change(c, 0, `k1-${tag}`))
            const v2 = { ...c, state: "awaiting_acceptance" as const, version: 2 }
            yield* store.commit(change(v2, 1, `k2-${tag}`, "draft"))
            const before = (yield* store.outbox(0, 100_000)).length
            const stale = yield* Effect.exit(
              store.commit(change({ ...c, state: "rejected", version: 2 }, 1, `k3-${tag}`)),
            )
            expect(reasonOf(stale)).toMatchObject({ _tag: "StaleVersion", expected: 1, actual: 2 })
            expect(Option.getOrUndefined(yield* store.get(c.id))?.state).toBe("awaiting_acceptance")
            expect((yield* store.history(c.id)).length).toBe(2)
            expect((yield* store.outbox(0, 100_000)).length).toBe(before)
            expect(Option.isNone(yield* store.findCommand("officer-1", `k3-${tag}`))).toBe(true)
          }),
      )

      it.effect("a new case id that exists, or a used command key, is a conflict and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* CaseStore
          const tag = freshTag("conf")
          const c = storedCase(`C-${tag}`)
          yield* store.commit(change(c, 0, `k1-${tag}`))
          expect(reasonOf(yield* Effect.exit(store.commit(change(c, 0, `k2-${tag}`))))).toMatchObject({
            _tag: "Conflict",
            entity: "case",
          })
          const other = storedCase(`C-${tag}-b`)
          expect(reasonOf(yield* Effect.exit(store.commit(change(other, 0, `k1-${tag}`))))).toMatchObject({
            _tag: "Conflict",
            entity: "command",
          })
          expect(Option.isNone(yield* store.get(other.id))).toBe(true)
        }),
      )

      it.effect("concurrent commits of one version: exactly one succeeds", () =>
        Effect.gen(function* () {
          const store = yield* CaseStore
          const tag = freshTag("race")
          const c = storedCase(`C-${tag}`)
          yield* store.commit(change(c, 0, `k-${tag}`))
          const exits = yield* Effect.all(
            Array.from({ length: 6 }, (_, i) =>
              Effect.exit(store.commit(change({ ...c, version: 2, tags: [`t${i}`] }, 1, `k-${tag}-${i}`))),
            ),
            { concurrency: "unbounded" },
          )
          expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
          expect((yield* store.history(c.id)).length).toBe(2)
        }),
      )

      it.effect("lists by district, project, applicant, state and actor with keyset paging in id order", () =>
        Effect.gen(function* () {
          const store = yield* CaseStore
          const tag = freshTag("list")
          const district = `9${String(counter % 100000).padStart(5, "0")}`
          const ids = Array.from({ length: 7 }, (_, i) => `L-${tag}-${i}`)
          for (const [i, id] of ids.entries())
            yield* store.commit(
              change(
                storedCase(id, {
                  district,
                  projectId: i % 2 === 0 ? `P-${tag}` : null,
                  state: i < 5 ? "verifying" : "admitted",
                }),
                0,
                `k-${id}`,
              ),
            )
          const seen: Array<string> = []
          let after: CaseId | undefined
          for (let n = 0; n < 10; n++) {
            const page = yield* store.list({
              districts: [district],
              limit: 3,
              ...(after === undefined ? {} : { after }),
            })
            seen.push(...page.items.map((c) => c.id))
            if (page.next === null) break
            after = page.next
          }
          expect(seen).toEqual(ids)
          expect(
            (yield* store.list({ districts: [district], states: ["admitted"], limit: 50 })).items.map(
              (c) => c.id,
            ),
          ).toEqual(ids.slice(5))
          expect((yield* store.list({ projectIds: [`P-${tag}`], limit: 50 })).items.map((c) => c.id)).toEqual(
            ids.filter((_, i) => i % 2 === 0),
          )
          expect(
            (yield* store.list({ applicantIndex: `idx-${ids[3]}`, limit: 50 })).items.map((c) => c.id),
          ).toEqual([ids[3]])
          expect(
            (yield* store.list({ districts: [district], actedBy: "officer-1", limit: 50 })).items,
          ).toHaveLength(7)
          expect(
            (yield* store.list({ districts: [district], actedBy: "nobody", limit: 50 })).items,
          ).toHaveLength(0)
        }),
      )

      it.effect("finds cases by any member's blind index; a member change re-indexes", () =>
        Effect.gen(function* () {
          const store = yield* CaseStore
          const tag = freshTag("idx")
          const co = {
            role: "co_applicant" as const,
            name: sealed("m"),
            idNumber: sealed("j"),
            idIndex: `co-${tag}`,
            phone: null,
            bankCard: null,
          }
          const a = storedCase(`A-${tag}`)
          const b = storedCase(`B-${tag}`)
          yield* store.commit(change({ ...a, members: [...a.members, co] }, 0, `ka-${tag}`))
          yield* store.commit(change({ ...b, members: [...b.members, co] }, 0, `kb-${tag}`))
          expect((yield* store.findByIdIndex(`co-${tag}`)).map((c) => c.id)).toEqual([a.id, b.id])
          yield* store.commit(change({ ...b, version: 2 }, 1, `kb2-${tag}`))
          expect((yield* store.findByIdIndex(`co-${tag}`)).map((c) => c.id)).toEqual([a.id])
        }),
      )

      it.effect(
        "resealCase swaps sealed values at the same version (no history, no outbox); stale → false; economy sealed or legacy plain round-trips",
        () =>
          Effect.gen(function* () {
            const store = yield* CaseStore
            const tag = freshTag("reseal")
            // A row from before income and assets were sealed: plain strings, read back as they are.
            const legacy = storedCase(`R-${tag}`, {
              economy: {
                householdSize: 3,
                illnessPoverty: false,
                annualDisposableIncome: "30000.00",
                property: "0",
              },
            })
            yield* store.commit(change(legacy, 0, `kr-${tag}`))
            expect(Option.getOrUndefined(yield* store.get(legacy.id))).toEqual(legacy)
            const outboxBefore = (yield* store.outbox(0, 100_000)).length
            const resealed = {
              ...legacy,
              members: legacy.members.map((m) => ({ ...m, name: sealed("n2"), idNumber: sealed("i2") })),
              economy: {
                householdSize: 3,
                illnessPoverty: false,
                annualDisposableIncome: sealed("inc"),
                property: sealed("ast"),
              },
            }
            expect(yield* store.resealCase(resealed, 1)).toBe(true)
            expect(Option.getOrUndefined(yield* store.get(legacy.id))).toEqual(resealed)
            expect(yield* store.history(legacy.id)).toHaveLength(1)
            expect((yield* store.outbox(0, 100_000)).length).toBe(outboxBefore)
            expect((yield* store.findByIdIndex(`idx-R-${tag}`)).map((c) => c.id)).toEqual([legacy.id])
            // The case moved on meanwhile: the swap is refused and the newer row kept.
            const v2 = { ...resealed, version: 2, state: "awaiting_pre_review" as const }
            yield* store.commit(change(v2, 1, `kr2-${tag}`, "draft"))
            expect(yield* store.resealCase({ ...resealed, members: legacy.members }, 1)).toBe(false)
            expect(Option.getOrUndefined(yield* store.get(legacy.id))).toEqual(v2)
            expect(yield* store.resealCase({ ...legacy, id: `R-${tag}-none` as CaseId }, 1)).toBe(false)
          }),
      )
    })
  })
