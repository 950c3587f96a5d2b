/**
 * Fund scenarios (`kind: fund`, contracts-tests/scenarios/fund/): a compact estate spec expanded through the
 * fund use-cases — deposits from the dated policy, a voted repair paid in tranches, interest, closing, bank
 * reconciliation and warnings — on a given Ledger layer. Every check is collected as a failure line rather
 * than thrown, so `anju replay` reports it like any other scenario; the observed summary is store-neutral
 * (memory and PGlite must observe the same one).
 */
import { Effect, Exit, type Layer, Result } from "effect"
import { determineDeposits, recordDeposit, topUpsDue } from "../../application/fund/Deposits.js"
import { evaluateWarnings, reconcileBank } from "../../application/fund/FundControls.js"
import { closePeriod, creditInterest, fundReport, verifyLedger } from "../../application/fund/FundLedger.js"
import { disburseTranche, planUse } from "../../application/fund/UseFund.js"
import { Ledger } from "../../application/ports/Ledger.js"
import * as FS from "../../domain/fund/FundStructure.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import type { Ballot, Vote } from "../../domain/fund/OwnerVote.js"
import { warningRules } from "../../domain/fund/Warnings.js"
import type { PolicyTable } from "../../domain/policy/PolicyTable.js"
import { parseSquareMetres } from "../../domain/values/Area.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { type Money, parseYuan, toYuanString } from "../../domain/values/Money.js"

export interface FundSpec {
  readonly kind: "fund"
  readonly name?: string
  readonly estate: {
    readonly area: { readonly id: string; readonly name: string; readonly stage: FS.Stage }
    readonly book: "commodity" | "public"
    readonly buildings: ReadonlyArray<{
      readonly id: string
      readonly type: "high-rise" | "multi-storey"
      readonly lift: boolean
      readonly entrances: number
      readonly floors: number
      readonly per_floor: number
    }>
    readonly areas_m2: ReadonlyArray<string>
    readonly double_owner_every: number
  }
  readonly deposits: { readonly first: { readonly date: CivilDate } }
  readonly lift_repair: {
    readonly project: string
    readonly building: string
    readonly cost: string
    readonly basis: "area"
    readonly rules: "civil-code" | "order165"
    readonly vote_date: CivilDate
    readonly ballots: ReadonlyArray<Vote | "none">
    readonly tranches: ReadonlyArray<{
      readonly id: string
      readonly date: CivilDate
      readonly amount: string
    }>
  }
  readonly rejected_project: {
    readonly project: string
    readonly building: string
    readonly cost: string
    readonly ballots: ReadonlyArray<Vote | "none">
  }
  readonly interest: {
    readonly basis: "balance-days" | "period-end"
    readonly settlements: ReadonlyArray<{
      readonly id: string
      readonly date: CivilDate
      readonly amount: string
      readonly from: CivilDate
      readonly to: CivilDate
    }>
  }
  readonly closing: { readonly id: string; readonly date: CivilDate }
  readonly expect: {
    readonly households: number
    readonly vote_passed: boolean
    readonly reports_consistent: boolean
  }
}

/** What a fund replay observed: the same on every Ledger. */
export interface FundObserved {
  readonly households: number
  readonly deposited: number
  readonly votePassed: boolean
  readonly netAssets: number
  readonly reportsConsistent: boolean
  readonly chainVerified: boolean
  readonly bankDifference: number
  readonly warnings: ReadonlyArray<string>
}

export const isFundSpec = (v: unknown): v is FundSpec =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { estate?: unknown }).estate === "object" &&
  typeof (v as { lift_repair?: unknown }).lift_repair === "object" &&
  typeof (v as { expect?: unknown }).expect === "object"

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

const ballotsFor = (
  households: ReadonlyArray<FS.FundHousehold>,
  pattern: ReadonlyArray<Vote | "none">,
): Array<Ballot> =>
  households.flatMap((h, i) => {
    const v = pattern[i % pattern.length]!
    return v === "none" ? [] : [{ unitId: h.id, vote: v }]
  })

/** Expands the estate spec into a FundStructure (M13). */
const buildEstate = (spec: FundSpec): FS.FundStructure => {
  const e = spec.estate
  let s = Result.getOrThrow(FS.addArea(FS.emptyStructure, e.area))
  let n = 0
  for (const b of e.buildings) {
    s = Result.getOrThrow(
      FS.addBuilding(s, { id: b.id, areaId: e.area.id, name: b.id, type: b.type, hasLift: b.lift }),
    )
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

/** The scenario's program on the Ledger in context; `failures` collects every check that did not hold. */
const play = (spec: FundSpec, policy: PolicyTable, failures: Array<string>) =>
  Effect.gen(function* () {
    const check = (what: string, actual: unknown, expected: unknown) => {
      if (!same(actual, expected))
        failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    }
    const yuan = (s: string) => Result.getOrThrow(parseYuan(s))
    const book = spec.estate.book
    let estate = buildEstate(spec)
    const all = FS.activeHouseholds(estate)
    check("households", all.length, spec.expect.households)

    // Deposits (M34/M169): the due amount per household from the dated policy, posted per building (A1).
    const reader = policy.reader({ on: spec.deposits.first.date })
    const due = yield* determineDeposits(
      estate,
      reader,
      all.map((h) => h.id),
    )
    for (const b of spec.estate.buildings) {
      const mine = due.filter((d) => d.household.startsWith(`${b.id}-`))
      yield* recordDeposit({
        id: `DEP-${b.id}`,
        book,
        date: spec.deposits.first.date,
        kind: "first",
        households: mine,
      })
    }
    for (const d of due) estate = Result.getOrThrow(FS.recordFirstDeposit(estate, d.household, d.amount))
    const deposited = due.reduce((t, d) => t + d.amount, 0)

    // Interest before the repair (A7 allocated by balance × days, M180).
    const [first, ...rest] = spec.interest.settlements
    const credit = (s: NonNullable<typeof first>) =>
      creditInterest({
        id: s.id,
        book,
        date: s.date,
        amount: yuan(s.amount),
        period: { from: s.from, to: s.to },
        basis: spec.interest.basis,
      })
    if (first !== undefined) yield* credit(first)

    // Repair: apportion by area over the building from current balances, vote, tranches (A5, M51/M177).
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
    check("vote passed", plan0.vote.passed, spec.expect.vote_passed)
    check(
      "Σ shares = cost",
      plan0.apportionment.shares.reduce((t, s) => t + s.share, 0),
      yuan(lr.cost),
    )
    check("self-funded part", plan0.apportionment.totals.selfFunded, 0)
    let plan = plan0
    for (const t of lr.tranches) {
      const remaining = plan.remaining.reduce((s, r) => s + r.principal + r.income, 0)
      const amount = t.amount === "rest" ? (remaining as Money) : yuan(t.amount)
      plan = (yield* disburseTranche(plan, { id: t.id, date: t.date, amount })).plan
    }
    check(
      "repair fully paid",
      plan.remaining.every((r) => r.principal === 0 && r.income === 0),
      true,
    )

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
    check("rejected project's vote passed", rejected.vote.passed, false)
    const refused = yield* Effect.exit(
      disburseTranche(rejected, {
        id: `${rj.project}-T1`,
        date: spec.closing.date,
        amount: yuan("1,000.00"),
      }),
    )
    check(
      "disbursement without a vote refused",
      Exit.isFailure(refused) && /DisbursementNotApproved/u.test(JSON.stringify(refused.cause)),
      true,
    )

    for (const s of rest) yield* credit(s)
    const closing = yield* closePeriod({ id: spec.closing.id, book, date: spec.closing.date })
    check("period closed", closing._tag, "Some")

    // Reports for the year: every identity, nothing left unclosed, Σ sub-accounts = net assets.
    const from = `${spec.closing.date.slice(0, 4)}-01-01` as CivilDate
    const report = yield* fundReport({ book, from, to: spec.closing.date })
    check("reports consistent", report.consistent, spec.expect.reports_consistent)
    const interestTotal = spec.interest.settlements.reduce((t, s) => t + yuan(s.amount), 0)
    const netAssets = deposited - yuan(lr.cost) + interestTotal
    check("net assets", report.balanceSheet.totalNetAssets, netAssets)
    check("unclosed", report.balanceSheet.netAssets.find((l) => l.code === "unclosed")?.amount, 0)
    check("surplus", report.incomeAndExpenditure.surplus, netAssets)
    check(
      "sub-ledger",
      {
        households: report.subLedger.households,
        pendingAllocation: report.subLedger.pendingAllocation,
        holds: report.subLedger.holds,
      },
      { households: netAssets, pendingAllocation: 0, holds: true },
    )
    const verified = (yield* verifyLedger()).ok
    check("ledger chain verifies", verified, true)

    // Bank reconciliation: the statement is the book's bank lines, by amount and date, one fee short.
    const ledger = yield* Ledger
    const journal = yield* ledger.journal()
    const bankLines = journal.flatMap((e) =>
      e.lines
        .filter((l) => l.account === "100101")
        .map((l) => ({ date: e.date, amount: l.side === "debit" ? l.amount : -l.amount })),
    )
    const csv = [
      "date,amount,reference",
      ...bankLines.map((l) => `${l.date},${toYuanString(l.amount as Money)},`),
      `${spec.closing.date},-12.50,BANK FEE`,
    ].join("\n")
    const rec = yield* reconcileBank({ book, statementCsv: csv, windowDays: 3 })
    check(
      "bank reconciliation",
      { difference: rec.difference, unexplained: rec.unexplained, reconciled: rec.reconciled },
      { difference: -1250, unexplained: 0, reconciled: true },
    )
    check("bank-only lines", rec.bankOnly.length, 1)

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
    const kinds = warnings.map((w) => w.kind)
    check("warnings", kinds, ["bank-difference", "disbursement-without-vote"])
    check("top-ups due", (yield* topUpsDue(estate, policy.reader({ on: spec.closing.date }), book)).length, 0)
    return {
      households: all.length,
      deposited,
      votePassed: plan0.vote.passed,
      netAssets: report.balanceSheet.totalNetAssets,
      reportsConsistent: report.consistent,
      chainVerified: verified,
      bankDifference: rec.difference,
      warnings: kinds,
    } satisfies FundObserved
  })

/** Replays a fund scenario on the given Ledger layer; a failure of a use-case is reported, not thrown. */
export const runFundScenario = async (
  spec: FundSpec,
  policy: PolicyTable,
  ledger: Layer.Layer<Ledger>,
): Promise<{ readonly failures: ReadonlyArray<string>; readonly observed: FundObserved | null }> => {
  const failures: Array<string> = []
  const exit = await Effect.runPromiseExit(play(spec, policy, failures).pipe(Effect.provide(ledger)))
  if (Exit.isFailure(exit)) {
    const e = exit.cause.reasons[0]
    failures.push(
      `stopped: ${e?._tag === "Fail" ? String((e.error as { message?: string })?.message ?? e.error) : e?._tag === "Die" ? String(e.defect) : "interrupted"}`,
    )
    return { failures, observed: null }
  }
  return { failures, observed: exit.value }
}
