/**
 * Scope sweep: every case use-case, run by actors outside the case's data scope (another district's
 * officer, another operator, another applicant, a system granted another district), is refused —
 * commands and detail exactly as for a missing case (CaseNotFound), lists and look-ups with nothing returned — and writes
 * nothing (cases, history and outbox unchanged). Also: idempotent replay under a client key.
 */
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import * as MemoryAgencyRecords from "../adapters/memory/MemoryAgencyRecords.js"
import * as MemoryCaseStore from "../adapters/memory/MemoryCaseStore.js"
import * as MemoryFieldCipher from "../adapters/memory/MemoryFieldCipher.js"
import * as MemoryPolicySource from "../adapters/memory/MemoryPolicySource.js"
import type { Actor } from "../application/cases/CaseActor.js"
import { caseDetail, lookupByIdNumber, workList } from "../application/cases/CaseQueries.js"
import { openCaseCommand, runCaseCommand, runVerification } from "../application/cases/CaseWorkflow.js"
import { CaseStore } from "../application/ports/CaseStore.js"
import { FieldCipher } from "../application/ports/FieldCipher.js"
import type { CaseId } from "../domain/cases/Case.js"
import { COMMAND_TYPES, type CaseCommand } from "../domain/cases/CaseMachine.js"

const policyFiles = await Promise.all(
  ["cases.yaml", "guard.yaml"].map(async (f) => ({
    name: `policy/${f}`,
    text: await readFile(new URL(`../policy/${f}`, import.meta.url), "utf8"),
  })),
)
const services = () =>
  Layer.mergeAll(
    MemoryCaseStore.layer,
    MemoryFieldCipher.layer(),
    MemoryPolicySource.layer(policyFiles),
    MemoryAgencyRecords.layer(),
    TestClock.layer(),
  )

const ID = "310115198503120012"
const member = { role: "applicant" as const, name: "王五", idNumber: ID, phone: "13800138000" }
const pudong: Actor = { role: "district", id: "pudong", district: "310115" }
const sample: Record<CaseCommand["type"], CaseCommand> = {
  updateDraft: { type: "updateDraft", materials: ["x"] },
  submitDraft: { type: "submitDraft" },
  signIn: { type: "signIn" },
  passPreReview: { type: "passPreReview" },
  failPreReview: { type: "failPreReview", reason: "预审不通过的原因说明文字足够长" },
  accept: { type: "accept" },
  reject: { type: "reject", reason: "不予受理的原因说明文字足够长" },
  requestSupplement: { type: "requestSupplement", materials: ["x"] },
  submitSupplement: { type: "submitSupplement", materials: ["x"] },
  recordCheck: {
    type: "recordCheck",
    evidence: { source: "marriage", at: 0, requestDigest: "d", result: "pass", detail: "" },
  },
  completeVerification: { type: "completeVerification" },
  failReview: { type: "failReview", reason: "审核不通过的原因说明文字足够长" },
  approveFirstReview: { type: "approveFirstReview", location: "公示栏" },
  concludeFirstNotice: { type: "concludeFirstNotice", objection: false },
  approveSecondReview: { type: "approveSecondReview", location: "网站" },
  concludeOnlineNotice: { type: "concludeOnlineNotice", objection: false },
  admit: { type: "admit", certificateNumber: "Z" },
  tick: { type: "tick" },
  abandon: { type: "abandon" },
  cancel: { type: "cancel", reason: "注销原因" },
  delete: { type: "delete", approvedBy: "city" },
}

const snapshot = Effect.gen(function* () {
  const store = yield* CaseStore
  const all = yield* store.list({ limit: 500 })
  const histories = yield* Effect.forEach(all.items, (c) => store.history(c.id))
  return { cases: all.items, histories, outbox: yield* store.outbox(0, 10_000) }
})

const tagOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit)
    ? (exit.cause.reasons[0] as { error?: { _tag?: string } } | undefined)?.error?._tag
    : "success"

describe("case use-cases: data scope sweep", () => {
  it.effect("every use-case refuses out-of-scope actors and writes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-03-02T09:00:00+08:00"))
      const open = (id: string, projectId: string | null, who = member) =>
        openCaseCommand(
          pudong,
          {
            id,
            kind: "gongzu",
            channel: "offline",
            district: "310115",
            projectId,
            members: [who],
            requiredMaterials: [],
            receivedMaterials: [],
          },
          `open-${id}`,
        )
      yield* open("S-1", "P-1")
      yield* open("S-2", "P-1", { ...member, idNumber: "310115199001010029" })
      yield* runCaseCommand(pudong, "S-2", { type: "submitDraft" }, "s2-submit")
      yield* runCaseCommand(pudong, "S-2", { type: "accept" }, "s2-accept")
      const cipher = yield* FieldCipher
      const strangers: ReadonlyArray<Actor> = [
        { role: "district", id: "xuhui", district: "310104" },
        { role: "operator", id: "op-other", projectIds: ["P-9"] },
        {
          role: "applicant",
          id: "zhao",
          idIndex: yield* cipher.blindIndex("idNumber", "310104198808080032"),
        },
        { role: "system", id: "sys-xuhui", districts: ["310104"] },
      ]
      const before = yield* snapshot
      let n = 0
      for (const actor of strangers) {
        for (const caseId of ["S-1", "S-2"]) {
          // Out of scope answers exactly as a case that does not exist: no oracle of what exists elsewhere.
          for (const type of COMMAND_TYPES) {
            const exit = yield* Effect.exit(runCaseCommand(actor, caseId, sample[type], `k-${n++}`))
            const missing = yield* Effect.exit(runCaseCommand(actor, "NO-SUCH", sample[type], `k-${n++}`))
            expect(tagOf(exit), `${actor.id} ${type} ${caseId}`).toBe(tagOf(missing))
            expect(["CaseNotFound", "CaseAccessDenied"]).toContain(tagOf(exit))
          }
          expect(tagOf(yield* Effect.exit(runVerification(actor, caseId, {}, `k-${n++}`)))).toBe(
            tagOf(yield* Effect.exit(runVerification(actor, "NO-SUCH", {}, `k-${n++}`))),
          )
          expect(tagOf(yield* Effect.exit(caseDetail(actor, caseId)))).toBe("CaseNotFound")
        }
        const opened = yield* Effect.exit(
          openCaseCommand(
            actor,
            {
              id: `X-${n}`,
              kind: "gongzu",
              channel: actor.role === "applicant" ? "online" : actor.role === "system" ? "window" : "offline",
              district: "310115",
              projectId: "P-1",
              members: [member],
            },
            `k-${n++}`,
          ),
        )
        expect(tagOf(opened), `${actor.id} open`).toBe("CaseAccessDenied")
        expect((yield* workList(actor, "todo")).items).toEqual([])
        expect((yield* workList(actor, "done")).items).toEqual([])
        const lookup = yield* Effect.exit(lookupByIdNumber(actor, ID))
        if (Exit.isSuccess(lookup))
          expect(Object.values(lookup.value).flatMap((k) => [...k.inProgress, ...k.qualifications])).toEqual(
            [],
          )
        else expect(tagOf(lookup)).toBe("CaseAccessDenied")
      }
      expect(yield* snapshot).toEqual(before)
    }).pipe(Effect.provide(services())),
  )

  it.effect("a command is idempotent under its client key; another request under the key is refused", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-03-02T09:00:00+08:00"))
      const req = {
        id: "I-1",
        kind: "gongzu" as const,
        channel: "offline" as const,
        district: "310115",
        members: [member],
      }
      const first = yield* openCaseCommand(pudong, req, "k")
      const again = yield* openCaseCommand(pudong, req, "k")
      expect(again).toMatchObject({ caseId: first.caseId, version: 1, replayed: true })
      yield* runCaseCommand(pudong, "I-1", { type: "submitDraft" }, "k2")
      const replayed = yield* runCaseCommand(pudong, "I-1", { type: "submitDraft" }, "k2")
      expect(replayed).toMatchObject({ state: "awaiting_acceptance", version: 2, replayed: true })
      const other = yield* Effect.exit(
        runCaseCommand(pudong, "I-1", { type: "reject", reason: "理由" }, "k2"),
      )
      expect(tagOf(other)).toBe("IdempotencyKeyReused")
      const store = yield* CaseStore
      expect((yield* store.history("I-1" as CaseId)).length).toBe(2)
      expect(JSON.stringify(yield* store.get("I-1" as CaseId))).not.toContain(ID)
    }).pipe(Effect.provide(services())),
  )
})
