/**
 * Contract suite for the StockStore port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this
 * file through `suite(name, layer)`. Tests use fresh tags, so they may share one database with other runs.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Result } from "effect"
import fc from "fast-check"
import {
  type StockBatch,
  StockStore,
  type StockStoreError,
  type UnitPage,
} from "../application/ports/StockStore.js"
import { countUnits } from "../domain/inventory/Inventory.js"
import * as Rules from "../domain/stock/StockRules.js"
import type { DistrictCode, Unit } from "../domain/stock/Stock.js"
import type { Area } from "../domain/values/Area.js"
import type { Money } from "../domain/values/Money.js"
import { building, codeFor, estate, freshTag, project, unit } from "./StockFixtures.js"

const reasonOf = <A>(exit: Exit.Exit<A, StockStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

/** Driver text that must never leave an adapter: a SQLSTATE, a constraint, PostgreSQL's phrasing. */
const DATABASE_TEXT =
  /\b[0-9A-Z]{5}\b|violates|constraint|_key\b|_check\b|_fkey\b|\brelation\b|syntax error|duplicate key|out of range for type|invalid byte sequence/u

/** Code-unit order, as the store's keyset paging. */
const byCodeUnit = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)

const bump = (u: Unit, patch: Partial<Unit>): Unit => ({ ...u, ...patch, version: u.version + 1 })

export const suite = (name: string, storeLayer: Layer.Layer<StockStore, unknown>) =>
  describe(`StockStore contract: ${name}`, () => {
    layer(storeLayer, { timeout: "120 seconds" })((it) => {
      it.effect("stores and returns projects, buildings and units unchanged", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("rt")
          const batch = estate(tag, 8)
          const summary = yield* store.write(batch)
          expect(summary.inserted).toEqual({ projects: 1, buildings: 1, units: 8 })
          expect(yield* store.getProjects([batch.projects[0]!.id])).toEqual(batch.projects)
          expect(yield* store.getBuildings([batch.buildings[0]!.id])).toEqual(batch.buildings)
          const got = yield* store.getUnits(batch.units.map((u) => u.id))
          expect([...got].sort((a, b) => a.id.localeCompare(b.id))).toEqual(batch.units)
          expect(yield* store.getUnits([`U-${tag}-missing` as Unit["id"]])).toEqual([])
        }),
      )

      it.effect("re-writing identical records is a no-op (idempotent replay)", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const batch = estate(freshTag("idem"), 3)
          yield* store.write(batch)
          const again = yield* store.write(batch)
          expect(again.inserted).toEqual({ projects: 0, buildings: 0, units: 0 })
          expect(again.unchanged).toEqual({ projects: 1, buildings: 1, units: 3 })
        }),
      )

      it.effect("a conflicting record fails the whole batch and writes nothing", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("conf")
          yield* store.write(estate(tag, 2))
          const other = freshTag("conf-new")
          const exit = yield* Effect.exit(
            store.write({
              projects: [project(other)],
              buildings: [building(other)],
              units: [unit(other, 0), unit(tag, 1, { bedrooms: 5 })],
            }),
          )
          expect(reasonOf(exit)).toMatchObject({ _tag: "Conflict", entity: "unit" })
          expect(yield* store.getProjects([project(other).id])).toEqual([])
          expect(yield* store.getUnits([unit(other, 0).id])).toEqual([])
          const p = project(tag, { name: "renamed" })
          expect(
            reasonOf(yield* Effect.exit(store.write({ projects: [p], buildings: [], units: [] }))),
          ).toMatchObject({ _tag: "Conflict", entity: "project" })
        }),
      )

      it.effect("references must exist (in the store or the same batch)", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("ref")
          const b = yield* Effect.exit(store.write({ projects: [], buildings: [building(tag)], units: [] }))
          expect(reasonOf(b)).toMatchObject({ _tag: "MissingReference", entity: "project" })
          yield* store.write({ projects: [project(tag)], buildings: [], units: [] })
          const u = yield* Effect.exit(store.write({ projects: [], buildings: [], units: [unit(tag, 0)] }))
          expect(reasonOf(u)).toMatchObject({ _tag: "MissingReference", entity: "building" })
        }),
      )

      it.effect("records breaking a store invariant are rejected, not retried, and nothing is written", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("inv")
          yield* store.write(estate(tag, 1))
          const sevenBedrooms = unit(tag, 3, { bedrooms: 7 })
          const r1 = reasonOf(
            yield* Effect.exit(store.write({ projects: [], buildings: [], units: [sevenBedrooms] })),
          )
          expect(r1).toMatchObject({ _tag: "Rejected", entity: "unit" })
          const other = freshTag("inv-other")
          yield* store.write({ projects: [project(other)], buildings: [], units: [] })
          const wrongProject = unit(tag, 4, { projectId: project(other).id })
          const r2 = reasonOf(
            yield* Effect.exit(store.write({ projects: [], buildings: [], units: [wrongProject] })),
          )
          expect(r2).toMatchObject({ _tag: "Rejected", entity: "unit", id: wrongProject.id })
          expect(yield* store.getUnits([sevenBedrooms.id, wrongProject.id])).toEqual([])
          const [u] = (yield* store.getUnits([unit(tag, 0).id])) as [Unit]
          const r3 = reasonOf(
            yield* Effect.exit(store.updateUnits([{ unit: bump(u, { halls: 9 }), expectedVersion: 1 }])),
          )
          expect(r3).toMatchObject({ _tag: "Rejected" })
          expect((yield* store.getUnits([u.id]))[0]).toEqual(u)
        }),
      )

      it.effect("public codes and building/floor/room slots are unique", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("uniq")
          yield* store.write(estate(tag, 2))
          const dupCode = unit(tag, 7, { code: unit(tag, 0).code })
          expect(
            reasonOf(yield* Effect.exit(store.write({ projects: [], buildings: [], units: [dupCode] }))),
          ).toMatchObject({ _tag: "Conflict", entity: "unit" })
          const dupSlot = unit(tag, 8, { floor: 1, roomNo: 1, code: codeFor(`${tag}-x`) })
          expect(
            reasonOf(yield* Effect.exit(store.write({ projects: [], buildings: [], units: [dupSlot] }))),
          ).toMatchObject({ _tag: "Conflict", entity: "unit" })
        }),
      )

      it.effect("finds a unit by its public code", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const batch = estate(freshTag("code"), 3)
          yield* store.write(batch)
          const found = yield* store.findUnitByCode(batch.units[2]!.code)
          expect(Option.getOrUndefined(found)).toEqual(batch.units[2])
          expect(Option.isNone(yield* store.findUnitByCode(codeFor("nobody-has-this")))).toBe(true)
        }),
      )

      it.effect("finds a unit with its building and project by its public code, in one read (J2)", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const batch = estate(freshTag("placed"), 3)
          yield* store.write(batch)
          const u = batch.units[1]!
          const found = Option.getOrUndefined(yield* store.findPlacedUnitByCode(u.code))
          expect(found).toEqual({
            unit: u,
            building: batch.buildings.find((b) => b.id === u.buildingId),
            project: batch.projects.find((p) => p.id === u.projectId),
          })
          expect(Option.isNone(yield* store.findPlacedUnitByCode(codeFor("nobody-has-this")))).toBe(true)
        }),
      )

      it.effect("optimistic updates: the current version wins once, a stale version changes nothing", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const batch = estate(freshTag("occ"), 2)
          yield* store.write(batch)
          const [a, b] = batch.units as [Unit, Unit]
          yield* store.updateUnits([{ unit: bump(a, { status: "available" }), expectedVersion: 1 }])
          expect((yield* store.getUnits([a.id]))[0]).toMatchObject({ status: "available", version: 2 })
          // b is current, a is stale: the whole call fails and b is untouched.
          const exit = yield* Effect.exit(
            store.updateUnits([
              { unit: bump(b, { status: "available" }), expectedVersion: 1 },
              { unit: bump(a, { status: "locked", lockedFrom: "draft" }), expectedVersion: 1 },
            ]),
          )
          expect(reasonOf(exit)).toMatchObject({ _tag: "StaleVersion", id: a.id, expected: 1, actual: 2 })
          expect((yield* store.getUnits([b.id]))[0]).toMatchObject({ status: "draft", version: 1 })
        }),
      )

      it.effect("concurrent updates of one version: exactly one succeeds", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const batch = estate(freshTag("race"), 1)
          yield* store.write(batch)
          const u = batch.units[0]!
          const attempts = Array.from({ length: 8 }, (_, i) =>
            Effect.exit(
              store.updateUnits([
                { unit: bump(u, { rent: (100000 + i) as Unit["rent"] }), expectedVersion: 1 },
              ]),
            ),
          )
          const exits = yield* Effect.all(attempts, { concurrency: "unbounded" })
          expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
          expect((yield* store.getUnits([u.id]))[0]!.version).toBe(2)
        }),
      )

      it.effect("lists units by filter with keyset paging that visits each match once, in id order", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("list")
          const batch = estate(tag, 23)
          yield* store.write(batch)
          const projectId = batch.projects[0]!.id
          const seen: Array<string> = []
          let after: Unit["id"] | undefined
          for (let i = 0; i < 10; i++) {
            const page = yield* store.listUnits({
              projectId,
              limit: 5,
              ...(after === undefined ? {} : { after }),
            })
            expect(page.total).toBe(23)
            seen.push(...page.items.map((u) => u.id))
            if (page.next === null) break
            after = page.next
          }
          expect(seen).toEqual(batch.units.map((u) => u.id))
          const twoBed = yield* store.listUnits({ projectId, bedrooms: 2, limit: 100 })
          expect(twoBed.items.map((u) => u.id)).toEqual(
            batch.units.filter((u) => u.bedrooms === 2).map((u) => u.id),
          )
          const mid = yield* store.listUnits({ projectId, minArea: 5500, maxArea: 6500, limit: 100 })
          expect(mid.total).toBe(batch.units.filter((u) => u.area >= 5500 && u.area <= 6500).length)
          const none = yield* store.listUnits({ projectId, status: "let", limit: 100 })
          expect(none).toEqual({ items: [], total: 0, next: null })
          const district = yield* store.listUnits({
            projectId,
            district: batch.projects[0]!.district,
            kind: "gongzu",
            limit: 1,
          })
          expect(district.total).toBe(23)
        }),
      )

      it.effect(
        "data-scope filters: inDistricts and inProjects narrow the list; an empty list matches nothing",
        () =>
          Effect.gen(function* () {
            const store = yield* StockStore
            const [a, b] = [freshTag("scope-a"), freshTag("scope-b")]
            const pudong = estate(a, 4)
            const xuhui = { ...estate(b, 3), projects: [project(b, { district: "310104" as DistrictCode })] }
            yield* store.write(pudong)
            yield* store.write(xuhui)
            const [pa, pb] = [pudong.projects[0]!.id, xuhui.projects[0]!.id]
            const ids = (page: UnitPage) => page.items.map((u) => u.id)
            const both = yield* store.listUnits({ inProjects: [pa, pb], limit: 100 })
            expect(both.total).toBe(7)
            expect(ids(both)).toEqual([...pudong.units, ...xuhui.units].map((u) => u.id).sort(byCodeUnit))
            const inXuhui = yield* store.listUnits({
              inProjects: [pa, pb],
              inDistricts: ["310104" as DistrictCode],
              limit: 100,
            })
            expect(ids(inXuhui)).toEqual(xuhui.units.map((u) => u.id))
            expect(inXuhui.total).toBe(3)
            const twoDistricts = yield* store.listUnits({
              inProjects: [pa],
              inDistricts: ["310115" as DistrictCode, "310104" as DistrictCode],
              limit: 100,
            })
            expect(ids(twoDistricts)).toEqual(pudong.units.map((u) => u.id))
            // Scope and an explicit filter combine (a district filter outside the scope finds nothing).
            const outside = yield* store.listUnits({
              inProjects: [pb],
              district: "310115" as DistrictCode,
              limit: 100,
            })
            expect(outside).toEqual({ items: [], total: 0, next: null })
            expect(yield* store.listUnits({ inProjects: [], limit: 100 })).toEqual({
              items: [],
              total: 0,
              next: null,
            })
            expect(yield* store.listUnits({ inProjects: [pa, pb], inDistricts: [], limit: 100 })).toEqual({
              items: [],
              total: 0,
              next: null,
            })
            // Keyset paging under a scope visits each unit in scope once, and `total` ignores the page.
            const seen: Array<string> = []
            let after: Unit["id"] | undefined
            for (let i = 0; i < 10; i++) {
              const page = yield* store.listUnits({
                inProjects: [pa, pb],
                inDistricts: ["310115" as DistrictCode, "310104" as DistrictCode],
                limit: 2,
                ...(after === undefined ? {} : { after }),
              })
              expect(page.total).toBe(7)
              seen.push(...ids(page))
              if (page.next === null) break
              after = page.next
            }
            expect(seen).toEqual(ids(both))
          }),
      )

      it.effect(
        "inventory counts (R26–R42) equal the derivation over the listed units after any status changes",
        () =>
          Effect.gen(function* () {
            const store = yield* StockStore
            const transitions = {
              publish: Rules.publish,
              recall: Rules.recall,
              lock: Rules.lock,
              unlock: Rules.unlock,
              let: Rules.letUnit,
              release: Rules.release,
              markUnusable: Rules.markUnusable,
            } as const
            const commands = Object.keys(transitions) as Array<keyof typeof transitions>
            const transition = (u: Unit, c: keyof typeof transitions) => transitions[c](u)
            const stepArb = fc.record({
              units: fc.uniqueArray(fc.nat({ max: 7 }), { minLength: 1, maxLength: 3 }),
              c: fc.constantFrom(...commands),
            })
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(fc.array(stepArb, { maxLength: 25 }), async (steps) => {
                  const tag = freshTag("inv")
                  const batch = estate(tag, 8)
                  await Effect.runPromise(store.write(batch))
                  const projectId = batch.projects[0]!.id
                  for (const step of steps) {
                    const current = await Effect.runPromise(
                      store.getUnits(step.units.map((i) => batch.units[i]!.id)),
                    )
                    // Several units change in one atomic call when every transition applies.
                    const next = current.map((u) => transition(u, step.c))
                    if (next.every(Result.isSuccess))
                      await Effect.runPromise(
                        store.updateUnits(
                          next.map((r, i) => ({ unit: r.success, expectedVersion: current[i]!.version })),
                        ),
                      )
                  }
                  const listed = await Effect.runPromise(store.listUnits({ projectId, limit: 1000 }))
                  const counted = await Effect.runPromise(store.countUnits({ projectId }))
                  expect(counted).toEqual(countUnits(listed.items))
                  expect(counted.reduce((n, r) => n + r.units, 0)).toBe(8)
                }),
                { numRuns: 12 },
              ),
            )
            // Scope lists narrow the count exactly as they narrow the listing; an empty list matches nothing.
            const [a, b] = [freshTag("inv-a"), freshTag("inv-b")]
            const xuhui = { ...estate(b, 3), projects: [project(b, { district: "310104" as DistrictCode })] }
            yield* store.write(estate(a, 4))
            yield* store.write(xuhui)
            const scoped = yield* store.countUnits({
              inProjects: [`P-${a}` as Unit["projectId"], xuhui.projects[0]!.id],
              inDistricts: ["310104" as DistrictCode],
            })
            expect(scoped).toEqual(countUnits(xuhui.units))
            expect(yield* store.countUnits({ inProjects: [] })).toEqual([])
            expect(
              yield* store.countUnits({ projectId: `P-${a}` as Unit["projectId"], inDistricts: [] }),
            ).toEqual([])
          }),
      )

      it.effect("a value the store cannot hold is stored exactly or Rejected without database text", () =>
        Effect.gen(function* () {
          const store = yield* StockStore
          const tag = freshTag("odd")
          yield* store.write(estate(tag, 1))
          const cases: ReadonlyArray<StockBatch> = [
            { projects: [project(freshTag("nul"), { name: "馨越\u0000公寓" })], buildings: [], units: [] },
            { projects: [], buildings: [], units: [unit(tag, 1, { rent: (2 ** 63) as Money })] },
            { projects: [], buildings: [], units: [unit(tag, 2, { area: (2 ** 40) as Area })] },
          ]
          for (const batch of cases) {
            const exit = yield* Effect.exit(store.write(batch))
            if (Exit.isSuccess(exit)) {
              expect(yield* store.getProjects(batch.projects.map((p) => p.id))).toEqual(batch.projects)
              expect(yield* store.getUnits(batch.units.map((u) => u.id))).toEqual(batch.units)
              continue
            }
            const error = exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : []))[0]!
            expect(error.reason._tag).toBe("Rejected")
            expect(error.isRetryable).toBe(false)
            for (const text of [error.message, JSON.stringify(error.reason)])
              expect(text).not.toMatch(DATABASE_TEXT)
          }
        }),
      )

      it.effect(
        "property: any sequence of life-cycle transitions is stored exactly as the domain computes it",
        () =>
          Effect.gen(function* () {
            const store = yield* StockStore
            const transitions = {
              publish: Rules.publish,
              recall: Rules.recall,
              lock: Rules.lock,
              unlock: Rules.unlock,
              let: Rules.letUnit,
              release: Rules.release,
              markUnusable: Rules.markUnusable,
            } as const
            const commands = Object.keys(transitions) as Array<keyof typeof transitions>
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(fc.array(fc.constantFrom(...commands), { maxLength: 12 }), async (cmds) => {
                  const batch = estate(freshTag("prop"), 1)
                  await Effect.runPromise(store.write(batch))
                  let model = batch.units[0]!
                  for (const c of cmds) {
                    const step = transitions[c](model)
                    if (step._tag === "Failure") continue
                    await Effect.runPromise(
                      store.updateUnits([{ unit: step.success, expectedVersion: model.version }]),
                    )
                    model = step.success
                  }
                  const [stored] = await Effect.runPromise(store.getUnits([model.id]))
                  expect(stored).toEqual(model)
                }),
                { numRuns: 15 },
              ),
            )
          }),
      )
    })
  })
