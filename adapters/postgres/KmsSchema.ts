/**
 * PostgreSQL table of the software KMS (adapters/kms): one row per key version, its material sealed under
 * the master key (never in clear). Migrations of this area are numbered 1500–1599 and frozen once released.
 * At most one current version per key is enforced by a partial unique index.
 */
import type { ColumnType } from "kysely"
import type { Migration } from "./Migration.js"

export interface KmsKeyVersionsTable {
  key_id: string
  version: number
  state: string
  /** epoch ms; `bigint` (pg returns a string, PGlite a number). */
  created_at: ColumnType<string | number, number, number>
  material: string
}

export type KmsTables = { kms_key_versions: KmsKeyVersionsTable }

export const KMS_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1500,
    name: "kms-key-versions",
    statements: (s) => [
      `create table ${s}.kms_key_versions (
        key_id text collate "C" not null check (key_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        version integer not null check (version >= 1),
        state text not null check (state in ('current', 'previous', 'retired')),
        created_at bigint not null,
        material text not null,
        constraint kms_key_versions_pkey primary key (key_id, version)
      )`,
      `create unique index kms_key_versions_current_key on ${s}.kms_key_versions (key_id) where state = 'current'`,
    ],
  },
]
