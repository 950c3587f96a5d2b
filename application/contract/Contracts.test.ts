/**
 * The contract use-cases end to end on the memory adapters: a selection binding drafted into a contract,
 * registered, printed (R97 block until rectified), exchanged (R102: old unit back, new unit let), moved
 * out (R100, then R103 no fund withdrawal), revoked (unit restored), exited (unit unusable), renewed (R99);
 * the unit's status checked in the stock after every step (one unit model, StockRules).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryCaseStore from "../../adapters/memory/MemoryCaseStore.js"
import * as MemoryContractStore from "../../adapters/memory/MemoryContractStore.js"
import * as MemoryLotteryStore from "../../adapters/memory/MemoryLotteryStore.js"
import * as MemoryQueueStore from "../../adapters/memory/MemoryQueueStore.js"
import * as MemorySelectionStore from "../../adapters/memory/MemorySelectionStore.js"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import * as SeededSecureRandom from "../../adapters/memory/SeededSecureRandom.js"
import { seedBinding } from "../../contracts-tests/ContractFixtures.js"
import { freshTag } from "../../contracts-tests/StockFixtures.js"
import type { Actor } from "../../domain/access/Access.js"
import type { Contract } from "../../domain/contract/Contract.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import { StockStore } from "../ports/StockStore.js"
import {
  command,
  draftFromSelection,
  fundWithdrawal,
  getContract,
  printNotice,
  recordViolation,
  rectifyViolation,
} from "./Contracts.js"

const T0 = Date.UTC(2026, 11, 4, 2, 0, 0)
const OP = (projectId: string): Actor => ({ role: "operator", id: "op-1", projectIds: [projectId] })

const contractServices = () =>
  Layer.mergeAll(
    Layer.provideMerge(
      Layer.mergeAll(MemorySelectionStore.layer, MemoryContractStore.layer),
      MemoryStockStore.layer,
    ),
    MemoryCaseStore.layer,
    MemoryLotteryStore.layer,
    MemoryQueueStore.layer,
    SeededSecureRandom.layer(11),
    TestClock.layer(),
  )

const statusOf = (id: string) =>
  Effect.gen(function* () {
    const [u] = yield* (yield* StockStore).getUnits([id as UnitId])
    return u!.status
  })
const ruleOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) =>
        r._tag === "Fail"
          ? [(r.error as { rule?: string; _tag: string }).rule ?? (r.error as { _tag: string })._tag]
          : [],
      )[0]
    : "ok"
const asContract = (x: unknown) => x as Contract

describe("contract use-cases", () => {
  it.effect("binding → draft → 备案 → print (R97) → exchange (R102) → early move-out (R100, R103)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const b = yield* seedBinding(freshTag("k"), T0)
      const op = OP(b.round.projectId)
      const term = { start: "2026-12-04", end: "2027-12-03" }
      // R91: at most 30 days back.
      const early = yield* Effect.exit(
        draftFromSelection(op, {
          contractId: "K-x",
          sessionId: b.sessionId,
          family: b.family,
          term: { ...term, start: "2026-11-03" },
        }),
      )
      expect(ruleOf(early)).toBe("R91.start-within-30-days")
      const d = yield* draftFromSelection(op, {
        contractId: "K-1",
        sessionId: b.sessionId,
        family: b.family,
        term,
      })
      expect(d).toMatchObject({
        state: "draft",
        kind: "gongzu",
        unitId: b.unitId,
        tenant: { personIndex: b.tenantIndex },
      })
      expect(d.occupants.map((o) => o.role)).toEqual(["main", "co-resident"])
      expect(yield* statusOf(b.unitId)).toBe("let")
      // One holding contract per unit.
      const twice = yield* Effect.exit(
        draftFromSelection(op, { contractId: "K-2", sessionId: b.sessionId, family: b.family, term }),
      )
      expect(ruleOf(twice)).toBe("contract.unit-held")
      const reg = asContract(yield* command(op, "K-1", { type: "quick-sign" }))
      expect(reg.state).toBe("registered")
      expect(reg.registrationNumber).toMatch(/^BA310115202612041000\d{2}\d{4}$/u)
      // R97: an unrectified violation blocks the notice; rectification lifts the block.
      yield* recordViolation(op, {
        id: "V-1",
        personIndex: b.tenantIndex,
        projectId: b.round.projectId,
        content: "擅自转租",
        occurredOn: "2026-12-01",
      })
      expect(ruleOf(yield* Effect.exit(printNotice(op, "K-1")))).toBe("R97.unrectified-violation")
      yield* rectifyViolation(op, { personIndex: b.tenantIndex, id: "V-1", rectifiedOn: "2026-12-04" })
      expect(asContract(yield* printNotice(op, "K-1")).noticePrints).toBe(1)
      expect((yield* fundWithdrawal(op, "K-1")).allowed).toBe(true)
      // R102: exchange to an available 2-1 unit of the project.
      const target = b.otherUnits.find((u) => u.bedrooms === 2)!
      yield* TestClock.adjust("40 days")
      const ex = (yield* command(op, "K-1", {
        type: "exchange",
        successorId: "K-1b",
        unitId: target.id,
      })) as {
        old: Contract
        successor: Contract
      }
      expect(ex.old.state).toBe("exchanged")
      expect(ex.successor).toMatchObject({
        state: "registered",
        unitId: target.id,
        rent: target.rent,
        term: { start: "2027-01-14", end: "2027-12-03" },
      })
      expect([yield* statusOf(b.unitId), yield* statusOf(target.id)]).toEqual(["available", "let"])
      // R100 early move-out, then R103.
      yield* TestClock.adjust("30 days")
      const out = asContract(yield* command(op, "K-1b", { type: "move-out", mode: "early" }))
      expect([out.state, out.endReason, out.endedOn]).toEqual(["moved_out", "moved-out-early", "2027-02-12"])
      expect(yield* statusOf(target.id)).toBe("available")
      expect(yield* fundWithdrawal(op, "K-1b")).toEqual({
        contractId: "K-1b",
        allowed: false,
        rule: "R103.no-withdrawal-after-move-out",
      })
      const { history } = yield* getContract(op, "K-1")
      expect(history.map((h) => h.action)).toEqual(["draft", "quick-sign", "print-notice", "exchange"])
    }).pipe(Effect.provide(contractServices())),
  )

  it.effect(
    "revocation restores the unit; exit makes it unusable; renewal needs the eligibility verdict (R99)",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const b = yield* seedBinding(freshTag("r"), T0)
        const op = OP(b.round.projectId)
        const term = { start: "2026-12-04", end: "2027-12-03" }
        yield* draftFromSelection(op, { contractId: "R-1", sessionId: b.sessionId, family: b.family, term })
        yield* command(op, "R-1", {
          type: "send-for-signature",
          documentNumber: "DOC-1",
          lessorFileDigest: "sm3:1",
        })
        expect(
          ruleOf(yield* Effect.exit(command(op, "R-1", { type: "swap-tenant", caseId: b.family }))),
        ).toBe("R92.tenant-fixed")
        const revoked = asContract(yield* command(op, "R-1", { type: "revoke" }))
        expect(revoked.state).toBe("revoked")
        expect(yield* statusOf(b.unitId)).toBe("available")

        const b2 = yield* seedBinding(freshTag("e"), T0)
        const op2 = OP(b2.round.projectId)
        yield* draftFromSelection(op2, {
          contractId: "E-1",
          sessionId: b2.sessionId,
          family: b2.family,
          term,
        })
        yield* command(op2, "E-1", {
          type: "send-for-signature",
          documentNumber: "DOC-2",
          lessorFileDigest: "sm3:2",
        })
        const wrongDoc = yield* Effect.exit(
          command(op2, "E-1", { type: "tenant-signed", documentNumber: "DOC-9", signedFileDigest: "sm3:s" }),
        )
        expect(ruleOf(wrongDoc)).toBe("R90.consistency-check")
        const signed = asContract(
          yield* command(op2, "E-1", {
            type: "tenant-signed",
            documentNumber: "DOC-2",
            signedFileDigest: "sm3:s",
          }),
        )
        expect([signed.state, signed.tenantSignedAt]).toEqual(["registered", T0])
        const no = yield* Effect.exit(
          command(op2, "E-1", {
            type: "renew",
            successorId: "E-2",
            end: "2029-12-03",
            verdict: { qualifies: false, reason: "资格到期" },
          }),
        )
        expect(ruleOf(no)).toBe("R99.still-qualifies")
        const renewed = (yield* command(op2, "E-1", {
          type: "renew",
          successorId: "E-2",
          end: "2029-12-03",
          verdict: { qualifies: true, reason: "" },
        })) as {
          successor: Contract
        }
        expect(renewed.successor).toMatchObject({ state: "registered", term: { start: "2027-12-04" } })
        expect(yield* statusOf(b2.unitId)).toBe("let")
        const exited = asContract(yield* command(op2, "E-2", { type: "exit" }))
        expect(exited.state).toBe("exited")
        expect(yield* statusOf(b2.unitId)).toBe("unusable")
      }).pipe(Effect.provide(contractServices())),
  )
})
