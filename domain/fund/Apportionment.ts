/**
 * Apportionment (分摊) of a cost over a scope (列支范围) of units, M49/M175/M176: by building area, equally
 * per household, or by custom weights. Exact to the fen by the largest-remainder method: shares sum to the
 * cost, each share is the floor or the ceiling of its exact proportion (off by less than one fen), and the
 * result does not depend on input order (equal remainders give their extra fen to the smallest unit ids,
 * code-unit order). The balance-aware variant draws each share from principal and income in a configured
 * order and reports the rest as a self-funded (自筹) line, so no balance ever goes negative.
 */
import { Result } from "effect"
import type { Area } from "../values/Area.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Money, unsafeFen } from "../values/Money.js"
import { compareIds } from "./HouseholdId.js"

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export interface WeightedItem<Id extends string = string> {
  readonly id: Id
  /** Non-negative integer weight (area in 0.01 m², 1 per household, balance × days, …). */
  readonly weight: bigint
}

export interface LargestRemainderOptions {
  /** Rule prefix for error ids, e.g. `M175` gives `M175.unique-unit`. Default `M176`. */
  readonly rule?: string
  /** Field name of the item list in errors (`units[3].id`). Default `items`. */
  readonly field?: string
  /** Field name of the total in errors. Default `total`. */
  readonly totalField?: string
}

/**
 * Largest-remainder (Hamilton) split of a non-negative integer `total` by non-negative integer weights
 * with a positive sum (M176). Returns the shares aligned with `items`. Each share is
 * `floor(total × w / W)` plus at most one unit; the leftover units go to the largest remainders, ties to
 * the smallest id (code-unit order), so the outcome is a function of the set of (id, weight) pairs.
 * Items with zero weight always get zero. Failures: negative total, negative weight, duplicate id, zero
 * total weight.
 */
export const largestRemainder = <Id extends string>(
  total: bigint,
  items: ReadonlyArray<WeightedItem<Id>>,
  options: LargestRemainderOptions = {},
): Result.Result<ReadonlyArray<bigint>, InvalidValue> => {
  const rule = options.rule ?? "M176"
  const field = options.field ?? "items"
  if (total < 0n)
    return Result.fail(
      invalid(
        options.totalField ?? "total",
        `${rule}.non-negative-amount`,
        total,
        "the amount to split must not be negative",
      ),
    )
  const n = items.length
  const index = new Map<string, number>()
  let sumW = 0n
  for (let i = 0; i < n; i++) {
    const it = items[i]!
    if (index.has(it.id))
      return Result.fail(
        invalid(`${field}[${i}].id`, `${rule}.unique-unit`, it.id, `unit ${it.id} appears more than once`),
      )
    index.set(it.id, i)
    if (it.weight < 0n)
      return Result.fail(
        invalid(
          `${field}[${i}].weight`,
          `${rule}.non-negative-weight`,
          it.weight,
          "weights must not be negative",
        ),
      )
    sumW += it.weight
  }
  if (sumW === 0n)
    return Result.fail(
      invalid(field, `${rule}.positive-total-weight`, sumW, "the total weight of the scope is zero"),
    )
  // Fast path: when total × W is a safe integer every product and remainder is exact as a double.
  if (total * sumW <= MAX_SAFE) return Result.succeed(splitSafe(Number(total), Number(sumW), items, index))
  const shares = new Array<bigint>(n)
  const rems = new Array<bigint>(n)
  let given = 0n
  for (let i = 0; i < n; i++) {
    const p = total * items[i]!.weight
    const q = p / sumW
    shares[i] = q
    rems[i] = p - q * sumW
    given += q
  }
  const leftover = Number(total - given) // 0 ≤ leftover < number of items with a positive remainder
  if (leftover > 0) {
    const idx: number[] = []
    for (let i = 0; i < n; i++) if (rems[i]! > 0n) idx.push(i)
    idx.sort((a, b) => {
      const ra = rems[a]!
      const rb = rems[b]!
      return ra > rb ? -1 : ra < rb ? 1 : compareIds(items[a]!.id, items[b]!.id)
    })
    for (let j = 0; j < leftover; j++) shares[idx[j]!]! += 1n
  }
  return Result.succeed(shares)
}

/** `largestRemainder` in doubles, exact because total × W ≤ 2^53 − 1 (so is every product and remainder). */
const splitSafe = (
  total: number,
  sumW: number,
  items: ReadonlyArray<WeightedItem>,
  index: ReadonlyMap<string, number>,
): ReadonlyArray<bigint> => {
  const n = items.length
  const shares = new Float64Array(n)
  const rems = new Float64Array(n)
  let given = 0
  for (let i = 0; i < n; i++) {
    const p = total * Number(items[i]!.weight)
    let q = Math.floor(p / sumW)
    let r = p - q * sumW
    if (r < 0) {
      q -= 1
      r += sumW
    } else if (r >= sumW) {
      q += 1
      r -= sumW
    }
    shares[i] = q
    rems[i] = r
    given += q
  }
  const leftover = total - given
  if (leftover > 0) {
    // The leftover-th largest remainder is the cut (positive, as leftover < #positive remainders): all
    // above it get a fen, and among those equal to it the smallest ids get the rest. A native numeric
    // sort plus a sort of the ties only, instead of a comparator sort of everything.
    const cut = rems.slice().sort()[n - leftover]!
    const tied: number[] = []
    let given1 = 0
    for (let i = 0; i < n; i++) {
      const r = rems[i]!
      if (r > cut) {
        shares[i]! += 1
        given1 += 1
      } else if (r === cut) tied.push(i)
    }
    // Default sort orders strings by UTF-16 code units, the same order as compareIds, natively.
    const tiedIds = tied.map((i) => items[i]!.id).sort()
    for (let j = 0; j < leftover - given1; j++) shares[index.get(tiedIds[j]!)!]! += 1
  }
  const out = new Array<bigint>(n)
  for (let i = 0; i < n; i++) out[i] = BigInt(shares[i]!)
  return out
}

/** How the scope's weights are taken (M49, M175): building area, one per household, or custom weights. */
export type ApportionBasis = "area" | "household" | "weight"

export interface ScopeUnit<Id extends string = string> {
  readonly unitId: Id
  /** Building area in 0.01 m²; required for the `area` basis. */
  readonly area?: Area
  /** Custom non-negative integer weight; required for the `weight` basis (scale decimals before). */
  readonly weight?: number | bigint
}

export interface Share<Id extends string = string> {
  readonly unitId: Id
  readonly share: Money
}

export interface Apportionment<Id extends string = string> {
  readonly cost: Money
  readonly basis: ApportionBasis
  readonly totalWeight: bigint
  /** One share per unit, in input order; Σ share = cost. */
  readonly shares: ReadonlyArray<Share<Id>>
}

/** The unit's weight under `basis`, or the reason it has none (no Result per unit: this runs 10⁴ times). */
const weightOf = (u: ScopeUnit, i: number, basis: ApportionBasis): bigint | InvalidValue => {
  switch (basis) {
    case "household":
      return 1n
    case "area": {
      const a = u.area
      if (a === undefined)
        return invalid(
          `units[${i}].area`,
          "M175.area-required",
          "",
          "apportionment by area needs every unit's area",
        )
      if (!Number.isSafeInteger(a) || a < 0)
        return invalid(
          `units[${i}].area`,
          "M175.non-negative-weight",
          a,
          "areas must be non-negative whole 0.01 m²",
        )
      return BigInt(a)
    }
    case "weight": {
      const w = u.weight
      if (w === undefined)
        return invalid(
          `units[${i}].weight`,
          "M175.weight-required",
          "",
          "apportionment by weight needs every unit's weight",
        )
      if (typeof w === "number" && !Number.isSafeInteger(w))
        return invalid(`units[${i}].weight`, "M175.integer-weight", w, "custom weights must be whole numbers")
      const b = BigInt(w)
      if (b < 0n)
        return invalid(`units[${i}].weight`, "M175.non-negative-weight", w, "weights must not be negative")
      return b
    }
  }
}

/**
 * Splits `cost` over `units` (M175): by area (share ∝ building area), by household (equal) or by custom
 * weights. Failures (InvalidValue, rule `M175.*`): negative cost, duplicate unit id, missing/negative
 * weight or area, zero total weight (also an empty scope).
 */
export const apportion = <Id extends string>(
  cost: Money,
  units: ReadonlyArray<ScopeUnit<Id>>,
  basis: ApportionBasis,
): Result.Result<Apportionment<Id>, InvalidValue> => {
  if (!Number.isSafeInteger(cost))
    return Result.fail(invalid("cost", "M175.integer-fen", cost, "the cost must be a whole number of fen"))
  if (cost < 0)
    return Result.fail(
      invalid("cost", "M175.non-negative-amount", cost, "the cost to apportion must not be negative"),
    )
  const items = new Array<WeightedItem<Id>>(units.length)
  let totalWeight = 0n
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!
    const w = weightOf(u, i, basis)
    if (typeof w !== "bigint") return Result.fail(w)
    items[i] = { id: u.unitId, weight: w }
    totalWeight += w
  }
  const split = largestRemainder(BigInt(cost), items, { rule: "M175", field: "units", totalField: "cost" })
  if (Result.isFailure(split)) return Result.fail(split.failure)
  const s = split.success
  return Result.succeed({
    cost,
    basis,
    totalWeight,
    shares: units.map((u, i) => ({ unitId: u.unitId, share: Number(s[i]!) as Money })),
  })
}

/** Which component of a sub-account is drawn first (M175 practice parameter 02). */
export type DrawOrder = "principal-first" | "income-first"

/** A household's available balance, split into principal (本金) and income (增值收益/利息) components. */
export interface Available {
  readonly principal: Money
  readonly income: Money
}

export interface Draw<Id extends string = string> {
  readonly unitId: Id
  readonly share: Money
  /** Drawn from the principal component of the sub-account. */
  readonly principal: Money
  /** Drawn from the income component of the sub-account. */
  readonly income: Money
  /** Self-funded shortfall (自筹): paid by the owner directly, never booked against the sub-account. */
  readonly selfFunded: Money
}

export interface FundedApportionment<Id extends string = string> extends Apportionment<Id> {
  readonly order: DrawOrder
  /** One draw per share, in input order; share = principal + income + selfFunded for each. */
  readonly draws: ReadonlyArray<Draw<Id>>
  readonly totals: { readonly principal: Money; readonly income: Money; readonly selfFunded: Money }
}

/**
 * Draws each share from the household's available balance (M175, A5): the first component in `order` up
 * to its balance, then the other, and the rest becomes 自筹. Never draws more than is available.
 * Failures: a share's household has no balance entry, a negative balance component, a negative share.
 */
export const drawFromBalances = <Id extends string>(
  shares: ReadonlyArray<Share<Id>>,
  balances: ReadonlyMap<Id, Available>,
  order: DrawOrder,
): Result.Result<ReadonlyArray<Draw<Id>>, InvalidValue> => {
  const out = new Array<Draw<Id>>(shares.length)
  for (let i = 0; i < shares.length; i++) {
    const { unitId, share } = shares[i]!
    if (share < 0)
      return Result.fail(
        invalid(`shares[${i}].share`, "M175.non-negative-amount", share, "shares must not be negative"),
      )
    const b = balances.get(unitId)
    if (b === undefined)
      return Result.fail(
        invalid(
          `balances.${unitId}`,
          "M175.balance-required",
          unitId,
          `no available balance given for unit ${unitId}`,
        ),
      )
    if (b.principal < 0 || b.income < 0)
      return Result.fail(
        invalid(
          `balances.${unitId}`,
          "M175.non-negative-balance",
          `${b.principal}/${b.income}`,
          "available balances must not be negative",
        ),
      )
    const [first, second] = order === "principal-first" ? [b.principal, b.income] : [b.income, b.principal]
    const a = Math.min(share, first)
    const c = Math.min(share - a, second)
    const selfFunded = share - a - c
    out[i] = {
      unitId,
      share,
      principal: unsafeFen(order === "principal-first" ? a : c),
      income: unsafeFen(order === "principal-first" ? c : a),
      selfFunded: unsafeFen(selfFunded),
    }
  }
  return Result.succeed(out)
}

/** Σ of parts of one safe cost, hence safe itself. */
const total = (xs: ReadonlyArray<number>): Money => {
  let t = 0
  for (const x of xs) t += x
  return t as Money
}

/** `apportion` followed by `drawFromBalances`: the use-side split of a project cost (M175, A5). */
export const apportionFromBalances = <Id extends string>(
  cost: Money,
  units: ReadonlyArray<ScopeUnit<Id>>,
  basis: ApportionBasis,
  balances: ReadonlyMap<Id, Available>,
  order: DrawOrder,
): Result.Result<FundedApportionment<Id>, InvalidValue> => {
  const a = apportion(cost, units, basis)
  if (Result.isFailure(a)) return Result.fail(a.failure)
  const d = drawFromBalances(a.success.shares, balances, order)
  if (Result.isFailure(d)) return Result.fail(d.failure)
  const draws = d.success
  return Result.succeed({
    ...a.success,
    order,
    draws,
    totals: {
      principal: total(draws.map((x) => x.principal)),
      income: total(draws.map((x) => x.income)),
      selfFunded: total(draws.map((x) => x.selfFunded)),
    },
  })
}

/** What is still to be paid out of a household's sub-account for a project (approved draw minus paid). */
export interface Remaining<Id extends string = string> {
  readonly unitId: Id
  readonly principal: Money
  readonly income: Money
}

/**
 * One disbursement tranche (M51, M177): splits `amount` over the remaining fund-financed draws by
 * largest remainder with the remaining amounts as weights. Each part is ≤ its remaining amount, so the
 * tranches never overpay a household, and a tranche equal to the whole remainder settles it exactly.
 * Ties use the id `<unitId>\u0000income|principal`. Failures: negative amount or remaining,
 * amount above the total remaining (`M177.within-approved`).
 */
export const splitTranche = <Id extends string>(
  remaining: ReadonlyArray<Remaining<Id>>,
  amount: Money,
): Result.Result<ReadonlyArray<Remaining<Id>>, InvalidValue> => {
  if (amount < 0)
    return Result.fail(
      invalid("amount", "M177.non-negative-amount", amount, "a tranche must not be negative"),
    )
  const items: WeightedItem[] = []
  let rest = 0n
  for (let i = 0; i < remaining.length; i++) {
    const r = remaining[i]!
    if (r.principal < 0 || r.income < 0)
      return Result.fail(
        invalid(
          `remaining[${i}]`,
          "M177.non-negative-remaining",
          `${r.principal}/${r.income}`,
          "remaining draws must not be negative",
        ),
      )
    items.push(
      { id: `${r.unitId}\u0000income`, weight: BigInt(r.income) },
      { id: `${r.unitId}\u0000principal`, weight: BigInt(r.principal) },
    )
    rest += BigInt(r.principal) + BigInt(r.income)
  }
  if (BigInt(amount) > rest)
    return Result.fail(
      invalid(
        "amount",
        "M177.within-approved",
        amount,
        `the tranche exceeds the ${rest} fen still to be paid`,
      ),
    )
  if (amount === 0)
    return Result.succeed(
      remaining.map((r) => ({ unitId: r.unitId, principal: unsafeFen(0), income: unsafeFen(0) })),
    )
  const split = largestRemainder(BigInt(amount), items, {
    rule: "M177",
    field: "remaining",
    totalField: "amount",
  })
  if (Result.isFailure(split)) return Result.fail(split.failure)
  const s = split.success
  return Result.succeed(
    remaining.map((r, i) => ({
      unitId: r.unitId,
      income: Number(s[2 * i]!) as Money,
      principal: Number(s[2 * i + 1]!) as Money,
    })),
  )
}
