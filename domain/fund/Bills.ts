/**
 * Bills (票据, M31/M42): the pre-numbered receipts a counter issues for deposits. Life cycle: stock-in
 * (入库) → issue to a staff member (领用) → use on exactly one deposit (使用) or void (作废) → write-off
 * (核销). Invariants: a number is stocked once and used once (the store enforces both with keys); only
 * the staff member holding a bill uses or voids it; a used bill names its deposit; the bill ledger
 * reconciles with the deposits (`reconcileBills`: every used bill ↔ one deposit of the same amount).
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import type { Money } from "../values/Money.js"

export type BillStatus = "in-stock" | "issued" | "used" | "voided" | "written-off"

export interface Bill {
  /** The printed number (票据号), unique for ever. */
  readonly number: string
  /** Stock-in batch (入库批次). */
  readonly batch: string
  readonly status: BillStatus
  /** Staff member holding it (set by `issue`). */
  readonly staff?: string
  /** The deposit it receipts (set by `use`). */
  readonly depositId?: string
  readonly amount?: Money
  readonly voidReason?: string
  /** What the bill was before write-off (used or voided). */
  readonly writtenOffFrom?: "used" | "voided"
}

export type BillAction =
  | { readonly _tag: "issue"; readonly staff: string }
  | { readonly _tag: "use"; readonly staff: string; readonly depositId: string; readonly amount: Money }
  | { readonly _tag: "void"; readonly staff: string; readonly reason: string }
  | { readonly _tag: "write-off" }

const NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/u

/** `count` consecutive numbers `prefix` + zero-padded serial from `first` (入库 of a printed range). */
export const billRange = (
  prefix: string,
  first: number,
  count: number,
  width = 8,
): Result.Result<ReadonlyArray<string>, InvalidValue> => {
  if (!Number.isSafeInteger(first) || first < 0)
    return Result.fail(invalid("first", "M42.range", first, "the first serial is a non-negative integer"))
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000)
    return Result.fail(invalid("count", "M42.range", count, "a stock-in holds 1..10000 bills"))
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const n = `${prefix}${String(first + i).padStart(width, "0")}`
    if (!NUMBER.test(n))
      return Result.fail(invalid("prefix", "M42.number", n, "a bill number is 1–40 letters, digits, -"))
    out.push(n)
  }
  return Result.succeed(out)
}

export const stockBill = (number: string, batch: string): Result.Result<Bill, InvalidValue> =>
  NUMBER.test(number)
    ? Result.succeed({ number, batch, status: "in-stock" })
    : Result.fail(invalid("number", "M42.number", number, "a bill number is 1–40 letters, digits, -"))

const refuse = (b: Bill, rule: string, message: string) =>
  Result.fail(invalid("billNo", rule, b.number, `bill ${b.number} ${message}`))

/** One step of the life cycle; anything else is refused naming the rule (M42). */
export const billStep = (b: Bill, a: BillAction): Result.Result<Bill, InvalidValue> => {
  switch (a._tag) {
    case "issue":
      return b.status === "in-stock"
        ? Result.succeed({ ...b, status: "issued", staff: a.staff })
        : refuse(b, "M42.issue-from-stock", `is ${b.status}, only a bill in stock is issued`)
    case "use":
      if (b.status !== "issued")
        return refuse(b, "M42.used-once", `is ${b.status}, only an issued, unused bill is used`)
      if (b.staff !== a.staff) return refuse(b, "M42.holder-uses", "is held by another staff member")
      if (!Number.isSafeInteger(a.amount) || a.amount <= 0)
        return Result.fail(invalid("amount", "M42.amount", a.amount, "a bill receipts a positive amount"))
      return Result.succeed({ ...b, status: "used", depositId: a.depositId, amount: a.amount })
    case "void":
      if (b.status !== "issued" && b.status !== "in-stock")
        return refuse(b, "M42.void-unused", `is ${b.status}, only an unused bill is voided`)
      if (b.status === "issued" && b.staff !== a.staff)
        return refuse(b, "M42.holder-uses", "is held by another staff member")
      if (a.reason.trim() === "")
        return Result.fail(invalid("reason", "M42.void-reason", a.reason, "a void needs a reason"))
      return Result.succeed({ ...b, status: "voided", voidReason: a.reason })
    case "write-off":
      return b.status === "used" || b.status === "voided"
        ? Result.succeed({ ...b, status: "written-off", writtenOffFrom: b.status })
        : refuse(b, "M42.write-off-after-use", `is ${b.status}, only a used or voided bill is written off`)
  }
}

export interface BillReconciliation {
  readonly balanced: boolean
  /** Deposits without a used bill naming them, or whose bill shows another amount. */
  readonly depositsWithoutBill: ReadonlyArray<string>
  /** Used bills naming no stored deposit. */
  readonly billsWithoutDeposit: ReadonlyArray<string>
  readonly billedTotal: Money
  readonly depositedTotal: Money
}

/** Reconciles the bill ledger with the deposits (M42): each receipted deposit has one used bill of its amount. */
export const reconcileBills = (
  bills: ReadonlyArray<Bill>,
  deposits: ReadonlyArray<{ readonly id: string; readonly amount: Money; readonly billNo?: string }>,
): BillReconciliation => {
  const used = bills.filter(
    (b) => b.status === "used" || (b.status === "written-off" && b.writtenOffFrom === "used"),
  )
  const byDeposit = new Map(used.map((b) => [b.depositId ?? "", b]))
  const receipted = deposits.filter((d) => d.billNo !== undefined)
  const depositIds = new Set(receipted.map((d) => d.id))
  const depositsWithoutBill = receipted
    .filter((d) => {
      const b = byDeposit.get(d.id)
      return b === undefined || b.number !== d.billNo || b.amount !== d.amount
    })
    .map((d) => d.id)
  const billsWithoutDeposit = used.filter((b) => !depositIds.has(b.depositId ?? "")).map((b) => b.number)
  const billedTotal = used.reduce((t, b) => t + (b.amount ?? 0), 0) as Money
  const depositedTotal = receipted.reduce((t, d) => t + d.amount, 0) as Money
  return {
    balanced:
      depositsWithoutBill.length === 0 && billsWithoutDeposit.length === 0 && billedTotal === depositedTotal,
    depositsWithoutBill,
    billsWithoutDeposit,
    billedTotal,
    depositedTotal,
  }
}
