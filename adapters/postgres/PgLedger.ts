/**
 * Ledger over PostgreSQL (or PGlite) through Kysely. A post is ONE transaction: lock the chain head
 * (`SELECT … FOR UPDATE`, so posts serialise and the chain is linear), compare already-stored ids by
 * content (idempotent replay or Conflict), check household components in order as the domain does,
 * then insert entries and lines with `unnest` arrays, add the balance deltas and move the head. The
 * database is the backstop: a deferred constraint trigger refuses any unbalanced entry at commit and a
 * check refuses negative household balances (FundSchema). Hashes: SM3 via node:crypto over the domain's
 * canonical encoding (JournalChain); `verify` rebuilds every entry from its stored columns.
 */
import { createHash } from "node:crypto"
import { Effect, Layer, Result, Schedule } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import {
  type AccountBalance,
  Ledger,
  LedgerError,
  type LedgerErrorReason,
} from "../../application/ports/Ledger.js"
import { type AccountCode, type Book, account, accountsOf } from "../../domain/fund/ChartOfAccounts.js"
import { type ChainedEntry, type HashHex, chainAfter, verifyChain } from "../../domain/fund/JournalChain.js"
import {
  type Component,
  type EntryId,
  type JournalEntry,
  type JournalLine,
  fingerprint,
  validateEntry,
} from "../../domain/fund/JournalEntry.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import type { HouseholdBalance } from "../../domain/fund/Ledger.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import type { Money } from "../../domain/values/Money.js"
import { type Database, PgDatabase } from "./PgDatabase.js"

/** node:crypto's SM3 (byte-identical to the domain's sm-crypto-v2 one, several times faster). */
export const nodeSm3: HashHex = (text) => createHash("sm3").update(text, "utf8").digest("hex")

/** Thrown inside a transaction to roll it back with a port failure; caught at the Effect boundary. */
class Abort {
  constructor(readonly reason: LedgerErrorReason) {}
}
const abort = (reason: LedgerErrorReason): never => {
  throw new Abort(reason)
}

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const v = (e as Record<string, unknown>)[key]
  return typeof v === "string" ? v : undefined
}

/**
 * Maps a driver error (pg or PGlite) to a Ledger failure by SQLSTATE and constraint: 23514 on
 * fund_entry_balanced → InvalidEntry (JE.balanced), on fund_household_balances_non_negative → Overdrawn,
 * 23505 on fund_entries → Conflict, 40001/40P01 → Contention, anything else → Unavailable.
 */
export const classifyLedgerError = (e: unknown): LedgerErrorReason => {
  if (e instanceof Abort) return e.reason
  const code = field(e, "code")
  const constraint = field(e, "constraint") ?? ""
  const message = field(e, "message") ?? String(e)
  if (code === "23514" && constraint === "fund_entry_balanced")
    return {
      _tag: "InvalidEntry",
      entryId: /journal entry (.*) is unbalanced/u.exec(message)?.[1] ?? "",
      rule: "JE.balanced",
      detail: message,
    }
  if (code === "23514" && constraint === "fund_household_balances_non_negative") {
    const row = /Failing row contains \((\w+), (.*), (principal|income), -?\d+\)/u.exec(
      field(e, "detail") ?? "",
    )
    return {
      _tag: "Overdrawn",
      entryId: "",
      book: (row?.[1] ?? "commodity") as Book,
      household: row?.[2] ?? "",
      component: (row?.[3] ?? "principal") as Component,
    }
  }
  if (code === "23505" && constraint.startsWith("fund_entries"))
    return { _tag: "Conflict", entryId: /=\((.*)\)/u.exec(field(e, "detail") ?? "")?.[1] ?? "" }
  if (code === "40001" || code === "40P01") return { _tag: "Contention", detail: message }
  return { _tag: "Unavailable", detail: code === undefined ? message : `${code}: ${message}` }
}

const run = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new LedgerError({ reason: classifyLedgerError(e) }) }).pipe(
    Effect.retry({
      while: (e: LedgerError) => e.reason._tag === "Contention",
      times: 3,
      schedule: Schedule.exponential("20 millis"),
    }),
  )

// ---------------------------------------------------------------------------------------------
// Rows ↔ domain values

interface EntryRow {
  id: string
  seq: string | number
  book: string
  entry_date: string
  rule: string
  memo: string
  closing: boolean
  reversal_of: string | null
  prev_hash: string
  hash: string
}
interface LineRow {
  entry_id: string
  account: string
  side: string
  amount: string | number
  household: string | null
  component: string | null
  project: string | null
}

/** Rebuilds an entry from its stored columns exactly (so the fingerprint and hash can be recomputed). */
const entryFromRows = (r: EntryRow, lines: ReadonlyArray<LineRow>): JournalEntry => ({
  id: r.id as EntryId,
  book: r.book as Book,
  date: r.entry_date as CivilDate,
  rule: r.rule,
  memo: r.memo,
  closing: r.closing,
  ...(r.reversal_of === null ? {} : { reversalOf: r.reversal_of as EntryId }),
  lines: lines.map(
    (l): JournalLine => ({
      account: l.account as AccountCode,
      side: l.side as JournalLine["side"],
      amount: Number(l.amount) as Money,
      ...(l.household === null
        ? {}
        : { subAccount: { household: l.household as HouseholdId, component: l.component as Component } }),
      ...(l.project === null ? {} : { project: l.project }),
    }),
  ),
})

type Db = Kysely<Database> | Transaction<Database>

const selectEntries = async (
  db: Db,
  schema: string,
  ids: ReadonlyArray<string> | null,
): Promise<ReadonlyArray<{ row: EntryRow; entry: JournalEntry }>> => {
  const t = (name: string) => sql.table(`${schema}.${name}`)
  const where = ids === null ? sql`` : sql`where id = any(${[...ids]}::text[])`
  const entries = await sql<EntryRow>`
    select id, seq, book, to_char(entry_date, 'YYYY-MM-DD') as entry_date, rule, memo, closing, reversal_of,
           prev_hash, hash
      from ${t("fund_entries")} ${where} order by seq`.execute(db)
  const lineWhere = ids === null ? sql`` : sql`where entry_id = any(${[...ids]}::text[])`
  const lines = await sql<LineRow>`
    select entry_id, account, side, amount, household, component, project
      from ${t("fund_entry_lines")} ${lineWhere} order by entry_id, line_no`.execute(db)
  const byEntry = new Map<string, LineRow[]>()
  for (const l of lines.rows) {
    const xs = byEntry.get(l.entry_id)
    if (xs === undefined) byEntry.set(l.entry_id, [l])
    else xs.push(l)
  }
  return entries.rows.map((row) => ({ row, entry: entryFromRows(row, byEntry.get(row.id) ?? []) }))
}

// ---------------------------------------------------------------------------------------------
// Posting

/** Validation needs no database: it runs before a transaction is opened. */
const validateBatch = (
  batch: ReadonlyArray<JournalEntry>,
): { readonly candidates: ReadonlyArray<JournalEntry>; readonly unchanged: number } => {
  const inBatch = new Map<string, JournalEntry>()
  const candidates: JournalEntry[] = []
  let unchanged = 0
  for (const e of batch) {
    const v = validateEntry(e)
    if (Result.isFailure(v))
      abort({ _tag: "InvalidEntry", entryId: String(e.id), rule: v.failure.rule, detail: v.failure.message })
    const prior = inBatch.get(e.id)
    if (prior !== undefined) {
      if (prior !== e && fingerprint(prior) !== fingerprint(e)) abort({ _tag: "Conflict", entryId: e.id })
      unchanged += 1
      continue
    }
    inBatch.set(e.id, e)
    candidates.push(e)
  }
  return { candidates, unchanged }
}

const postValidated = async (
  trx: Transaction<Database>,
  schema: string,
  candidates: ReadonlyArray<JournalEntry>,
  unchangedInBatch: number,
  hash: HashHex,
): Promise<{ posted: number; unchanged: number }> => {
  let unchanged = unchangedInBatch
  const t = (name: string) => sql.table(`${schema}.${name}`)
  {
    const head = await sql<{ seq: string | number; hash: string }>`
      select seq, hash from ${t("fund_ledger_head")} where id = 1 for update`.execute(trx)
    const h = head.rows[0]
    if (h === undefined) throw new Error("fund_ledger_head is missing (migration 200 not applied)")
    // Already stored ids: identical content is a replay, anything else a conflict.
    const found = await sql<{ id: string }>`
      select id from ${t("fund_entries")} where id = any(${candidates.map((e) => e.id)}::text[])`.execute(trx)
    const stored =
      found.rows.length === 0
        ? []
        : await selectEntries(
            trx,
            schema,
            found.rows.map((r) => r.id),
          )
    const storedFp = new Map(stored.map((s) => [s.entry.id as string, fingerprint(s.entry)]))
    const fresh: JournalEntry[] = []
    for (const e of candidates) {
      const fp = storedFp.get(e.id)
      if (fp === undefined) fresh.push(e)
      else if (fp === fingerprint(e)) unchanged += 1
      else abort({ _tag: "Conflict", entryId: e.id })
    }
    if (fresh.length === 0) return { posted: 0, unchanged }
    // Household components, entry by entry, exactly as the domain ledger checks them.
    const touched = new Map<string, { book: string; household: string }>()
    for (const e of fresh)
      for (const l of e.lines)
        if (l.subAccount !== undefined)
          touched.set(`${e.book}\u0000${l.subAccount.household}`, {
            book: e.book,
            household: l.subAccount.household,
          })
    const running = new Map<string, number>()
    for (const book of ["commodity", "public"] as const) {
      const hs = [...touched.values()].filter((k) => k.book === book).map((k) => k.household)
      if (hs.length === 0) continue
      const cur = await sql<{ household: string; component: string; amount: string | number }>`
        select household, component, amount from ${t("fund_household_balances")}
         where book = ${book} and household = any(${hs}::text[])`.execute(trx)
      for (const r of cur.rows)
        running.set(`${book}\u0000${r.household}\u0000${r.component}`, Number(r.amount))
    }
    const hhDelta = new Map<string, number>()
    const accDelta = new Map<string, number>()
    for (const e of fresh) {
      for (const l of e.lines) {
        const ak = `${e.book}\u0000${l.account}`
        accDelta.set(ak, (accDelta.get(ak) ?? 0) + (l.side === "debit" ? l.amount : -l.amount))
        if (l.subAccount === undefined) continue
        const k = `${e.book}\u0000${l.subAccount.household}\u0000${l.subAccount.component}`
        const d = l.side === "credit" ? l.amount : -l.amount
        running.set(k, (running.get(k) ?? 0) + d)
        hhDelta.set(k, (hhDelta.get(k) ?? 0) + d)
      }
      for (const l of e.lines) {
        if (l.subAccount === undefined) continue
        if (running.get(`${e.book}\u0000${l.subAccount.household}\u0000${l.subAccount.component}`)! < 0)
          abort({
            _tag: "Overdrawn",
            entryId: e.id,
            book: e.book,
            household: l.subAccount.household,
            component: l.subAccount.component,
          })
      }
    }
    const chained = chainAfter({ seq: Number(h.seq), hash: h.hash }, fresh, hash)
    await sql`
      insert into ${t("fund_entries")} (id, seq, book, entry_date, rule, memo, closing, reversal_of, prev_hash, hash)
      select * from unnest(
        ${chained.map((c) => c.entry.id)}::text[], ${chained.map((c) => String(c.seq))}::bigint[],
        ${chained.map((c) => c.entry.book)}::text[], ${chained.map((c) => c.entry.date)}::date[],
        ${chained.map((c) => c.entry.rule)}::text[], ${chained.map((c) => c.entry.memo)}::text[],
        ${chained.map((c) => c.entry.closing)}::boolean[], ${chained.map((c) => c.entry.reversalOf ?? null)}::text[],
        ${chained.map((c) => c.prevHash)}::text[], ${chained.map((c) => c.hash)}::text[])`.execute(trx)
    const cols = {
      entry: [] as string[],
      no: [] as number[],
      account: [] as string[],
      side: [] as string[],
      amount: [] as string[],
      household: [] as Array<string | null>,
      component: [] as Array<string | null>,
      project: [] as Array<string | null>,
    }
    for (const e of fresh)
      e.lines.forEach((l, i) => {
        cols.entry.push(e.id)
        cols.no.push(i)
        cols.account.push(l.account)
        cols.side.push(l.side)
        cols.amount.push(String(l.amount))
        cols.household.push(l.subAccount?.household ?? null)
        cols.component.push(l.subAccount?.component ?? null)
        cols.project.push(l.project ?? null)
      })
    await sql`
      insert into ${t("fund_entry_lines")} (entry_id, line_no, account, side, amount, household, component, project)
      select * from unnest(${cols.entry}::text[], ${cols.no}::smallint[], ${cols.account}::text[],
        ${cols.side}::text[], ${cols.amount}::bigint[], ${cols.household}::text[], ${cols.component}::text[],
        ${cols.project}::text[])`.execute(trx)
    const acc = [...accDelta].filter(([, d]) => d !== 0)
    if (acc.length > 0)
      await sql`
        insert into ${t("fund_account_balances")} as a (book, account, amount)
        select * from unnest(${acc.map(([k]) => k.split("\u0000")[0]!)}::text[],
          ${acc.map(([k]) => k.split("\u0000")[1]!)}::text[], ${acc.map(([, d]) => String(d))}::bigint[])
        on conflict (book, account) do update set amount = a.amount + excluded.amount`.execute(trx)
    // Absolute values (the head lock serialises posts): an insert of a negative delta would fail the
    // non-negative check before ON CONFLICT is considered.
    const hh = [...hhDelta.keys()]
    if (hh.length > 0) {
      const parts = hh.map((k) => k.split("\u0000"))
      await sql`
        insert into ${t("fund_household_balances")} (book, household, component, amount)
        select * from unnest(${parts.map((p) => p[0]!)}::text[], ${parts.map((p) => p[1]!)}::text[],
          ${parts.map((p) => p[2]!)}::text[], ${hh.map((k) => String(running.get(k)!))}::bigint[])
        on conflict (book, household, component) do update set amount = excluded.amount`.execute(trx)
    }
    const last = chained.at(-1)!
    await sql`update ${t("fund_ledger_head")} set seq = ${String(last.seq)}::bigint, hash = ${last.hash} where id = 1`.execute(
      trx,
    )
    return { posted: fresh.length, unchanged }
  }
}

const postBatch = async (
  db: Kysely<Database>,
  schema: string,
  batch: ReadonlyArray<JournalEntry>,
  hash: HashHex,
): Promise<{ posted: number; unchanged: number }> => {
  const v = validateBatch(batch)
  if (v.candidates.length === 0) return { posted: 0, unchanged: v.unchanged }
  return db.transaction().execute((trx) => postValidated(trx, schema, v.candidates, v.unchanged, hash))
}

/**
 * Posts entries inside the caller's transaction (same checks, chain and balances as `post`), for stores
 * that write their own rows with the money in ONE transaction (FundRegistry). Throws; classify the
 * thrown value with `classifyLedgerError`.
 */
export const postEntriesIn = async (
  trx: Transaction<Database>,
  schema: string,
  batch: ReadonlyArray<JournalEntry>,
  hash: HashHex = nodeSm3,
): Promise<{ posted: number; unchanged: number }> => {
  const v = validateBatch(batch)
  if (v.candidates.length === 0) return { posted: 0, unchanged: v.unchanged }
  return postValidated(trx, schema, v.candidates, v.unchanged, hash)
}

// ---------------------------------------------------------------------------------------------

/** The Ledger over the PgDatabase in context (PostgreSQL or PGlite). `hash` defaults to node:crypto SM3. */
export const makeWith = (hash: HashHex = nodeSm3) =>
  Effect.gen(function* () {
    const { db, schema } = yield* PgDatabase
    const t = (name: string) => sql.table(`${schema}.${name}`)
    return Ledger.of({
      post: (entries) => run(() => postBatch(db, schema, entries, hash)),
      accountBalances: (book) =>
        run(async () => {
          const rows = await sql<{ account: string; amount: string | number }>`
            select account, amount from ${t("fund_account_balances")} where book = ${book}`.execute(db)
          const m = new Map(rows.rows.map((r) => [r.account, Number(r.amount)]))
          return accountsOf(book).flatMap((a): AccountBalance[] => {
            const raw = m.get(a.code)
            if (raw === undefined || !a.postable) return []
            return [
              { account: a.code, balance: (account(a.code).normalSide === "debit" ? raw : 0 - raw) as Money },
            ]
          })
        }),
      householdBalances: (book) =>
        run(async () => {
          const rows = await sql<{ household: string; component: string; amount: string | number }>`
            select household, component, amount from ${t("fund_household_balances")}
             where book = ${book} order by household`.execute(db)
          const m = new Map<string, { principal: number; income: number }>()
          for (const r of rows.rows) {
            const x = m.get(r.household) ?? { principal: 0, income: 0 }
            x[r.component as Component] = Number(r.amount)
            m.set(r.household, x)
          }
          return [...m].map(
            ([h, x]): HouseholdBalance => ({
              household: h as HouseholdId,
              principal: x.principal as Money,
              income: x.income as Money,
            }),
          )
        }),
      journal: () => run(async () => (await selectEntries(db, schema, null)).map((s) => s.entry)),
      verify: () =>
        run(async () => {
          const rows = await selectEntries(db, schema, null)
          const head = await sql<{ seq: string | number; hash: string }>`
            select seq, hash from ${t("fund_ledger_head")} where id = 1`.execute(db)
          const h = head.rows[0]
          return verifyChain(
            rows.map(
              (s): ChainedEntry => ({
                seq: Number(s.row.seq),
                entry: s.entry,
                prevHash: s.row.prev_hash,
                hash: s.row.hash,
              }),
            ),
            hash,
            h === undefined ? undefined : { seq: Number(h.seq), hash: h.hash },
          )
        }),
    })
  })

export const make = makeWith()

/** Ledger over the PgDatabase layer the caller provides (`PgDatabase.layer`, `PgliteDatabase.layer`, …). */
export const layer: Layer.Layer<Ledger, never, PgDatabase> = Layer.effect(Ledger, make)
