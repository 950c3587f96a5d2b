/**
 * Posting rules (记账规则) A1–A19 of catalog §2.3: pure builders from business inputs to balanced journal
 * entries. Household money always carries sub-account detail (分户账: principal or income), so the §2.2
 * invariant holds by construction: deposits and deposit refunds move principal, disbursements draw what
 * the apportionment drew (自筹 is never booked), allocated income lands on the income component.
 * Zero household amounts are dropped; an entry that ends up with no money is a typed error. Closing
 * (A13/A14/A16) needs balances and lives in Ledger.ts (`closePeriod`).
 */
import { Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"
import { type AccountCode, type Book, fundAccount } from "./ChartOfAccounts.js"
import type { HouseholdId } from "./HouseholdId.js"
import { type JournalEntry, type JournalLine, makeEntry } from "./JournalEntry.js"

export interface EntryHeader {
  readonly id: string
  readonly book: Book
  readonly date: CivilDate
  readonly memo?: string
}

export interface HouseholdAmount {
  readonly household: HouseholdId
  readonly amount: Money
}

/** A household's part of a draw or return, split by component. */
export interface HouseholdDraw {
  readonly household: HouseholdId
  readonly principal: Money
  readonly income: Money
}

/** Deposit types (M29/M171): 首次, 续交, 补建, 续筹, 资金转入, 补交. */
export type DepositKind = "first" | "continued" | "retro" | "reraise" | "transfer-in" | "supplementary"

const BANK: AccountCode = "100101"

const checkAmount = (field: string, rule: string, a: Money): Result.Result<Money, InvalidValue> =>
  Number.isSafeInteger(a) && a >= 0
    ? Result.succeed(a)
    : Result.fail(invalid(field, `${rule}.non-negative-amount`, a, "amounts are non-negative whole fen"))

const sumChecked = (
  field: string,
  rule: string,
  xs: ReadonlyArray<Money>,
): Result.Result<Money, InvalidValue> => {
  let t = 0
  for (let i = 0; i < xs.length; i++) {
    const c = checkAmount(`${field}[${i}]`, rule, xs[i]!)
    if (Result.isFailure(c)) return c
    t += xs[i]!
  }
  if (!Number.isSafeInteger(t))
    return Result.fail(invalid(field, "money.safe-range", t, "total out of the safe range"))
  if (t === 0) return Result.fail(invalid(field, `${rule}.positive-total`, 0, "the entry moves no money"))
  return Result.succeed(t as Money)
}

const build = (h: EntryHeader, rule: string, defaultMemo: string, lines: ReadonlyArray<JournalLine>) =>
  makeEntry({ id: h.id, book: h.book, date: h.date, rule, memo: h.memo ?? defaultMemo, lines })

const householdLines = (
  code: AccountCode,
  side: JournalLine["side"],
  xs: ReadonlyArray<HouseholdDraw>,
  project?: string,
): JournalLine[] => {
  const out: JournalLine[] = []
  const p = project === undefined ? {} : { project }
  for (const x of xs)
    for (const component of ["principal", "income"] as const) {
      const amount = x[component]
      if (amount > 0)
        out.push({ account: code, side, amount, subAccount: { household: x.household, component }, ...p })
    }
  return out
}

const principalLines = (
  code: AccountCode,
  side: JournalLine["side"],
  xs: ReadonlyArray<HouseholdAmount>,
): JournalLine[] =>
  householdLines(
    code,
    side,
    xs.map((x) => ({ household: x.household, principal: x.amount, income: 0 as Money })),
  )

const drawTotal = (field: string, rule: string, xs: ReadonlyArray<HouseholdDraw>) =>
  sumChecked(
    field,
    rule,
    xs.flatMap((x) => [x.principal, x.income]),
  )

/** A1 deposit received (首次/续交/补建/续筹/补交/转入): Dr 100101 / Cr 4001, + household principal. */
export const deposit = (
  h: EntryHeader & { readonly kind: DepositKind; readonly households: ReadonlyArray<HouseholdAmount> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(
    sumChecked(
      "households",
      "A1",
      h.households.map((x) => x.amount),
    ),
    (t) =>
      build(h, "A1", `交存 (${h.kind})`, [
        { account: BANK, side: "debit", amount: t },
        ...principalLines("4001", "credit", h.households),
      ]),
  )

/** A2 refund of a current-year deposit (M30/M40, with a reason category): Dr 4001 / Cr 100101, − principal. */
export const refundCurrentYear = (
  h: EntryHeader & { readonly reason: string; readonly households: ReadonlyArray<HouseholdAmount> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(
    sumChecked(
      "households",
      "A2",
      h.households.map((x) => x.amount),
    ),
    (t) =>
      build(h, "A2", `退款 (${h.reason})`, [
        ...principalLines("4001", "debit", h.households),
        { account: BANK, side: "credit", amount: t },
      ]),
  )

/** A3 refund of prior-year money (principal and/or income): Dr 5101 / Cr 100101, − household. */
export const refundPriorYear = (
  h: EntryHeader & { readonly reason: string; readonly households: ReadonlyArray<HouseholdDraw> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(drawTotal("households", "A3", h.households), (t) =>
    build(h, "A3", `退款 (${h.reason})`, [
      ...householdLines("5101", "debit", h.households),
      { account: BANK, side: "credit", amount: t },
    ]),
  )

/** A4 house loss (灭失, M16/M172), approval: Dr 5101 / Cr 2001 refunds payable, − household. */
export const lossRefundApproved = (
  h: EntryHeader & { readonly households: ReadonlyArray<HouseholdDraw> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(drawTotal("households", "A4", h.households), (t) =>
    build(h, "A4", "灭失返还审批", [
      ...householdLines("5101", "debit", h.households),
      { account: "2001", side: "credit", amount: t },
    ]),
  )

/** A4 house loss, payment of the approved refund: Dr 2001 / Cr 100101. */
export const lossRefundPaid = (
  h: EntryHeader & { readonly amount: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", "A4", [h.amount]), (t) =>
    build(h, "A4", "灭失返还支付", [
      { account: "2001", side: "debit", amount: t },
      { account: BANK, side: "credit", amount: t },
    ]),
  )

/**
 * A5 disbursement (拨付) of one tranche of a use project (M51/M177): Dr 5001 per household component /
 * Cr 100101. The draws come from `apportionFromBalances` (whole project) or `splitTranche` (one
 * tranche); 自筹 never appears here.
 */
export const disbursement = (
  h: EntryHeader & { readonly project: string; readonly draws: ReadonlyArray<HouseholdDraw> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(drawTotal("draws", "A5", h.draws), (t) =>
    build(h, "A5", `拨付 ${h.project}`, [
      ...householdLines("5001", "debit", h.draws, h.project),
      { account: BANK, side: "credit", amount: t },
    ]),
  )

/** A6 return of unspent use money (资金退回), same year: Dr 100101 / Cr 5001, + households as charged. */
export const disbursementReturned = (
  h: EntryHeader & { readonly project: string; readonly returns: ReadonlyArray<HouseholdDraw> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(drawTotal("returns", "A6", h.returns), (t) =>
    build(h, "A6", `退回 ${h.project}`, [
      { account: BANK, side: "debit", amount: t },
      ...householdLines("5001", "credit", h.returns, h.project),
    ]),
  )

/**
 * A7 bank interest on demand deposits (结息, M59): Dr 100101 / Cr 4101. Without `allocation` the interest
 * is pooled (closed to 3101 and allocated later by A15); with it (from `allocateIncome`, summing to
 * `amount`) it is credited straight to the households' income components.
 */
export const interest = (
  h: EntryHeader & { readonly amount: Money; readonly allocation?: ReadonlyArray<HouseholdAmount> },
): Result.Result<JournalEntry, InvalidValue> => incomeReceipt(h, "A7", "4101", "利息收入")

const incomeReceipt = (
  h: EntryHeader & { readonly amount: Money; readonly allocation?: ReadonlyArray<HouseholdAmount> },
  rule: string,
  code: AccountCode,
  memo: string,
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", rule, [h.amount]), (t) => {
    if (h.allocation === undefined)
      return build(h, rule, memo, [
        { account: BANK, side: "debit", amount: t },
        { account: code, side: "credit", amount: t },
      ])
    const allocated = h.allocation.reduce((s, x) => s + x.amount, 0)
    if (allocated !== t)
      return Result.fail(
        invalid(
          "allocation",
          `${rule}.allocation-sums-to-amount`,
          allocated,
          `the allocation sums to ${allocated}, not ${t}`,
        ),
      )
    return build(h, rule, memo, [
      { account: BANK, side: "debit", amount: t },
      ...householdLines(
        code,
        "credit",
        h.allocation.map((x) => ({ household: x.household, principal: 0 as Money, income: x.amount })),
      ),
    ])
  })

/** A8 place a term deposit (定期): Dr 100102 / Cr 100101. */
export const placeTermDeposit = (
  h: EntryHeader & { readonly amount: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", "A8", [h.amount]), (t) =>
    build(h, "A8", "转存定期", [
      { account: "100102", side: "debit", amount: t },
      { account: BANK, side: "credit", amount: t },
    ]),
  )

/** A9 term deposit matures or is redeemed early: Dr 100101 (P + I) / Cr 100102 (P), Cr 4101 (I). */
export const termDepositMatured = (
  h: EntryHeader & { readonly principal: Money; readonly interest: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  twoSources(h, "A9", "定期到期", "100102", h.principal, "4101", h.interest)

/** A10 buy treasury bonds: Dr 1101 / Cr 100101. */
export const buyBonds = (
  h: EntryHeader & { readonly amount: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", "A10", [h.amount]), (t) =>
    build(h, "A10", "购买国债", [
      { account: "1101", side: "debit", amount: t },
      { account: BANK, side: "credit", amount: t },
    ]),
  )

/** A11 bond coupon (Dr 100101 / Cr 4102) or maturity (Dr 100101 / Cr 1101 principal, Cr 4102 interest). */
export const bondIncome = (
  h: EntryHeader & { readonly principal: Money; readonly interest: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  twoSources(h, "A11", h.principal > 0 ? "国债到期" : "国债付息", "1101", h.principal, "4102", h.interest)

const twoSources = (
  h: EntryHeader,
  rule: string,
  memo: string,
  a: AccountCode,
  x: Money,
  b: AccountCode,
  y: Money,
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", rule, [x, y]), (t) =>
    build(h, rule, memo, [
      { account: BANK, side: "debit", amount: t },
      ...(x > 0 ? [{ account: a, side: "credit" as const, amount: x }] : []),
      ...(y > 0 ? [{ account: b, side: "credit" as const, amount: y }] : []),
    ]),
  )

/** A12 operating income (经营收益, M63) or scrap value (残值) paid in: Dr 100101 / Cr 4201 or 4301. */
export const otherIncome = (
  h: EntryHeader & {
    readonly source: "operating" | "scrap" | "other"
    readonly amount: Money
    readonly allocation?: ReadonlyArray<HouseholdAmount>
  },
): Result.Result<JournalEntry, InvalidValue> =>
  incomeReceipt(
    h,
    "A12",
    h.source === "operating" ? "4201" : h.source === "scrap" ? "4301" : "4901",
    `${h.source} income`,
  )

/**
 * A15 allocation of pooled income to households (M62/M180/M182): Dr 3101 / Cr 3001|3002, + household
 * income component. The shares come from `allocateIncome`.
 */
export const allocatePendingIncome = (
  h: EntryHeader & { readonly shares: ReadonlyArray<HouseholdAmount> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(
    sumChecked(
      "shares",
      "A15",
      h.shares.map((x) => x.amount),
    ),
    (t) =>
      build(h, "A15", "收益分配", [
        { account: "3101", side: "debit", amount: t },
        ...householdLines(
          fundAccount(h.book),
          "credit",
          h.shares.map((x) => ({ household: x.household, principal: 0 as Money, income: x.amount })),
        ),
      ]),
  )

export interface StageConversion {
  /** In the releasing books (e.g. the custodian's): Dr 3001|3002 per household / Cr 100101. */
  readonly outgoing: JournalEntry
  /** In the receiving books (e.g. the owners' assembly's): Dr 100101 / Cr 3001|3002 per household. */
  readonly incoming: JournalEntry
}

/**
 * A17 stage conversion 代管 → 自管 (or back), M43/M173: principal and income of every household move,
 * component by component, from one accounting entity's books to another's. Use the ledger's
 * `householdBalances` for a full transfer.
 */
export const stageConversion = (input: {
  readonly outgoingId: string
  readonly incomingId: string
  readonly book: Book
  readonly date: CivilDate
  readonly households: ReadonlyArray<HouseholdDraw>
}): Result.Result<StageConversion, InvalidValue> =>
  Result.flatMap(drawTotal("households", "A17", input.households), (t) => {
    const fund = fundAccount(input.book)
    const base = { book: input.book, date: input.date }
    const outgoing = build({ ...base, id: input.outgoingId }, "A17", "阶段转换转出", [
      ...householdLines(fund, "debit", input.households),
      { account: BANK, side: "credit", amount: t },
    ])
    const incoming = build({ ...base, id: input.incomingId }, "A17", "阶段转换转入", [
      { account: BANK, side: "debit", amount: t },
      ...householdLines(fund, "credit", input.households),
    ])
    return Result.flatMap(outgoing, (o) => Result.map(incoming, (i) => ({ outgoing: o, incoming: i })))
  })

/** A19 unidentified bank receipt (待查明来款): Dr 100101 / Cr 2101. */
export const unidentifiedReceipt = (
  h: EntryHeader & { readonly amount: Money },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(sumChecked("amount", "A19", [h.amount]), (t) =>
    build(h, "A19", "未明来款", [
      { account: BANK, side: "debit", amount: t },
      { account: "2101", side: "credit", amount: t },
    ]),
  )

/** A19 identification of a suspense receipt as deposits: Dr 2101 / Cr 4001, + household principal. */
export const receiptIdentified = (
  h: EntryHeader & { readonly households: ReadonlyArray<HouseholdAmount> },
): Result.Result<JournalEntry, InvalidValue> =>
  Result.flatMap(
    sumChecked(
      "households",
      "A19",
      h.households.map((x) => x.amount),
    ),
    (t) =>
      build(h, "A19", "未明来款认领", [
        { account: "2101", side: "debit", amount: t },
        ...principalLines("4001", "credit", h.households),
      ]),
  )
