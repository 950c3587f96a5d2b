/**
 * The deposit counter (资金交存, M28–M45) on the FundRegistry: amounts determined by the dated policy
 * parameters of the household's building (M34), single and batch payment notices (M35) due after
 * `fund.deposit.notice_due_days` (M28), deposits (A1) with kinds and supplementary reasons (M29/M38) each
 * receipted by one bill used once (M31/M42), refunds with reason categories (A2/A3, M30/M40), stage
 * conversion 代管⇄自管 (M43, A17), ownership transfer with the shortfall noticed (M44, A18), the deposit
 * status for a house transaction (M32) and the household's account. Money moves only through posting
 * rules, in the same commit as the record and the bill.
 */
import { Clock, Effect, Option } from "effect"
import type { Actor } from "../../domain/access/Access.js"
import { type Bill, billRange, reconcileBills, stockBill } from "../../domain/fund/Bills.js"
import {
  type DepositRecord,
  type PaymentNotice,
  type RefundReason,
  type SupplementaryReason,
  depositEntry,
  depositStandard,
  depositStatus,
  dueAmount,
  netDeposited,
  refundEntry,
} from "../../domain/fund/Deposits.js"
import { FundParameters, allFundParameters } from "../../domain/fund/FundParameters.js"
import * as Structure from "../../domain/fund/FundStructure.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import { stageConversion } from "../../domain/fund/PostingRules.js"
import type { DepositKind } from "../../domain/fund/PostingRules.js"
import * as CD from "../../domain/values/CivilDate.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import type { Money } from "../../domain/values/Money.js"
import { FundRegistry, type HouseholdPlace } from "../ports/FundRegistry.js"
import { Ledger } from "../ports/Ledger.js"
import type { Jurisdiction } from "../../domain/policy/Jurisdiction.js"
import { loadPolicyTable } from "../policy/LoadPolicyTable.js"
import { changeOf, findArea, placeOf, sealOwner, type OwnerInput } from "./BasicData.js"
import { FundRecordNotFound, requireArea, requireFundCentre } from "./FundScope.js"

const today = Effect.map(Clock.currentTimeMillis, (at) => CD.fromInstant(at))

/** M34: the due deposit of a household on `on`, with the standard and the parameters read. */
export const determineDue = Effect.fn("Fund.determineDue")(function* (place: HouseholdPlace, on: CivilDate) {
  const table = yield* loadPolicyTable(allFundParameters)
  const reader = table.reader({
    on,
    ...(place.area.district === undefined ? {} : { district: place.area.district as Jurisdiction }),
  })
  const standard = yield* Effect.fromResult(depositStandard(reader, place.building))
  const due = dueAmount(place.household.area, standard)
  const dueDays = yield* Effect.fromResult(reader.read(FundParameters.noticeDueDays))
  return {
    due,
    standard,
    dueDays,
    basis: `${standard.basis} ${standard.perM2.numerator}/${standard.perM2.denominator} fen/m² (${standard.roundTo})`,
    trace: reader.trace().map((t) => t.path),
  }
})

const balanceOf = Effect.fn("Fund.householdBalance")(function* (place: HouseholdPlace) {
  const ledger = yield* Ledger
  const b = (yield* ledger.householdBalances(place.household.book)).find(
    (x) => x.household === place.household.id,
  )
  return { principal: (b?.principal ?? 0) as Money, income: (b?.income ?? 0) as Money }
})

/**
 * M35: payment notices for one or many households (batch), each the determined amount (or `amount` for a
 * supplementary payment), due `notice_due_days` after `on`. Idempotent per notice id (`<id>-<household>`).
 */
export const issueNotices = Effect.fn("Fund.issueNotices")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly households: ReadonlyArray<string>
    readonly kind: DepositKind
    readonly reason?: SupplementaryReason
    readonly amount?: number
    readonly on?: CivilDate
  },
) {
  const reg = yield* FundRegistry
  const on = input.on ?? (yield* today)
  if (input.households.length === 0 || input.households.length > 5_000)
    return yield* invalid(
      "households",
      "M35.batch",
      input.households.length,
      "a notice batch holds 1..5000 households",
    )
  if ((input.kind === "supplementary") !== (input.reason !== undefined))
    return yield* invalid(
      "reason",
      "M38.reason-category",
      input.reason ?? "",
      "only a supplementary notice, and always one, carries a reason",
    )
  const notices: PaymentNotice[] = []
  for (const h of input.households) {
    const place = yield* placeOf(actor, "fund.write", h)
    const d = yield* determineDue(place, on)
    const amount = (input.amount ?? d.due) as Money
    if (!Number.isSafeInteger(amount) || amount <= 0)
      return yield* invalid("amount", "M35.positive-amount", amount, "a notice asks for a positive amount")
    notices.push({
      id: `${input.id}-${h}`,
      household: place.household.id,
      book: place.household.book,
      kind: input.kind,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      amount,
      issuedOn: on,
      dueOn: CD.addDays(on, d.dueDays),
      basis: input.amount === undefined ? d.basis : "amount given",
      status: "open",
    })
  }
  const first = yield* placeOf(actor, "fund.write", input.households[0]!)
  yield* reg.commit({
    change: yield* changeOf(
      actor,
      "notice.issue",
      `notices:${input.id}`,
      first.area.id,
      { count: notices.length, kind: input.kind },
      `notice.issue:${input.id}`,
    ),
    put: { notices },
  })
  return notices
})

export interface DepositInput {
  /** Client-chosen id: a replay returns the stored record. */
  readonly id: string
  readonly household: string
  readonly kind: DepositKind
  readonly reason?: SupplementaryReason
  /** Fen; defaults to the notice's amount. */
  readonly amount?: number
  readonly date?: CivilDate
  readonly billNo?: string
  readonly noticeId?: string
}

/** M29/M38/M31: a deposit (A1) receipted by the actor's bill, settling a notice when given; first deposits recorded (M171). */
export const recordDeposit = Effect.fn("Fund.recordDeposit")(function* (actor: Actor, input: DepositInput) {
  const reg = yield* FundRegistry
  const place = yield* placeOf(actor, "fund.write", input.household)
  const stored = (yield* reg.deposits(input.household)).find((d) => d.id === input.id)
  if (stored !== undefined) return stored
  const date = input.date ?? (yield* today)
  let amount = input.amount
  if (input.noticeId !== undefined) {
    const n = yield* reg.notice(input.noticeId)
    if (Option.isNone(n) || n.value.household !== place.household.id)
      return yield* new FundRecordNotFound({ what: "notice", id: input.noticeId })
    amount ??= n.value.amount
    if (amount !== n.value.amount)
      return yield* invalid(
        "amount",
        "M28.verified-amount",
        amount,
        `the notice asks for ${n.value.amount} fen`,
      )
  }
  if (amount === undefined)
    return yield* invalid("amount", "M28.verified-amount", "", "an amount or a notice is required")
  const entry = yield* Effect.fromResult(
    depositEntry({
      id: `dep-${input.id}`,
      book: place.household.book,
      date,
      kind: input.kind,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      households: [{ household: place.household.id, amount: amount as Money }],
    }),
  )
  const record: DepositRecord = {
    id: input.id,
    household: place.household.id,
    book: place.household.book,
    direction: "deposit",
    kind: input.kind,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    amount: amount as Money,
    date,
    entryId: entry.id,
    ...(input.billNo === undefined ? {} : { billNo: input.billNo }),
    ...(input.noticeId === undefined ? {} : { noticeId: input.noticeId }),
    recordedBy: actor.id,
  }
  let households: ReadonlyArray<Structure.FundHousehold> = []
  if (input.kind === "first") {
    const s = yield* reg.structureOf(place.area.id)
    const next = yield* Effect.fromResult(
      Structure.recordFirstDeposit(s, place.household.id, amount as Money),
    )
    households = [next.households.get(place.household.id)!]
  }
  yield* reg.commit({
    change: yield* changeOf(
      actor,
      "deposit.record",
      `household:${place.household.id}`,
      place.area.id,
      { id: input.id, kind: input.kind, amount, billNo: input.billNo ?? null },
      `deposit:${input.id}`,
    ),
    put: { households },
    deposits: [record],
    entries: [entry],
  })
  return record
})

/** M30/M40: a refund with a reason category (A2 current year, A3 earlier), within the sub-account. */
export const recordRefund = Effect.fn("Fund.recordRefund")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly household: string
    readonly reason: RefundReason
    readonly amount: number
    readonly currentYear: boolean
    readonly date?: CivilDate
  },
) {
  const reg = yield* FundRegistry
  const place = yield* placeOf(actor, "fund.write", input.household)
  const date = input.date ?? (yield* today)
  const entry = yield* Effect.fromResult(
    refundEntry({
      id: `ref-${input.id}`,
      book: place.household.book,
      date,
      reason: input.reason,
      household: place.household.id,
      amount: input.amount as Money,
      currentYear: input.currentYear,
      balance: yield* balanceOf(place),
    }),
  )
  const record: DepositRecord = {
    id: input.id,
    household: place.household.id,
    book: place.household.book,
    direction: "refund",
    kind: "refund",
    reason: input.reason,
    amount: input.amount as Money,
    date,
    entryId: entry.id,
    recordedBy: actor.id,
  }
  yield* reg.commit({
    change: yield* changeOf(
      actor,
      "refund.record",
      `household:${place.household.id}`,
      place.area.id,
      { id: input.id, reason: input.reason, amount: input.amount },
      `refund:${input.id}`,
    ),
    deposits: [record],
    entries: [entry],
  })
  return record
})

/** M43/A17: an area changes stage; every active household's balance moves out of and into the books. */
export const convertStage = Effect.fn("Fund.convertStage")(function* (
  actor: Actor,
  input: { readonly areaId: string; readonly to: Structure.Stage; readonly date?: CivilDate },
) {
  const reg = yield* FundRegistry
  const ledger = yield* Ledger
  const area = yield* findArea(input.areaId)
  yield* requireArea(actor, "fund.write", area)
  const s = yield* reg.structureOf(input.areaId)
  const next = yield* Effect.fromResult(Structure.convertStage(s, input.areaId, input.to))
  const date = input.date ?? (yield* today)
  const entries = []
  for (const book of ["commodity", "public"] as const) {
    const mine = new Set(
      Structure.activeHouseholds(s)
        .filter((h) => h.book === book)
        .map((h) => h.id as string),
    )
    const draws = (yield* ledger.householdBalances(book))
      .filter((b) => mine.has(b.household) && b.principal + b.income > 0)
      .map((b) => ({ household: b.household, principal: b.principal, income: b.income }))
    if (draws.length === 0) continue
    const c = yield* Effect.fromResult(
      stageConversion({
        outgoingId: `a17-${input.areaId}-${input.to}-${date}-${book}-out`,
        incomingId: `a17-${input.areaId}-${input.to}-${date}-${book}-in`,
        book,
        date,
        households: draws,
      }),
    )
    entries.push(c.outgoing, c.incoming)
  }
  const updated = next.areas.get(input.areaId)!
  yield* reg.commit({
    change: yield* changeOf(actor, "area.stage", `area:${input.areaId}`, input.areaId, {
      from: area.stage,
      to: input.to,
    }),
    put: { areas: [updated] },
    entries,
  })
  return { area: updated, entries: entries.map((e) => e.id) }
})

/** M32: may this house change hands? Due now (M34) vs. deposited so far. */
export const depositStatusOf = Effect.fn("Fund.depositStatus")(function* (
  actor: Actor,
  input: { readonly household: string; readonly on?: CivilDate },
) {
  const reg = yield* FundRegistry
  const place = yield* placeOf(actor, "fund.read", input.household)
  const d = yield* determineDue(place, input.on ?? (yield* today))
  return depositStatus(place.household.id, d.due, netDeposited(yield* reg.deposits(input.household)))
})

/**
 * M44/A18: ownership transfer (过户). The owners change (no money moves); a shortfall against the due
 * deposit gets a supplementary notice with reason `transfer-shortfall`.
 */
export const transferOwnershipAs = Effect.fn("Fund.transferOwnership")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly household: string
    readonly owners: ReadonlyArray<OwnerInput>
    readonly date?: CivilDate
  },
) {
  const reg = yield* FundRegistry
  const place = yield* placeOf(actor, "fund.write", input.household)
  const date = input.date ?? (yield* today)
  const s = yield* reg.structureOf(place.area.id)
  const r = yield* Effect.fromResult(
    Structure.transferOwnership(
      s,
      input.household,
      input.owners.map((o) => o.id),
      date,
    ),
  )
  const owners = []
  for (const o of input.owners) owners.push(yield* sealOwner(o))
  const status = yield* depositStatusOf(actor, { household: input.household, on: date })
  const d = yield* determineDue(place, date)
  const notices: PaymentNotice[] =
    status.shortfall > 0
      ? [
          {
            id: `${input.id}-shortfall`,
            household: place.household.id,
            book: place.household.book,
            kind: "supplementary",
            reason: "transfer-shortfall",
            amount: status.shortfall,
            issuedOn: date,
            dueOn: CD.addDays(date, d.dueDays),
            basis: d.basis,
            status: "open",
          },
        ]
      : []
  yield* reg.commit({
    change: yield* changeOf(
      actor,
      "household.transfer",
      `household:${input.household}`,
      place.area.id,
      { from: r.transfer.from, to: r.transfer.to, shortfall: status.shortfall },
      `transfer:${input.id}`,
    ),
    put: { households: [r.structure.households.get(input.household)!], owners, notices },
  })
  return { transfer: r.transfer, shortfall: status.shortfall, notice: notices[0] ?? null }
})

/** The household's account (分户账): balance from the ledger, deposit records, notices, stage. */
export const householdAccount = Effect.fn("Fund.householdAccount")(function* (
  actor: Actor,
  household: string,
) {
  const reg = yield* FundRegistry
  const place = yield* placeOf(actor, "fund.read", household)
  const balance = yield* balanceOf(place)
  return {
    household: place.household.id as HouseholdId,
    areaId: place.area.id,
    buildingId: place.building.id,
    stage: place.area.stage,
    area: place.household.area,
    status: place.household.status,
    balance,
    deposits: yield* reg.deposits(household),
    notices: yield* reg.notices(household),
  }
})

// --- bills (票据, M31/M42) ----------------------------------------------------------------------

/** M42 stock-in of a printed range `prefix` + serials; a number already stocked fails the whole batch. */
export const stockBills = Effect.fn("Fund.stockBills")(function* (
  actor: Actor,
  input: { readonly batch: string; readonly prefix: string; readonly first: number; readonly count: number },
) {
  const reg = yield* FundRegistry
  yield* requireFundCentre(actor, "fund.write")
  const numbers = yield* Effect.fromResult(billRange(input.prefix, input.first, input.count))
  const bills: Bill[] = []
  for (const n of numbers) bills.push(yield* Effect.fromResult(stockBill(n, input.batch)))
  yield* reg.commit({
    change: yield* changeOf(
      actor,
      "bill.stock",
      `batch:${input.batch}`,
      undefined,
      { first: numbers[0], count: numbers.length },
      `bill.stock:${input.batch}`,
    ),
    stockBills: bills,
  })
  return numbers
})

/** M42 issue (领用), void (作废) and write-off (核销) of stored bills, all-or-nothing. */
export const billStep = Effect.fn("Fund.billStep")(function* (
  actor: Actor,
  input:
    | { readonly step: "issue"; readonly numbers: ReadonlyArray<string>; readonly staff: string }
    | { readonly step: "void"; readonly numbers: ReadonlyArray<string>; readonly reason: string }
    | { readonly step: "write-off"; readonly numbers: ReadonlyArray<string> },
) {
  const reg = yield* FundRegistry
  yield* requireFundCentre(actor, "fund.write")
  if (input.numbers.length === 0 || input.numbers.length > 10_000)
    return yield* invalid("numbers", "M42.range", input.numbers.length, "1..10000 bill numbers")
  const action =
    input.step === "issue"
      ? ({ _tag: "issue", staff: input.staff } as const)
      : input.step === "void"
        ? ({ _tag: "void", staff: actor.id, reason: input.reason } as const)
        : ({ _tag: "write-off" } as const)
  yield* reg.commit({
    change: yield* changeOf(actor, `bill.${input.step}`, `bills:${input.numbers[0]}`, undefined, {
      numbers: input.numbers,
    }),
    billSteps: input.numbers.map((number) => ({ number, action })),
  })
  return yield* reg.bills({ numbers: input.numbers })
})

/** M42 bill ledger with its reconciliation against the deposits. */
export const billLedger = Effect.fn("Fund.billLedger")(function* (
  actor: Actor,
  input: { readonly batch?: string; readonly staff?: string },
) {
  const reg = yield* FundRegistry
  yield* requireFundCentre(actor, "fund.read")
  const bills = yield* reg.bills(input)
  const numbers = new Set(bills.map((b) => b.number))
  const deposits = (yield* reg.deposits()).filter((d) => d.billNo !== undefined && numbers.has(d.billNo))
  return { bills, reconciliation: reconcileBills(bills, deposits) }
})
