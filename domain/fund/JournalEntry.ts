/**
 * Journal entry (记账凭证) of the fund's double-entry books (catalog §2.2–2.3, M65/M66). Immutable; the id
 * is supplied by the client so posting can be idempotent. Invariants checked by `makeEntry` and
 * `validateEntry`: ≥ 2 lines, every amount a positive whole number of fen, Σ debits = Σ credits, all
 * lines in the entry's one book on postable accounts of that book, household sub-account (分户账) detail
 * only on net-asset/income/expense accounts. Corrections are only by `reverse` (红字冲销 as a mirror entry).
 */
import { Result, Schema } from "effect"
import { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"
import {
  type AccountCode,
  type Book,
  type Side,
  account,
  isAccountCode,
  isPostableIn,
} from "./ChartOfAccounts.js"
import type { HouseholdId } from "./HouseholdId.js"

export const EntryId = Schema.NonEmptyString.pipe(Schema.brand("EntryId"))
export type EntryId = typeof EntryId.Type

/** The two components of a household sub-account: principal (本金) and income (利息/增值收益). */
export type Component = "principal" | "income"

export interface SubAccount {
  readonly household: HouseholdId
  readonly component: Component
}

export interface JournalLine {
  readonly account: AccountCode
  readonly side: Side
  /** Positive whole fen. */
  readonly amount: Money
  /** Household sub-account dimension (分户账); absent = not owned by one household (pooled). */
  readonly subAccount?: SubAccount
  /** Use project (M48), for expenditure lines. */
  readonly project?: string
}

export interface JournalEntry {
  readonly id: EntryId
  readonly book: Book
  readonly date: CivilDate
  /** Posting rule that built it (`A1` … `A19`), or `manual`. */
  readonly rule: string
  readonly memo: string
  /** Period-closing entries (A13/A14/A16) are excluded from the income and expenditure statement. */
  readonly closing: boolean
  readonly reversalOf?: EntryId
  readonly lines: ReadonlyArray<JournalLine>
}

export interface EntryInput {
  readonly id: string
  readonly book: Book
  readonly date: CivilDate
  readonly rule?: string
  readonly memo?: string
  readonly closing?: boolean
  readonly reversalOf?: string
  readonly lines: ReadonlyArray<JournalLine>
}

const isCivilDate = Schema.is(CivilDate)

/** Checks every invariant of an entry (see header). Rule ids are `JE.*`. */
export const validateEntry = (e: JournalEntry): Result.Result<JournalEntry, InvalidValue> => {
  if (typeof e.id !== "string" || e.id === "")
    return Result.fail(invalid("id", "JE.id-required", e.id, "an entry needs a client-supplied id"))
  if (e.book !== "commodity" && e.book !== "public")
    return Result.fail(invalid("book", "JE.book", e.book, "book must be commodity or public"))
  if (!isCivilDate(e.date))
    return Result.fail(invalid("date", "JE.date", e.date, "expected a calendar date YYYY-MM-DD"))
  if (e.lines.length < 2)
    return Result.fail(invalid("lines", "JE.two-lines", e.lines.length, "an entry has at least two lines"))
  let debit = 0n
  let credit = 0n
  for (let i = 0; i < e.lines.length; i++) {
    const l = e.lines[i]!
    const f = `lines[${i}]`
    if (!isAccountCode(l.account))
      return Result.fail(invalid(`${f}.account`, "JE.known-account", l.account, "unknown account code"))
    if (!isPostableIn(l.account, e.book))
      return Result.fail(
        invalid(
          `${f}.account`,
          "JE.account-in-book",
          l.account,
          `account ${l.account} takes no postings in the ${e.book} book`,
        ),
      )
    if (l.side !== "debit" && l.side !== "credit")
      return Result.fail(invalid(`${f}.side`, "JE.side", l.side, "side must be debit or credit"))
    if (!Number.isSafeInteger(l.amount) || l.amount <= 0)
      return Result.fail(
        invalid(`${f}.amount`, "JE.positive-amount", l.amount, "line amounts are positive whole fen"),
      )
    if (l.subAccount !== undefined) {
      if (!account(l.account).householdDetail)
        return Result.fail(
          invalid(
            `${f}.subAccount`,
            "JE.household-on-fund-account",
            l.account,
            "household detail belongs on net-asset, income or expense lines",
          ),
        )
      if (typeof l.subAccount.household !== "string" || l.subAccount.household === "")
        return Result.fail(
          invalid(
            `${f}.subAccount.household`,
            "JE.household-required",
            "",
            "a sub-account line needs a household id",
          ),
        )
      if (l.subAccount.component !== "principal" && l.subAccount.component !== "income")
        return Result.fail(
          invalid(
            `${f}.subAccount.component`,
            "JE.component",
            l.subAccount.component,
            "component is principal or income",
          ),
        )
    }
    if (l.side === "debit") debit += BigInt(l.amount)
    else credit += BigInt(l.amount)
  }
  if (debit !== credit)
    return Result.fail(
      invalid("lines", "JE.balanced", `${debit}≠${credit}`, `debits ${debit} and credits ${credit} differ`),
    )
  if (debit > BigInt(Number.MAX_SAFE_INTEGER))
    return Result.fail(invalid("lines", "money.safe-range", debit, "entry total out of the safe range"))
  return Result.succeed(e)
}

/** Builds and validates an entry. */
export const makeEntry = (input: EntryInput): Result.Result<JournalEntry, InvalidValue> =>
  validateEntry({
    id: input.id as EntryId,
    book: input.book,
    date: input.date,
    rule: input.rule ?? "manual",
    memo: input.memo ?? "",
    closing: input.closing ?? false,
    ...(input.reversalOf === undefined ? {} : { reversalOf: input.reversalOf as EntryId }),
    lines: input.lines,
  })

/**
 * The reversing entry of `entry` (every line's side swapped, same accounts, sub-accounts and amounts),
 * dated `date`, with `reversalOf` set. Posting it restores every balance. Fails when `newId` is empty or
 * equal to the original id.
 */
export const reverse = (
  entry: JournalEntry,
  newId: string,
  date: CivilDate,
): Result.Result<JournalEntry, InvalidValue> => {
  if (newId === entry.id)
    return Result.fail(invalid("newId", "JE.reversal-new-id", newId, "a reversal needs its own id"))
  return makeEntry({
    id: newId,
    book: entry.book,
    date,
    rule: entry.rule,
    memo: `冲销 ${entry.id}${entry.memo === "" ? "" : `: ${entry.memo}`}`,
    closing: entry.closing,
    reversalOf: entry.id,
    lines: entry.lines.map((l) => ({ ...l, side: l.side === "debit" ? "credit" : "debit" })),
  })
}

/** Σ debits (= Σ credits for a valid entry), in fen. */
export const entryTotal = (e: JournalEntry): Money => {
  let t = 0
  for (const l of e.lines) if (l.side === "debit") t += l.amount
  return t as Money
}

/** A canonical text of the entry's content, used to tell a replay from a conflicting reuse of an id. */
export const fingerprint = (e: JournalEntry): string =>
  JSON.stringify([
    e.id,
    e.book,
    e.date,
    e.rule,
    e.memo,
    e.closing,
    e.reversalOf ?? null,
    e.lines.map((l) => [
      l.account,
      l.side,
      l.amount,
      l.subAccount?.household ?? null,
      l.subAccount?.component ?? null,
      l.project ?? null,
    ]),
  ])
