/**
 * FeedStore on embedded PGlite in the tier's own data folder (M125: never the business data folder):
 * exactly the PostgreSQL store (`PgFeedStore.make`, same SQL, FEED_MIGRATIONS only). One writer per folder
 * (the folder lock of PgliteDatabase); the instance lives as long as the layer's scope.
 */
import type { Kysely } from "kysely"
import { Layer } from "effect"
import { FeedStore } from "../../application/ports/FeedStore.js"
import { acquire } from "../postgres/PgFeedStore.js"
import { FEED_SCHEMA } from "../postgres/FeedSchema.js"
import { makeKysely } from "./PgliteDatabase.js"

export interface PgliteFeedConfig {
  /** The feed data folder, or omitted for memory (gone on close). */
  readonly dataDir?: string
  /** Run PGlite on the calling thread (default false: a worker thread). */
  readonly inProcess?: boolean
}

export const layer = (config: PgliteFeedConfig = {}): Layer.Layer<FeedStore, Error> =>
  Layer.effect(
    FeedStore,
    acquire(
      async () =>
        (await makeKysely({
          ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
          ...(config.inProcess === undefined ? {} : { inProcess: config.inProcess }),
        })) as unknown as Kysely<unknown>,
      { schema: FEED_SCHEMA, dropOnClose: false },
    ),
  )
