import { Layer } from "effect"
import { suite } from "../../contracts-tests/FundRegistry.contract.js"
import { layerTest } from "./PgDatabase.js"
import { layer } from "./PgFundRegistry.js"
import { layer as ledger } from "./PgLedger.js"

// Never skipped: an unreachable server fails the suite (the layer fails to start). A private schema.
suite(
  "postgres",
  Layer.merge(layer, ledger).pipe(
    Layer.provide(
      layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
    ),
  ),
)
