/**
 * The contract machines (R89–R107, R166, R167): examples per rule, and properties over random command
 * sequences run against a small world of stock units (StockRules) and contracts: no contract reaches 备案
 * twice; a unit has at most one contract in force on any day (checked day by day, brute force); a unit is
 * let exactly when one contract holds it; revocation always restores the unit.
 */
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { unit as unitFixture } from "../../contracts-tests/StockFixtures.js"
import type { Unit } from "../stock/Stock.js"
import * as Rules from "../stock/StockRules.js"
import * as CivilDate from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import type { UnifiedSocialCreditCode } from "../values/UnifiedSocialCreditCode.js"
import { CONTRACT_STATES, type Contract, type ContractId, registrationPurpose } from "./Contract.js"
import * as M from "./ContractMachine.js"

const TODAY = "2026-12-04" as CivilDate.CivilDate
const AT = Date.UTC(2026, 11, 4, 2, 3, 4, 567)
const person = (i: string) => ({ type: "person" as const, caseId: `C-${i}`, personIndex: `idx-${i}` })
const main = (i: string) => ({
  personIndex: `idx-${i}`,
  role: "main" as const,
  since: TODAY,
  leftOn: null,
})
const input = (over: Partial<M.DraftInput> = {}): M.DraftInput => ({
  id: "K-1" as ContractId,
  kind: "baozu",
  projectId: "P1",
  district: "310115",
  unitId: "U1",
  unitType: "1-1",
  binding: { sessionId: "SS-1", family: "C-a" },
  tenant: person("a"),
  occupants: [main("a"), { personIndex: "idx-b", role: "co-resident", since: TODAY, leftOn: null }],
  term: { start: TODAY, end: "2027-12-03" as CivilDate.CivilDate },
  rent: 150000 as Money,
  ...over,
})
const ctx = (unitContracts: ReadonlyArray<Contract> = []) => ({
  today: TODAY,
  at: AT,
  actor: "op-1",
  unitContracts,
})
const ok = <A>(r: Result.Result<A, M.ContractRefused>): A => {
  if (Result.isFailure(r)) throw new Error(`${r.failure.rule}: ${r.failure.message}`)
  return r.success
}
const ruleOf = (r: Result.Result<unknown, M.ContractRefused>) => (Result.isFailure(r) ? r.failure.rule : "ok")
const reg = (n = 1) => M.registrationNumber("310115", AT, n)

describe("R166 保租 machine", () => {
  it("draft → 乙方待签 → 备案 with the tenant's signing time and a registration number to the second", () => {
    const d = ok(M.draft(input(), ctx()))
    expect([d.state, d.version]).toEqual(["draft", 1])
    const sent = ok(M.sendForSignature(d, { documentNumber: "DOC-1", lessorFileDigest: "sm3:aa" }))
    expect(sent.state).toBe("awaiting_tenant")
    // R92: the tenant is fixed now.
    expect(ruleOf(M.swapTenant(sent, person("c"), [main("c")]))).toBe("R92.tenant-fixed")
    // R90: another document is refused by the consistency check.
    expect(
      ruleOf(M.tenantSigned(sent, { documentNumber: "DOC-2", signedFileDigest: "x", signedAt: AT }, reg())),
    ).toBe("R90.consistency-check")
    const done = ok(
      M.tenantSigned(sent, { documentNumber: "DOC-1", signedFileDigest: "sm3:bb", signedAt: AT }, reg()),
    )
    expect(done).toMatchObject({
      state: "registered",
      tenantSignedAt: AT,
      signedFileDigest: "sm3:bb",
      version: 3,
    })
    // R107: 备案号 carries the Shanghai time to the second; the instant is whole seconds.
    expect(done.registrationNumber).toBe("BA310115202612041003040001")
    expect(done.registeredAt).toBe(Date.UTC(2026, 11, 4, 2, 3, 4))
    expect(ruleOf(M.quickSign(done, reg(2)))).toBe("R95.quick-sign-from-draft")
  })

  it("R91: start at most 30 days back; the tenant of a draft may be swapped", () => {
    expect(
      ruleOf(M.draft(input({ term: { start: "2026-11-04" as never, end: "2027-01-01" as never } }), ctx())),
    ).toBe("ok")
    expect(
      ruleOf(M.draft(input({ term: { start: "2026-11-03" as never, end: "2027-01-01" as never } }), ctx())),
    ).toBe("R91.start-within-30-days")
    const d = ok(M.draft(input(), ctx()))
    const swapped = ok(M.swapTenant(d, person("c"), [main("c")]))
    expect(swapped.tenant).toEqual(person("c"))
    expect(ruleOf(M.swapTenant(d, person("c"), [main("a")]))).toBe("R101.one-main-tenant")
  })

  it("R95 quick signing registers a draft at once; revocation only before completion", () => {
    const d = ok(M.draft(input(), ctx()))
    const r = ok(M.quickSign(d, reg()))
    expect(r.state).toBe("registered")
    expect(ruleOf(M.revoke(r, { today: TODAY, at: AT }))).toBe("R166.revoke-uncompleted")
    const revoked = ok(M.revoke(d, { today: TODAY, at: AT }))
    expect(revoked.state).toBe("revoked")
    expect(M.unitEffects(revoked)).toEqual([{ unitId: "U1", command: "release" }])
    const exited = ok(M.exitRegistration(r, { today: TODAY, at: AT }))
    expect(M.unitEffects(exited)).toEqual([{ unitId: "U1", command: "markUnusable" }])
  })

  it("R106: a corporate tenant carries name, USCC, contact, phone and address", () => {
    const corp = {
      type: "corporate" as const,
      name: "上海某科技有限公司",
      uscc: "91310000MA1FL0TB3Y" as UnifiedSocialCreditCode,
      contactName: "王经理",
      contactPhone: "13800138000",
      address: "上海市浦东新区",
    }
    expect(ruleOf(M.draft(input({ tenant: corp, occupants: [] }), ctx()))).toBe("ok")
    expect(M.checkTenant({ ...corp, contactName: " " })?.rule).toBe("R106.corporate-fields")
    expect(M.checkTenant({ ...corp, uscc: "91310000MA1FL0TB3X" as never })?.field).toBe("tenant.uscc")
    expect(M.checkTenant({ ...corp, contactPhone: "12" })?.field).toBe("tenant.contactPhone")
  })
})

describe("R167 general tenancy and follow-ups", () => {
  const inForce = () => ok(M.quickSign(ok(M.draft(input({ kind: "gongzu" }), ctx())), reg()))

  it("R99 renewal only while the tenant qualifies; the successor starts the day after", () => {
    const c = inForce()
    const no = M.renew(
      c,
      {
        successorId: "K-2" as ContractId,
        end: "2029-12-03" as never,
        verdict: { qualifies: false, reason: "收入超标" },
      },
      { at: AT, actor: "op" },
      reg(2),
    )
    expect(ruleOf(no)).toBe("R99.still-qualifies")
    const yes = ok(
      M.renew(
        c,
        {
          successorId: "K-2" as ContractId,
          end: "2029-12-03" as never,
          verdict: { qualifies: true, reason: "" },
        },
        { at: AT, actor: "op" },
        reg(2),
      ),
    )
    expect(yes.old).toMatchObject({ state: "renewed", successorId: "K-2", version: c.version + 1 })
    expect(yes.successor).toMatchObject({
      state: "registered",
      predecessorId: "K-1",
      term: { start: "2027-12-04" },
    })
    expect(M.lastInForceDay([yes.old])).toBe(CivilDate.toDayNumber("2027-12-03" as never))
  })

  it("R100 move-out on expiry or early; R103 no provident-fund withdrawal afterwards", () => {
    const c = inForce()
    expect(M.fundWithdrawal(c, TODAY).allowed).toBe(true)
    expect(ruleOf(M.moveOut(c, { mode: "expiry", today: TODAY, at: AT }))).toBe("R100.expiry")
    const early = ok(M.moveOut(c, { mode: "early", today: "2027-03-01" as never, at: AT }))
    expect([early.endReason, early.endedOn, early.endedAt]).toEqual(["moved-out-early", "2027-03-01", AT])
    expect(M.fundWithdrawal(early, "2027-02-01" as never)).toEqual({
      allowed: false,
      rule: "R103.no-withdrawal-after-move-out",
    })
    const onExpiry = ok(M.moveOut(c, { mode: "expiry", today: "2027-12-10" as never, at: AT }))
    expect(onExpiry.endedOn).toBe("2027-12-03")
  })

  it("R101 the main tenant leaves only by a change; co-residents' exits are recorded", () => {
    const c = inForce()
    expect(ruleOf(M.occupantLeaves(c, "idx-a", TODAY))).toBe("R101.main-tenant-change-first")
    const changed = ok(M.changeMainTenant(c, "idx-b", TODAY))
    expect(changed.tenant).toMatchObject({ personIndex: "idx-b" })
    expect(changed.occupants.map((o) => [o.personIndex, o.role, o.leftOn])).toEqual([
      ["idx-a", "main", TODAY],
      ["idx-b", "main", null],
    ])
    const added = ok(M.addCoResident(changed, "idx-c", TODAY))
    const left = ok(M.occupantLeaves(added, "idx-c", "2027-01-01" as never))
    expect(left.occupants.at(-1)).toMatchObject({ personIndex: "idx-c", leftOn: "2027-01-01" })
  })

  it("R102 exchange: new unit's rent, the remaining term, occupants carried, old unit released", () => {
    const c = inForce()
    const r = ok(
      M.exchange(
        c,
        {
          successorId: "K-3" as ContractId,
          unit: { unitId: "U2", unitType: "2-1", rent: 180000 as Money, projectId: "P1", district: "310115" },
          newUnitContracts: [],
        },
        { today: "2027-02-01" as never, at: AT, actor: "op" },
        reg(3),
      ),
    )
    expect(r.old).toMatchObject({ state: "exchanged", endedOn: "2027-02-01" })
    expect(r.successor).toMatchObject({
      unitId: "U2",
      rent: 180000,
      state: "registered",
      term: { start: "2027-02-02", end: "2027-12-03" },
    })
    expect(r.successor.occupants.map((o) => o.personIndex)).toEqual(["idx-a", "idx-b"])
    expect(M.unitEffects(r.old, r.successor)).toEqual([
      { unitId: "U1", command: "release" },
      { unitId: "U2", command: "let" },
    ])
  })

  it("R97/R98 printing the registration notice; R94 approved clauses only; R93 pre-sign list", () => {
    const c = inForce()
    expect(ruleOf(M.printNotice(c, { unrectifiedViolations: 1, mayPrint: true }))).toBe(
      "R97.unrectified-violation",
    )
    expect(ruleOf(M.printNotice(c, { unrectifiedViolations: 0, mayPrint: false }))).toBe("R98.print-rights")
    expect(ok(M.printNotice(c, { unrectifiedViolations: 0, mayPrint: true })).noticePrints).toBe(1)
    const v: M.Violation = {
      id: "V1",
      personIndex: "idx-a",
      projectId: "P1",
      content: "转租",
      occurredOn: "2026-10-01" as never,
      rectifiedOn: null,
      version: 1,
    }
    expect(ok(M.rectify(v, TODAY)).rectifiedOn).toBe(TODAY)
    const t: M.ClauseTemplate = {
      id: "T1",
      title: "宠物",
      text: "…",
      kind: null,
      status: "draft",
      version: 1,
    }
    const d = ok(M.draft(input(), ctx()))
    expect(ruleOf(M.attachClauses(d, [t]))).toBe("R94.approved-only")
    const approved = ok(M.reviewClause(ok(M.reviewClause(t, "submit")), "approve"))
    expect(ok(M.attachClauses(d, [approved])).clauses).toEqual([{ templateId: "T1", version: 3 }])
    expect(M.reviewClause(approved, "rollback").pipe(Result.map((x) => x.status))).toEqual(
      Result.succeed("rolled_back"),
    )
    const list = M.preSignList(
      { unitId: "U9", unitType: "1-1" },
      [
        { caseId: "C-a", personIndex: "idx-a", intendedUnitType: "1-1" },
        { caseId: "C-x", personIndex: "idx-x", intendedUnitType: "1-1" },
        { caseId: "C-y", personIndex: "idx-y", intendedUnitType: "1-0" },
      ],
      [d],
    )
    expect(list.map((p) => p.caseId)).toEqual(["C-x"])
  })

  it("R104/R105 共有产权: revocation needs the no-valid-title answer; presale vs sale registration", () => {
    const g = ok(M.quickSign(ok(M.draft(input({ kind: "gongyou-presale" }), ctx())), reg()))
    expect(ruleOf(M.revoke(g, { today: TODAY, at: AT }))).toBe("R104.no-valid-title")
    expect(ruleOf(M.revoke(g, { today: TODAY, at: AT, titleCheck: "valid-title" }))).toBe(
      "R104.no-valid-title",
    )
    expect(ok(M.revoke(g, { today: TODAY, at: AT, titleCheck: "no-valid-title" })).state).toBe("revoked")
    expect(registrationPurpose("gongyou-presale")).toBe("advance-registration")
    expect(registrationPurpose("gongyou-sale")).toBe("title-registration")
    expect(registrationPurpose("baozu")).toBe(null)
  })
})

// ---------------------------------------------------------------------------------------------
// Properties over a world of units and contracts

type Cmd =
  | { k: "draft"; u: number; back: number; len: number }
  | { k: "quick" | "send" | "signed" | "revoke" | "exit" | "early" | "expiry"; c: number }
  | { k: "renew"; c: number; len: number; qualifies: boolean }
  | { k: "exchange"; c: number; u: number }
  | { k: "handle"; u: number }
  | { k: "days"; n: number }

const N_UNITS = 3
const simple = (k: "quick" | "send" | "signed" | "revoke" | "exit" | "early" | "expiry") =>
  fc.record({ k: fc.constant(k), c: fc.nat(12) })
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("draft" as const),
      u: fc.nat(N_UNITS - 1),
      back: fc.integer({ min: -5, max: 40 }),
      len: fc.integer({ min: 0, max: 400 }),
    }),
    weight: 4,
  },
  { arbitrary: simple("quick"), weight: 3 },
  { arbitrary: simple("send"), weight: 2 },
  { arbitrary: simple("signed"), weight: 2 },
  { arbitrary: simple("revoke"), weight: 2 },
  { arbitrary: simple("exit"), weight: 1 },
  { arbitrary: simple("early"), weight: 2 },
  { arbitrary: simple("expiry"), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant("renew" as const),
      c: fc.nat(12),
      len: fc.integer({ min: 0, max: 400 }),
      qualifies: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ k: fc.constant("exchange" as const), c: fc.nat(12), u: fc.nat(N_UNITS - 1) }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant("handle" as const), u: fc.nat(N_UNITS - 1) }), weight: 2 },
  {
    arbitrary: fc.record({ k: fc.constant("days" as const), n: fc.integer({ min: 1, max: 200 }) }),
    weight: 3,
  },
)

interface World {
  today: CivilDate.CivilDate
  at: number
  units: Map<string, Unit>
  contracts: Map<string, Contract>
  registrations: Map<string, number>
  numbers: Set<string>
  serial: number
}

const unitIds = Array.from({ length: N_UNITS }, (_, i) => unitFixture("w", i, { status: "available" }))

const applyUnit = (w: World, e: M.UnitEffect) => {
  const u = w.units.get(e.unitId)!
  const step =
    e.command === "let" ? Rules.letUnit : e.command === "release" ? Rules.release : Rules.markUnusable
  const r = step(u)
  if (Result.isFailure(r))
    throw new Error(`unit model refused ${e.command} on ${u.status}: ${r.failure.rule}`)
  w.units.set(u.id, r.success)
}

/** Stores a transition's outcome, counting registrations, and applies its unit effects (as the use-cases do). */
const commit = (w: World, before: Contract | undefined, after: Contract, successor?: Contract) => {
  for (const c of successor === undefined ? [after] : [after, successor]) {
    const prior = c === after ? before : undefined
    if (c.registeredAt !== null && (prior === undefined || prior.registeredAt === null)) {
      w.registrations.set(c.id, (w.registrations.get(c.id) ?? 0) + 1)
      expect(w.numbers.has(c.registrationNumber!)).toBe(false)
      w.numbers.add(c.registrationNumber!)
    }
    w.contracts.set(c.id, c)
  }
  for (const e of M.unitEffects(after, successor)) applyUnit(w, e)
}

const nextReg = (w: World) => {
  w.serial++
  return M.registrationNumber("310115", w.at, w.serial)
}

const run = (w: World, c: Cmd) => {
  const ids = [...w.contracts.keys()]
  const pick = (i: number) => (ids.length === 0 ? undefined : w.contracts.get(ids[i % ids.length]!)!)
  const fresh = () => `K-${w.contracts.size + 1}` as ContractId
  switch (c.k) {
    case "days":
      w.today = CivilDate.addDays(w.today, c.n)
      w.at += c.n * 86_400_000
      return
    case "handle": {
      const u = w.units.get(unitIds[c.u]!.id)!
      if (u.status === "unusable") applyUnit(w, { unitId: u.id, command: "release" })
      return
    }
    case "draft": {
      const u = w.units.get(unitIds[c.u]!.id)!
      if (u.status !== "available") return
      const start = CivilDate.addDays(w.today, -c.back)
      const r = M.draft(
        input({ id: fresh(), unitId: u.id, term: { start, end: CivilDate.addDays(start, c.len) } }),
        {
          today: w.today,
          at: w.at,
          actor: "t",
          unitContracts: [...w.contracts.values()].filter((x) => x.unitId === u.id),
        },
      )
      if (Result.isFailure(r)) return
      applyUnit(w, { unitId: u.id, command: "let" }) // the selection binding lets the unit
      commit(w, undefined, r.success)
      return
    }
    case "renew":
    case "exchange": {
      const k = pick(c.c)
      if (k === undefined) return
      const r =
        c.k === "renew"
          ? M.renew(
              k,
              {
                successorId: fresh(),
                end: CivilDate.addDays(k.term.end, 1 + c.len),
                verdict: { qualifies: c.qualifies, reason: "x" },
              },
              { at: w.at, actor: "t" },
              nextReg(w),
            )
          : (() => {
              const target = w.units.get(unitIds[c.u]!.id)!
              if (target.status !== "available") return undefined
              return M.exchange(
                k,
                {
                  successorId: fresh(),
                  unit: {
                    unitId: target.id,
                    unitType: "1-1",
                    rent: target.rent,
                    projectId: "P1",
                    district: "310115",
                  },
                  newUnitContracts: [...w.contracts.values()].filter((x) => x.unitId === target.id),
                },
                { today: w.today, at: w.at, actor: "t" },
                nextReg(w),
              )
            })()
      if (r === undefined || Result.isFailure(r)) return
      commit(w, k, r.success.old, r.success.successor)
      return
    }
    default: {
      const k = pick(c.c)
      if (k === undefined) return
      const today = w.today
      const r =
        c.k === "quick"
          ? M.quickSign(k, nextReg(w))
          : c.k === "send"
            ? M.sendForSignature(k, { documentNumber: `D-${k.id}`, lessorFileDigest: "d" })
            : c.k === "signed"
              ? M.tenantSigned(
                  k,
                  { documentNumber: `D-${k.id}`, signedFileDigest: "s", signedAt: w.at },
                  nextReg(w),
                )
              : c.k === "revoke"
                ? M.revoke(k, { today, at: w.at })
                : c.k === "exit"
                  ? M.exitRegistration(k, { today, at: w.at })
                  : M.moveOut(k, { mode: c.k, today, at: w.at })
      if (Result.isFailure(r)) return
      const unitBefore = w.units.get(k.unitId)!.status
      commit(w, k, r.success)
      // Revocation always restores the unit (R166: 恢复剩余可租套数).
      if (c.k === "revoke") {
        expect(unitBefore).toBe("let")
        expect(w.units.get(k.unitId)!.status).toBe("available")
      }
    }
  }
}

describe("contract properties (world of units and contracts)", () => {
  it("no 备案 twice; at most one contract in force per unit per day; let ⇔ held; revocation restores", () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 10, maxLength: 60, size: "max" }), (cmds) => {
        const w: World = {
          today: TODAY,
          at: AT,
          units: new Map(unitIds.map((u) => [u.id, u])),
          contracts: new Map(),
          registrations: new Map(),
          numbers: new Set(),
          serial: 0,
        }
        for (const c of cmds) run(w, c)
        const all = [...w.contracts.values()]
        for (const c of all) seen.add(c.state)
        for (const [id, n] of w.registrations) expect(n, id).toBe(1)
        const lo = CivilDate.toDayNumber(TODAY) - 40
        const hi = CivilDate.toDayNumber(w.today) + 900
        for (const u of unitIds) {
          const mine = all.filter((c) => c.unitId === u.id)
          // Brute-force reference: count per day.
          for (let d = lo; d <= hi; d++) {
            const day = CivilDate.fromDayNumber(d)
            let n = 0
            for (const c of mine) if (M.inForceOn(c, day)) n++
            if (n > 1) expect.fail(`${u.id} has ${n} contracts in force on ${day}`)
          }
          const holders = mine.filter((c) => ["draft", "awaiting_tenant", "registered"].includes(c.state))
          expect(holders.length).toBeLessThanOrEqual(1)
          expect(w.units.get(u.id)!.status === "let").toBe(holders.length === 1)
        }
      }),
      { seed: 20261204, numRuns: 200 },
    )
    // The generator reaches every state, so the laws are tested on real histories.
    expect([...seen].sort()).toEqual([...CONTRACT_STATES].sort())
  })
})
