/**
 * The LotteryStore for the storage a host runs on (chosen by StoreSelection.chooseStorage): PostgreSQL when
 * a database URL is given, otherwise embedded PGlite in a data directory or in memory. Migrations (the
 * lottery tables with their run-once indexes) run when the layer starts; SecureRandom supplies draw ids.
 */
import { Layer } from "effect"
import type { LotteryStore } from "../application/ports/LotteryStore.js"
import type { SecureRandom } from "../application/ports/SecureRandom.js"
import * as NodeSecureRandom from "../adapters/node/NodeSecureRandom.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import * as PgLotteryStore from "../adapters/postgres/PgLotteryStore.js"
import type { StorageChoice } from "./StoreSelection.js"

export const lotteryStoreLayer = (c: StorageChoice): Layer.Layer<LotteryStore | SecureRandom, Error> =>
  Layer.mergeAll(
    PgLotteryStore.layer.pipe(
      Layer.provide(
        c.kind === "postgres"
          ? PgDatabase.layer({ url: c.url, schema: c.schema })
          : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir }),
      ),
    ),
    NodeSecureRandom.layer,
  )
