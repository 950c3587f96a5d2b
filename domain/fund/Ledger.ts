/**
 * Ledger (总账与分户账): a pure, persistent in-memory state of posted journal entries with balances per
 * account, per household sub-account (分户账) and per account × household, for both books (M65/M66).
 * `post` validates the entry, is idempotent on the entry id (same id and content: unchanged state; same
 * id, other content: `EntryIdConflict`) and refuses to take any household component below zero
 * (`HouseholdOverdrawn`). Invariant (§2.2): Σ household sub-accounts + income pending allocation = net
 * assets (assets − liabilities); with nothing pending, the households alone sum to the net assets.
 */
import { Data, HashMap, Option, Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"
import { type AccountCode, type Book, accounts, accountsOf, account, fundAccount } from "./ChartOfAccounts.js"
import { type HouseholdId, compareIds } from "./HouseholdId.js"
import {
  type Component,
  type JournalEntry,
  type JournalLine,
  fingerprint,
  makeEntry,
  validateEntry,
} from "./JournalEntry.js"

/** An entry id was reused for different content (client-supplied ids must name one entry forever). */
export class EntryIdConflict extends Data.TaggedError("EntryIdConflict")<{
  readonly entryId: string
  readonly message: string
}> {}

/** Posting would take a household's principal or income component below zero. */
export class HouseholdOverdrawn extends Data.TaggedError("HouseholdOverdrawn")<{
  readonly entryId: string
  readonly book: Book
  readonly household: string
  readonly component: Component
  /** The balance the component would have, in fen (negative). */
  readonly balance: string
  readonly message: string
}> {}

export type PostError = InvalidValue | EntryIdConflict | HouseholdOverdrawn

interface Posted {
  readonly entry: JournalEntry
  readonly seq: number
  readonly fingerprint: string
}

export interface LedgerState {
  readonly entries: HashMap.HashMap<string, Posted>
  readonly count: number
  /** book · code → debit-positive balance (postable accounts only). */
  readonly accounts: HashMap.HashMap<string, bigint>
  /** book · code · household · component → credit-positive balance of tagged lines. */
  readonly subAccounts: HashMap.HashMap<string, bigint>
  /** book · household · component → credit-positive sub-account balance (分户账). */
  readonly households: HashMap.HashMap<string, bigint>
}

const SEP = "\u0000"
const accKey = (book: Book, code: string) => `${book}${SEP}${code}`
const subKey = (book: Book, code: string, h: string, c: Component) =>
  `${book}${SEP}${code}${SEP}${h}${SEP}${c}`
const hhKey = (book: Book, h: string, c: Component) => `${book}${SEP}${h}${SEP}${c}`

export const empty: LedgerState = {
  entries: HashMap.empty(),
  count: 0,
  accounts: HashMap.empty(),
  subAccounts: HashMap.empty(),
  households: HashMap.empty(),
}

const bump = (m: HashMap.HashMap<string, bigint>, k: string, d: bigint) =>
  HashMap.set(m, k, Option.getOrElse(HashMap.get(m, k), () => 0n) + d)

/** Applies an entry's amounts without any check (used by `post` and by dated replays). */
const apply = (s: LedgerState, e: JournalEntry, fp: string): LedgerState => {
  let acc = s.accounts
  let sub = s.subAccounts
  let hh = s.households
  for (const l of e.lines) {
    const a = BigInt(l.amount)
    acc = bump(acc, accKey(e.book, l.account), l.side === "debit" ? a : -a)
    if (l.subAccount !== undefined) {
      const c = l.side === "credit" ? a : -a
      sub = bump(sub, subKey(e.book, l.account, l.subAccount.household, l.subAccount.component), c)
      hh = bump(hh, hhKey(e.book, l.subAccount.household, l.subAccount.component), c)
    }
  }
  return {
    entries: HashMap.set(s.entries, e.id, { entry: e, seq: s.count, fingerprint: fp }),
    count: s.count + 1,
    accounts: acc,
    subAccounts: sub,
    households: hh,
  }
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Posts one entry. Idempotent on `entry.id`. Failures: the entry is invalid (InvalidValue `JE.*`), its id
 * names a different posted entry (EntryIdConflict), or a household component would go negative
 * (HouseholdOverdrawn). On failure nothing changes (the state is immutable).
 */
export const post = (state: LedgerState, entry: JournalEntry): Result.Result<LedgerState, PostError> => {
  const v = validateEntry(entry)
  if (Result.isFailure(v)) return Result.fail(v.failure)
  const fp = fingerprint(entry)
  const prior = HashMap.get(state.entries, entry.id)
  if (Option.isSome(prior)) {
    return prior.value.fingerprint === fp
      ? Result.succeed(state)
      : Result.fail(
          new EntryIdConflict({
            entryId: entry.id,
            message: `entry ${entry.id} was already posted with different content`,
          }),
        )
  }
  const next = apply(state, entry, fp)
  for (const l of entry.lines) {
    const b = Option.getOrElse(HashMap.get(next.accounts, accKey(entry.book, l.account)), () => 0n)
    if (b > MAX || b < -MAX)
      return Result.fail(
        invalid("lines", "money.safe-range", l.account, `account ${l.account} leaves the safe range`),
      )
    if (l.subAccount === undefined) continue
    const { household, component } = l.subAccount
    const h = Option.getOrElse(
      HashMap.get(next.households, hhKey(entry.book, household, component)),
      () => 0n,
    )
    if (h < 0n)
      return Result.fail(
        new HouseholdOverdrawn({
          entryId: entry.id,
          book: entry.book,
          household,
          component,
          balance: String(h),
          message: `entry ${entry.id} would take the ${component} of household ${household} to ${h} fen`,
        }),
      )
  }
  return Result.succeed(next)
}

/** Posts entries in order, stopping at the first failure. */
export const postAll = (
  state: LedgerState,
  entries: Iterable<JournalEntry>,
): Result.Result<LedgerState, PostError> => {
  let s = state
  for (const e of entries) {
    const r = post(s, e)
    if (Result.isFailure(r)) return r
    s = r.success
  }
  return Result.succeed(s)
}

/** Posted entries in posting order. */
export const journal = (state: LedgerState): ReadonlyArray<JournalEntry> =>
  Array.from(HashMap.values(state.entries))
    .sort((a, b) => a.seq - b.seq)
    .map((p) => p.entry)

export const findEntry = (state: LedgerState, id: string): Option.Option<JournalEntry> =>
  Option.map(HashMap.get(state.entries, id), (p) => p.entry)

/** The state made of the entries dated on or before `date`, in posting order (for dated reports). */
export const asOf = (state: LedgerState, date: CivilDate): LedgerState => {
  let s = empty
  for (const e of journal(state)) if (e.date <= date) s = apply(s, e, fingerprint(e))
  return s
}

const get = (m: HashMap.HashMap<string, bigint>, k: string): bigint =>
  Option.getOrElse(HashMap.get(m, k), () => 0n)

/** Debit-positive balance of an account; a summary account (1001) sums its children. */
const rawBalance = (state: LedgerState, book: Book, code: AccountCode): bigint =>
  account(code).postable
    ? get(state.accounts, accKey(book, code))
    : accounts
        .filter((a) => a.parent === code)
        .reduce((t, a) => t + get(state.accounts, accKey(book, a.code)), 0n)

/** Balance of an account on its normal side (positive when debit for assets/expenses, credit otherwise). */
export const balance = (state: LedgerState, book: Book, code: AccountCode): Money => {
  const raw = rawBalance(state, book, code)
  return Number(account(code).normalSide === "debit" ? raw : -raw) as Money
}

export interface HouseholdBalance {
  readonly household: HouseholdId
  readonly principal: Money
  readonly income: Money
}

/** One household's sub-account (分户账) in a book: principal and income components. */
export const householdBalance = (
  state: LedgerState,
  book: Book,
  household: HouseholdId,
): HouseholdBalance => ({
  household,
  principal: Number(get(state.households, hhKey(book, household, "principal"))) as Money,
  income: Number(get(state.households, hhKey(book, household, "income"))) as Money,
})

/** Every household with a sub-account in `book`, sorted by id (code-unit order). */
export const householdBalances = (state: LedgerState, book: Book): ReadonlyArray<HouseholdBalance> => {
  const ids = new Set<string>()
  const prefix = `${book}${SEP}`
  for (const k of HashMap.keys(state.households))
    if (k.startsWith(prefix)) ids.add(k.slice(prefix.length, k.lastIndexOf(SEP)))
  return Array.from(ids)
    .sort(compareIds)
    .map((h) => householdBalance(state, book, h as HouseholdId))
}

export interface SubAccountBalance {
  readonly household: HouseholdId
  readonly component: Component
  /** Credit-positive. */
  readonly amount: bigint
}

/** The household detail of one account (credit-positive), sorted by household then component. */
export const subAccountBalances = (
  state: LedgerState,
  book: Book,
  code: AccountCode,
): ReadonlyArray<SubAccountBalance> => {
  const prefix = `${book}${SEP}${code}${SEP}`
  const out: SubAccountBalance[] = []
  for (const [k, v] of HashMap.toEntries(state.subAccounts)) {
    if (!k.startsWith(prefix) || v === 0n) continue
    const [household, component] = k.slice(prefix.length).split(SEP) as [string, Component]
    out.push({ household: household as HouseholdId, component, amount: v })
  }
  return out.sort((a, b) => compareIds(a.household, b.household) || compareIds(a.component, b.component))
}

export interface TrialBalanceRow {
  readonly code: AccountCode
  readonly name: string
  readonly debit: Money
  readonly credit: Money
}

export interface TrialBalance {
  readonly book: Book
  readonly rows: ReadonlyArray<TrialBalanceRow>
  readonly totalDebit: Money
  readonly totalCredit: Money
  readonly balanced: boolean
}

/** Trial balance (试算平衡表) of the postable accounts with a non-zero balance. */
export const trialBalance = (state: LedgerState, book: Book): TrialBalance => {
  const rows: TrialBalanceRow[] = []
  let d = 0n
  let c = 0n
  for (const a of accountsOf(book)) {
    if (!a.postable) continue
    const b = get(state.accounts, accKey(book, a.code))
    if (b === 0n) continue
    if (b > 0n) d += b
    else c -= b
    rows.push({
      code: a.code,
      name: a.name,
      debit: Number(b > 0n ? b : 0n) as Money,
      credit: Number(b < 0n ? -b : 0n) as Money,
    })
  }
  return { book, rows, totalDebit: Number(d) as Money, totalCredit: Number(c) as Money, balanced: d === c }
}

export interface SubLedgerCheck {
  /** Σ household sub-accounts (principal + income). */
  readonly households: Money
  /** Income not yet allocated: 3101 plus unclosed income and expenditure without household detail. */
  readonly pendingAllocation: Money
  /** Assets − liabilities. */
  readonly netAssets: Money
  /** households + pendingAllocation = netAssets. */
  readonly holds: boolean
}

/** The §2.2 control Σ sub-ledgers = net assets, with income pending allocation shown apart. */
export const subLedgerCheck = (state: LedgerState, book: Book): SubLedgerCheck => {
  let assets = 0n
  let liabilities = 0n
  let pending = 0n
  for (const a of accountsOf(book)) {
    if (!a.postable) continue
    const raw = get(state.accounts, accKey(book, a.code))
    if (a.type === "asset") assets += raw
    else if (a.type === "liability") liabilities -= raw
    else if (a.code === "3101" || a.type === "income" || a.type === "expense") {
      let tagged = 0n
      for (const s of subAccountBalances(state, book, a.code)) tagged += s.amount
      pending += -raw - tagged
    }
  }
  let households = 0n
  const prefix = `${book}${SEP}`
  for (const [k, v] of HashMap.toEntries(state.households)) if (k.startsWith(prefix)) households += v
  const netAssets = assets - liabilities
  return {
    households: Number(households) as Money,
    pendingAllocation: Number(pending) as Money,
    netAssets: Number(netAssets) as Money,
    holds: households + pending === netAssets,
  }
}

export interface ClosingInput {
  readonly id: string
  readonly book: Book
  /** Period end: balances of entries dated on or before it are closed. */
  readonly date: CivilDate
  readonly memo?: string
}

/**
 * Period-end closing (结转), A13/A14/A16: moves every income and expenditure balance dated up to `date`
 * into net assets. Household detail is carried over to the fund account (3001/3002) unchanged, so no
 * household balance moves; pooled balances (interest not yet allocated, untagged fees) go to 3101
 * income pending allocation. `Option.none()` when there is nothing to close.
 */
export const closePeriod = (
  state: LedgerState,
  input: ClosingInput,
): Result.Result<Option.Option<JournalEntry>, InvalidValue> => {
  const { book, date } = input
  const s = asOf(state, date)
  const fund = fundAccount(book)
  const lines: JournalLine[] = []
  const move = (code: AccountCode, target: AccountCode, credit: bigint, sub?: JournalLine["subAccount"]) => {
    if (credit === 0n) return
    const amount = Number(credit > 0n ? credit : -credit) as Money
    const extra = sub === undefined ? {} : { subAccount: sub }
    lines.push(
      { account: code, side: credit > 0n ? "debit" : "credit", amount, ...extra },
      { account: target, side: credit > 0n ? "credit" : "debit", amount, ...extra },
    )
  }
  for (const a of accountsOf(book)) {
    if (a.type !== "income" && a.type !== "expense") continue
    const raw = get(s.accounts, accKey(book, a.code))
    let tagged = 0n
    for (const sub of subAccountBalances(s, book, a.code)) {
      tagged += sub.amount
      move(a.code, fund, sub.amount, { household: sub.household, component: sub.component })
    }
    move(a.code, "3101", -raw - tagged)
  }
  if (lines.length === 0) return Result.succeed(Option.none())
  return Result.map(
    makeEntry({
      id: input.id,
      book,
      date,
      rule: "A13/A14/A16",
      memo: input.memo ?? "期末结转",
      closing: true,
      lines,
    }),
    Option.some,
  )
}

export interface HouseholdChanges {
  readonly household: HouseholdId
  /** Dated net changes of the sub-account (principal + income), one per entry touching it. */
  readonly changes: ReadonlyArray<{ readonly date: CivilDate; readonly amount: Money }>
}

/**
 * Each household's dated sub-account changes in `book`, in posting order, ready for balance × days income
 * allocation (M180 via `allocateIncome`). Households sorted by id.
 */
export const householdChanges = (state: LedgerState, book: Book): ReadonlyArray<HouseholdChanges> => {
  const m = new Map<string, Array<{ date: CivilDate; amount: Money }>>()
  for (const e of journal(state)) {
    if (e.book !== book) continue
    const net = new Map<string, number>()
    for (const l of e.lines)
      if (l.subAccount !== undefined)
        net.set(
          l.subAccount.household,
          (net.get(l.subAccount.household) ?? 0) + (l.side === "credit" ? l.amount : -l.amount),
        )
    for (const [h, amount] of net) {
      const xs = m.get(h) ?? []
      if (amount !== 0) xs.push({ date: e.date, amount: amount as Money })
      m.set(h, xs)
    }
  }
  return Array.from(m.keys())
    .sort(compareIds)
    .map((h) => ({ household: h as HouseholdId, changes: m.get(h)! }))
}
