/**
 * PostgreSQL tables of the fund area: its Kysely row types and its migrations. Migration versions of
 * this area are numbered from 200 so areas never collide; released migrations are frozen. Row types
 * never leave adapters/. The database itself enforces the journal's invariants: a DEFERRABLE INITIALLY
 * DEFERRED constraint trigger checks at commit that every new entry has ≥ 2 lines and Σ debit =
 * Σ credit (so no unbalanced entry is ever stored, whatever the caller does), amounts are positive, and
 * household component balances are non-negative (check). Hash-chain columns: seq, prev_hash, hash (SM3).
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

/** `bigint`: `pg` returns a string, PGlite a number. */
type BigIntColumn = ColumnType<string | number, number | string, number | string>

export interface FundLedgerHeadTable {
  id: number
  seq: BigIntColumn
  hash: string
}

export interface FundEntriesTable {
  id: string
  seq: BigIntColumn
  book: string
  /** `date`; selected through `to_char(…, 'YYYY-MM-DD')`. */
  entry_date: ColumnType<Date | string, string, string>
  rule: string
  memo: string
  closing: boolean
  reversal_of: string | null
  prev_hash: string
  hash: string
}

export interface FundEntryLinesTable {
  entry_id: string
  line_no: number
  account: string
  side: string
  amount: BigIntColumn
  household: string | null
  component: string | null
  project: string | null
}

export interface FundHouseholdBalancesTable {
  book: string
  household: string
  component: string
  amount: BigIntColumn
}

export interface FundAccountBalancesTable {
  book: string
  account: string
  /** Debit-positive. */
  amount: BigIntColumn
}

export type FundTables = {
  fund_ledger_head: FundLedgerHeadTable
  fund_entries: FundEntriesTable
  fund_entry_lines: FundEntryLinesTable
  fund_household_balances: FundHouseholdBalancesTable
  fund_account_balances: FundAccountBalancesTable
}

// Literal lists are copied (not imported) from the domain so that a released migration never changes.
const ACCOUNTS =
  "'1001', '100101', '100102', '1101', '1201', '2001', '2101', '3001', '3002', '3101', '4001', '4101', '4102', '4201', '4301', '4901', '5001', '5101', '5901'"
const BOOKS = "'commodity', 'public'"
const HEX64 = "'^[0-9a-f]{64}$'"

export const FUND_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 200,
    name: "fund-ledger",
    statements: (s) => [
      `create table ${s}.fund_ledger_head (
        id smallint not null check (id = 1),
        seq bigint not null check (seq >= 0),
        hash text not null check (hash ~ ${HEX64}),
        constraint fund_ledger_head_pkey primary key (id)
      )`,
      `insert into ${s}.fund_ledger_head (id, seq, hash) values (1, 0, '${"0".repeat(64)}')`,
      `create table ${s}.fund_entries (
        id text collate "C" not null check (char_length(id) between 1 and 200),
        seq bigint not null check (seq >= 1),
        book text not null check (book in (${BOOKS})),
        entry_date date not null,
        rule text not null,
        memo text not null,
        closing boolean not null,
        reversal_of text collate "C",
        prev_hash text not null check (prev_hash ~ ${HEX64}),
        hash text not null check (hash ~ ${HEX64}),
        constraint fund_entries_pkey primary key (id),
        constraint fund_entries_seq_key unique (seq)
      )`,
      `create table ${s}.fund_entry_lines (
        entry_id text collate "C" not null,
        line_no smallint not null check (line_no >= 0),
        account text not null check (account in (${ACCOUNTS}) and account <> '1001'),
        side text not null check (side in ('debit', 'credit')),
        amount bigint not null check (amount > 0),
        household text collate "C",
        component text check (component in ('principal', 'income')),
        project text,
        constraint fund_entry_lines_pkey primary key (entry_id, line_no),
        constraint fund_entry_lines_entry_fkey foreign key (entry_id) references ${s}.fund_entries (id),
        constraint fund_entry_lines_subaccount_check check ((household is null) = (component is null))
      )`,
      `create table ${s}.fund_household_balances (
        book text not null check (book in (${BOOKS})),
        household text collate "C" not null,
        component text not null check (component in ('principal', 'income')),
        amount bigint not null,
        constraint fund_household_balances_pkey primary key (book, household, component),
        constraint fund_household_balances_non_negative check (amount >= 0)
      )`,
      `create table ${s}.fund_account_balances (
        book text not null check (book in (${BOOKS})),
        account text not null,
        amount bigint not null,
        constraint fund_account_balances_pkey primary key (book, account)
      )`,
      // The journal is append-only: no UPDATE or DELETE of entries or lines (corrections are reversing
      // entries, A-rules), and lines can only be inserted in the transaction that inserts their entry.
      // So one deferred check per entry at commit covers every way to store an entry: it has at least
      // two lines and equal debit and credit totals. Raised as SQLSTATE 23514 with constraint
      // fund_entry_balanced / fund_journal_append_only. Only a superuser bypassing triggers can alter
      // stored rows, and the SM3 hash chain (JournalChain) detects that.
      `create function ${s}.fund_journal_append_only() returns trigger language plpgsql as $fn$
      begin
        raise exception 'the fund journal is append-only (% on %): correct an entry with a reversing entry', tg_op, tg_table_name
          using errcode = '23514', constraint = 'fund_journal_append_only';
      end
      $fn$`,
      `create function ${s}.fund_lines_with_their_entry() returns trigger language plpgsql as $fn$
      begin
        if not exists (
          select 1 from ${s}.fund_entries
           where id = new.entry_id and xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text
        ) then
          raise exception 'lines of journal entry % can only be inserted together with the entry', new.entry_id
            using errcode = '23514', constraint = 'fund_journal_append_only';
        end if;
        return new;
      end
      $fn$`,
      `create function ${s}.fund_check_entry_balanced() returns trigger language plpgsql as $fn$
      declare
        n bigint;
        d numeric;
        c numeric;
      begin
        select count(*),
               coalesce(sum(amount) filter (where side = 'debit'), 0),
               coalesce(sum(amount) filter (where side = 'credit'), 0)
          into n, d, c
          from ${s}.fund_entry_lines where entry_id = new.id;
        if n < 2 or d <> c then
          raise exception 'journal entry % is unbalanced: % lines, debits %, credits %', new.id, n, d, c
            using errcode = '23514', constraint = 'fund_entry_balanced';
        end if;
        return null;
      end
      $fn$`,
      `create trigger fund_entries_append_only before update or delete on ${s}.fund_entries
        for each statement execute function ${s}.fund_journal_append_only()`,
      `create trigger fund_entry_lines_append_only before update or delete on ${s}.fund_entry_lines
        for each statement execute function ${s}.fund_journal_append_only()`,
      `create trigger fund_entry_lines_with_entry before insert on ${s}.fund_entry_lines
        for each row execute function ${s}.fund_lines_with_their_entry()`,
      `create constraint trigger fund_entries_balanced
        after insert on ${s}.fund_entries
        deferrable initially deferred
        for each row execute function ${s}.fund_check_entry_balanced()`,
    ],
  },
]
