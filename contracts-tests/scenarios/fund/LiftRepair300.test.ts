// Runs lift-repair-300.yaml through the application layer (deposits determined from policy/fund.yaml,
// a lift repair with a vote and two tranches, a year of interest, closing) on the memory and the PGlite
// Ledger, and checks that the three reports balance (§2.4), Σ sub-accounts = net assets, the chain
// verifies, the bank statement reconciles, and the refused project raises its warning.
import { readFileSync } from "node:fs"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Result } from "effect"
import * as YAML from "yaml"
import { recordDeposit, determineDeposits, topUpsDue } from "../../../application/fund/Deposits.js"
import { evaluateWarnings, reconcileBank } from "../../../application/fund/FundControls.js"
import { closePeriod, creditInterest, fundReport, verifyLedger } from "../../../application/fund/FundLedger.js"
import { disburseTranche, planUse } from "../../../application/fund/UseFund.js"
import { Ledger } from "../../../application/ports/Ledger.js"
import * as FS from "../../../domain/fund/FundStructure.js"
import type { HouseholdId } from "../../../domain/fund/HouseholdId.js"
import type { Ballot, Vote } from "../../../domain/fund/OwnerVote.js"
import { warningRules } from "../../../domain/fund/Warnings.js"
import { loadPolicy } from "../../../domain/policy/PolicyTable.js"
import { parseSquareMetres } from "../../../domain/values/Area.js"
import type { CivilDate } from "../../../domain/values/CivilDate.js"
import { type Money, parseYuan, toYuanString } from "../../../domain/values/Money.js"
import * as MemoryLedger from "../../../adapters/memory/MemoryLedger.js"
import * as PgliteLedger from "../../../adapters/pglite/PgliteLedger.js"

interface Spec {
  estate: {
    area: { id: string; name: string; stage: FS.Stage }
    book: "commodity" | "public"
    buildings: Array<{ id: string; type: "high-rise" | "multi-storey"; lift: boolean; entrances: number; floors: number; per_floor: number }>
    areas_m2: string[]
    double_owner_every: number
  }
  deposits: { first: { date: CivilDate } }
  lift_repair: {
    project: string
    building: string
    cost: string
    basis: "area"
    rules: "civil-code" | "order165"
    vote_date: CivilDate
    ballots: Array<Vote | "none">
    tranches: Array<{ id: string; date: CivilDate; amount: string }>
  }
  rejected_project: { project: string; building: string; cost: string; ballots: Array<Vote | "none"> }
  interest: {
    basis: "balance-days" | "period-end"
    settlements: Array<{ id: string; date: CivilDate; amount: string; from: CivilDate; to: CivilDate }>
  }
  closing: { id: string; date: CivilDate }
  expect: { households: number; vote_passed: boolean; reports_consistent: boolean }
}

const here = new URL(".", import.meta.url)
const spec = YAML.parse(readFileSync(new URL("lift-repair-300.yaml", here), "utf8")) as Spec
const policy = Result.getOrThrow(
  loadPolicy([{ name: "policy/fund.yaml", text: readFileSync(new URL("../../../policy/fund.yaml", here), "utf8") }]),
)
const yuan = (s: string) => Result.getOrThrow(parseYuan(s))

/** Expands the estate spec into a FundStructure (M13). */
const buildEstate = (): FS.FundStructure => {
  const e = spec.estate
  let s = Result.getOrThrow(FS.addArea(FS.emptyStructure, e.area))
  let n = 0
  for (const b of e.buildings) {
    s = Result.getOrThrow(FS.addBuilding(s, { id: b.id, areaId: e.area.id, name: b.id, type: b.type, hasLift: b.lift }))
    for (let en = 1; en <= b.entrances; en++) {
      const entranceId = `${b.id}-E${en}`
      s = Result.getOrThrow(FS.addEntrance(s, { id: entranceId, buildingId: b.id, name: `${en}单元` }))
      for (let f = 1; f <= b.floors; f++)
        for (let r = 1; r <= b.per_floor; r++) {
          const area = Result.getOrThrow(parseSquareMetres(e.areas_m2[n % e.areas_m2.length]!))
          const owner = n % e.double_owner_every === 1 ? `O${n - 1}` : `O${n}`
          n += 1
          const id = `${entranceId}-${String(f).padStart(2, "0")}${String(r).padStart(2, "0")}` as HouseholdId
          s = Result.getOrThrow(FS.addHousehold(s, { id, entranceId, area, owners: [owner], book: e.book }))
        }
    }
  }
  return s
}

const ballotsFor = (households: ReadonlyArray<FS.FundHousehold>, pattern: ReadonlyArray<Vote | "none">): Ballot[] =>
  households.flatMap((h, i) => {
    const v = pattern[i % pattern.length]!
    return v === "none" ? [] : [{ unitId: h.id, vote: v }]
  })

const scenario = Effect.gen(function* () {
  const book = spec.estate.book
  let estate = buildEstate()
  const all = FS.activeHouseholds(estate)
  expect(all).toHaveLength(spec.expect.households)

  // Deposits (M34/M169): the due amount per household from the dated policy, posted per building (A1).
  const reader = policy.reader({ on: spec.deposits.first.date })
  const due = yield* determineDeposits(estate, reader, all.map((h) => h.id))
  for (const b of spec.estate.buildings) {
    const mine = due.filter((d) => d.household.startsWith(`${b.id}-`))
    yield* recordDeposit({ id: `DEP-${b.id}`, book, date: spec.deposits.first.date, kind: "first", households: mine })
  }
  for (const d of due) estate = Result.getOrThrow(FS.recordFirstDeposit(estate, d.household, d.amount))
  expect(reader.trace().map((t) => t.path)).toContain("fund.deposit.rate_per_m2.high_rise")
  const deposited = due.reduce((t, d) => t + d.amount, 0)

  // Interest Q1 before the repair (A7 allocated by balance × days, M180).
  const [q1, ...rest] = spec.interest.settlements
  const credit = (s: NonNullable<typeof q1>) =>
    creditInterest({
      id: s.id,
      book,
      date: s.date,
      amount: yuan(s.amount),
      period: { from: s.from, to: s.to },
      basis: spec.interest.basis,
    })
  yield* credit(q1!)

  // Lift repair: apportion by area over B1 from current balances, vote, two tranches (A5, M51/M177).
  const lr = spec.lift_repair
  const scope = FS.activeHouseholds(estate, lr.building)
  const plan0 = yield* planUse({
    project: lr.project,
    book,
    cost: yuan(lr.cost),
    scope: scope.map((h) => ({ unitId: h.id, area: h.area })),
    basis: lr.basis,
    order: "principal-first",
    voters: scope.map((h) => ({ unitId: h.id, area: h.area, ownerId: h.owners[0]! })),
    ballots: ballotsFor(scope, lr.ballots),
    rules: lr.rules,
  })
  expect(plan0.vote.passed).toBe(spec.expect.vote_passed)
  expect(plan0.apportionment.shares.reduce((t, s) => t + s.share, 0)).toBe(yuan(lr.cost))
  expect(plan0.apportionment.totals.selfFunded).toBe(0)
  let plan = plan0
  for (const t of lr.tranches) {
    const remaining = plan.remaining.reduce((s, r) => s + r.principal + r.income, 0)
    const amount = t.amount === "rest" ? (remaining as Money) : yuan(t.amount)
    plan = (yield* disburseTranche(plan, { id: t.id, date: t.date, amount })).plan
  }
  expect(plan.remaining.every((r) => r.principal === 0 && r.income === 0)).toBe(true)

  // A project whose vote fails is refused, and the periodic evaluation raises its warning.
  const rj = spec.rejected_project
  const rScope = FS.activeHouseholds(estate, rj.building)
  const rejected = yield* planUse({
    project: rj.project,
    book,
    cost: yuan(rj.cost),
    scope: rScope.map((h) => ({ unitId: h.id, area: h.area })),
    basis: "area",
    order: "principal-first",
    voters: rScope.map((h) => ({ unitId: h.id, area: h.area, ownerId: h.owners[0]! })),
    ballots: ballotsFor(rScope, rj.ballots),
    rules: "civil-code",
  })
  expect(rejected.vote.passed).toBe(false)
  const refused = yield* Effect.exit(disburseTranche(rejected, { id: "ROOF-T1", date: "2024-05-01" as CivilDate, amount: yuan("1,000.00") }))
  expect(Exit.isFailure(refused) && JSON.stringify(refused.cause)).toMatch(/DisbursementNotApproved/u)

  for (const s of rest) yield* credit(s)
  const closing = yield* closePeriod({ id: spec.closing.id, book, date: spec.closing.date })
  expect(closing._tag).toBe("Some")

  // Reports for the year: every identity, nothing left unclosed, Σ sub-accounts = net assets.
  const report = yield* fundReport({ book, from: "2024-01-01" as CivilDate, to: spec.closing.date })
  expect(report.consistent).toBe(spec.expect.reports_consistent)
  const interestTotal = spec.interest.settlements.reduce((t, s) => t + yuan(s.amount), 0)
  const netAssets = deposited - yuan(lr.cost) + interestTotal
  expect(report.balanceSheet.totalNetAssets).toBe(netAssets)
  expect(report.balanceSheet.netAssets.find((l) => l.code === "unclosed")?.amount).toBe(0)
  expect(report.incomeAndExpenditure.surplus).toBe(netAssets)
  expect(report.subLedger).toMatchObject({ households: netAssets, pendingAllocation: 0, holds: true })
  expect((yield* verifyLedger()).ok).toBe(true)

  // Bank reconciliation: the statement is the book's bank lines, by amount and date, one fee short.
  const ledger = yield* Ledger
  const journal = yield* ledger.journal()
  const bankLines = journal.flatMap((e) =>
    e.lines.filter((l) => l.account === "100101").map((l) => ({ date: e.date, amount: l.side === "debit" ? l.amount : -l.amount })),
  )
  const csv = ["date,amount,reference", ...bankLines.map((l) => `${l.date},${toYuanString(l.amount as Money)},`), "2024-12-30,-12.50,BANK FEE"].join("\n")
  const rec = yield* reconcileBank({ book, statementCsv: csv, windowDays: 3 })
  expect(rec).toMatchObject({ difference: -1250, unexplained: 0, reconciled: true })
  expect(rec.bankOnly).toHaveLength(1)

  const rules = Result.getOrThrow(warningRules(policy.reader({ on: spec.closing.date })))
  const warnings = yield* evaluateWarnings({
    rules,
    on: spec.closing.date,
    book,
    structure: estate,
    facts: [
      { _tag: "Disbursement", project: rj.project, amount: yuan("1,000.00"), votePassed: false },
      { _tag: "BankReconciled", account: "100101", reconciliation: rec },
    ],
  })
  expect(warnings.map((w) => w.kind)).toEqual(["bank-difference", "disbursement-without-vote"])
  expect(yield* topUpsDue(estate, policy.reader({ on: spec.closing.date }), book)).toEqual([])
})

for (const [name, l] of [
  ["memory", MemoryLedger.layer],
  ["pglite", PgliteLedger.layer()],
] as const)
  describe(`scenario lift-repair-300: ${name}`, () => {
    layer(l, { timeout: "300 seconds" })((it) => {
      it.effect("deposits, a voted lift repair in two tranches, a year of interest and closing balance", () => scenario)
    })
  })
