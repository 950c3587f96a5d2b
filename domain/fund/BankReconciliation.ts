/**
 * Bank reconciliation (银行对账, M65/M189): a custodian-bank statement (CSV text `date,amount,reference`
 * with an optional `balance` column; amounts signed yuan, + receipts, − payments) matched against the
 * book's demand-deposit lines (100101). Matching is one-to-one and deterministic: first by reference =
 * entry id with equal amount, then, among the rest, a maximum matching by equal amount within the date
 * window, and among maximum matchings one with the least total date gap (see `matchWithinWindow`).
 * Result: matched pairs, unmatched lines on both sides, the raw difference (statement − book) and the
 * unexplained rest after the reconciling items (余额调节表: book + bank-only items = bank + book-only
 * items); reconciled ⇔ unexplained = 0.
 */
import { Result } from "effect"
import { type CivilDate, parse as parseDate, toDayNumber } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Money, parseYuan } from "../values/Money.js"
import { parseCsv } from "../stock/Tabular.js"
import type { AccountCode, Book } from "./ChartOfAccounts.js"
import type { JournalEntry } from "./JournalEntry.js"

export interface StatementLine {
  /** Spreadsheet row (header = 1). */
  readonly row: number
  readonly date: CivilDate
  /** Signed fen: + money into the account, − money out. */
  readonly amount: Money
  readonly reference: string
  /** Running balance after the line, when the statement has one. */
  readonly balance?: Money
}

export interface Statement {
  readonly lines: ReadonlyArray<StatementLine>
  /** The last line's running balance, when the statement carries balances. */
  readonly closingBalance?: Money
}

const COLUMNS = ["date", "amount", "reference", "balance"] as const

/** Parses a statement. Failures name the row and field (`M189.*`, `money.*`, `date.*`). */
export const parseStatement = (text: string): Result.Result<Statement, InvalidValue> => {
  const rows = parseCsv(text)
  if (Result.isFailure(rows)) return Result.fail(rows.failure)
  const [header, ...data] = rows.success
  if (header === undefined) return Result.fail(invalid("file", "M189.header", "", "the statement is empty"))
  const names = header.cells.map((c) => c.trim().toLowerCase())
  const col = new Map<string, number>()
  for (const [i, n] of names.entries()) {
    if (!(COLUMNS as ReadonlyArray<string>).includes(n))
      return Result.fail(invalid("header", "M189.known-column", n, `unknown column ${n}`))
    if (col.has(n))
      return Result.fail(invalid("header", "M189.unique-column", n, `column ${n} appears twice`))
    col.set(n, i)
  }
  for (const required of ["date", "amount"] as const)
    if (!col.has(required))
      return Result.fail(
        invalid("header", "M189.required-column", required, `the statement needs a ${required} column`),
      )
  const hasBalance = col.has("balance")
  const lines: StatementLine[] = []
  for (const r of data) {
    const cell = (n: string) => (col.has(n) ? (r.cells[col.get(n)!] ?? "").trim() : "")
    const field = (n: string) => `row ${r.row}.${n}`
    const date = parseDate(cell("date"), field("date"))
    if (Result.isFailure(date)) return Result.fail(date.failure)
    const amount = parseYuan(cell("amount"), field("amount"))
    if (Result.isFailure(amount)) return Result.fail(amount.failure)
    if (amount.success === 0)
      return Result.fail(
        invalid(field("amount"), "M189.non-zero-amount", cell("amount"), "a statement line moves money"),
      )
    let balance: Money | undefined
    if (hasBalance && cell("balance") !== "") {
      const b = parseYuan(cell("balance"), field("balance"))
      if (Result.isFailure(b)) return Result.fail(b.failure)
      balance = b.success
    }
    lines.push({
      row: r.row,
      date: date.success,
      amount: amount.success,
      reference: cell("reference"),
      ...(balance === undefined ? {} : { balance }),
    })
  }
  const last = lines.at(-1)
  return Result.succeed(last?.balance === undefined ? { lines } : { lines, closingBalance: last.balance })
}

/** A book line of the bank account: one entry's net effect on it. */
export interface BookLine {
  readonly entryId: string
  readonly date: CivilDate
  /** Signed fen (debit = +). */
  readonly amount: Money
}

/** The book's bank lines (net per entry, zero nets dropped), in journal order. */
export const bankBookLines = (
  journal: ReadonlyArray<JournalEntry>,
  book: Book,
  account: AccountCode = "100101",
): ReadonlyArray<BookLine> => {
  const out: BookLine[] = []
  for (const e of journal) {
    if (e.book !== book) continue
    let net = 0
    for (const l of e.lines) if (l.account === account) net += l.side === "debit" ? l.amount : -l.amount
    if (net !== 0) out.push({ entryId: e.id, date: e.date, amount: net as Money })
  }
  return out
}

export interface Reconciliation {
  readonly from: CivilDate
  readonly to: CivilDate
  readonly matched: ReadonlyArray<{ readonly statement: StatementLine; readonly book: BookLine }>
  /** On the statement, not in the books (银行已记账、单位未记账). */
  readonly bankOnly: ReadonlyArray<StatementLine>
  /** In the books, not on the statement (单位已记账、银行未记账). */
  readonly bookOnly: ReadonlyArray<BookLine>
  /** Book balance of the account at the end of `to`. */
  readonly bookBalance: Money
  /** Statement closing balance (its last running balance, else opening + Σ lines). */
  readonly statementBalance: Money
  /** statementBalance − bookBalance. */
  readonly difference: Money
  /** difference − Σ bankOnly + Σ bookOnly: what the reconciling items do not explain. */
  readonly unexplained: Money
  readonly reconciled: boolean
}

export interface ReconcileInput {
  readonly statement: Statement
  /** Every book line of the account (all dates): earlier lines make the opening balance. */
  readonly bookLines: ReadonlyArray<BookLine>
  /** Period; defaults to the statement's first and last dates. */
  readonly from?: CivilDate
  readonly to?: CivilDate
  /** Statement opening balance; default = book balance before `from` (the last reconciliation agreed). */
  readonly openingBalance?: Money
  /** Largest date difference for an amount-only match (parameter `fund.reconciliation.match_window_days`). */
  readonly windowDays: number
}

const sum = (xs: ReadonlyArray<{ readonly amount: Money }>): number => xs.reduce((t, x) => t + x.amount, 0)

/** Reconciles a statement with the book (see the module header). Fails on an empty statement without a period. */
export const reconcile = (input: ReconcileInput): Result.Result<Reconciliation, InvalidValue> => {
  const st = [...input.statement.lines].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.row - b.row,
  )
  const from = input.from ?? st[0]?.date
  const to = input.to ?? st.at(-1)?.date
  if (from === undefined || to === undefined)
    return Result.fail(invalid("statement", "M189.period", "", "an empty statement needs a period"))
  if (to < from)
    return Result.fail(
      invalid("period", "M189.period-order", `${from}..${to}`, "the period ends before it starts"),
    )
  const inPeriod = st.filter((l) => l.date >= from && l.date <= to)
  const before = input.bookLines.filter((l) => l.date < from)
  const candidates = input.bookLines.filter((l) => l.date >= from && l.date <= to)
  const used = new Set<number>()
  const matchedOf = new Map<StatementLine, BookLine>()
  // Pass 1: reference = entry id and equal amount.
  const byId = new Map<string, number[]>()
  for (const [i, b] of candidates.entries()) byId.set(b.entryId, [...(byId.get(b.entryId) ?? []), i])
  for (const s of inPeriod) {
    if (s.reference === "") continue
    const i = (byId.get(s.reference) ?? []).find((k) => !used.has(k) && candidates[k]!.amount === s.amount)
    if (i !== undefined) {
      used.add(i)
      matchedOf.set(s, candidates[i]!)
    }
  }
  // Pass 2: equal amount within the window, a maximum matching per amount.
  const restBook = candidates.flatMap((b, k) => (used.has(k) ? [] : [{ k, b }]))
  const restStatement = inPeriod.filter((s) => !matchedOf.has(s))
  for (const [i, j] of matchWithinWindow(
    restBook.map(({ b }) => ({ day: toDayNumber(b.date), amount: b.amount, key: b.entryId })),
    restStatement.map((s) => ({ day: toDayNumber(s.date), amount: s.amount, key: "" })),
    input.windowDays,
  )) {
    used.add(restBook[i]!.k)
    matchedOf.set(restStatement[j]!, restBook[i]!.b)
  }
  const matched = inPeriod.flatMap((s) => {
    const b = matchedOf.get(s)
    return b === undefined ? [] : [{ statement: s, book: b }]
  })
  const bankOnly = inPeriod.filter((s) => !matchedOf.has(s))
  const bookOnly = candidates.filter((_, k) => !used.has(k))
  const opening = input.openingBalance ?? sum(before)
  const bookBalance = sum(before) + sum(candidates)
  const statementBalance = input.statement.closingBalance ?? opening + sum(inPeriod)
  const difference = statementBalance - bookBalance
  const unexplained = difference - sum(bankOnly) + sum(bookOnly)
  return Result.succeed({
    from,
    to,
    matched,
    bankOnly,
    bookOnly,
    bookBalance: bookBalance as Money,
    statementBalance: statementBalance as Money,
    difference: difference as Money,
    unexplained: unexplained as Money,
    reconciled: unexplained === 0,
  })
}

/** A line to match: its day number, amount and a tie-break key (book: entry id; statement: ""). */
export interface MatchLine {
  readonly day: number
  readonly amount: number
  readonly key: string
}

/**
 * One-to-one matching of book lines to statement lines of equal amount whose days differ by at most
 * `windowDays`. Returns [bookIndex, statementIndex] pairs of a maximum matching (as many pairs as any
 * matching has) with the least total |day difference| among maximum matchings; remaining ties keep the
 * earlier lines (by day, then key, then position) matched. Deterministic: with distinct keys the result
 * does not depend on the order of the book lines; statement lines of equal day and key keep their given
 * order (the caller passes them by date, then row).
 *
 * Why it is exact: two crossing pairs (b1 < b2 matched to s1 > s2) can be uncrossed into (b1, s2),
 * (b2, s1); both stay within the window and the total gap does not grow. So an optimal matching exists
 * that pairs the lines in sorted order, and a dynamic programme over the two sorted sequences (match
 * the last two lines, or leave one of them unmatched) finds it. Lines whose days are more than the
 * window apart from everything on the other side split the work into independent runs.
 */
export const matchWithinWindow = (
  book: ReadonlyArray<MatchLine>,
  statement: ReadonlyArray<MatchLine>,
  windowDays: number,
): ReadonlyArray<readonly [number, number]> => {
  const byDay = (xs: ReadonlyArray<MatchLine>) =>
    xs
      .map((_, i) => i)
      .sort((a, b) => {
        const x = xs[a]!
        const y = xs[b]!
        return x.day - y.day || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0) || a - b
      })
  const groups = new Map<number, { book: number[]; statement: number[] }>()
  const group = (amount: number) => {
    const g = groups.get(amount) ?? { book: [], statement: [] }
    groups.set(amount, g)
    return g
  }
  for (const i of byDay(book)) group(book[i]!.amount).book.push(i)
  for (const j of byDay(statement)) group(statement[j]!.amount).statement.push(j)
  const out: Array<readonly [number, number]> = []
  for (const amount of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(amount)!
    // Split into runs: consecutive lines (both sides merged by day) more than the window apart.
    let bi = 0
    let si = 0
    while (bi < g.book.length || si < g.statement.length) {
      const b0 = bi
      const s0 = si
      let last = Number.NEGATIVE_INFINITY
      for (;;) {
        const bd = bi < g.book.length ? book[g.book[bi]!]!.day : Number.POSITIVE_INFINITY
        const sd = si < g.statement.length ? statement[g.statement[si]!]!.day : Number.POSITIVE_INFINITY
        const next = Math.min(bd, sd)
        if (
          next === Number.POSITIVE_INFINITY ||
          (last !== Number.NEGATIVE_INFINITY && next - last > windowDays)
        )
          break
        last = next
        if (bd <= sd) bi++
        else si++
      }
      out.push(
        ...matchRun(
          g.book.slice(b0, bi).map((i) => ({ i, day: book[i]!.day })),
          g.statement.slice(s0, si).map((j) => ({ j, day: statement[j]!.day })),
          windowDays,
        ),
      )
    }
  }
  return out
}

/** The order-preserving optimum for one run of equal-amount lines, both sorted by day. */
const matchRun = (
  book: ReadonlyArray<{ readonly i: number; readonly day: number }>,
  statement: ReadonlyArray<{ readonly j: number; readonly day: number }>,
  windowDays: number,
): ReadonlyArray<readonly [number, number]> => {
  const n = book.length
  const m = statement.length
  if (n === 0 || m === 0) return []
  const w = m + 1
  // count/gap of the best matching of book[0..i) with statement[0..j); choice: 1 pair, 2 skip book, 3 skip statement.
  const count = new Int32Array((n + 1) * w)
  const gap = new Float64Array((n + 1) * w)
  const choice = new Uint8Array((n + 1) * w)
  const better = (c1: number, g1: number, c2: number, g2: number) => c1 > c2 || (c1 === c2 && g1 < g2)
  for (let i = 0; i <= n; i++)
    for (let j = 0; j <= m; j++) {
      const at = i * w + j
      if (i === 0 || j === 0) {
        choice[at] = i === 0 ? 3 : 2
        continue
      }
      // Ties keep the earlier lines matched: leaving the last line out wins unless pairing is strictly better.
      let c = count[at - w]!
      let g = gap[at - w]!
      let how = 2
      if (better(count[at - 1]!, gap[at - 1]!, c, g)) {
        c = count[at - 1]!
        g = gap[at - 1]!
        how = 3
      }
      const d = Math.abs(book[i - 1]!.day - statement[j - 1]!.day)
      if (d <= windowDays && better(count[at - w - 1]! + 1, gap[at - w - 1]! + d, c, g)) {
        c = count[at - w - 1]! + 1
        g = gap[at - w - 1]! + d
        how = 1
      }
      count[at] = c
      gap[at] = g
      choice[at] = how
    }
  const pairs: Array<readonly [number, number]> = []
  let i = n
  let j = m
  while (i > 0 && j > 0) {
    const how = choice[i * w + j]
    if (how === 1) {
      pairs.push([book[i - 1]!.i, statement[j - 1]!.j])
      i--
      j--
    } else if (how === 2) i--
    else j--
  }
  return pairs.reverse()
}
