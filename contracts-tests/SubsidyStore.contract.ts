/**
 * Contract suite for the SubsidyStore port (廉租 rent subsidy, R118–R123). Every adapter (memory, PGlite,
 * PostgreSQL) runs exactly this file through `suite(name, layer)`: agreement round trip and idempotent
 * creation per case, optimistic saves, keyset listing, idempotent lines by line id (a month computed twice is
 * one line), R120 confirmation per district × month (atomic, once), per-district totals equal to the sum of
 * the listed lines (property), and the run record used for catch-up. Districts carry a fresh tag so runs
 * may share one store.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { SubsidyStore, type SubsidyStoreError } from "../application/ports/SubsidyStore.js"
import type { PayoutLine, SubsidyAgreement } from "../domain/subsidy/SubsidyAgreement.js"
import type { CivilDate } from "../domain/values/CivilDate.js"

let counter = 0
const freshTag = (label: string) =>
  `${label}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const T0 = 1_770_000_000_000

export const agreement = (
  caseId: string,
  district: string,
  patch: Partial<SubsidyAgreement> = {},
): SubsidyAgreement => ({
  caseId,
  district,
  approvedPersons: 3,
  livingArea: 1200,
  buildingArea: null,
  start: "2026-01-15" as CivilDate,
  end: "2029-01-14" as CivilDate,
  status: "active",
  pauses: [],
  exitedOn: null,
  applicantIndex: `idx-${caseId}`,
  createdBy: `agreement:${caseId}`,
  createdAt: T0,
  version: 1,
  ...patch,
})

export const line = (
  caseId: string,
  district: string,
  month: string,
  patch: Partial<PayoutLine> = {},
): PayoutLine => ({
  lineId: `${caseId}:${month}`,
  caseId,
  district,
  month,
  kind: "regular",
  from: `${month}-01` as CivilDate,
  to: `${month}-28` as CivilDate,
  amount: 243_000,
  status: "computed",
  reason: null,
  trace: {
    statusDays: { normal: 28 },
    formulas: [{ on: `${month}-01`, status: "normal", exactFen: "243000" }],
    parameters: [{ path: "subsidy.lianzu.standard_per_m2", display: "¥75.00" }],
    rounding: "half-even",
  },
  computedAt: T0,
  computedBy: "worker",
  confirmedAt: null,
  confirmedBy: null,
  ...patch,
})

const reasonOf = (exit: Exit.Exit<unknown, SubsidyStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

export const suite = (name: string, storeLayer: Layer.Layer<SubsidyStore, unknown>) =>
  describe(`SubsidyStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("creates one agreement per case: a second ensure returns the first unchanged", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const d = freshTag("D")
          const a = agreement("C1", d)
          const first = yield* store.ensureAgreement(a)
          expect(first).toEqual({ created: true, agreement: a })
          const again = yield* store.ensureAgreement({ ...a, approvedPersons: 9 })
          expect(again).toEqual({ created: false, agreement: a })
          expect(yield* store.getAgreement("C1")).toEqual(Option.some(a))
          expect(yield* store.getAgreement(freshTag("none"))).toEqual(Option.none())
        }),
      )

      it.effect("saves optimistically: version + 1, a stale version or a missing case is refused", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const caseId = freshTag("C")
          const a = (yield* store.ensureAgreement(agreement(caseId, freshTag("D")))).agreement
          const paused: SubsidyAgreement = {
            ...a,
            status: "paused",
            pauses: [
              { from: "2026-03-01" as CivilDate, to: null, reason: "入狱", by: "pd-1", resumeReason: null },
            ],
          }
          const saved = yield* store.saveAgreement(paused)
          expect(saved).toEqual({ ...paused, version: 2 })
          expect(yield* store.getAgreement(caseId)).toEqual(Option.some(saved))
          const stale = yield* Effect.exit(store.saveAgreement(paused))
          expect(reasonOf(stale)).toMatchObject({ _tag: "StaleVersion", expected: 1, actual: 2 })
          const missing = yield* Effect.exit(store.saveAgreement(agreement(freshTag("C"), "x")))
          expect(reasonOf(missing)?._tag).toBe("NotFound")
        }),
      )

      it.effect("lists agreements by district and status in case-id order, keyset-paged", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const d = freshTag("D")
          for (const id of ["A3", "A1", "A2"]) yield* store.ensureAgreement(agreement(`${d}-${id}`, d))
          const other = freshTag("D")
          yield* store.ensureAgreement(agreement(`${other}-B`, other))
          const page1 = yield* store.listAgreements({ districts: [d], limit: 2 })
          expect(page1.map((a) => a.caseId)).toEqual([`${d}-A1`, `${d}-A2`])
          const page2 = yield* store.listAgreements({ districts: [d], limit: 2, after: page1[1]!.caseId })
          expect(page2.map((a) => a.caseId)).toEqual([`${d}-A3`])
          expect(yield* store.listAgreements({ districts: [d], statuses: ["ended"], limit: 10 })).toEqual([])
          expect(yield* store.listAgreements({ districts: [], limit: 10 })).toEqual([])
        }),
      )

      it.effect("stores one line per line id: putting a month twice keeps the first line", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const d = freshTag("D")
          const l = line("C1", d, "2026-03")
          expect(yield* store.putLine(l)).toEqual({ created: true, line: l })
          expect(yield* store.putLine({ ...l, amount: 1 })).toEqual({ created: false, line: l })
          const back = yield* store.putLine({
            ...l,
            lineId: `${l.lineId}:back_pay:k1`,
            kind: "back_pay",
            amount: 5_000,
            reason: "补发 2 月",
          })
          expect(back.created).toBe(true)
          expect(yield* store.listLines({ month: "2026-03", districts: [d], limit: 10 })).toEqual([
            l,
            back.line,
          ])
          expect(yield* store.listLines({ month: "2026-04", districts: [d], limit: 10 })).toEqual([])
          const paged = yield* store.listLines({
            month: "2026-03",
            districts: [d],
            after: l.lineId,
            limit: 10,
          })
          expect(paged).toEqual([back.line])
        }),
      )

      it.effect("confirms a district's month once (R120); totals count per district", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const d1 = freshTag("D")
          const d2 = freshTag("D")
          yield* store.putLine(line(`${d1}-1`, d1, "2026-05", { amount: 100 }))
          yield* store.putLine(line(`${d1}-2`, d1, "2026-05", { amount: -30, kind: "recovery" }))
          yield* store.putLine(line(`${d2}-1`, d2, "2026-05", { amount: 7 }))
          expect(yield* store.confirm(d1, "2026-05", "pd-1", T0 + 5)).toBe(2)
          expect(yield* store.confirm(d1, "2026-05", "pd-1", T0 + 6)).toBe(0)
          const lines = yield* store.listLines({ month: "2026-05", districts: [d1], limit: 10 })
          expect(lines.map((l) => [l.status, l.confirmedBy, l.confirmedAt])).toEqual([
            ["confirmed", "pd-1", T0 + 5],
            ["confirmed", "pd-1", T0 + 5],
          ])
          expect(yield* store.totals("2026-05", [d1, d2])).toEqual(
            [
              { district: d1, lines: 2, amount: 70, computed: 0, confirmed: 2 },
              { district: d2, lines: 1, amount: 7, computed: 1, confirmed: 0 },
            ].sort((a, b) => (a.district < b.district ? -1 : 1)),
          )
        }),
      )

      it.effect("law: each district's total is the sum and count of its listed lines", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          const samples = fc.sample(
            fc.array(
              fc.record({
                d: fc.integer({ min: 0, max: 2 }),
                amount: fc.integer({ min: -50_000, max: 500_000 }),
              }),
              {
                maxLength: 12,
              },
            ),
            { numRuns: 4, seed: 12 },
          )
          for (const sample of samples) {
            const ds = [freshTag("D"), freshTag("D"), freshTag("D")]
            for (const [i, s] of sample.entries())
              yield* store.putLine(line(`${ds[s.d]}-${i}`, ds[s.d]!, "2026-07", { amount: s.amount }))
            const totals = yield* store.totals("2026-07", ds)
            for (const d of ds) {
              const listed = yield* store.listLines({ month: "2026-07", districts: [d], limit: 1000 })
              const t = totals.find((x) => x.district === d)
              if (listed.length === 0) expect(t).toBeUndefined()
              else
                expect(t).toEqual({
                  district: d,
                  lines: listed.length,
                  amount: listed.reduce((n, l) => n + l.amount, 0),
                  computed: listed.length,
                  confirmed: 0,
                })
            }
          }
        }),
      )

      it.effect("records runs: the latest month is the last run", () =>
        Effect.gen(function* () {
          const store = yield* SubsidyStore
          yield* store.recordRun({ month: "2031-02", at: T0, counts: { lines: 3 } })
          yield* store.recordRun({ month: "2031-01", at: T0, counts: { lines: 1 } })
          yield* store.recordRun({ month: "2031-02", at: T0 + 1, counts: { lines: 4 } })
          expect(yield* store.lastRun()).toEqual(
            Option.some({ month: "2031-02", at: T0 + 1, counts: { lines: 4 } }),
          )
        }),
      )
    })
  })
