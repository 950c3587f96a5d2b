/**
 * Tables of a supervision tier's feed database (M125: its own database, never the business one). These
 * migrations are applied by the FeedStore adapters to the feed database only and are not in the business
 * MIGRATIONS list; versions are this list's own. Frozen once released.
 */
import type { Migration } from "./Migration.js"

export const FEED_SCHEMA = "anju_feed"

export const FEED_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "feed",
    statements: (s) => [
      `create table ${s}.feed_senders (
        sender text collate "C" not null primary key,
        seq integer not null check (seq > 0),
        digest text not null check (digest ~ '^[0-9a-f]{64}$'),
        public_key text not null
      )`,
      `create table ${s}.feed_batches (
        digest text collate "C" not null primary key check (digest ~ '^[0-9a-f]{64}$'),
        sender text collate "C" not null,
        tier text not null check (tier in ('county', 'city', 'province', 'national')),
        period text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        seq integer not null check (seq > 0),
        superseded_by text collate "C",
        received_at bigint not null,
        manifest jsonb not null,
        receipt jsonb not null
      )`,
      `create index feed_batches_current_idx on ${s}.feed_batches (sender, period) where superseded_by is null`,
      `create table ${s}.feed_records (
        batch text collate "C" not null references ${s}.feed_batches (digest),
        kind text collate "C" not null,
        id text collate "C" not null,
        category text not null,
        period text not null,
        body jsonb not null,
        primary key (batch, kind, id)
      )`,
      `create index feed_records_figures_idx on ${s}.feed_records (period) where kind = 'figures'`,
    ],
  },
]

export interface FeedTables {
  feed_senders: { sender: string; seq: number; digest: string; public_key: string }
  feed_batches: {
    digest: string
    sender: string
    tier: string
    period: string
    seq: number
    superseded_by: string | null
    received_at: string | number
    manifest: unknown
    receipt: unknown
  }
  feed_records: { batch: string; kind: string; id: string; category: string; period: string; body: unknown }
}
