/**
 * Contract suite for the StockStore port. Every adapter (memory, PGlite, PostgreSQL) runs exactly this
 * file through `suite(name, layer)`. Tests use fresh tags, so they may share one database with other runs.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option } from "effect"
import fc from "fast-check"
import { StockStore, type StockStoreError } from "../application/ports/StockStore.js"
import * as Rules from "../domain/stock/StockRules.js"
import type { Unit } from "../domain/stock/Stock.js"
import { building, codeFor, estate, freshTag, project, unit } from "./StockFixtures.js"

const reasonOf = <A>(exit: Exit.Exit<A, StockStoreError>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.reason] : []))[0]
    : undefined

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
