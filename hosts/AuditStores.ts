/**
 * The AuditLog for the storage a host runs on (chosen by StoreSelection.chooseStorage): PostgreSQL when a
 * database URL is given, otherwise embedded PGlite in a data directory or in memory. Migrations (audit
 * tables, append-only and follow-the-head triggers) run when the layer starts.
 */
import { Layer } from "effect"
import type { AuditLog } from "../application/ports/AuditLog.js"
import * as PgliteDatabase from "../adapters/pglite/PgliteDatabase.js"
import * as PgAuditLog from "../adapters/postgres/PgAuditLog.js"
import * as PgDatabase from "../adapters/postgres/PgDatabase.js"
import type { StorageChoice } from "./StoreSelection.js"

export const auditLogLayer = (c: StorageChoice): Layer.Layer<AuditLog, Error> =>
  PgAuditLog.layer.pipe(
    Layer.provide(
      c.kind === "postgres"
        ? PgDatabase.layer({ url: c.url, schema: c.schema })
        : PgliteDatabase.layer(c.dataDir === null ? {} : { dataDir: c.dataDir }),
    ),
  )
