/**
 * Contract suite for the WarningStore port (R24 warning list, R85–R88 re-check results). Every adapter
 * (memory, PGlite, PostgreSQL) runs exactly this file through `suite(name, layer)`: round trip, raise
 * idempotent by key (also concurrently and after resolution), filters and the list order (open first, newest
 * first) with a cursor that visits every record once, one resolution with its trail, idempotent check
 * results, and the law that any sequence of raises stores one record per distinct key. Districts and case
 * ids carry a fresh tag so runs may share one database.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { WarningStore, type WarningStoreError } from "../application/ports/WarningStore.js"
import type { WarningLevel } from "../domain/guard/GuardWarning.js"
import { makeWarningRecord, type WarningRecord, warningKey } from "../domain/guard/WarningRecord.js"
import type { RecheckResult } from "../domain/supervision/Recheck.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const T0 = 1_770_000_000_000

/** A record whose id is its key (any injective function of the key will do for the store). */
export const warningRecord = (
  input: {
    readonly district: string
    readonly caseId: string
    readonly person?: string
    readonly rule?: string
    readonly level?: WarningLevel
    readonly period?: string
    readonly at?: number
  },
  message = "比对命中",
): WarningRecord => {
  const person = input.person ?? `idx-${input.caseId}`
  const rule = input.rule ?? "R87"
  const level = input.level ?? "orange"
  const period = input.period ?? "2026-03"
  const subject = `case:${input.caseId}`
  const id = warningKey({ personIndex: person, category: rule, level, subject, period })
    .replaceAll("|", "~")
    .slice(0, 100)
  return makeWarningRecord({
    id,
    warning: { rule, level, block: false, message, evidence: { check: "death" }, parameters: [] },
    personIndex: person,
    district: input.district,
    subject,
    period,
    raisedOn: "2026-03-05",
    raisedAt: input.at ?? T0,
    raisedBy: "worker",
    caseId: input.caseId,
  })
}

const reasonOf = (exit: Exit.Exit<unknown, WarningStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason._tag] : []))[0]
    : undefined

export const suite = (name: string, storeLayer: Layer.Layer<WarningStore, unknown>) =>
  describe(`WarningStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect(
        "raises a warning and reads it back unchanged; a second raise of the key keeps the first",
        () =>
          Effect.gen(function* () {
            const store = yield* WarningStore
            const d = freshTag("d")
            const w = warningRecord({ district: d, caseId: freshTag("c") })
            const first = yield* store.raise(w)
            expect(first).toEqual({ created: true, warning: w })
            expect(yield* store.get(w.id)).toEqual(Option.some(w))
            const again = yield* store.raise({ ...w, message: "another text", raisedAt: T0 + 99 })
            expect(again).toEqual({ created: false, warning: w })
            const [a, b] = yield* Effect.all([store.raise(w), store.raise(w)], { concurrency: 2 })
            expect([a.created, b.created]).toEqual([false, false])
            expect((yield* store.list({ districts: [d], limit: 10 })).items).toEqual([w])
            expect(yield* store.get("no-such-warning")).toEqual(Option.none())
          }),
      )

      it.effect("concurrent first raises of one key create exactly one record", () =>
        Effect.gen(function* () {
          const store = yield* WarningStore
          const d = freshTag("d")
          const w = warningRecord({ district: d, caseId: freshTag("c") })
          const rs = yield* Effect.all([store.raise(w), store.raise(w), store.raise(w)], { concurrency: 3 })
          expect(rs.filter((r) => r.created)).toHaveLength(1)
          expect((yield* store.list({ districts: [d], limit: 10 })).items).toHaveLength(1)
        }),
      )

      it.effect("lists by district, level, rule, case and status; open first, newest first", () =>
        Effect.gen(function* () {
          const store = yield* WarningStore
          const d1 = freshTag("d")
          const d2 = freshTag("d")
          const c1 = freshTag("c")
          const c2 = freshTag("c")
          const old = warningRecord({ district: d1, caseId: c1, at: T0 })
          const newer = warningRecord({ district: d1, caseId: c1, rule: "R86", at: T0 + 10 })
          const yellow = warningRecord({ district: d1, caseId: c2, rule: "R85", level: "yellow", at: T0 + 5 })
          const other = warningRecord({ district: d2, caseId: freshTag("c"), at: T0 + 20 })
          for (const w of [old, newer, yellow, other]) yield* store.raise(w)
          const resolved = yield* store.resolve({
            id: newer.id,
            by: "officer-1",
            at: T0 + 30,
            reason: "核实无误",
          })
          const ids = (p: { items: ReadonlyArray<WarningRecord> }) => p.items.map((w) => w.id)
          expect(ids(yield* store.list({ districts: [d1], limit: 10 }))).toEqual([
            yellow.id,
            old.id,
            newer.id,
          ])
          expect(ids(yield* store.list({ districts: [d1, d2], status: "open", limit: 10 }))).toEqual([
            other.id,
            yellow.id,
            old.id,
          ])
          expect(ids(yield* store.list({ districts: [d1], levels: ["yellow"], limit: 10 }))).toEqual([
            yellow.id,
          ])
          expect(ids(yield* store.list({ districts: [d1], rules: ["R86"], limit: 10 }))).toEqual([newer.id])
          expect(ids(yield* store.list({ districts: [d1], caseId: c1, limit: 10 }))).toEqual([
            old.id,
            newer.id,
          ])
          expect(ids(yield* store.list({ districts: [d1], status: "resolved", limit: 10 }))).toEqual([
            resolved.id,
          ])
          expect(ids(yield* store.list({ districts: [], limit: 10 }))).toEqual([])
          expect(ids(yield* store.list({ districts: [d1], levels: [], limit: 10 }))).toEqual([])
        }),
      )

      it.effect("pages with the cursor visit every record once, in list order", () =>
        Effect.gen(function* () {
          const store = yield* WarningStore
          const d = freshTag("d")
          const all: Array<WarningRecord> = []
          for (let i = 0; i < 7; i++) {
            const w = warningRecord({ district: d, caseId: `${freshTag("c")}-${i}`, at: T0 + (i % 3) })
            all.push(w)
            yield* store.raise(w)
          }
          yield* store.resolve({ id: all[2]!.id, by: "o", at: T0 + 50, reason: "done" })
          const whole = (yield* store.list({ districts: [d], limit: 100 })).items.map((w) => w.id)
          expect(whole).toHaveLength(7)
          expect(whole.at(-1)).toBe(all[2]!.id)
          const seen: Array<string> = []
          let after: string | undefined
          for (;;) {
            const page = yield* store.list({
              districts: [d],
              limit: 2,
              ...(after === undefined ? {} : { after }),
            })
            seen.push(...page.items.map((w) => w.id))
            if (page.next === null) break
            after = page.next
          }
          expect(seen).toEqual(whole)
          const bad = yield* Effect.exit(store.list({ districts: [d], limit: 2, after: "nonsense" }))
          expect(reasonOf(bad)).toBe("Rejected")
        }),
      )

      it.effect(
        "resolves once: status, trail (actor and reason), version; then Conflict; unknown → NotFound",
        () =>
          Effect.gen(function* () {
            const store = yield* WarningStore
            const w = warningRecord({ district: freshTag("d"), caseId: freshTag("c") })
            yield* store.raise(w)
            const r = yield* store.resolve({
              id: w.id,
              by: "officer-7",
              at: T0 + 1_000,
              reason: "家属已报销户",
            })
            expect(r.status).toBe("resolved")
            expect(r.version).toBe(2)
            expect(r.trail).toEqual([
              ...w.trail,
              { at: T0 + 1_000, by: "officer-7", action: "resolved", note: "家属已报销户" },
            ])
            expect(yield* store.get(w.id)).toEqual(Option.some(r))
            expect(
              reasonOf(yield* Effect.exit(store.resolve({ id: w.id, by: "x", at: T0, reason: "again" }))),
            ).toBe("Conflict")
            expect(
              reasonOf(yield* Effect.exit(store.resolve({ id: "nope", by: "x", at: T0, reason: "r" }))),
            ).toBe("NotFound")
            // The same key raised again in the period stays resolved: never a second warning.
            expect(yield* store.raise(w)).toEqual({ created: false, warning: r })
          }),
      )

      it.effect("records a re-check result once per (case, check, period) and lists a case's results", () =>
        Effect.gen(function* () {
          const store = yield* WarningStore
          const caseId = freshTag("c")
          const result = (
            check: RecheckResult["check"],
            period: string,
            res: "pass" | "fail",
          ): RecheckResult => ({
            caseId,
            check,
            period,
            district: "310115",
            evidence: { source: check, at: T0, requestDigest: "abc", result: res, detail: `${check} ${res}` },
            warningId: res === "fail" ? "w-1" : null,
          })
          const a = result("death", "2026-03-D1", "pass")
          expect(yield* store.recordCheck(a)).toEqual({ created: true, result: a })
          expect(yield* store.recordCheck({ ...a, evidence: { ...a.evidence, result: "fail" } })).toEqual({
            created: false,
            result: a,
          })
          const b = result("criminal", "2026-03-D1", "fail")
          const c = result("death", "2026-02-D3", "pass")
          yield* store.recordCheck(b)
          yield* store.recordCheck(c)
          expect(yield* store.findCheck(caseId, "death", "2026-03-D1")).toEqual(Option.some(a))
          expect(yield* store.findCheck(caseId, "death", "2026-03-D2")).toEqual(Option.none())
          expect(yield* store.checksOf(caseId)).toEqual([c, b, a])
        }),
      )

      it.effect("property: any sequence of raises stores exactly one record per distinct key", () =>
        Effect.gen(function* () {
          const store = yield* WarningStore
          const raise = fc.record({
            c: fc.integer({ min: 0, max: 2 }),
            rule: fc.constantFrom("R85", "R86", "R87"),
            level: fc.constantFrom<WarningLevel>("orange", "yellow"),
            period: fc.constantFrom("2026-03-D1", "2026-03-D2"),
            at: fc.integer({ min: 0, max: 5 }),
          })
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(fc.array(raise, { maxLength: 25 }), async (xs) => {
                const d = freshTag("p")
                const keys = new Set<string>()
                for (const x of xs) {
                  const w = warningRecord({
                    district: d,
                    caseId: `${d}-${x.c}`,
                    rule: x.rule,
                    level: x.level,
                    period: x.period,
                    at: T0 + x.at,
                  })
                  keys.add(w.id)
                  await Effect.runPromise(store.raise(w))
                }
                const listed = await Effect.runPromise(store.list({ districts: [d], limit: 500 }))
                expect(new Set(listed.items.map((w) => w.id))).toEqual(keys)
                expect(listed.items).toHaveLength(keys.size)
              }),
              { numRuns: 25 },
            ),
          )
        }),
      )
    })
  })
