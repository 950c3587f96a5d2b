/**
 * PostgreSQL tables of stored identities (users, custom roles, sessions, API keys, login log): row types
 * and migrations, versions from 500, frozen once released. Secrets never reach a table: sessions and keys
 * are keyed by the hex SHA-256 of the secret. The login log is append-only (a statement trigger refuses
 * UPDATE, DELETE and TRUNCATE with SQLSTATE 23514 `identity_logins_append_only`).
 */
import type { ColumnType, Generated } from "kysely"
import type { Migration } from "./Migration.js"

type Millis = ColumnType<string | number, number, number>
type Json = ColumnType<unknown, string, string>

export interface IdentityUsersTable {
  id: string
  login: string
  display_name: string
  /** The UserScope (role kind and its ids), decoded with Schema on read. */
  scope: Json
  /** Granted role names, a JSON array. */
  roles: Json
  status: string
  password_hash: string | null
  created_at: Millis
  updated_at: Millis
}

export interface IdentityRolesTable {
  name: string
  description: string
  permissions: Json
  updated_at: Millis
}

export interface IdentitySessionsTable {
  digest: string
  user_id: string
  issued_at: Millis
  expires_at: Millis
  revoked_at: ColumnType<string | number | null, number | null, number | null>
}

export interface IdentityApiKeysTable {
  id: string
  label: string
  digest: string
  districts: Json
  roles: Json
  created_at: Millis
  created_by: string
  revoked_at: ColumnType<string | number | null, number | null, number | null>
}

export interface IdentityLoginsTable {
  seq: Generated<string | number>
  at: Millis
  login: string
  user_id: string | null
  ip: string
  outcome: string
}

export type IdentityTables = {
  identity_users: IdentityUsersTable
  identity_roles: IdentityRolesTable
  identity_sessions: IdentitySessionsTable
  identity_api_keys: IdentityApiKeysTable
  identity_logins: IdentityLoginsTable
}

const ID = `~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'`
const DIGEST = `~ '^[0-9a-f]{64}$'`

export const IDENTITY_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 500,
    name: "identity",
    statements: (s) => [
      `create table ${s}.identity_users (
        id text collate "C" not null check (id ${ID}),
        login text collate "C" not null check (char_length(login) between 3 and 64),
        display_name text not null,
        scope jsonb not null,
        roles jsonb not null,
        status text not null check (status in ('active', 'disabled')),
        password_hash text,
        created_at bigint not null,
        updated_at bigint not null,
        constraint identity_users_pkey primary key (id),
        constraint identity_users_login_key unique (login)
      )`,
      `create table ${s}.identity_roles (
        name text collate "C" not null check (name ~ '^[a-z][a-z0-9-]{1,47}$'),
        description text not null,
        permissions jsonb not null,
        updated_at bigint not null,
        constraint identity_roles_pkey primary key (name)
      )`,
      `create table ${s}.identity_sessions (
        digest text collate "C" not null check (digest ${DIGEST}),
        user_id text collate "C" not null,
        issued_at bigint not null,
        expires_at bigint not null,
        revoked_at bigint,
        constraint identity_sessions_pkey primary key (digest),
        constraint identity_sessions_user_fkey foreign key (user_id) references ${s}.identity_users (id)
      )`,
      `create index identity_sessions_user_idx on ${s}.identity_sessions (user_id) where revoked_at is null`,
      `create table ${s}.identity_api_keys (
        id text collate "C" not null check (id ${ID}),
        label text not null,
        digest text collate "C" not null check (digest ${DIGEST}),
        districts jsonb not null,
        roles jsonb not null,
        created_at bigint not null,
        created_by text not null,
        revoked_at bigint,
        constraint identity_api_keys_pkey primary key (id),
        constraint identity_api_keys_digest_key unique (digest)
      )`,
      `create table ${s}.identity_logins (
        seq bigserial primary key,
        at bigint not null,
        login text collate "C" not null,
        user_id text collate "C",
        ip text not null,
        outcome text not null check (outcome in ('success', 'failure', 'locked'))
      )`,
      `create index identity_logins_login_idx on ${s}.identity_logins (login, at desc, seq desc)`,
      `create index identity_logins_user_idx on ${s}.identity_logins (user_id, at desc, seq desc)`,
      `create index identity_logins_at_idx on ${s}.identity_logins (at desc, seq desc)`,
      `create function ${s}.identity_logins_append_only() returns trigger language plpgsql as $fn$
      begin
        raise exception 'the login log is append-only (% on %)', tg_op, tg_table_name
          using errcode = '23514', constraint = 'identity_logins_append_only';
      end
      $fn$`,
      `create trigger identity_logins_append_only before update or delete or truncate on ${s}.identity_logins
        for each statement execute function ${s}.identity_logins_append_only()`,
    ],
  },
]
