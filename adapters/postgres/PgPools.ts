/**
 * The `pg` pool behind each Kysely instance that PgDatabase's `makeKysely` made, for the bulk writers that
 * need one of its connections for `COPY … FROM STDIN` (pg-copy-streams), which Kysely cannot issue. Kept out
 * of PgDatabase's exported surface so the published type declarations never need `@types/pg`.
 */
import type { Kysely } from "kysely"
import type pg from "pg"

const pools = new WeakMap<Kysely<never>, pg.Pool>()

/** Records the pool of a Kysely instance (called by `makeKysely`). */
export const rememberPool = <DB>(db: Kysely<DB>, pool: pg.Pool): void => {
  pools.set(db as unknown as Kysely<never>, pool)
}

/**
 * The pool behind `db` (undefined for PGlite and other dialects). Keyed by the instance `makeKysely`
 * returned, not by a `withSchema` copy.
 */
export const poolOf = <DB>(db: Kysely<DB>): pg.Pool | undefined => pools.get(db as unknown as Kysely<never>)
