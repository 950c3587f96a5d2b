/**
 * Use of the fund (资金使用, M49–M51/M175–M177): plan a repair project — apportion its cost over the
 * expenditure scope (列支范围) from the households' current balances (自筹 where a balance is short) and
 * count the owners' vote (V1–V13) — then disburse it in tranches (A5). A tranche is refused with
 * `DisbursementNotApproved` unless the vote passed or the project is an emergency (V8); each tranche is
 * split over what is still to be paid, so tranches never overpay a household (M177).
 */
import { Data, Effect } from "effect"
import {
  type ApportionBasis,
  type DrawOrder,
  type FundedApportionment,
  type Remaining,
  type ScopeUnit,
  type Available,
  apportionFromBalances,
  splitTranche,
} from "../../domain/fund/Apportionment.js"
import type { Book } from "../../domain/fund/ChartOfAccounts.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import {
  type Ballot,
  type Matter,
  type RuleSet,
  type VoteOutcome,
  type VotingUnit,
  tallyVote,
} from "../../domain/fund/OwnerVote.js"
import { disbursement } from "../../domain/fund/PostingRules.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import type { Money } from "../../domain/values/Money.js"
import { Ledger } from "../ports/Ledger.js"
import { postEntries } from "./FundLedger.js"

/** A disbursement was requested for a project whose owner vote did not pass (M50, M183). */
export class DisbursementNotApproved extends Data.TaggedError("DisbursementNotApproved")<{
  readonly project: string
  readonly message: string
}> {}

export interface UsePlan {
  readonly project: string
  readonly book: Book
  readonly apportionment: FundedApportionment<HouseholdId>
  readonly vote: VoteOutcome
  readonly emergency: boolean
  /** Still to be paid from each sub-account (starts at the approved draws). */
  readonly remaining: ReadonlyArray<Remaining<HouseholdId>>
}

export const planUse = Effect.fn("Fund.planUse")(function* (input: {
  readonly project: string
  readonly book: Book
  readonly cost: Money
  readonly scope: ReadonlyArray<ScopeUnit<HouseholdId>>
  readonly basis: ApportionBasis
  readonly order: DrawOrder
  readonly voters: ReadonlyArray<VotingUnit>
  readonly ballots: ReadonlyArray<Ballot>
  readonly matter?: Matter
  readonly rules: RuleSet
  readonly emergency?: boolean
}) {
  const ledger = yield* Ledger
  const balances = new Map<HouseholdId, Available>()
  for (const u of input.scope) balances.set(u.unitId, { principal: 0 as Money, income: 0 as Money })
  for (const b of yield* ledger.householdBalances(input.book))
    if (balances.has(b.household)) balances.set(b.household, { principal: b.principal, income: b.income })
  const apportionment = yield* Effect.fromResult(
    apportionFromBalances(input.cost, input.scope, input.basis, balances, input.order),
  )
  const vote = yield* Effect.fromResult(
    tallyVote({
      units: input.voters,
      ballots: input.ballots,
      matter: input.matter ?? "use",
      rules: input.rules,
    }),
  )
  return {
    project: input.project,
    book: input.book,
    apportionment,
    vote,
    emergency: input.emergency ?? false,
    remaining: apportionment.draws.map((d) => ({
      unitId: d.unitId,
      principal: d.principal,
      income: d.income,
    })),
  } satisfies UsePlan
})

/** Pays one tranche of `amount` (A5) and returns the plan with what remains to be paid. */
export const disburseTranche = Effect.fn("Fund.disburseTranche")(function* (
  plan: UsePlan,
  tranche: { readonly id: string; readonly date: CivilDate; readonly amount: Money },
) {
  if (!plan.vote.passed && !plan.emergency)
    return yield* new DisbursementNotApproved({
      project: plan.project,
      message: `project ${plan.project}: the owner vote did not pass (${plan.vote.rules}), no disbursement`,
    })
  const parts = yield* Effect.fromResult(splitTranche(plan.remaining, tranche.amount))
  const draws = parts
    .map((p) => ({ household: p.unitId, principal: p.principal, income: p.income }))
    .filter((d) => d.principal + d.income > 0)
  const entry = yield* Effect.fromResult(
    disbursement({ id: tranche.id, book: plan.book, date: tranche.date, project: plan.project, draws }),
  )
  yield* postEntries([entry])
  const remaining = plan.remaining.map((r, i) => ({
    unitId: r.unitId,
    principal: (r.principal - parts[i]!.principal) as Money,
    income: (r.income - parts[i]!.income) as Money,
  }))
  return { entry, plan: { ...plan, remaining } satisfies UsePlan }
})
