/**
 * Scope sweep for lease contracts (网签备案): every contract use-case run by actors outside the contract's
 * project (another district's officer, another operating company, a system granted another district, an
 * applicant who is not the tenant, a household, officers without the permission) is refused exactly like a
 * missing contract or session (ContractNotFound / SelectionNotFound) or AccessDenied — and nothing is
 * written (contract, log and stock unchanged). The tenant reads their own contract but changes nothing; the
 * district, the project's operating company and the city are served, so the sweep cannot pass by refusing all.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { Layer } from "effect"
import * as MemoryCaseStore from "../adapters/memory/MemoryCaseStore.js"
import * as MemoryContractStore from "../adapters/memory/MemoryContractStore.js"
import * as MemoryLotteryStore from "../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../adapters/memory/SeededSecureRandom.js"
import {
  command,
  draftFromSelection,
  fundWithdrawal,
  getContract,
  listContracts,
  printNotice,
  recordViolation,
} from "../application/contract/Contracts.js"
import { ContractStore } from "../application/ports/ContractStore.js"
import { StockStore } from "../application/ports/StockStore.js"
import type { Actor } from "../domain/access/Access.js"
import { seedBinding } from "./ContractFixtures.js"
import { freshTag } from "./StockFixtures.js"

const T0 = Date.UTC(2026, 11, 4, 2, 0, 0)

const contractServices = () =>
  Layer.mergeAll(
    Layer.provideMerge(
      Layer.mergeAll(MemorySelectionStore.layer, MemoryContractStore.layer),
      MemoryStockStore.layer,
    ),
    MemoryCaseStore.layer,
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(13),
    TestClock.layer(),
  )
type Services = Layer.Success<ReturnType<typeof contractServices>>
const CITY: Actor = { role: "city", id: "city-1" }
const refusal = (exit: Exit.Exit<unknown, { readonly _tag: string }>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error._tag] : []))[0]
    : "success"

describe("contract scope sweep", () => {
  it.effect("every contract use-case refuses an actor outside the scope and writes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const b = yield* seedBinding(freshTag("cs"), T0)
      const term = { start: "2026-12-04", end: "2027-12-03" }
      yield* draftFromSelection(CITY, { contractId: "S-1", sessionId: b.sessionId, family: b.family, term })
      const outsiders: ReadonlyArray<Actor> = [
        { role: "district", id: "xuhui", district: "310104" },
        { role: "operator", id: "op-2", projectIds: ["P-other"] },
        { role: "system", id: "sys", districts: ["310104"] },
        { role: "applicant", id: "app", idIndex: "idx-someone-else" },
        { role: "household", id: "hh", householdIds: ["H1"] },
        { role: "district", id: "pudong-no-perm", district: "310115", permissions: ["stock.read"] },
        { role: "city", id: "city-no-perm", permissions: ["selection.manage"] },
      ]
      const store = yield* ContractStore
      const stock = yield* StockStore
      const before = Option.getOrThrow(yield* store.get("S-1"))
      const logBefore = yield* store.history("S-1")
      const unitsBefore = yield* stock.listUnits({ projectId: b.round.projectId as never, limit: 100 })
      for (const actor of outsiders) {
        const label = `${actor.role}:${actor.id}`
        type Call = Effect.Effect<unknown, { readonly _tag: string }, Services>
        const calls: ReadonlyArray<readonly [string, Call]> = [
          [
            "draft",
            draftFromSelection(actor, { contractId: "S-2", sessionId: b.sessionId, family: b.family, term }),
          ],
          ["get", getContract(actor, "S-1")],
          ["quick-sign", command(actor, "S-1", { type: "quick-sign" })],
          ["revoke", command(actor, "S-1", { type: "revoke" })],
          [
            "send",
            command(actor, "S-1", { type: "send-for-signature", documentNumber: "D", lessorFileDigest: "x" }),
          ],
          ["print", printNotice(actor, "S-1")],
          ["fund", fundWithdrawal(actor, "S-1")],
          [
            "violation",
            recordViolation(actor, {
              id: "V-x",
              personIndex: "i",
              projectId: b.round.projectId,
              content: "x",
              occurredOn: "2026-12-01",
            }),
          ],
        ]
        for (const [name, call] of calls) {
          const got = refusal(yield* Effect.exit(call))
          expect(
            ["ContractNotFound", "SelectionNotFound", "AccessDenied", "ContractRefusedByRule"],
            `${label} ${name}`,
          ).toContain(got)
          // A rule refusal for an outsider may only be the scope refusal of a named project.
          if (got === "ContractRefusedByRule") expect(name, label).toBe("violation")
        }
        const listed = yield* Effect.exit(listContracts(actor, { limit: 100 }))
        if (Exit.isSuccess(listed)) expect(listed.value.items, label).toEqual([])
      }
      expect(Option.getOrThrow(yield* store.get("S-1"))).toEqual(before)
      expect(yield* store.history("S-1")).toEqual(logBefore)
      expect(yield* stock.listUnits({ projectId: b.round.projectId as never, limit: 100 })).toEqual(
        unitsBefore,
      )
      expect(refusal(yield* Effect.exit(getContract(CITY, "S-missing")))).toBe("ContractNotFound")
    }).pipe(Effect.provide(contractServices())),
  )

  it.effect("the tenant reads only their own contract; district, operator and city are served", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const b = yield* seedBinding(freshTag("ci"), T0)
      const term = { start: "2026-12-04", end: "2027-12-03" }
      const op: Actor = { role: "operator", id: "op-1", projectIds: [b.round.projectId] }
      yield* draftFromSelection(op, { contractId: "I-1", sessionId: b.sessionId, family: b.family, term })
      const tenant: Actor = { role: "applicant", id: "me", idIndex: b.tenantIndex }
      expect((yield* getContract(tenant, "I-1")).contract.id).toBe("I-1")
      expect((yield* listContracts(tenant, { limit: 10 })).items.map((c) => c.id)).toEqual(["I-1"])
      expect(refusal(yield* Effect.exit(command(tenant, "I-1", { type: "quick-sign" })))).toBe("AccessDenied")
      for (const actor of [{ role: "district", id: "pd", district: "310115" } as Actor, op, CITY]) {
        expect((yield* getContract(actor, "I-1")).contract.state).toBe("draft")
        expect((yield* listContracts(actor, { limit: 10 })).items.map((c) => c.id)).toContain("I-1")
      }
      expect(((yield* command(op, "I-1", { type: "quick-sign" })) as { state: string }).state).toBe(
        "registered",
      )
    }).pipe(Effect.provide(contractServices())),
  )
})
